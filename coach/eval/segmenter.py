"""Measuring and training the STAR segmenter on labelled answers.

The caller passes the files (``scripts/eval_segmenter.py`` and ``scripts/train_segmenter.py``
point at ``tests/data/star/``). Each file is one *batch*: answers written together, by one
hand, at one time. Cross-validation holds out whole batches, so a figure never comes from
answers whose siblings were trained on.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from itertools import accumulate
from pathlib import Path

from coach.analysis import clauses, labelled
from coach.analysis.labelled import (
    LabelledAnswer,
    Sequence,
    TrainOptions,
    load_answers,
    to_sequence,
)
from coach.analysis.report import PARTS, Sentence, Timing
from coach.analysis.segment import (
    SegmenterModel,
    compute_timing,
    labelled_seconds,
    load_model,
    part_spans,
    segment,
    split_sentences,
)
from coach.analysis.text import words_from_text
from coach.analysis.timing_ranges import RangeCalibration, RawRange
from coach.prompts import timing_rules
from coach.words import Word, bare_word

__all__ = ["LabelledAnswer", "Sequence", "TrainOptions", "load_answers", "to_sequence", "train"]


def clause_sequences(answer: LabelledAnswer) -> list[tuple[list[clauses.Features], list[str]]]:
    """The clause model's training sequences of one answer: each sentence cut by the rules
    of punctuation and pauses alone (not yet at clauses), its words labelled NEW where a
    line of the labelled answer starts (as heard, only where the part changes: the lines
    of an answer as heard fall where the recogniser's segments did, not the writer's
    clauses); and a written answer once more as a hurried typed note (``_hurried_sequence``)."""
    model = load_model()
    words = words_from_text(answer.text)
    gold = answer.word_labels()
    if heard(answer):
        starts = {j for j in range(1, len(gold)) if gold[j] != gold[j - 1]}
    else:
        lengths = [len(text.split()) for _, text in answer.lines]
        starts = set(accumulate(lengths[:-1], initial=0))
    out = []
    for a, b in split_sentences(words, model, cut_run_ons=False):
        if b - a + 1 < 2 * model.min_words:
            continue
        raw = [w.text for w in words[a : b + 1]]
        labels = [clauses.NEW if j > a and j in starts else clauses.SAME
                  for j in range(a, b + 1)]
        out.append((clauses.word_features(raw, model.past_verbs), labels))
    if not heard(answer):
        out.append(_hurried_sequence([w.text for w in words], starts, model.past_verbs))
    return out


def _hurried_sequence(tokens: list[str], starts: set[int], past_verbs: frozenset[str]
                      ) -> tuple[list[clauses.Features], list[str]]:
    """A written answer as if typed in a hurry as notes, for the clause model: each word
    as ``_hurried`` types it, and "I" or "we" dropped before a past-tense verb where a
    clause starts ("...the depot | rang the office"). Few typed notes are written, but
    every answer shows where its clauses start."""
    raw: list[str] = []
    labels: list[str] = []
    for j, tok in enumerate(tokens):
        nxt = bare_word(tokens[j + 1]) if j + 1 < len(tokens) else ""
        if (j in starts and bare_word(tok) in ("i", "we")
                and clauses.is_past(nxt, past_verbs)):
            starts = starts | {j + 1}
            continue
        raw.append(_hurried(tok))
        labels.append(clauses.NEW if j in starts and len(raw) > 1 else clauses.SAME)
    return clauses.word_features(raw, past_verbs), labels


def _hurried(token: str) -> str:
    """A word as typed in a hurry: ".", "!", "?", ";" and ":" gone, lower case ("Then" ->
    "then", "shots." -> "shots"), but commas and a capital "I" kept (people typing in a
    hurry write it both ways; the notes in the tests write "i")."""
    bare = token.rstrip(".!?;:")
    return bare if bare in ("I", "I'm", "I've", "I'd", "I'll") else bare.lower()


CLAUSE_OPTIONS = TrainOptions(c1=0.05, c2=0.5, max_iterations=150)
"""The clause model's training: the penalties it was chosen with (the STAR model's were
raised for it alone, ``TrainOptions``)."""


def train_clauses(answers: list[LabelledAnswer], path: Path) -> None:
    labelled.train([s for a in answers for s in clause_sequences(a)], path, CLAUSE_OPTIONS)


def train(sequences: list[Sequence], path: Path, options: TrainOptions | None = None) -> None:
    labelled.train([(s.features, s.labels) for s in sequences], path, options)


def predict_word_labels(answer: LabelledAnswer, tagger_path: Path | None = None,
                        model: SegmenterModel | None = None) -> list[str]:
    return word_labels(segment(words_from_text(answer.text), model, tagger_path))


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
    raw_ranges: list[tuple[RawRange, RawRange]] = field(default_factory=list)
    """Per answer: the (S+T seconds, Action share) likely ranges before widening, beside
    the truth (what ``scripts/calibrate_timing.py`` fits the widening on)."""
    in_range: list[tuple[bool, bool]] = field(default_factory=list)
    """Per answer: whether the true S+T and Action share lie in the report's ranges."""
    verdicts: Counter = field(default_factory=Counter)
    """What the spoken feedback says of each rule (``feedback.timing_verdict``), against
    the truth: (rule, said) -> answers; rule "situation_task" (over or within the budget)
    or "action_share" (at or below the target), said "right" or "wrong" (announced as
    sure) or "unsure" (given as "about", with the likely range)."""

    @property
    def range_held(self) -> tuple[float, float]:
        """Shares of answers whose true (S+T, Action share) the report's range held."""
        n = len(self.in_range)
        return (sum(a for a, _ in self.in_range) / n if n else 0.0,
                sum(b for _, b in self.in_range) / n if n else 0.0)

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

    def verdict_counts(self, rule: str) -> tuple[int, int, int]:
        """(right, wrong, unsure) of the spoken verdicts on ``rule``."""
        return (self.verdicts[(rule, "right")], self.verdicts[(rule, "wrong")],
                self.verdicts[(rule, "unsure")])

    def prf(self, part: str) -> tuple[float, float, float]:
        tp = self.confusion[(part, part)]
        pred = sum(v for (_, p), v in self.confusion.items() if p == part)
        gold = sum(v for (g, _), v in self.confusion.items() if g == part)
        precision = tp / pred if pred else 0.0
        recall = tp / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def merged(scores: list[Scores]) -> Scores:
    """Several batches' scores as one."""
    out = Scores()
    for s in scores:
        out.confusion.update(s.confusion)
        out.st_errors_s += s.st_errors_s
        out.share_errors += s.share_errors
        out.most_likely_errors += s.most_likely_errors
        out.raw_ranges += s.raw_ranges
        out.in_range += s.in_range
        out.verdicts.update(s.verdicts)
    return out


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def evaluate(answers: list[LabelledAnswer], tagger_path: Path | None = None,
             model: SegmenterModel | None = None) -> Scores:
    """Scores of the STAR model at ``tagger_path`` (default: the shipped one) on
    ``answers``, cut into sentences by ``model`` (default: with the shipped clause model)."""
    scores = Scores()
    rules = timing_rules()
    for a in answers:
        gold = [p.value for p in a.word_labels()]
        words = words_from_text(a.text)
        sentences = segment(words, model, tagger_path)
        pred = word_labels(sentences)
        for g, p in zip(gold, pred, strict=True):
            scores.confusion[(g, p)] += 1
        gst, gshare = word_timing(words, gold)
        timing = compute_timing(part_spans(sentences), rules, True, sentences)
        scores.st_errors_s.append(timing.situation_task_s - gst)
        scores.share_errors.append(timing.action_share - gshare)
        scores.in_range.append((_inside(gst, timing.situation_task_range_s, 0.005),
                                _inside(gshare, timing.action_share_range, 0.0005)))
        _count_verdicts(scores.verdicts, timing, gst, gshare)
        raw = compute_timing(part_spans(sentences), rules, True, sentences, RangeCalibration())
        labelled_s = labelled_seconds(sentences)
        scores.raw_ranges.append((
            RawRange(raw.situation_task_s, *raw.situation_task_range_s or (0.0, 0.0), gst,
                     labelled_s, raw.total_s),
            RawRange(raw.action_share, *raw.action_share_range or (0.0, 0.0), gshare,
                     labelled_s / raw.total_s if raw.total_s > 0 else 0.0, 1.0)))
        pst, pshare = word_timing(words, pred)
        scores.most_likely_errors.append((pst - gst, pshare - gshare))
    return scores


def _count_verdicts(counts: Counter, timing: Timing, true_st_s: float, true_share: float
                    ) -> None:
    """Count what the spoken feedback says of the two timing rules (``Scores.verdicts``)."""
    for rule, sure, said, truth in (
            ("situation_task", timing.situation_task_verdict_sure,
             timing.over_budget(timing.situation_task_s), timing.over_budget(true_st_s)),
            ("action_share", timing.action_share_verdict_sure,
             timing.meets_share(timing.action_share), timing.meets_share(true_share))):
        counts[(rule, "unsure" if not sure else "right" if said == truth else "wrong")] += 1
    if timing.situation_task_probably_over:  # said as "probably over"
        over = timing.over_budget(true_st_s)
        counts[("situation_task", "probably right" if over else "probably wrong")] += 1


def _inside(value: float, low_high: tuple[float, float] | None, rounding: float) -> bool:
    low, high = low_high or (value, value)
    return low - rounding <= value <= high + rounding


def load_batches(directory: Path) -> dict[str, list[LabelledAnswer]]:
    """Every ``*.txt`` of ``directory`` is a batch; ``heard/<batch>.txt`` holds the same
    batch's answers as the recogniser heard them (ids ending in "-heard"), kept in the same
    batch so that cross-validation never trains on one form of an answer it scores."""
    batches: dict[str, list[LabelledAnswer]] = {}
    for path in sorted(directory.glob("*.txt")) + sorted((directory / "heard").glob("*.txt")):
        batches.setdefault(path.stem, []).extend(load_answers(path))
    return batches


def real_shaped(directory: Path) -> frozenset[str]:
    """The batches of ``directory`` built on real answers: those with a list of their
    sources in ``directory/sources/<batch>.txt`` (b81 on)."""
    return frozenset(p.stem for p in (directory / "sources").glob("*.txt")
                     if (directory / f"{p.stem}.txt").is_file())


def heard(answer: LabelledAnswer) -> bool:
    return answer.id.endswith("-heard")


def cross_validate(batches: dict[str, list[LabelledAnswer]], workdir: Path,
                   options: TrainOptions | None = None, folds: int | None = None
                   ) -> dict[str, tuple[Scores, Scores]]:
    """Leave one batch out, or with ``folds`` a few batches at a time (``fold_of``): train
    the clause model and the STAR model on the others, score them.
    ``{batch: (written answers' scores, heard answers' scores)}``."""
    if folds is not None and folds < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, not {folds}")
    groups: dict[str, list[str]] = defaultdict(list)
    for name in batches:
        groups[str(fold_of(name, folds)) if folds else name].append(name)
    out = {}
    for key, names in groups.items():
        rest = [a for other, more in batches.items() if other not in names for a in more]
        model = held_out_model(rest, workdir / f"cv-{key}-clauses.crfsuite")
        path = workdir / f"cv-{key}.crfsuite"
        train([to_sequence(a, model) for a in rest], path, options)
        for name in names:
            answers = batches[name]
            out[name] = (evaluate([a for a in answers if not heard(a)], path, model),
                         evaluate([a for a in answers if heard(a)], path, model))
    return out


def batch_number(batch: str) -> int:
    """A batch's number (b7 -> 7); 0 for a named set without one ("dev", "holdout")."""
    number = re.search(r"\d+", batch)
    return int(number.group()) if number else 0


def fold_of(batch: str, folds: int) -> int:
    """The fold of a batch: its number modulo ``folds`` (b7 -> 2 of 5); a named set without
    a number ("dev", "holdout") goes to fold 0."""
    return batch_number(batch) % folds


def held_out_model(answers: list[LabelledAnswer], clause_path: Path) -> SegmenterModel:
    """The segmenter as it would be with a clause model trained on ``answers`` only."""
    train_clauses(answers, clause_path)
    return replace(load_model(), clause_file=clause_path)


REGISTERS = ("polished", "typed", "spoken")
"""How an answer is told (``LabelledAnswer.register``), in the order figures are given."""


def blind_groups(answers: list[LabelledAnswer]) -> list[tuple[str, list[LabelledAnswer]]]:
    """A new batch's answers in the groups its first, blind score is logged by: all written
    answers, each register of them, and the answers as heard (groups left empty dropped)."""
    written = [a for a in answers if not heard(a)]
    groups = [("written", written)]
    groups += [(r, [a for a in written if a.register == r]) for r in REGISTERS]
    groups.append(("heard", [a for a in answers if heard(a)]))
    return [(name, group) for name, group in groups if group]


def format_blind_row(name: str, scores: Scores, n_answers: int) -> str:
    """One line of a blind score: words right, the two timing errors (mean absolute and,
    in brackets, signed), how much of the Task was found and how much of it was taken for
    Situation, how often the likely ranges held the truth, and the spoken verdicts."""
    task = sum(v for (g, _), v in scores.confusion.items() if g == "task")
    held_st, held_share = scores.range_held
    budget = "/".join(str(n) for n in scores.verdict_counts("situation_task"))
    budget += (f" (of them 'probably over' {scores.verdicts[('situation_task', 'probably right')]}"
               f"/{scores.verdicts[('situation_task', 'probably wrong')]})")
    share = "/".join(str(n) for n in scores.verdict_counts("action_share"))
    return (f"{name:9s} {n_answers:3d}  words {scores.accuracy * 100:5.1f}%  "
            f"share off {scores.share_mae * 100:4.1f} ({_mean(scores.share_errors) * 100:+.1f})  "
            f"S+T off {scores.st_mae_s:4.1f} s ({_mean(scores.st_errors_s):+.1f})  "
            f"Task found {scores.confusion[('task', 'task')]}/{task} "
            f"(as Situation {scores.confusion[('task', 'situation')]})  "
            f"in range {held_st * 100:.0f}%/{held_share * 100:.0f}%  "
            f"said right/wrong/about: budget {budget}, share {share}")


def format_scores(name: str, scores: Scores, n_answers: int) -> str:
    lines = [f"{name}: {n_answers} answers, {sum(scores.confusion.values())} words",
             f"  word-level accuracy {scores.accuracy * 100:.1f}%",
             f"  action share: mean error {_mean(scores.share_errors) * 100:+.1f} points, "
             f"mean absolute {scores.share_mae * 100:.1f}",
             f"  situation+task: mean error {_mean(scores.st_errors_s):+.1f} s, "
             f"mean absolute {scores.st_mae_s:.1f} s, "
             f"worst {max((abs(e) for e in scores.st_errors_s), default=0):.1f} s",
             "  the true figure inside the report's likely range: situation+task "
             f"{scores.range_held[0] * 100:.0f}%, action share {scores.range_held[1] * 100:.0f}% "
             "of answers",
             "  said aloud (right / wrong / unsure, given as 'about'): situation+task "
             + "{} / {} / {}".format(*scores.verdict_counts("situation_task"))
             + " (of the unsure, said 'probably over' right / wrong: "
             + f"{scores.verdicts[('situation_task', 'probably right')]} / "
             + f"{scores.verdicts[('situation_task', 'probably wrong')]})"
             + ", action share " + "{} / {} / {}".format(*scores.verdict_counts("action_share")),
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
