"""The STAR model's probabilities, shifted to the answers people tell.

The STAR model learned how often each part comes from the answers it was trained on
(b1-b116, most of them written from briefs). On the answers built on real ones that it
never saw, it reads too much as the Action: on b117-b131 (671 answers, written and heard)
the Action share came out 2-3 points too high on average and Situation+Task 3 s too low,
on every batch alike. That is a shift in how often the parts come, which a model of each
sentence cannot see from the sentence itself.

So each sentence's probabilities are multiplied by one weight per part and made to add up
to one again (a label-shift correction), and each sentence takes the part most likely after
the shift (not the single most likely sequence, whose one mistake spreads over a whole
background). The weights are fitted on answers the model never saw, by
``scripts/fit_part_prior.py``, and live in ``models/star_part_prior.json`` with the
fingerprint of the STAR model they were fitted for. A missing or unreadable file, or one
fitted for another model (the STAR model retrained since), leaves the model's own reading
(its most likely sequence and its probabilities); so does any other STAR model (a person's
own, or one trained for cross-validation).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from coach.analysis.report import PARTS
from coach.prompts import model_file

FILE = "star_part_prior.json"


@dataclass(frozen=True)
class PartPrior:
    weights: tuple[float, ...]
    """One weight per part, in PARTS order; 1.0 leaves a part as the model has it."""
    fitted_on: str = ""
    """The answers the weights were fitted on (for the record)."""
    model_sha256: str = ""
    """The fingerprint of the STAR model file the weights were fitted for
    (``model_fingerprint``)."""

    def shifted(self, probabilities: Sequence[float]) -> tuple[float, ...]:
        """``probabilities`` (one per part, PARTS order) times the weights, adding up to
        one; unchanged when they cannot be (all zero)."""
        raw = [p * w for p, w in zip(probabilities, self.weights, strict=True)]
        total = sum(raw)
        if total <= 0.0:
            return tuple(probabilities)
        return tuple(x / total for x in raw)

    def to_dict(self) -> dict[str, object]:
        return {"weights": {p.value: round(w, 4) for p, w in zip(PARTS, self.weights,
                                                                 strict=True)},
                "fitted_on": self.fitted_on, "model_sha256": self.model_sha256}

    @classmethod
    def from_dict(cls, data: object) -> PartPrior | None:
        """None unless ``data`` names a finite, positive weight for every part."""
        if not isinstance(data, dict) or not isinstance(data.get("weights"), dict):
            return None
        weights = [data["weights"].get(p.value) for p in PARTS]
        if not all(isinstance(w, int | float) and not isinstance(w, bool)
                   and math.isfinite(w) and 0.0 < w <= 100.0 for w in weights):
            return None
        fitted_on, sha = data.get("fitted_on", ""), data.get("model_sha256", "")
        return cls(tuple(float(w) for w in weights),
                   fitted_on if isinstance(fitted_on, str) else "",
                   sha if isinstance(sha, str) else "")


def model_fingerprint(path: Path) -> str:
    """The sha256 of a model file ("" when it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def load_part_prior(model_path: Path) -> PartPrior | None:
    """The shipped weights, if they were fitted for the STAR model at ``model_path``; None
    (the model's own reading) when the file is missing, not one this code can read (a model
    file, not user data, but read as carefully), or fitted for another model or none that
    can be read. Read once, with the rest of the segmenter (``segment.load_model``)."""
    try:
        data = json.loads(model_file(FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    prior = PartPrior.from_dict(data)
    fingerprint = model_fingerprint(model_path)
    if prior is None or not fingerprint or prior.model_sha256 != fingerprint:
        return None
    return prior
