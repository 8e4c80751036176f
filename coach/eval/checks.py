"""Measuring and training the answer-level checks against hand labels.

Labels come from the ``checks:`` line of an answer block (``tests/data/star/b*.txt``) or
from a separate "id: checks" file (``tests/data/checks/labelled.txt``, for older answers,
which labels the six MEASURED checks only). The caller passes the files in.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from coach.analysis import sentence_model
from coach.analysis.analyze import analyze_text
from coach.analysis.calibration import MIN_ANSWERS, Calibration, fit_calibration
from coach.analysis.check_model import (
    LENGTH_BUCKETS_WORDS,
    NO,
    STATS_FILE,
    YES,
    RuleRecord,
    answer_features,
    length_bucket,
    model_name,
    read_denials,
    said_features_of,
    said_reads_denials,
    signal_features_of,
    signal_models_in,
)
from coach.analysis.checks import rule_parts, run_checks
from coach.analysis.evidence import only_undone_feature, still_said_feature
from coach.analysis.report import CheckKind, Part, Sentence
from coach.analysis.rubric import Rubric
from coach.analysis.segment import segment
from coach.analysis.sentence_model import Stack, fit_stack
from coach.analysis.text import words_from_text
from coach.eval.segmenter import LabelledAnswer, batch_number

MEASURED = ("blames_others", "escalates_and_waits", "quantified_impact", "concrete_prevention",
            "individual_role_clear", "shows_recovery")
"""The checks whose agreement with people is measured (the hidden set's six)."""
LABELLED = MEASURED + ("proactive_communication",)
"""Every check the labelled answers may carry."""
TRAINED_THROUGH = "trained_through"
"""Key of ``check_stats.json``: the last batch a check's model was trained on."""
CALIBRATED_ON = "calibrated_on"
"""Key of ``check_stats.json``: the first and last batch of the answers, never seen by the
shipped model, that its calibration was fitted on (absent: fitted on fold models' verdicts
when it was trained)."""


@dataclass(frozen=True)
class Example:
    """One labelled answer for one check set: its id, batch, text and the labels known."""

    answer_id: str
    batch: str
    text: str
    holds: dict[str, bool]
    """check id -> whether it holds, for the checks labelled on this answer."""
    lines: tuple[tuple[Part, str], ...] = ()
    """The labelled lines (part, text), for the per-sentence models."""


Row = tuple[dict[str, float], bool]
"""One sentence's features and whether it says the check (a per-sentence model's row)."""


def _numbered_id_lines(path: Path, valid: Callable[[list[str]], bool]
                       ) -> Iterator[tuple[int, str, list[str]]]:
    """(line number, answer id, the words after its colon) of each "id: word word ..."
    line of ``path``, skipping blank lines and "#" comments; ValueError naming the line
    when it has no colon, no id or ``valid`` refuses its words."""
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        answer_id, sep, rest = line.partition(":")
        if not sep or not answer_id.strip() or not valid(rest.split()):
            raise ValueError(f"{path}:{n}: cannot parse {line!r}")
        yield n, answer_id.strip(), rest.split()


def _id_lines(path: Path, valid: Callable[[list[str]], bool]
              ) -> Iterator[tuple[str, list[str]]]:
    """(answer id, the words after its colon) as ``_numbered_id_lines``."""
    for _, answer_id, words in _numbered_id_lines(path, valid):
        yield answer_id, words


def load_labels(path: Path) -> dict[str, frozenset[str]]:
    """``{answer id: the measured checks that hold}`` from "id: check check ..." lines."""
    return {answer_id: frozenset(words) for answer_id, words
            in _id_lines(path, lambda words: set(words) <= set(MEASURED))}


def load_signal_labels(path: Path, signals: Iterable[str]
                       ) -> dict[str, frozenset[str]]:
    """``{answer id: the signals that hold}`` from "id: check check ..." lines naming only
    ``signals`` (the rubric's signals told by rules alone, labelled by people)."""
    known = set(signals)
    return {answer_id: frozenset(words) for answer_id, words
            in _id_lines(path, lambda words: set(words) <= known)}


SIGNAL_LABELS_DECLARED = "labelled"
"""The first line of a file of signal labels, "labelled: signal signal ...", names the
signals it labels: an answer line leaving one of them out says it does not hold."""


def rule_signals(rubric: Rubric) -> list[str]:
    """The rubric's signals told by its rules alone (no learned model): the ones people
    label in ``labels_rule_signals*.txt`` for their rules' records."""
    return [cid for cid, spec in rubric.checks.items()
            if spec.kind is CheckKind.signal and cid not in rubric.learned]


SIGNAL_LABELS = "labels_rule_signals*.txt"
"""The files (in tests/data/checks/) of people's labels for the signals told by rules."""


@dataclass(frozen=True)
class SignalLabels:
    """What the rule-told signals' records are measured on (``rule_signal_labels``)."""

    holds: dict[str, dict[str, bool]]
    """Per signal, ``{answer id: whether it holds}``: the label files', and where a line of
    the signal is marked (``sentences_<id>.txt``), the marks' (an answer holds it where a
    line is marked; the marks say it where both do)."""
    lines: dict[str, dict[str, frozenset[int]]]
    """Per signal with marked lines: ``load_marks`` of its ``sentences_<id>.txt``."""


def rule_signal_labels(checks_dir: Path, rubric: Rubric) -> SignalLabels:
    """The labels of the rubric's rule-told signals in ``checks_dir`` (``SIGNAL_LABELS``
    files, and the marked lines of every signal read in sentences or marked anyway), as
    scripts/train_checks.py measures their records on them."""
    labels = load_signal_label_sets(sorted(checks_dir.glob(SIGNAL_LABELS)),
                                    rule_signals(rubric))
    named = sorted(labels)
    # Marked lines: a must for a signal with a per-sentence model, else read where present.
    lines = {cid: load_marks(checks_dir / f"sentences_{cid}.txt")
             for cid in rubric.signals_in_sentences}
    lines.update({cid: load_marks(path) for cid in named if cid not in lines
                  and (path := checks_dir / f"sentences_{cid}.txt").is_file()})
    holds = {cid: {**labels[cid], **{a: bool(said) for a, said in lines.get(cid, {}).items()}}
             for cid in named}
    return SignalLabels(holds, lines)


def load_signal_label_sets(paths: Iterable[Path], signals: Iterable[str]
                           ) -> dict[str, dict[str, bool]]:
    """Per signal told by rules alone, ``{answer id: whether it holds}``, from files of
    "id: signal signal ..." lines (the signals that hold), each opened by a "labelled: ..."
    line naming the signals it labels (``SIGNAL_LABELS_DECLARED``), so files labelling
    other signals on other answers add up without calling a signal missing where it was
    never asked about. ValueError naming the file and line when no file is given, a file
    does not open with that line, declares it twice or names an unknown signal, a line
    names a signal its file does not label, or an answer is labelled twice for a signal
    (in one file or two: which reader is right is not for the loader to guess)."""
    known = set(signals)
    files = list(paths)
    if not files:
        raise ValueError("no signal label files: the rules' records would be lost")
    out: dict[str, dict[str, bool]] = {}
    where: dict[tuple[str, str], str] = {}
    for path in files:
        lines = list(_numbered_id_lines(path, lambda words: True))
        if not lines or lines[0][1] != SIGNAL_LABELS_DECLARED or not lines[0][2]:
            raise ValueError(f"{path}: the first line after its comments must name the "
                             f"signals it labels ('{SIGNAL_LABELS_DECLARED}: signal ...')")
        n, _, labelled = lines[0]
        unknown = sorted(set(labelled) - known)
        if unknown:
            raise ValueError(f"{path}:{n}: {' '.join(unknown)}: not a signal told by rules "
                             f"alone ({' '.join(sorted(known))})")
        for n, answer_id, held in lines[1:]:
            if answer_id == SIGNAL_LABELS_DECLARED:
                raise ValueError(f"{path}:{n}: a second '{SIGNAL_LABELS_DECLARED}:' line")
            stray = sorted(set(held) - set(labelled))
            if stray:
                raise ValueError(f"{path}:{n}: {answer_id}: {' '.join(stray)} not among the "
                                 f"signals this file labels ({' '.join(labelled)})")
            for cid in labelled:
                if (cid, answer_id) in where:
                    raise ValueError(f"{path}:{n}: {answer_id} is already labelled for {cid} "
                                     f"({where[cid, answer_id]})")
                where[cid, answer_id] = f"{path}:{n}"
                out.setdefault(cid, {})[answer_id] = cid in held
    return out


def signal_records(answers: list[LabelledAnswer], labels: Mapping[str, Mapping[str, bool]],
                   sentence_rows: Mapping[str, Mapping[str, list[Row]]] | None = None
                   ) -> dict[str, RuleRecord]:
    """Per signal of ``labels`` (``{signal: {answer id: whether it holds}}``: the label
    files' and its marked lines'), how often the coach's verdict (its rules, and the
    evidence groups that also credit it) agreed with them, found and not found, per answer
    length (drawn towards the overall record as ``rule_record`` does). A signal with a
    per-sentence model (``sentence_rows``: its training rows by batch) is judged on each
    batch by a model trained without that batch's rows, so the record is what the model
    does on answers it has not seen."""
    labelled = [a for a in answers if any(a.id in held for held in labels.values())]
    verdicts: dict[str, dict[str, bool]] = {}
    read = set(sentence_rows or {})
    by_rules: dict[str, dict[str, bool]] = {}  # where a model read a signal: the rules alone
    for batch in sorted({a.batch for a in labelled}):
        with tempfile.TemporaryDirectory() as tmp, signal_models_in(Path(tmp)):
            for cid, rows in (sentence_rows or {}).items():
                train_signal_model([r for b, rs in rows.items() if b != batch for r in rs],
                                   Path(tmp) / sentence_model.model_name(cid))
            verdicts.update({a.id: _found(a.text) for a in labelled if a.batch == batch})
        found = [a for a in labelled if a.batch == batch
                 and any(verdicts[a.id][cid] for cid in read)]
        with tempfile.TemporaryDirectory() as empty, signal_models_in(Path(empty)):
            by_rules.update({a.id: _found(a.text) for a in found})
    data = [Example(a.id, a.batch, a.text,
                    {c: held[a.id] for c, held in labels.items() if a.id in held})
            for a in labelled]
    return {cid: rule_record(data, cid, verdicts, by_rules if cid in read else None)
            for cid in labels}


def _found(text: str) -> dict[str, bool]:
    """Each check's verdict on an answer, as the coach gives it."""
    return {cid: c.found for cid, c in analyze_text(text).checks.items()}


def load_marks(path: Path) -> dict[str, frozenset[int]]:
    """``{answer id: the numbers (from 1) of the lines that say the check}`` from
    "id: 2 5" lines (``sentences_<check>.txt``); "id:" alone: no line of it says it."""
    def numbers(words: list[str]) -> bool:
        return all(w.isdigit() and int(w) > 0 for w in words)
    return {answer_id: frozenset(int(w) for w in words)
            for answer_id, words in _id_lines(path, numbers)}


def examples(answers: list[LabelledAnswer], separate: dict[str, frozenset[str]]
             ) -> list[Example]:
    """Every answer with labels: its own ``checks:`` line (all LABELLED checks known), or an
    entry in ``separate`` (the MEASURED six known)."""
    out = []
    for a in answers:
        if a.checks is not None:
            unknown = set(a.checks) - set(LABELLED)
            if unknown:
                raise ValueError(f"{a.id}: unknown checks {sorted(unknown)}")
            out.append(Example(a.id, a.batch, a.text, {c: c in a.checks for c in LABELLED},
                               a.lines))
        elif a.id in separate:
            out.append(Example(a.id, a.batch, a.text,
                               {c: c in separate[a.id] for c in MEASURED}, a.lines))
    return out


def load_examples(star_dir: Path, labels_file: Path) -> list[Example]:
    """Every labelled answer: the batches' own ``checks:`` lines and the older labels."""
    from coach.eval.segmenter import load_answers

    answers = [a for p in sorted(star_dir.glob("*.txt")) for a in load_answers(p)]
    return examples(answers, load_labels(labels_file))


def load_sentence_marks(checks_dir: Path, said_in_sentences: tuple[str, ...]
                        ) -> dict[str, dict[str, frozenset[int]]]:
    """``{check id: {answer id: marked line numbers}}`` from ``sentences_<id>.txt``."""
    return {cid: load_marks(checks_dir / f"sentences_{cid}.txt") for cid in said_in_sentences}


@dataclass(frozen=True)
class Featurized:
    """What the learned models see of one answer, computed once."""

    answer: dict[str, float]
    """The answer-level model's features."""
    verdicts: dict[str, bool]
    """The pattern rules' own verdicts."""
    sentences: int
    """How many sentences the segmenter found."""
    said: tuple[dict[str, float], ...] = ()
    """The per-sentence models' features of each of them, when asked for."""
    said_denied: tuple[dict[str, float], ...] = ()
    """The same with their denials read apart (``said_reads_denials``)."""


def rule_features(text: str, per_sentence: bool = False) -> Featurized:
    sentences = segment(words_from_text(text))
    rules = run_checks(sentences, rubric=None, learned=False)
    verdicts = {cid: c.found for cid, c in rules.items()}
    said = tuple(said_features_of(sentences)) if per_sentence else ()
    denied = tuple(read_denials(f, s.text) for f, s in zip(said, sentences, strict=True)
                   ) if per_sentence else ()
    return Featurized(answer_features(sentences, verdicts, rule_parts(sentences, rules)),
                      verdicts, len(sentences), said, denied)


def sentence_rows(data: list[Example], cid: str, marks: dict[str, frozenset[int]]
                  ) -> dict[str, list[tuple[dict[str, float], bool]]]:
    """Per answer, each labelled line's features and whether it says ``cid``: the marked
    lines of an answer where it holds; every line of one where it does not. An answer
    where it holds but no line is marked is left out."""
    out = {}
    denials = said_reads_denials(cid)
    for e in data:
        if cid not in e.holds or (e.holds[cid] and not marks.get(e.answer_id)):
            continue
        said = marks.get(e.answer_id, frozenset()) if e.holds[cid] else frozenset()
        out[e.answer_id] = _line_rows(f"sentences_{cid}.txt: {e.answer_id}", e.lines, said,
                                      lambda sentences: said_features_of(sentences, denials))
    return out


def _line_rows(name: str, lines: tuple[tuple[Part, str], ...], said: frozenset[int],
               features_of: Callable[[list[Sentence]], list[dict[str, float]]]
               ) -> list[Row]:
    """Each labelled line's features (``features_of`` the answer's lines) and whether it is
    among the ``said`` line numbers (from 1); ValueError naming ``name`` for a number past
    the last line."""
    if said and max(said) > len(lines):
        raise ValueError(f"{name} has {len(lines)} lines, line {max(said)} is marked")
    sentences = [Sentence(text, 0.0, 0.0, part, 0, 0) for part, text in lines]
    return [(f, n in said) for n, f in enumerate(features_of(sentences), 1)]


SEED_STORY = (
    "Last spring I was a backend engineer on the checkout team. "
    "I changed the database connection timeout on a Tuesday, and during the evening peak "
    "checkout started failing for about a fifth of our customers. {} "
    "I rolled the change back within fifteen minutes and posted updates in the incident "
    "channel. I traced the failures to the new timeout and tested a safer value the next "
    "morning. Checkout recovered that night and we lost about three hundred orders."
)
"""The seed's production incident, told with one sentence left open ({}): where a sentence
of a set (``load_sentence_set``) is read as one sentence of a whole answer."""
SIGNAL_SETS = {"honest_ownership": ("owning_or_not.txt", "owning_or_not_2.txt",
                                    "owning_or_not_4.txt", "owning_said_by_others.txt")}
"""Sentence sets (tests/data/checks/, "KIND<tab>sentence") a signal's per-sentence model
also learns from, beside the lines marked in sentences_<id>.txt (never those of
BLIND_SIGNAL_SETS)."""
BLIND_SIGNAL_SETS = {"honest_ownership": ("owning_or_not_3.txt", "owning_or_not_5.txt"),
                     "concrete_reflection": ("lesson_or_not.txt",)}
"""Sentence sets a signal's per-sentence model never learns from: written after its
threshold was chosen, to judge it blind (scripts/eval_signal_sentences.py)."""
SAYS_IT = frozenset({"OWNS", "OWN", "ACCEPTED", "LESSON"})
"""Kinds of a sentence set (``owning_or_not*.txt``...) whose sentences say the signal."""
SAYS_NOTHING = frozenset({"NOT", "OTHERS"})
"""Kinds whose sentences are close words that do not say it."""


def load_sentence_set(path: Path) -> list[tuple[str, bool]]:
    """(sentence, says the signal) from "KIND<tab>sentence" lines; ValueError naming the
    line for a kind of neither list."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, tab, text = line.partition("\t")
        if not tab or kind not in SAYS_IT | SAYS_NOTHING:
            raise ValueError(f"{path}:{n}: cannot parse {line!r}")
        rows.append((text.strip(), kind in SAYS_IT))
    return rows


def signal_rows(answers: Iterable[LabelledAnswer], marks: Mapping[str, frozenset[int]],
                sentences: Iterable[tuple[str, bool]] = ()) -> dict[str, list[Row]]:
    """A rule-told signal's per-sentence training rows, by batch: each line of a marked
    answer (says it where marked), and each sentence of a set (``load_sentence_set``)
    under the batch name "sets"."""
    out: dict[str, list[Row]] = {}
    for a in answers:
        if a.id in marks:
            out.setdefault(a.batch, []).extend(
                _line_rows(a.id, a.lines, marks[a.id], signal_features_of))
    for text, says in sentences:
        [f] = signal_features_of([Sentence(text, 0.0, 0.0, None, 0, 0)])
        out.setdefault("sets", []).append((f, says))
    return out


def train_signal_model(rows: list[Row], path: Path) -> None:
    """A rule-told signal's per-sentence model on ``rows`` (``signal_rows``)."""
    sentence_model.train(rows, path)


def held_out(data: list[Example], cid: str, feats: dict[str, Featurized],
             fold: dict[str, int], options: TrainOptions | None = None
             ) -> dict[str, float]:
    """``{answer id: the answer model's probability}`` for every answer labelled with
    ``cid``, each from a model trained without its ``fold``."""
    import pycrfsuite

    labelled = [e for e in data if cid in e.holds]
    out = {}
    for k in sorted({fold[e.answer_id] for e in labelled}):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / model_name(cid)
            train([(feats[e.answer_id].answer, e.holds[cid]) for e in labelled
                   if fold[e.answer_id] != k], path, options)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            for e in labelled:
                if fold[e.answer_id] == k:
                    tagger.set([feats[e.answer_id].answer])
                    out[e.answer_id] = tagger.marginal(YES, 0)
    return out


def out_of_fold(data: list[Example], cid: str, feats: dict[str, Featurized],
                rows: dict[str, list[tuple[dict[str, float], bool]]], fold: dict[str, int],
                options: TrainOptions | None = None) -> dict[str, tuple[float, float]]:
    """``{answer id: (answer model's probability, most telling sentence's)}`` for every
    answer labelled with ``cid``, each from models trained without its ``fold``."""
    import pycrfsuite

    whole = held_out(data, cid, feats, fold, options)
    denials = said_reads_denials(cid)
    out = {}
    for k in sorted(set(fold.values())):
        rest = [e for e in data if fold[e.answer_id] != k and cid in e.holds]
        with tempfile.TemporaryDirectory() as tmp:
            sentences = Path(tmp) / "sentences"
            sentence_model.train([r for e in rest for r in rows.get(e.answer_id, ())],
                                 sentences)
            said = pycrfsuite.Tagger()
            said.open(str(sentences))
            for e in data:
                if fold[e.answer_id] != k or cid not in e.holds:
                    continue
                best = 0.0
                for sf in (feats[e.answer_id].said_denied if denials
                           else feats[e.answer_id].said):
                    said.set([sf])
                    best = max(best, said.marginal(YES, 0))
                out[e.answer_id] = (whole[e.answer_id], best)
    return out


STACK_FOLDS = 5
"""Training: the joining weights are fitted on verdicts from models trained without one
fifth of the batches at a time."""


def batch_folds(data: list[Example], folds: int | None) -> dict[str, int]:
    """Batch -> fold: the i-th batch in sorted order to fold i mod ``folds`` (None: each
    batch a fold of its own), so a fold is always whole batches."""
    batches = sorted({e.batch for e in data})
    return {b: k % folds if folds else k for k, b in enumerate(batches)}


@dataclass(frozen=True)
class TrainOptions:
    """Chosen by cross-validation (scripts/eval_checks.py --cv)."""

    c1: float = 0.02
    """L1 penalty: drops the words that do not help (and keeps the model files small).
    Five folds over b1-b66 (2155 answers): six-check mean 93.3% at 0.02, 93.1% at 0.05
    (chosen on 300 answers), 92.7% at 0.15."""
    c2: float = 0.5
    """L2 penalty."""
    max_iterations: int = 300
    balance_max: int = 4
    """Rare verdicts are repeated up to this many times to balance the two classes (red
    flags hold in few answers; without it the model learns to say "no")."""


def train(featurized: list[tuple[dict[str, float], bool]], path: Path,
          options: TrainOptions | None = None) -> None:
    import pycrfsuite

    o = options or TrainOptions()
    trainer = pycrfsuite.Trainer(verbose=False)
    yes = sum(holds for _, holds in featurized)
    no = len(featurized) - yes
    rare = yes < no
    repeat = max(1, min(o.balance_max, round(max(yes, no) / max(min(yes, no), 1))))
    for f, holds in featurized:
        for _ in range(repeat if holds == rare else 1):
            trainer.append([f], [YES if holds else NO])
    trainer.set_params({"c1": o.c1, "c2": o.c2, "max_iterations": o.max_iterations})
    trainer.train(str(path))


def stack_for(data: list[Example], judged: dict[str, tuple[float, float]], cid: str) -> Stack:
    """The joining weights fitted on ``judged`` (out-of-fold probabilities)."""
    labelled = [e for e in data if e.answer_id in judged]
    return fit_stack([judged[e.answer_id] for e in labelled], [e.holds[cid] for e in labelled])


def train_all(data: list[Example], directory: Path, checks: tuple[str, ...] = LABELLED,
              options: TrainOptions | None = None,
              marks: dict[str, dict[str, frozenset[int]]] | None = None,
              with_calibration: bool = True,
              calibrate_on: frozenset[str] | None = None) -> None:
    """Train every check's model into ``directory``, with the rules' precision beside, and
    for the checks in ``marks`` their per-sentence models and joining weights.
    ``with_calibration`` False skips the calibration (five more models per check): the
    verdicts are the same, only how sure they are is not calibrated. ``calibrate_on``:
    the batches whose held-out verdicts the calibration is fitted on (None: all; see
    ``calibration_answers``)."""
    # Once an answer: ``data`` may hold copies of one (scripts/train_checks.py --real-weight).
    feats = {a: rule_features(e.text, bool(marks))
             for a, e in {e.answer_id: e for e in data}.items()}
    verdicts = {a: f.verdicts for a, f in feats.items()}
    fold_of = batch_folds(data, STACK_FOLDS)
    fold = {e.answer_id: fold_of[e.batch] for e in data}
    stats: dict[str, dict] = {}
    for cid in checks:
        rows = [(feats[e.answer_id].answer, e.holds[cid]) for e in data if cid in e.holds]
        train(rows, directory / model_name(cid), options)
        stats[cid] = rule_record(data, cid, verdicts).to_dict()
        # The last batch it learned from: later ones are answers it never saw
        # (scripts/calibrate_checks.py fits its calibration on them).
        stats[cid][TRAINED_THROUGH] = max(batch_number(e.batch) for e in data)
        if marks and cid in marks:  # joined by weights fitted on held-out verdicts
            said = sentence_rows(data, cid, marks[cid])
            sentence_model.train([r for rs in said.values() for r in rs],
                                 directory / sentence_model.model_name(cid))
            judged = out_of_fold(data, cid, feats, said, fold, options)
            stack = stack_for(data, judged, cid)
            stats[cid]["stack"] = stack.to_list()
            if with_calibration:  # how sure the joined probability may be
                whole = calibration_answers(data, cid, feats, judged, calibrate_on)
                calibration = fit_calibration([stack.join(*judged[e.answer_id]) for e in whole],
                                              [e.holds[cid] for e in whole])
                if calibration is not None:
                    stats[cid]["calibration"] = calibration.to_list()
        elif with_calibration:
            calibration = calibrate(data, cid, feats, fold, options, calibrate_on)
            if calibration is not None:
                stats[cid]["calibration"] = calibration.to_list()
    write_stats(directory, stats)


def read_stats(directory: Path) -> dict:
    """The check models' stats file (``STATS_FILE``) in ``directory``; {} when there is
    none yet."""
    import json

    path = directory / STATS_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def write_stats(directory: Path, stats: dict) -> None:
    """Write the check models' stats file (``STATS_FILE``) into ``directory``, in the one
    layout every writer uses (sorted keys, so a retrain's diff shows what moved)."""
    import json

    (directory / STATS_FILE).write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n")


def calibrate(data: list[Example], cid: str, feats: dict[str, Featurized],
              fold: dict[str, int], options: TrainOptions | None = None,
              calibrate_on: frozenset[str] | None = None) -> Calibration | None:
    """``cid``'s calibration, fitted on the verdicts of models trained without one
    ``fold`` at a time for the answers of that fold (``calibration_answers``)."""
    judged = held_out(data, cid, feats, fold, options)
    whole = calibration_answers(data, cid, feats, judged, calibrate_on)
    return fit_calibration([judged[e.answer_id] for e in whole],
                           [e.holds[cid] for e in whole])


def own_probabilities(data: list[Example], cid: str) -> list[tuple[float, bool]]:
    """(probability, label) for each whole answer of ``data`` labelled for ``cid``: the
    shipped model's own probability that the check holds (joined with its per-sentence
    model's, before any calibration), as ``coach analyze`` computes it. Short answers,
    judged by the rules, are left out. On answers the model never saw, these are what its
    calibration should be fitted on (``scripts/calibrate_checks.py``)."""
    from coach.analysis import check_model as shipped

    model = shipped.check_model(cid)
    if model is None:
        return []
    seen: list[float] = []
    judge = model.judge

    def recording(*args: object, **kwargs: object) -> shipped.Verdict:
        verdict = judge(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(verdict.probability)
        return verdict

    model.judge = recording  # type: ignore[method-assign]
    try:
        rows = []
        for e in data:
            if cid in e.holds:
                seen.clear()
                analyze_text(e.text)
                if seen:
                    rows.append((seen[-1], e.holds[cid]))
        return rows
    finally:
        del model.judge


def calibration_answers(data: list[Example], cid: str, feats: dict[str, Featurized],
                        judged: Mapping[str, object], calibrate_on: frozenset[str] | None
                        ) -> list[Example]:
    """The answers a calibration is fitted on: those with a held-out verdict, whole
    answers only (a short one is judged by the rules), and of the ``calibrate_on`` batches
    when they hold enough of both verdicts to fit one (``MIN_ANSWERS``). Those are the
    answers built on real ones: the team's own batches make a model look surer than it
    is on other people's answers (on 180 of those, blind, a blame verdict said surely was
    wrong in 27)."""
    from coach.analysis.rubric import load_rubric

    min_sentences = load_rubric().learned_min_sentences
    whole = [e for e in data if e.answer_id in judged
             and feats[e.answer_id].sentences >= min_sentences]
    if calibrate_on is None:
        return whole
    chosen = [e for e in whole if e.batch in calibrate_on]
    labels = {e.holds[cid] for e in chosen}
    return chosen if len(chosen) >= MIN_ANSWERS and len(labels) == 2 else whole


def rule_record(data: list[Example], cid: str, verdicts: dict[str, dict[str, bool]],
                by_rules: dict[str, dict[str, bool]] | None = None) -> RuleRecord:
    """How often ``cid``'s rule (``verdicts``: each answer's rule verdicts) agreed with the
    labels, when it fired and when it found nothing, per answer length; each length's
    share is drawn towards the share over all lengths by ``PRIOR_ANSWERS`` answers' weight,
    so a length with few answers stays near the rule's overall record. ``by_rules``: for a
    signal with a per-sentence model, the verdicts of its rules alone where it was found:
    the finds only the model made get a record of their own (``read_precision``), apart
    from the rules' (``precision``)."""
    n = len(LENGTH_BUCKETS_WORDS) + 1
    fired: list[list[bool]] = [[] for _ in range(n)]
    silent: list[list[bool]] = [[] for _ in range(n)]
    only_read: list[bool] = []
    for e in data:
        if cid in e.holds:
            k = length_bucket(len(e.text.split()))
            if not verdicts[e.answer_id][cid]:
                silent[k].append(not e.holds[cid])
            elif by_rules is None or by_rules[e.answer_id][cid]:
                fired[k].append(e.holds[cid])
            else:
                only_read.append(e.holds[cid])
    def shares(buckets: list[list[bool]]) -> tuple[float, ...]:
        every = [r for b in buckets for r in b]
        overall = (sum(every) + 1) / (len(every) + 2)
        return tuple((sum(b) + PRIOR_ANSWERS * overall) / (len(b) + PRIOR_ANSWERS)
                     for b in buckets)
    read = None if by_rules is None else (sum(only_read) + 1) / (len(only_read) + 2)
    measured = sum(map(len, fired)) + sum(map(len, silent)) + len(only_read)
    return RuleRecord(shares(fired), shares(silent), read, measured)


PRIOR_ANSWERS = 4
"""How many answers' weight the rule's overall record has in each length's share."""


@dataclass(frozen=True)
class Judged:
    """One learned verdict under cross-validation, before the threshold is applied."""

    answer_id: str
    check_id: str
    labelled: bool
    probability: float
    rule_found: bool
    rule: RuleRecord
    sentences: int
    words: int
    undone: bool = False
    """The answer says it only in ways its evidence's ``undone_by`` groups undo."""
    belief: float | None = None
    """``probability`` calibrated on the other batches' verdicts (None: not calibrated)."""
    said: bool = False
    """A sentence still says it in a way its evidence does not undo (``still_said``)."""


def decide(j: Judged, threshold: float) -> tuple[bool, float]:
    """(found, confidence) as ``run_checks`` decides: short answers by the rules, a rule's
    hit standing for the checks in ``rule_counts``."""
    from coach.analysis.checks import decide_learned, rule_only_decision
    from coach.analysis.rubric import load_rubric

    rubric = load_rubric()
    if j.sentences < rubric.learned_min_sentences:
        return rule_only_decision(rubric, j.check_id, j.rule_found,
                                  j.rule.confidence(j.rule_found, j.words), j.undone, j.said)
    return decide_learned(rubric, j.check_id, j.probability, threshold, j.rule_found,
                          j.rule.confidence(True, j.words), j.undone, j.belief, j.said)


def threshold_sweep(judged: list[Judged], check_id: str, thresholds: tuple[float, ...]
                    ) -> list[tuple[float, CheckScores]]:
    """The cross-validated scores of ``check_id`` at each threshold."""
    from coach.analysis.report import is_sure
    from coach.analysis.rubric import load_rubric

    spec = load_rubric().checks[check_id]
    kind, sure_found = spec.kind, spec.sure_found
    out = []
    for t in thresholds:
        scores = CheckScores()
        for j in judged:
            if j.check_id == check_id:
                found, confidence = decide(j, t)
                scores.record(j.answer_id, check_id, j.labelled, found,
                              is_sure(kind, found, confidence, sure_found=sure_found))
        out.append((t, scores))
    return out


@dataclass
class CheckScores:
    answers: dict[str, int] = field(default_factory=dict)
    agreed: dict[str, int] = field(default_factory=dict)
    disagreements: list[tuple[str, str, bool, bool]] = field(default_factory=list)
    """(answer id, check id, labelled, found)."""
    unsure: dict[str, int] = field(default_factory=dict)
    unsure_wrong: dict[str, int] = field(default_factory=dict)
    answers_holding: dict[str, int] = field(default_factory=dict)
    """Per check: answers labelled as holding it."""
    said_surely: set[tuple[str, str]] = field(default_factory=set)
    """(answer id, check id) of the disagreements whose verdict was sure (shown and said
    as a verdict, not as "possible")."""
    judged: list[Judged] = field(default_factory=list)
    """Cross-validation only: what each verdict was decided from (for threshold sweeps)."""

    def agreement(self, check_id: str) -> float:
        n = self.answers.get(check_id, 0)
        return self.agreed.get(check_id, 0) / n if n else 0.0

    def record(self, answer_id: str, cid: str, labelled: bool, found: bool, sure: bool
               ) -> None:
        self.answers[cid] = self.answers.get(cid, 0) + 1
        self.answers_holding[cid] = self.answers_holding.get(cid, 0) + labelled
        right = found == labelled
        self.agreed[cid] = self.agreed.get(cid, 0) + right
        if not right:
            self.disagreements.append((answer_id, cid, labelled, found))
            if sure:
                self.said_surely.add((answer_id, cid))
        if not sure:
            self.unsure[cid] = self.unsure.get(cid, 0) + 1
            self.unsure_wrong[cid] = self.unsure_wrong.get(cid, 0) + (not right)

    def recall(self, cid: str) -> tuple[int, int]:
        """(found, labelled) over the answers where the check holds."""
        positives = self.answers_holding.get(cid, 0)
        return positives - sum(1 for a, c, lab, _ in self.disagreements if c == cid and lab), \
            positives

    def surely_wrong(self, cid: str) -> int:
        """Verdicts on ``cid`` that disagreed with the label and were said as sure."""
        wrong = sum(1 for _, c, _, _ in self.disagreements if c == cid)
        return wrong - self.unsure_wrong.get(cid, 0)

    def add(self, other: CheckScores) -> None:
        for d in ("answers", "agreed", "unsure", "unsure_wrong", "answers_holding"):
            mine, theirs = getattr(self, d), getattr(other, d)
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v
        self.disagreements += other.disagreements
        self.said_surely |= other.said_surely
        self.judged += other.judged


def evaluate(data: list[Example], model_dir: Path | None = None,
             checks: tuple[str, ...] = LABELLED) -> CheckScores:
    """Agreement of the coach's verdicts with the labels (models from ``model_dir``, or
    the shipped ones)."""
    from contextlib import nullcontext

    from coach.analysis import check_model

    with check_model.models_in(model_dir) if model_dir is not None else nullcontext():
        scores = CheckScores()
        for e in data:
            report = analyze_text(e.text)
            for cid in checks:
                if cid not in e.holds:
                    continue
                c = report.checks[cid]
                scores.record(e.answer_id, cid, e.holds[cid], c.found, c.sure)
        return scores


def cross_validate(data: list[Example], options: TrainOptions | None = None,
                   checks: tuple[str, ...] = LABELLED,
                   marks: dict[str, dict[str, frozenset[int]]] | None = None,
                   folds: int | None = None, calibrate_on: frozenset[str] | None = None
                   ) -> dict[str, tuple[CheckScores, CheckScores]]:
    """Leave one batch out: ``{batch: (learned scores, the rules' scores)}``; or, with
    ``folds``, whole batches dealt into that many folds (the i-th batch in sorted order
    to fold i mod ``folds``; more folds than batches leaves one batch in each), one entry
    per fold, named by its batches: the same figure from far fewer models. Features are
    computed once; each fold's models judge its answers directly (the same verdict
    ``run_checks`` gives with those models). For a check in ``marks`` the per-sentence
    models are left out the same way, and each fold's joining weights are fitted on the
    other folds' out-of-fold verdicts. ``calibrate_on``: the batches each fold's
    calibration is fitted on, as in training (``calibration_answers``)."""
    from coach.analysis.report import is_sure
    from coach.analysis.rubric import load_rubric

    if folds is not None and folds < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, not {folds}")
    rubric = load_rubric()
    thresholds = rubric.thresholds
    featurized = {e.answer_id: rule_features(e.text, bool(marks)) for e in data}
    rule_verdicts = {a: f.verdicts for a, f in featurized.items()}
    fold_of = batch_folds(data, folds)
    batches = sorted(fold_of)
    batch_fold = {e.answer_id: fold_of[e.batch] for e in data}
    fold_names = {k: ", ".join(b for b in batches if fold_of[b] == k)
                  for k in set(fold_of.values())}
    joined = {cid: out_of_fold(data, cid, featurized, sentence_rows(data, cid, m),
                               batch_fold, options)
              for cid, m in (marks or {}).items() if cid in checks}
    # Each fold's verdicts from models trained on the other folds...
    probability = {cid: held_out(data, cid, featurized, batch_fold, options)
                   for cid in checks if cid not in joined}
    for cid in joined:  # its held-out probabilities are already in ``joined``
        probability[cid] = {}
        for k in sorted(fold_names):
            rest = [e for e in data if batch_fold[e.answer_id] != k]
            stack = stack_for(rest, joined[cid], cid)
            probability[cid].update({e.answer_id: stack.join(*joined[cid][e.answer_id])
                                     for e in data
                                     if batch_fold[e.answer_id] == k and cid in e.holds})
    # ...decided as run_checks decides, each fold's calibration fitted on the verdicts
    # of the other folds (those models never saw the answers they judged, but did see
    # this fold's labels: two weights, a slight optimism, as in ``stack_for``; training
    # fits the shipped calibration on five folds instead).
    out = {}
    for k in sorted(fold_names):
        held = [e for e in data if batch_fold[e.answer_id] == k]
        rest = [e for e in data if batch_fold[e.answer_id] != k]
        learned, rules = CheckScores(), CheckScores()
        for cid in checks:
            record = rule_record(rest, cid, rule_verdicts)
            others = calibration_answers(rest, cid, featurized, probability[cid],
                                         calibrate_on)
            calibration = None if cid in joined else fit_calibration(
                [probability[cid][e.answer_id] for e in others],
                [e.holds[cid] for e in others])
            spec = rubric.evidence.get(cid)
            for e in (e for e in held if cid in e.holds):
                f = featurized[e.answer_id]
                p = probability[cid][e.answer_id]
                undone = bool(spec and spec.undone_by and spec.rules_out and f.answer.get(
                    only_undone_feature(f"ev:{cid}", spec)))
                said = bool(spec and spec.undone_by and f.answer.get(
                    still_said_feature(f"ev:{cid}"), 0.0) > 0)
                j = Judged(e.answer_id, cid, e.holds[cid], p, f.verdicts[cid], record,
                           f.sentences, len(e.text.split()), undone,
                           calibration(p) if calibration else None, said)
                found, confidence = decide(j, thresholds.get(cid, 0.5))
                learned.record(e.answer_id, cid, e.holds[cid], found,
                               is_sure(rubric.checks[cid].kind, found, confidence,
                                       sure_found=rubric.checks[cid].sure_found))
                learned.judged.append(j)
                rules.record(e.answer_id, cid, e.holds[cid], f.verdicts[cid], True)
        out[fold_names[k]] = (learned, rules)
    return out


def format_scores(scores: CheckScores, checks: tuple[str, ...] = LABELLED,
                  rules: CheckScores | None = None) -> str:
    lines = [f"  {'check':26s} agreement  found/holding  unsure (wrong)  answers"
             + ("   rules alone" if rules else "")]
    for cid in checks:
        n = scores.answers.get(cid, 0)
        hit, pos = scores.recall(cid)
        line = (f"  {cid:26s} {scores.agreement(cid):8.1%}  {hit:6d}/{pos:<6d}  "
                f"{scores.unsure.get(cid, 0):6d} ({scores.unsure_wrong.get(cid, 0):3d})  {n:7d}")
        if rules:
            rh, rp = rules.recall(cid)
            line += f"   {rules.agreement(cid):6.1%} {rh:4d}/{rp}"
        lines.append(line)
    return "\n".join(lines)
