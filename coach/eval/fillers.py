"""Scoring filler detection against fillers said at known times."""

from __future__ import annotations

from dataclasses import dataclass

from coach.speech.fillers import filler_rules, find_fillers
from coach.words import Word, bare_word


def _kind(text: str) -> str:
    """"hesitation" for any "um", "uh" or "er" however Whisper punctuates it ("Uh-",
    "Um?"); the phrase in bare words otherwise ("you know")."""
    t = " ".join(bare_word(w) for w in text.split())
    return "hesitation" if t in filler_rules().hesitations else t


@dataclass(frozen=True)
class FillerScore:
    true_positives: int
    detected: int
    said: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.said if self.said else 1.0

    def __add__(self, other: FillerScore) -> FillerScore:
        return FillerScore(self.true_positives + other.true_positives,
                           self.detected + other.detected, self.said + other.said)


def score(words: list[Word], truth: list[tuple[str, float]], tolerance_s: float = 1.0
          ) -> FillerScore:
    """A detected filler counts when a filler of the same kind was said within
    ``tolerance_s`` of it (um, uh and er are one kind: Whisper mixes them up; its times
    for a short sound after a pause are often 0.5 s off). Only the kinds said in
    ``truth`` are scored: an answer that says "you know" or "like" among its words has
    them transcribed as words, which is right, not a filler made up. The evaluations mark
    only hesitations as said (``coach.eval.asr.with_fillers``), so there the scores are
    those of the "um"s and "uh"s."""
    kinds = {_kind(k) for k, _ in truth} or {"hesitation"}
    detected = [(kind, words[a].start) for a, b in find_fillers(words)
                if (kind := _kind(" ".join(w.text for w in words[a:b + 1]))) in kinds]
    unmatched = list(truth)
    tp = 0
    for kind, start in detected:
        for k, (t_kind, t_start) in enumerate(unmatched):
            if _kind(t_kind) == kind and abs(t_start - start) <= tolerance_s:
                tp += 1
                del unmatched[k]
                break
    return FillerScore(tp, len(detected), len(truth))


def without_fillers(words: list[Word]) -> str:
    drop = {k for a, b in find_fillers(words) for k in range(a, b + 1)}
    return " ".join(w.text for i, w in enumerate(words) if i not in drop)
