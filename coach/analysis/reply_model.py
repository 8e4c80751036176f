"""A learned judge for replies to follow-up questions: weak, strong, or not an answer.

Trained on reworded seed replies and independent writers' replies
(``scripts/train_checks.py``, data in ``tests/data/checks/follow_up_rewordings*.txt``). Its
features (``reply_features``) say first whether the reply speaks to the topic the question
asked about, then which cues of a weak or strong answer it holds. A follow-up whose
question has no topic in ``prompts/replies.toml`` is judged by the rubric's rules. Below
``SURE_REPLY`` the coach says it is not sure instead of announcing the verdict.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from coach.analysis.check_model import Features
from coach.analysis.reply_features import reply_features
from coach.prompts import model_file

__all__ = ["CLASSES", "MODEL_NAME", "SURE_REPLY", "ReplyJudgement", "ReplyModel",
           "reply_features", "reply_model"]

MODEL_NAME = "reply_judge.crfsuite"
CLASSES = ("weak", "strong", "offtopic")
SURE_REPLY = 0.6
"""Below this probability for its best class the verdict is said to be unsure."""


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
