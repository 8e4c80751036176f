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

from coach.analysis.report import PARTS
from coach.analysis.segment import features, label_sentences, load_model, split_sentences
from coach.analysis.text import words_from_text
from coach.words import Word, join_words

LETTER_PART = {"S": "situation", "T": "task", "A": "action", "R": "result"}


@dataclass(frozen=True)
class LabelledAnswer:
    id: str
    question: str
    style: str
    lines: tuple[tuple[str, str], ...]
    """(part, text) per labelled line, in order."""
    checks: frozenset[str] | None = None
    """The checks that hold, when the answer's block has a ``checks:`` line."""
    batch: str = ""

    @property
    def text(self) -> str:
        return " ".join(t for _, t in self.lines)

    def word_labels(self) -> list[str]:
        return [p for p, t in self.lines for _ in t.split()]


def load_answers(path: Path) -> list[LabelledAnswer]:
    answers: list[dict] = []
    current: dict | None = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("## "):
            current = {"id": line[3:].strip(), "question": "", "style": "", "checks": None,
                       "lines": []}
            answers.append(current)
        elif not line or current is None:
            continue
        elif line.startswith(("question:", "style:", "checks:")):
            key, _, value = line.partition(":")
            current[key] = value.strip()
        elif line[:2] in ("S:", "T:", "A:", "R:"):
            current["lines"].append((LETTER_PART[line[0]], line[2:].strip()))
        else:
            raise ValueError(f"{path}:{n}: cannot parse {line!r}")
    return [LabelledAnswer(a["id"], a["question"], a["style"], tuple(a["lines"]),
                           frozenset(a["checks"].split()) if a["checks"] is not None else None,
                           path.stem)
            for a in answers]


@dataclass(frozen=True)
class Sequence:
    """One answer as the CRF sees it: features and the majority gold part per sentence."""

    words: list[Word]
    spans: list[tuple[int, int]]
    features: list[dict[str, float]]
    labels: list[str]
    gold_words: list[str]


def to_sequence(answer: LabelledAnswer) -> Sequence:
    model = load_model()
    words = words_from_text(answer.text)
    gold = answer.word_labels()
    spans = split_sentences(words, model)
    texts = [join_words(words[a:b + 1]) for a, b in spans]
    labels = [Counter(gold[a:b + 1]).most_common(1)[0][0] for a, b in spans]
    return Sequence(words, spans, features(texts, model), labels, gold)


@dataclass(frozen=True)
class TrainOptions:
    c1: float = 0.05
    """L1 penalty: keeps only the features that matter."""
    c2: float = 0.5
    """L2 penalty: smooths the rest."""
    max_iterations: int = 200


def train(sequences: list[Sequence], path: Path, options: TrainOptions | None = None) -> None:
    """Fit the CRF (L-BFGS, deterministic) and write it to ``path``."""
    import pycrfsuite

    o = options or TrainOptions()
    trainer = pycrfsuite.Trainer(verbose=False)
    for s in sequences:
        trainer.append(s.features, s.labels)
    trainer.set_params({"c1": o.c1, "c2": o.c2, "max_iterations": o.max_iterations,
                        "feature.possible_transitions": True})
    trainer.train(str(path))


def predict_word_labels(answer: LabelledAnswer, tagger_path: Path | None = None
                        ) -> list[str]:
    words = words_from_text(answer.text)
    spans = split_sentences(words)
    parts, _ = label_sentences([join_words(words[a:b + 1]) for a, b in spans],
                               tagger_path=tagger_path)
    labels = [""] * len(words)
    for (a, b), part in zip(spans, parts, strict=True):
        labels[a:b + 1] = [part] * (b - a + 1)
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
    """Per answer: predicted minus true Situation+Task seconds (150 wpm)."""
    share_errors: list[float] = field(default_factory=list)
    """Per answer: predicted minus true Action share."""

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
    for a in answers:
        gold = a.word_labels()
        pred = predict_word_labels(a, tagger_path)
        for g, p in zip(gold, pred, strict=True):
            scores.confusion[(g, p)] += 1
        words = words_from_text(a.text)
        (gst, gshare), (pst, pshare) = word_timing(words, gold), word_timing(words, pred)
        scores.st_errors_s.append(pst - gst)
        scores.share_errors.append(pshare - gshare)
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
             "  part        precision  recall    F1"]
    for p in PARTS:
        pr, rc, f1 = scores.prf(p)
        lines.append(f"  {p:<10} {pr * 100:9.1f}% {rc * 100:6.1f}% {f1 * 100:5.1f}%")
    lines.append("  confusion (rows gold, columns predicted), words:")
    lines.append("  " + " " * 10 + "".join(f"{p[:6]:>8}" for p in PARTS))
    for g in PARTS:
        lines.append(f"  {g:<10}" + "".join(f"{scores.confusion[(g, p)]:>8}" for p in PARTS))
    return "\n".join(lines)
