"""Does the answer so far sound finished? A learned judgement on the transcript so far.

A finished answer usually ends in a Result (an outcome, a lesson, what changed since) and
in a complete sentence; one that goes on ends in a Situation, between Action steps, or
mid-sentence ("so what I did was", "and then", "um"). The model is a logistic regression
(python-crfsuite's CRF on one-item sequences, as for the checks) over: the STAR model's
probabilities for the last sentence and for the answer so far, the last words, whether
the last word is a filler, and the segmenter's cue patterns in the last sentence. It is
trained by ``scripts/train_turn_model.py`` on the labelled answers of ``tests/data/star``
cut into prefixes: the whole answer is finished; cuts at the end of every other line,
inside lines and after an added "um" are not.

The final punctuation of the transcript so far is ignored: the recogniser puts a full stop
wherever the audio it was given ends, finished or not.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

from coach.analysis.report import PARTS, Part
from coach.analysis.segment import (
    SegmenterModel,
    label_with_alternatives,
    load_model,
    normalize,
    split_sentences,
)
from coach.analysis.star_features import sentence_features
from coach.speech.fillers import find_fillers
from coach.words import Word, bare_word, join_words

Features = dict[str, float]
END, MORE = "end", "more"
MODEL_FILE = "turn_end.crfsuite"
STATS_FILE = "turn_end.json"
"""Beside the model: the threshold chosen by cross-validation and the figures behind it."""
STAR_FILE = "turn_star.crfsuite"
"""Beside the model: a copy of the STAR model its features were computed with at training
(the part of each sentence is a feature). Retraining the STAR model alone must not shift
what this model sees: a finished answer judged at p 0.249 against a threshold of 0.24
fell to 0.240 with the STAR model retrained on two more batches."""
_TRAILING = re.compile(r"[.?!…,;:\-]+[\"')\]]*$")
_KEEP_LAST = ("cue:", "modal", "past", "present", "number", "I", "we", "they")


def strip_final_punctuation(words: Sequence[Word]) -> list[Word]:
    """The words with the last one's trailing punctuation removed."""
    out = list(words)
    if out:
        last = out[-1]
        out[-1] = Word(_TRAILING.sub("", last.text) or last.text, last.start, last.end,
                       last.probability)
    return out


@cache
def _rule_cut_segmenter() -> SegmenterModel:
    """The segmenter cutting run-ons by its rules alone and reading the STAR model's own
    probabilities, as when this model was trained (before the learned clause model and the
    part prior): like the STAR model it keeps (``STAR_FILE``), what this model sees must
    not shift under it."""
    return replace(load_model(), clause_file=None, prior=None)


def turn_features(words: Sequence[Word], tagger_path: Path | None = None) -> Features:
    """What the model sees of the answer so far (``tagger_path``: another STAR model, for
    cross-validation)."""
    words = strip_final_punctuation(words)
    f: Features = {"bias": 1.0}
    if not words:
        f["empty"] = 1.0
        return f
    seg = _rule_cut_segmenter()
    spans = split_sentences(words, seg)
    texts = [join_words(words[a:b + 1]) for a, b in spans]
    labelled = label_with_alternatives(texts, seg, tagger_path)
    last = dict(zip(PARTS, labelled[-1].distribution, strict=True))
    for p in PARTS:
        f[f"last:{p.value}"] = last[p]
    earlier = labelled[:-1]
    r, a = PARTS.index(Part.result), PARTS.index(Part.action)
    f["earlier:result"] = max((x.distribution[r] for x in earlier), default=0.0)
    f["earlier:action"] = max((x.distribution[a] for x in earlier), default=0.0)

    parts = [x.part for x in labelled]
    f["result_share"] = parts.count(Part.result) / len(parts)
    f["action_share"] = parts.count(Part.action) / len(parts)
    f[f"sentences={min(len(parts), 15) // 3}"] = 1.0
    first, lastw = spans[-1]
    raw = [bare_word(w.text) for w in words[first:lastw + 1]]
    raw = [t for t in raw if t] or ["_"]
    f[f"last_len={min(len(raw) // 3, 6)}"] = 1.0
    f["end=" + raw[-1]] = 1.0
    if len(raw) > 1:
        f[f"end2={raw[-2]}_{raw[-1]}"] = 1.0
    tail = list(words[max(0, len(words) - 3):])
    if any(b == len(tail) - 1 for _, b in find_fillers(tail)):
        f["end_filler"] = 1.0
    norm = normalize(texts[-1])
    own = sentence_features(norm, seg.cues, seg.past_verbs)
    for k, v in own.items():
        if k.startswith(_KEEP_LAST) or k.startswith(("w=", "f1=", "f2=")):
            f["ls:" + k] = v
    return f


class TurnModel:
    """The trained model: the probability that the answer so far is finished."""

    def __init__(self, path: Path, threshold: float = 0.5,
                 tagger_path: Path | None = None, maybe_threshold: float | None = None):
        import pycrfsuite

        self.threshold = threshold
        """From here the answer sounds finished."""
        self.maybe_threshold = threshold if maybe_threshold is None else maybe_threshold
        """From here it may be finished (``coach.audio.turn``: ends after a longer pause)."""
        self.tagger_path = tagger_path
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self._lock = threading.Lock()

    def probability(self, words: Sequence[Word]) -> float:
        features = turn_features(words, self.tagger_path)
        with self._lock:
            self._tagger.set([features])
            return float(self._tagger.marginal(END, 0))

    def finished(self, words: Sequence[Word]) -> tuple[bool, float]:
        p = self.probability(words)
        return p >= self.threshold, p

    def maybe(self, p: float) -> bool:
        return p >= self.maybe_threshold


@cache
def turn_model() -> TurnModel | None:
    """The shipped model, or None when it has not been trained."""
    from coach.prompts import model_file

    path = model_file(MODEL_FILE)
    if not path.is_file():
        return None
    stats_path = path.parent / STATS_FILE
    stats = json.loads(stats_path.read_text()) if stats_path.is_file() else {}
    threshold = float(stats.get("threshold", 0.5))
    star = path.parent / STAR_FILE
    return TurnModel(path, threshold, star if star.is_file() else None,
                     maybe_threshold=float(stats.get("maybe_threshold", threshold)))


def train(examples: Sequence[tuple[Features, bool]], path: Path, c1: float = 0.1,
          c2: float = 1.0) -> None:
    """Fit the logistic model on (features, finished) pairs and write it to ``path``."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for features, finished in examples:
        trainer.append([features], [END if finished else MORE])
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": 300})
    trainer.train(str(path))
