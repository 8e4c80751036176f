"""Measuring the STAR segmenter on labelled answers (tests/data/star/*.txt)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from coach.report import PARTS
from coach.segment import segment
from coach.text import words_from_text

LETTER_PART = {"S": "situation", "T": "task", "A": "action", "R": "result"}


@dataclass(frozen=True)
class LabelledAnswer:
    id: str
    question: str
    style: str
    lines: tuple[tuple[str, str], ...]
    """(part, text) per labelled line, in order."""

    @property
    def text(self) -> str:
        return " ".join(t for _, t in self.lines)

    def word_labels(self) -> list[str]:
        return [p for p, t in self.lines for _ in t.split()]


def load_answers(path: Path) -> list[LabelledAnswer]:
    answers: list[LabelledAnswer] = []
    current: dict | None = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("## "):
            current = {"id": line[3:].strip(), "question": "", "style": "", "lines": []}
            answers.append(current)
        elif not line or current is None:
            continue
        elif line.startswith(("question:", "style:")):
            key, _, value = line.partition(":")
            current[key] = value.strip()
        elif line[:2] in ("S:", "T:", "A:", "R:"):
            current["lines"].append((LETTER_PART[line[0]], line[2:].strip()))
        else:
            raise ValueError(f"{path}:{n}: cannot parse {line!r}")
    return [LabelledAnswer(a["id"], a["question"], a["style"], tuple(a["lines"]))
            for a in answers]


def predict_word_labels(answer: LabelledAnswer) -> list[str]:
    words = words_from_text(answer.text)
    labels = [""] * len(words)
    for s in segment(words):
        for i in range(s.first_word, s.last_word + 1):
            labels[i] = s.part
    return labels


@dataclass
class Scores:
    confusion: Counter  # (gold, predicted) -> words

    @property
    def accuracy(self) -> float:
        total = sum(self.confusion.values())
        right = sum(v for (g, p), v in self.confusion.items() if g == p)
        return right / total if total else 0.0

    def prf(self, part: str) -> tuple[float, float, float]:
        tp = self.confusion[(part, part)]
        pred = sum(v for (_, p), v in self.confusion.items() if p == part)
        gold = sum(v for (g, _), v in self.confusion.items() if g == part)
        precision = tp / pred if pred else 0.0
        recall = tp / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def evaluate(answers: list[LabelledAnswer]) -> Scores:
    confusion: Counter = Counter()
    for a in answers:
        for g, p in zip(a.word_labels(), predict_word_labels(a), strict=True):
            confusion[(g, p)] += 1
    return Scores(confusion)


def format_scores(name: str, scores: Scores, n_answers: int) -> str:
    lines = [f"{name}: {n_answers} answers, {sum(scores.confusion.values())} words",
             f"  word-level accuracy {scores.accuracy * 100:.1f}%",
             "  part        precision  recall    F1"]
    for p in PARTS:
        pr, rc, f1 = scores.prf(p)
        lines.append(f"  {p:<10} {pr * 100:9.1f}% {rc * 100:6.1f}% {f1 * 100:5.1f}%")
    lines.append("  confusion (rows gold, columns predicted), words:")
    lines.append("  " + " " * 10 + "".join(f"{p[:6]:>8}" for p in PARTS))
    for g in PARTS:
        lines.append(f"  {g:<10}" + "".join(f"{scores.confusion[(g, p)]:>8}" for p in PARTS))
    return "\n".join(lines)
