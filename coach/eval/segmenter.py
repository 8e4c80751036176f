"""Measuring and training the STAR segmenter on labelled answers.

The caller passes the files (``scripts/eval_segmenter.py`` and ``scripts/train_segmenter.py``
point at ``tests/data/star/``). Each file is one *batch*: answers written together, by one
hand, at one time. Cross-validation holds out whole batches, so a figure never comes from
answers whose siblings were trained on.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from coach.analysis import labelled
from coach.analysis.labelled import (
    LabelledAnswer,
    Sequence,
    TrainOptions,
    load_answers,
    to_sequence,
)
from coach.analysis.report import PARTS, Sentence
from coach.analysis.segment import compute_timing, part_spans, segment
from coach.analysis.text import words_from_text
from coach.prompts import timing_rules
from coach.words import Word

__all__ = ["LabelledAnswer", "Sequence", "TrainOptions", "load_answers", "to_sequence", "train"]

def train(sequences: list[Sequence], path: Path, options: TrainOptions | None = None) -> None:
    labelled.train([(s.features, s.labels) for s in sequences], path, options)


def predict_word_labels(answer: LabelledAnswer, tagger_path: Path | None = None
                        ) -> list[str]:
    return word_labels(segment(words_from_text(answer.text), tagger_path=tagger_path))


def word_labels(sentences: list[Sentence]) -> list[str]:
    """Each word's most likely part, from the sentences it was cut into."""
    labels = [""] * (sentences[-1].last_word + 1 if sentences else 0)
    for s in sentences:
        part = s.part.value if s.part else ""
        labels[s.first_word:s.last_word + 1] = [part] * (s.last_word - s.first_word + 1)
    return labels


def word_timing(words: list[Word], labels: list[str]) -> tuple[float, float]:
    """(Situation+Task seconds, Action share) of words labelled ``labels``; each word lasts
    until the next one starts, the way the report's part spans do."""
    if not words:
        return 0.0, 0.0
    dur: dict[str, float] = defaultdict(float)
    for i, (w, part) in enumerate(zip(words, labels, strict=True)):
        end = words[i + 1].start if i + 1 < len(words) else w.end
        dur[part] += end - w.start
    total = words[-1].end - words[0].start
    return dur["situation"] + dur["task"], dur["action"] / total if total else 0.0


@dataclass
class Scores:
    confusion: Counter = field(default_factory=Counter)  # (gold, predicted) -> words
    st_errors_s: list[float] = field(default_factory=list)
    """Per answer: the report's minus the true Situation+Task seconds (150 wpm)."""
    share_errors: list[float] = field(default_factory=list)
    """Per answer: the report's minus the true Action share."""
    most_likely_errors: list[tuple[float, float]] = field(default_factory=list)
    """Per answer: (S+T seconds, Action share) errors when each sentence counts wholly as
    its most likely part (each word running to the next one's start), for comparison."""

    @property
    def accuracy(self) -> float:
        total = sum(self.confusion.values())
        right = sum(v for (g, p), v in self.confusion.items() if g == p)
        return right / total if total else 0.0

    @property
    def st_mae_s(self) -> float:
        return _mean([abs(e) for e in self.st_errors_s])

    @property
    def share_mae(self) -> float:
        return _mean([abs(e) for e in self.share_errors])

    def prf(self, part: str) -> tuple[float, float, float]:
        tp = self.confusion[(part, part)]
        pred = sum(v for (_, p), v in self.confusion.items() if p == part)
        gold = sum(v for (g, _), v in self.confusion.items() if g == part)
        precision = tp / pred if pred else 0.0
        recall = tp / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def evaluate(answers: list[LabelledAnswer], tagger_path: Path | None = None) -> Scores:
    scores = Scores()
    rules = timing_rules()
    for a in answers:
        gold = [p.value for p in a.word_labels()]
        words = words_from_text(a.text)
        sentences = segment(words, tagger_path=tagger_path)
        pred = word_labels(sentences)
        for g, p in zip(gold, pred, strict=True):
            scores.confusion[(g, p)] += 1
        gst, gshare = word_timing(words, gold)
        timing = compute_timing(part_spans(sentences), rules, True, sentences)
        scores.st_errors_s.append(timing.situation_task_s - gst)
        scores.share_errors.append(timing.action_share - gshare)
        pst, pshare = word_timing(words, pred)
        scores.most_likely_errors.append((pst - gst, pshare - gshare))
    return scores


def load_batches(directory: Path) -> dict[str, list[LabelledAnswer]]:
    """Every ``*.txt`` of ``directory`` is a batch; ``heard/<batch>.txt`` holds the same
    batch's answers as the recogniser heard them (ids ending in "-heard"), kept in the same
    batch so that cross-validation never trains on one form of an answer it scores."""
    batches: dict[str, list[LabelledAnswer]] = {}
    for path in sorted(directory.glob("*.txt")) + sorted((directory / "heard").glob("*.txt")):
        batches.setdefault(path.stem, []).extend(load_answers(path))
    return batches


def heard(answer: LabelledAnswer) -> bool:
    return answer.id.endswith("-heard")


def cross_validate(batches: dict[str, list[LabelledAnswer]], workdir: Path,
                   options: TrainOptions | None = None
                   ) -> dict[str, tuple[Scores, Scores]]:
    """Leave one batch out: train on the others, score it. ``{batch: (written answers'
    scores, heard answers' scores)}``."""
    sequences = {name: [to_sequence(a) for a in answers] for name, answers in batches.items()}
    out = {}
    for name, answers in batches.items():
        path = workdir / f"cv-{name}.crfsuite"
        train([s for other, seqs in sequences.items() if other != name for s in seqs], path,
              options)
        out[name] = (evaluate([a for a in answers if not heard(a)], path),
                     evaluate([a for a in answers if heard(a)], path))
    return out


def format_scores(name: str, scores: Scores, n_answers: int) -> str:
    lines = [f"{name}: {n_answers} answers, {sum(scores.confusion.values())} words",
             f"  word-level accuracy {scores.accuracy * 100:.1f}%",
             f"  action share: mean error {_mean(scores.share_errors) * 100:+.1f} points, "
             f"mean absolute {scores.share_mae * 100:.1f}",
             f"  situation+task: mean error {_mean(scores.st_errors_s):+.1f} s, "
             f"mean absolute {scores.st_mae_s:.1f} s, "
             f"worst {max((abs(e) for e in scores.st_errors_s), default=0):.1f} s",
             "  (each sentence counted wholly as its most likely part: action share off "
             f"{_mean([abs(e) for _, e in scores.most_likely_errors]) * 100:.1f} points, "
             f"situation+task {_mean([abs(e) for e, _ in scores.most_likely_errors]):.1f} s)",
             "  part        precision  recall    F1"]
    for p in PARTS:
        pr, rc, f1 = scores.prf(p)
        lines.append(f"  {p:<10} {pr * 100:9.1f}% {rc * 100:6.1f}% {f1 * 100:5.1f}%")
    lines.append("  confusion (rows gold, columns predicted), words:")
    lines.append("  " + " " * 10 + "".join(f"{p[:6]:>8}" for p in PARTS))
    for g in PARTS:
        lines.append(f"  {g:<10}" + "".join(f"{scores.confusion[(g, p)]:>8}" for p in PARTS))
    return "\n".join(lines)
