"""How wide the likely ranges of Situation+Task seconds and the Action share really are.

The segmenter's own range (``segment.likely_ranges``: labelings drawn from each sentence's
probabilities, independently) is far too sure on answers nobody on the team wrote: on the
810 answers built on real ones (b81-b98, written and heard), each segmented by models that
had not seen its batch, its 10th-90th percentile range held the true Situation+Task in 34%
of answers and the true Action share in 43%, not 80%. Sentences are
not wrong independently (a whole background read as the Action is one mistake spread over
five sentences), and a sentence the model is sure of can still be wrong.

So the range is widened by two numbers fitted on answers the models had not seen
(``scripts/calibrate_timing.py``; split-conformal, normalised by the model's own spread):
each side of the range grows to ``scale * (side + floor)``, where ``floor`` is a share of
the seconds the segmenter labelled (a person's own corrections are taken as given, so a
fully corrected answer keeps a point range), and ``scale`` is chosen so that 80% of those
answers' true figures fall inside. Pure functions; the numbers live in
``models/timing_ranges.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache

from coach.prompts import model_file

FILE = "timing_ranges.json"


@dataclass(frozen=True)
class Widening:
    """One figure's widening: each side of the range becomes ``scale * (side + floor)``,
    ``floor`` in the figure's own unit per unit of labelled share of the answer (seconds
    per second of labelled speech for Situation+Task, a share for the Action share)."""

    scale: float = 1.0
    """1.0: the segmenter's own range."""
    floor: float = 0.0
    """0.0: no extra width for sentences the segmenter was sure of."""

    def apply(self, value: float, low_high: tuple[float, float], floor: float,
              cap: float) -> tuple[float, float]:
        """The widened range around ``value``, within 0..``cap`` and always holding
        ``value`` (a drawn range can miss the expected figure it is reported beside);
        ``floor`` is the floor already scaled to this answer."""
        low = value - self.scale * (max(value - low_high[0], 0.0) + floor)
        high = value + self.scale * (max(low_high[1] - value, 0.0) + floor)
        return max(min(low, value), 0.0), min(max(high, value), cap)

    def to_dict(self) -> dict[str, float]:
        return {"scale": round(self.scale, 4), "floor": round(self.floor, 4)}

    @classmethod
    def from_dict(cls, data: object) -> Widening | None:
        if not isinstance(data, dict):
            return None
        values = [data.get("scale"), data.get("floor")]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                   and 0.0 <= v <= 100.0 for v in values):
            return None
        return cls(float(values[0]), float(values[1]))  # type: ignore[arg-type]


@dataclass(frozen=True)
class RangeCalibration:
    situation_task: Widening = Widening()
    action_share: Widening = Widening()
    coverage: float = 0.8
    """The share of unseen answers whose true figure the ranges were fitted to hold."""

    def to_dict(self) -> dict[str, object]:
        return {"situation_task": self.situation_task.to_dict(),
                "action_share": self.action_share.to_dict(), "coverage": self.coverage}

    @classmethod
    def from_dict(cls, data: object) -> RangeCalibration | None:
        if not isinstance(data, dict):
            return None
        st = Widening.from_dict(data.get("situation_task"))
        share = Widening.from_dict(data.get("action_share"))
        coverage = data.get("coverage")
        if st is None or share is None or not isinstance(coverage, float) \
                or not 0.0 < coverage < 1.0:
            return None
        return cls(st, share, coverage)


@cache
def load_range_calibration() -> RangeCalibration:
    """The shipped widening; the segmenter's own ranges when the file is missing or not
    one this code can read (a model file, not user data, but read as carefully)."""
    try:
        data = json.loads(model_file(FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return RangeCalibration()
    return RangeCalibration.from_dict(data) or RangeCalibration()


def widen_ranges(st_s: float, st_range_s: tuple[float, float], share: float,
                 share_range: tuple[float, float], total_s: float, labelled_s: float,
                 calibration: RangeCalibration | None = None
                 ) -> tuple[tuple[float, float], tuple[float, float]]:
    """(Situation+Task seconds, Action share) likely ranges widened by ``calibration``
    (default: the shipped one). ``labelled_s``: the seconds of the answer whose parts the
    segmenter gave (not the person)."""
    c = calibration or load_range_calibration()
    st = c.situation_task.apply(st_s, st_range_s, c.situation_task.floor * labelled_s, total_s)
    share_floor = c.action_share.floor * (labelled_s / total_s if total_s > 0 else 0.0)
    return st, c.action_share.apply(share, share_range, share_floor, 1.0)


@dataclass(frozen=True)
class RawRange:
    """One answer's figure as the segmenter gave it, beside the truth (for fitting)."""

    value: float
    low: float
    high: float
    truth: float
    labelled: float
    """The floor's unit for this answer: labelled seconds, or the labelled share."""
    cap: float
    """The most the figure can be: the answer's seconds, or 1.0 for a share."""


def fit_widening(raw: list[RawRange], floors: tuple[float, ...], coverage: float = 0.8
                 ) -> Widening:
    """The widening that holds ``coverage`` of the true figures of ``raw`` with the
    narrowest ranges on average: for each floor, the scale is the ``coverage`` quantile of
    each answer's error over its side of the range plus the floor."""
    import numpy as np

    if not raw:
        return Widening()
    best: tuple[float, Widening] | None = None
    for floor in floors:
        ratios = []
        for r in raw:
            side = (r.value - r.low if r.truth < r.value else r.high - r.value)
            room = max(side, 0.0) + floor * r.labelled
            error = abs(r.truth - r.value)
            ratios.append(error / room if room > 0 else (0.0 if error == 0 else math.inf))
        scale = float(np.quantile(np.array(ratios), coverage))
        if not math.isfinite(scale):
            continue
        width = sum(scale * (max(r.value - r.low, 0.0) + max(r.high - r.value, 0.0)
                             + 2 * floor * r.labelled) for r in raw) / len(raw)
        if best is None or width < best[0]:
            best = (width, Widening(scale, floor))
    return best[1] if best else Widening()


def held(raw: list[RawRange], widening: Widening) -> tuple[float, float]:
    """(share of true figures inside the widened ranges, mean width)."""
    if not raw:
        return 0.0, 0.0
    inside = width = 0.0
    for r in raw:
        low, high = widening.apply(r.value, (r.low, r.high), widening.floor * r.labelled,
                                   r.cap)
        inside += low - 1e-9 <= r.truth <= high + 1e-9
        width += high - low
    return inside / len(raw), width / len(raw)
