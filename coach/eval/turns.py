"""Training and measuring the end-of-turn text model on labelled answers cut into prefixes.

Each labelled answer (``tests/data/star``, written and as heard) gives:
  - the whole answer: finished;
  - a cut at the end of every other line: not finished (kind ``after-S``/``-T``/``-A``/
    ``-R``, by the part of the line);
  - a cut inside each line of five words or more, at a position drawn from the answer's
    id (kind ``mid``; scored, but by default not trained on), and one right after the
    first linking word of the line ("and", "so", "was", ...; kind ``link``): not finished;
  - every third line end with an "um" added (kind ``um``): not finished.
Cross-validation holds out whole batches, and for each fold also trains the STAR model
(whose probabilities are features) without them, so no figure rests on a held-out answer.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coach.analysis.labelled import PART_LETTER, LabelledAnswer
from coach.analysis.report import Part
from coach.analysis.text import words_from_text
from coach.analysis.turn_model import Features, TurnModel, train, turn_features
from coach.words import Word

LINKS = frozenset({"and", "so", "but", "because", "then", "was", "were", "that", "which",
                   "when", "to", "the", "of", "i", "we"})
"""Words after which a speaker commonly stops to think mid-sentence (data generation only)."""


@dataclass(frozen=True)
class Cut:
    answer_id: str
    batch: str
    words: tuple[Word, ...]
    finished: bool
    kind: str


def _cut(answer: LabelledAnswer, words: list[Word], n: int, finished: bool, kind: str,
         extra: str = "") -> Cut:
    out = list(words[:n])
    if extra:
        t = out[-1].end if out else 0.0
        out.append(Word(extra, t + 0.3, t + 0.6, 1.0))
    return Cut(answer.id, answer.batch, tuple(out), finished, kind)


def cuts(answer: LabelledAnswer) -> list[Cut]:
    """The answer's prefixes with their labels (see the module's docstring)."""
    words = words_from_text("\n".join(t for _, t in answer.lines))
    out: list[Cut] = []
    end = 0
    for i, (part, text) in enumerate(answer.lines):
        tokens = text.split()
        start, end = end, end + len(tokens)
        last = i == len(answer.lines) - 1
        out.append(_cut(answer, words, end, last,
                        "finished" if last else f"after-{PART_LETTER[part]}"))
        seed = zlib.crc32(f"{answer.id}:{i}".encode())
        if not last and seed % 3 == 0:
            out.append(_cut(answer, words, end, False, "um", "um"))
        if len(tokens) >= 5:
            k = 2 + seed % (len(tokens) - 3)
            out.append(_cut(answer, words, start + k, False, "mid"))
            bare = [t.lower().strip(",.;:!?") for t in tokens]
            link = next((j for j in range(1, len(bare) - 1) if bare[j] in LINKS), None)
            if link is not None and link + 1 != k:
                out.append(_cut(answer, words, start + link + 1, False, "link"))
    return out


def featurize(all_cuts: Sequence[Cut], tagger_path: Path | None = None
              ) -> list[tuple[Features, bool]]:
    return [(turn_features(c.words, tagger_path), c.finished) for c in all_cuts]


@dataclass
class Tally:
    """Verdicts at one threshold, by kind of cut."""

    judged: Counter = field(default_factory=Counter)
    said_finished: Counter = field(default_factory=Counter)

    def add(self, kind: str, finished: bool) -> None:
        self.judged[kind] += 1
        self.said_finished[kind] += finished

    def rate(self, kinds: Sequence[str]) -> tuple[int, int]:
        return (sum(self.said_finished[k] for k in kinds), sum(self.judged[k] for k in kinds))

    def accuracy(self) -> float:
        right = sum(self.said_finished[k] if k == "finished"
                    else self.judged[k] - self.said_finished[k] for k in self.judged)
        return right / max(sum(self.judged.values()), 1)


MID_ANSWER = ("after-S", "after-T", "after-A", "mid", "link", "um")
"""Cuts where a speaker is not done."""
PAUSE_PLACES = ("after-S", "after-T", "after-A", "link", "um")
"""Where people stop to think mid-answer: after the Situation or Task, between Action
steps, after "so what I did was" or "and then", after an "um". The threshold keeps these
judged finished at 1% or less. (A cut at a random word inside a line, ``mid``, is often a
complete clause in writing, "I checked the logs | and found..."; it is reported apart.)"""


def tally(probabilities: Sequence[tuple[Cut, float]], threshold: float) -> Tally:
    t = Tally()
    for cut, p in probabilities:
        t.add(cut.kind, p >= threshold)
    return t


def cross_validate(answers: Sequence[LabelledAnswer], folds: dict[str, int],
                   workdir: Path, skip_kinds: Sequence[str] = ()) -> list[tuple[Cut, float]]:
    """Every cut of every answer with the probability given by models (turn model and
    STAR model) trained without its fold. ``folds``: batch -> fold number; cuts of
    ``skip_kinds`` are scored but not trained on."""
    from coach.eval.segmenter import to_sequence
    from coach.eval.segmenter import train as train_star

    sequences = {a.id: to_sequence(a) for a in answers}
    all_cuts = {a.id: cuts(a) for a in answers}
    out: list[tuple[Cut, float]] = []
    for fold in sorted(set(folds.values())):
        inside = [a for a in answers if folds[a.batch] != fold]
        held = [a for a in answers if folds[a.batch] == fold]
        star = workdir / f"star-{fold}.crfsuite"
        train_star([sequences[a.id] for a in inside], star)
        model_path = workdir / f"turn-{fold}.crfsuite"
        train(featurize([c for a in inside for c in all_cuts[a.id] if c.kind not in skip_kinds],
                        star), model_path)
        model = TurnModel(model_path, tagger_path=star)
        out += [(c, model.probability(c.words)) for a in held for c in all_cuts[a.id]]
    return out


def reply_cuts(reply_id: str, text: str) -> list[Cut]:
    """A reply to a follow-up question cut the same way: the whole reply finished; its
    sentence ends and a cut inside each sentence of five words or more not."""
    answer = LabelledAnswer(reply_id, "", "reply", tuple(
        (Part.result, s) for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s),
        batch="replies")
    return [c for c in cuts(answer) if c.kind != "um"]
