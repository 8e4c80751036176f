"""A learned judge for replies to follow-up questions: weak, strong, or not an answer.

Trained on reworded seed replies (``scripts/train_checks.py``, data in
``tests/data/checks/follow_up_rewordings*.txt``). Its features are the reply's words, the
rules' verdicts on the question's own signal and red flag, and whether the reply speaks
to the question at all, each also tied to the question asked. When it is not sure, the
rules decide.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from coach.analysis.check_model import Features
from coach.analysis.rubric import FollowUpRule
from coach.analysis.segment import normalize
from coach.analysis.star_features import word_features
from coach.prompts import model_file

MODEL_NAME = "reply_judge.crfsuite"
CLASSES = ("weak", "strong", "offtopic")
SURE_REPLY = 0.6
"""Below this probability for its best class the model defers to the rules."""


def reply_features(rule: FollowUpRule, reply: str, found: set[str]) -> Features:
    """``found``: the checks the rules found in the reply."""
    norm = normalize(reply)
    toks = norm.replace(".", " ").replace(",", " ").split()
    g = rule.check_id
    f: Features = {"bias": 1.0, f"gap={g}": 1.0, **word_features(toks, g)}
    f[f"len={min(len(toks) // 8, 5)}"] = 1.0
    flags = {
        "good": rule.good in found,
        "bad": rule.bad is not None and rule.bad in found,
        "answers": rule.answers(norm),
    }
    for name, value in flags.items():
        f[f"{name}={'yes' if value else 'no'}"] = 1.0
        f[f"{g}:{name}={'yes' if value else 'no'}"] = 1.0
    for cid in sorted(found):
        f["rule:" + cid] = 1.0
    return f


@dataclass(frozen=True)
class ReplyJudgement:
    label: str
    probability: float


class ReplyModel:
    def __init__(self, path: Path):
        import pycrfsuite

        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self._lock = threading.Lock()

    def judge(self, features: Features) -> ReplyJudgement:
        with self._lock:
            self._tagger.set([features])
            probs = {c: self._tagger.marginal(c, 0) for c in self._tagger.labels()}
        label = max(probs, key=probs.__getitem__)
        return ReplyJudgement(label, probs[label])


MODEL_PATH_OVERRIDE: Path | None = None
"""Evaluation only: use this model file instead (clear ``reply_model``'s cache)."""


@cache
def reply_model() -> ReplyModel | None:
    path = MODEL_PATH_OVERRIDE or model_file(MODEL_NAME)
    return ReplyModel(path) if path.is_file() else None
