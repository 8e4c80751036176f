"""Where in an answer a check is said: a per-sentence model, and how its finding is joined
with the answer-level model's.

Some checks are said in one sentence among many ("...the rep swore blind it was fine, which,
yeah"). A model of the whole answer weighs every word of it; a model trained on the lines
people marked as saying it (``tests/data/checks/sentences_<check>.txt``) looks at one
sentence at a time, so the sentence that says it is not drowned by the rest of the answer.
The two probabilities are joined by a three-weight logistic model ("stacking") fitted on
both models' verdicts for answers they were not trained on (``scripts/train_checks.py``),
so the joined probability is calibrated and says how sure the coach is.

Which checks have one is data: ``said_in_sentences`` in ``prompts/rubric.toml`` (blame, a
size of harm, prevention, recovery, passing it on and waiting: its comment says what was
measured). A verdict it carries quotes the sentence it rests on, so the report can show
the person where they said it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from coach.analysis.calibration import fit_logistic, logit, sigmoid

YES, NO = "yes", "no"


def model_name(check_id: str) -> str:
    return f"sentences_{check_id}.crfsuite"


@dataclass(frozen=True)
class Stack:
    """The weights joining the answer model's probability with the most telling
    sentence's: ``sigmoid(answer * logit(pa) + sentence * logit(ps) + bias)``."""

    answer: float = 1.0
    sentence: float = 0.0
    bias: float = 0.0

    def join(self, p_answer: float, p_sentence: float) -> float:
        z = self.answer * logit(p_answer) + self.sentence * logit(p_sentence) + self.bias
        return sigmoid(z)

    def to_list(self) -> list[float]:
        return [round(self.answer, 4), round(self.sentence, 4), round(self.bias, 4)]

    @classmethod
    def from_list(cls, values: object) -> Stack | None:
        if (not isinstance(values, list) or len(values) != 3
                or not all(isinstance(v, int | float) for v in values)):
            return None
        return cls(*(float(v) for v in values))


def fit_stack(pairs: list[tuple[float, float]], labels: list[bool],
              l2: float = 0.01, iterations: int = 100) -> Stack:
    """The logistic weights over (logit of the answer's, logit of the sentence's
    probability) that best predict ``labels``, a little L2 (per answer) on the two slopes.
    Fitted on verdicts from models that did not see those answers."""
    import numpy as np

    x = np.array([[logit(a), logit(s), 1.0] for a, s in pairs])
    w = fit_logistic(x, labels, np.array([1.0, 0.0, 0.0]), l2, iterations)
    return Stack(*(float(v) for v in w))


class SentenceModel:
    """A trained per-sentence model: the probability that each sentence says the check."""

    def __init__(self, path: Path):
        import pycrfsuite

        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self._lock = threading.Lock()

    def probabilities(self, sentences: list[dict[str, float]]) -> list[float]:
        """Per sentence, given its features (``check_model.said_features``)."""
        out = []
        with self._lock:
            for f in sentences:
                self._tagger.set([f])
                out.append(float(self._tagger.marginal(YES, 0)))
        return out


def train(rows: list[tuple[dict[str, float], bool]], path: Path, *, c1: float = 0.05,
          c2: float = 0.5, repeat_yes: int = 4, max_iterations: int = 300) -> None:
    """Fit the per-sentence model on (features, says it) rows; the rare "says it" rows
    count ``repeat_yes`` times."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for f, says in rows:
        for _ in range(repeat_yes if says else 1):
            trainer.append([f], [YES if says else NO])
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iterations})
    trainer.train(str(path))
