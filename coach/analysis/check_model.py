"""Learned answer-level verdicts for the checks people were asked to label.

The pattern rules in ``checks.py`` find evidence; whether a check holds for the whole
answer is decided here by a logistic model per check, trained on hand-labelled answers
(``scripts/train_checks.py``, data in ``tests/data/star/`` and ``tests/data/checks/``).
Its features are the rules' own verdicts, the words and word pairs of each STAR part, and
"I" versus "we" in the Action; its output is a probability, so the coach can tell a sure
verdict from a guess. (The model is python-crfsuite's CRF on one-item sequences, which is
exactly a logistic regression: one library for both learned stages.)

Which checks are learned is data: the ``learned`` list in ``prompts/rubric.toml``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from coach.analysis import evidence
from coach.analysis.calibration import Calibration
from coach.analysis.report import Sentence
from coach.analysis.segment import ends_sentence, normalize
from coach.analysis.sentence_model import SentenceModel, Stack
from coach.analysis.sentence_model import model_name as sentence_model_name
from coach.analysis.star_features import word_features
from coach.prompts import model_file, number_words, person_words
from coach.words import bare_word, straight_apostrophes

log = logging.getLogger(__name__)

Features = dict[str, float]
YES, NO = "yes", "no"


def model_name(check_id: str) -> str:
    return f"check_{check_id}.crfsuite"


@cache
def _cues() -> tuple[tuple[str, re.Pattern], ...]:
    """Every check's pattern rules and learned cues, as named sentence features."""
    from coach.analysis.rubric import load_rubric

    rubric = load_rubric()
    named = [(f"{cid}:{k}", p) for cid in rubric.learned
             for k, p in enumerate(rubric.checks[cid].patterns)]
    named += [(f"{cid}:cue{k}", p) for cid, cues in rubric.learned_cues.items()
              for k, p in enumerate(cues)]
    return tuple(named)


@cache
def _evidence() -> tuple[tuple[str, evidence.EvidenceGroups], ...]:
    """Every learned check's sentence-level evidence groups (rubric.toml), with the
    feature name prefix of each."""
    from coach.analysis.rubric import load_rubric

    return tuple((f"ev:{cid}", spec) for cid, spec in load_rubric().evidence.items())


def _letter(sentence: Sentence) -> str:
    return (sentence.part or "x")[0].upper()


def continuations(texts: list[str]) -> list[str]:
    """Per sentence, the next one when this one was cut out of a run-on (it has no end
    mark of its own), else "": what it runs on into."""
    return [texts[k + 1] if k + 1 < len(texts) and not ends_sentence(t) else ""
            for k, t in enumerate(texts)]


def sentence_features(sentence: Sentence, runs_on_into: str = "") -> Features:
    """Words and word pairs of one sentence, with and without its part's letter, the
    learned checks' patterns and cues that match it, and their evidence groups, with the
    groups of the clause it ends on, read across the piece it runs on into when it was
    cut out of a run-on ("..., they just forgot to tell anyone," | "and I should have
    checked it myself.")."""
    norm = normalize(sentence.text)
    letter = _letter(sentence)
    f: Features = {}
    words = norm
    whole = f"{sentence.text} {runs_on_into}" if runs_on_into else sentence.text
    for prefix, spec in _evidence():
        f.update(evidence.sentence_features(
            prefix, evidence.sentence_groups(sentence.text, spec), letter))
        f.update(evidence.ending_features(prefix, whole, spec))
        if spec.counter_as_group:
            words = evidence.without_counter(sentence.text, spec)
    toks = words.replace(".", " ").replace(":", " ").split()
    for name, pattern in _cues():
        if pattern.search(norm):
            f["cue:" + name] = 1.0
            f[f"{letter}:cue:{name}"] = 1.0
    f.update(word_features(toks, letter))
    if any(re.fullmatch(r"[\d$%.,€£]+\w*", t) for t in toks):
        f[f"{letter}:number"] = 1.0
    if not number_words().isdisjoint(toks):
        f[f"{letter}:number_word"] = 1.0
    return f


def said_features(sentence: Sentence, runs_on_into: str = "") -> Features:
    """A per-sentence model's features (``sentence_model``): the sentence's own (read
    across what it runs on into, ``continuations``), and a bias, so the model learns how
    rare a sentence that says it is."""
    return {**sentence_features(sentence, runs_on_into), "bias": 1.0}


def said_features_of(sentences: list[Sentence], denials: bool = False) -> list[Features]:
    """``said_features`` of each sentence of an answer, each read with what it runs on
    into; with ``denials``, what each one's clauses deny read apart (``read_denials``)."""
    after = continuations([s.text for s in sentences])
    out = [said_features(s, a) for s, a in zip(sentences, after, strict=True)]
    if denials:
        return [read_denials(f, s.text) for f, s in zip(out, sentences, strict=True)]
    return out


def read_denials(features: Features, text: str) -> Features:
    """A sentence's ``features`` with what its clauses deny read apart
    (``negated_features``): a word under a denial is read only as denied, so "we nearly
    lost half the batch" or "I never made a single mistake" does not read as the "lost
    half" or the "mistake" of a sentence that says it."""
    negated = negated_features(text)
    under = {name.removeprefix("neg:w=") for name in negated if name.startswith("neg:w=")}
    return {**{k: v for k, v in features.items() if not _names_any(k, under)}, **negated}


def signal_features_of(sentences: list[Sentence]) -> list[Features]:
    """A rule-told signal's per-sentence features (``signal_model``): ``said_features``
    without the sentence's STAR part, so one sentence written alone and the same sentence
    in a whole answer read alike, with its denials read apart."""
    return said_features_of([replace(s, part=None) for s in sentences], denials=True)


def said_reads_denials(check_id: str) -> bool:
    """Whether a learned check's per-sentence model reads denials apart (``read_denials``):
    a good sign's does (a harm that nearly happened, a fix that never came, is none); a
    red flag's does not, since blame is often said as a denial ("nobody told me", "they
    never checked")."""
    from coach.analysis.report import CheckKind
    from coach.analysis.rubric import load_rubric

    spec = load_rubric().checks.get(check_id)
    return spec is not None and spec.kind is CheckKind.signal


def _names_any(feature: str, words: set[str]) -> bool:
    """Whether a word feature ("w=x", "b=x_y", "X:w=x") names one of ``words``."""
    kind, _, name = feature.partition("=")
    return kind.rpartition(":")[2] in ("w", "b") and not words.isdisjoint(name.split("_"))


_NEGATORS = frozenset("not never no nobody noone didn't didnt don't dont hadn't hadnt "
                      "wasn't wasnt couldn't couldnt wouldn't wouldnt won't haven't havent "
                      "isn't doesn't weren't nearly almost".split())
"""Words that deny what follows them in their clause ("nearly forgot": did not forget;
"nobody ever put a checklist in": none was put in)."""
_NOBODY = frozenset("nobody noone".split())
_HABIT = frozenset("without unless".split())
"""After "nobody", these words in its clause make it a habit, not a denial ("nobody signs
off a round without ticking it": everyone ticks it). Only after "nobody": "we nearly sent it
out without the label" is still a near miss, and "I don't pick one up without reading the
postcode" stays read as the models learned it."""
_SKIPPED = frozenset("even really actually properly just bother bothered to once ever "
                     "a the any single one have been".split())
_SUBJECTS = frozenset("i we he she they you it nobody someone".split())
_DENYING = frozenset("say said blame blamed point pointed accuse accused claim claimed argue "
                     "argued mean meant suggest suggested imply implied think thought "
                     "make excuses".split())
"""Verbs whose denial is about words, not deeds ("I didn't say it was their fault")."""
_RECORD = frozenset("single once ever one".split())
"""Words of a clean record under "never" ("I never made a single mistake")."""
_APPROXIMATORS = frozenset("nearly almost".split())
"""Negators that only round a size when a number or an amount follows them ("almost forty
customers", "nearly half the orders", "almost a week"): no denial then."""
_AMOUNTS = frozenset("half all every everyone everybody everything twice double triple "
                     "quarter third dozen hundred hundreds thousand thousands".split())
_UNITS = frozenset("minute hour day week fortnight month year morning afternoon evening "
                   "night shift dozen hundred thousand quarter third half grand fifth "
                   "sixth tenth".split())
_SIZE_WORDS = frozenset("whole full good solid".split())
"""Between "a" and its unit: "almost a whole week"."""
_SIZE_VERBS = frozenset("doubled tripled trebled quadrupled halved".split())
"""Verbs that are a size themselves: "sales nearly doubled" rounds, it does not deny."""
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _approximates(toks: list[str], at: int) -> bool:
    """Whether ``toks[at]`` ("nearly", "almost") rounds the size after it instead of denying
    the rest of its clause: a number, an amount, or "a"/"an" and a unit follow."""
    if toks[at] not in _APPROXIMATORS or at + 1 >= len(toks):
        return False
    after = toks[at + 1]
    if after in ("a", "an"):
        unit = next((t for t in toks[at + 2:] if t not in _SIZE_WORDS), "")
        return unit.removesuffix("'s").removesuffix("s") in _UNITS
    return (after[:1].isdigit() or after in _AMOUNTS or after in _SIZE_VERBS
            or _is_number_word(after))


def _is_number_word(token: str) -> bool:
    """A number said in words, "forty-five" too (its hyphen gone: "fortyfive")."""
    return token in number_words() or any(
        token == tens + ones for tens in _TENS for ones in _ONES)


_CLAUSE_CUT = re.compile(r"[,;:.!?\u2014]+|\s-+\s|\b(?:and|but|so|because|cause|then|before|"
                         r"after|when|while|until|which)\b")


def negated_features(text: str) -> Features:
    """What a sentence's clauses deny, word by word, apart from what they say: owning told
    as something left undone ("I didn't check the chart") and a denial or a boast with the
    same "I didn't" ("I didn't say it was their fault, I just told them what happened";
    "I never made a single mistake on the till") differ in whose clause it is, which verb
    is denied, the words under the denial, and whether a plain "I just ..." comes after.
    Names: "neg:subj=i", "neg:verb=check", "neg:i_verb=check", "neg:w=<word>" for the words
    of the clause after its negation, "neg:<subject>_denies_words" (a verb of saying or
    blaming denied), "neg:clean_record" ("never ... a single", "not once"), "neg:then_just".
    "Nearly" and "almost" before a number or an amount round it and deny nothing ("almost
    forty customers got the wrong bill"; ``_approximates``).
    "Nobody" denies for everyone ("neg:subj=nobody": "nobody ever put a checklist in"),
    unless "without" or "unless" follows it in its clause ("nobody signs off a round without
    ticking it" is a habit); "no one" is denied by its "no".
    (Known gaps: a harm told with "nobody" is read as denied, as "we couldn't" is ("nobody
    could log in for three hours", "we had nobody on the till for three hours"), and so is a
    change told by its result ("nobody has mixed them up since we moved the charts apart",
    which prevention's model, not retrained for this reading, then calls surely missing);
    "make" and "think" count as verbs of saying, a "no" opening a reply counts as a denial,
    typed "isnt"/"cant" are not read, and a denied word is set aside in the whole sentence,
    not only in its clause.)"""
    f: Features = {}
    clauses = [c.split() for c in _CLAUSE_CUT.split(straight_apostrophes(text.lower()))
               if c and c.strip()]
    negated_before = False
    for raw in clauses:
        toks = [bare_word(t) for t in raw if bare_word(t)]
        if negated_before and toks[:1] in (["just"], ["i"]) and "just" in toks[:3]:
            f["neg:then_just"] = 1.0
        at = next((k for k, t in enumerate(toks)
                   if t in _NEGATORS and not _approximates(toks, k)), None)
        if at is not None and toks[at] in _NOBODY and not _HABIT.isdisjoint(toks[at + 1:]):
            at = None
        negated_before = at is not None
        if at is None:
            continue
        if toks[at] in _NOBODY:
            subject = "nobody"
        else:
            subject = next((t for t in reversed(toks[:at]) if t in _SUBJECTS), "other")
        rest = toks[at + 1:]
        verb = next((t for t in rest if t not in _SKIPPED), "")
        f[f"neg:subj={subject}"] = 1.0
        if verb:
            f[f"neg:verb={verb}"] = 1.0
            f[f"neg:{subject}_verb={verb}"] = 1.0
        for t in rest:
            f[f"neg:w={t}"] = 1.0
        if verb in _DENYING:
            f[f"neg:{subject}_denies_words"] = 1.0
        if (toks[at] == "never" and not _RECORD.isdisjoint(rest[:4])) or rest[:1] == ["once"]:
            f["neg:clean_record"] = 1.0
    return f


RuleParts = dict[str, frozenset[str]]
"""Per check whose rule found it: the STAR parts of the sentences it quotes."""


def answer_features(sentences: list[Sentence], rule_verdicts: dict[str, bool],
                    rule_parts: RuleParts | None = None) -> Features:
    f: Features = {"bias": 1.0}
    for cid, found in rule_verdicts.items():
        f[f"rule:{cid}={'yes' if found else 'no'}"] = 1.0
    for cid, parts in (rule_parts or {}).items():
        # Where the rule found it: a number in the scene-setting ("I had two patients")
        # is weaker evidence of an impact than one in the result.
        for part in parts:
            f[f"rule:{cid}@{part}"] = 1.0
    for s, after in zip(sentences, continuations([s.text for s in sentences]), strict=True):
        f.update(sentence_features(s, after))
    for prefix, spec in _evidence():
        held = [evidence.sentence_groups(s.text, spec) for s in sentences]
        f.update(evidence.answer_features(prefix, held, spec))
        f.update(evidence.undone_features(prefix, [s.text for s in sentences], spec))
        for k in range(1, len(sentences)):
            if not ends_sentence(sentences[k - 1].text):
                f.update(evidence.run_on_pairs(prefix, held[k - 1], held[k]))
    person = person_words()
    action = [normalize(s.text).split() for s in sentences if s.part == "action"]
    i = sum(t in person.singular for toks in action for t in toks)
    we = sum(t in person.plural for toks in action for t in toks)
    f["action:none"] = float(not action)
    f["action:i_share"] = i / (i + we) if i + we else 0.5
    f["action:i_steps"] = min(sum(person.singular_subject in toks for toks in action), 5) / 5
    return f


@dataclass(frozen=True)
class Verdict:
    found: bool
    probability: float
    """The model's probability that the check holds (against the check's threshold)."""
    belief: float
    """How likely the answer holds the check: ``probability`` as calibrated on answers the
    model did not see (``coach.analysis.calibration``; the same when none was fitted)."""
    evidence: tuple[Sentence, ...]
    """The sentences that pushed the verdict most towards 'holds' (when it holds)."""


LENGTH_BUCKETS_WORDS = (100, 150, 200, 300)
"""Answer lengths (upper bounds, in words; one more bucket above the last) over which a
rule's record is measured: a rule that finds nothing in 60 words is nearly always right,
in 300 words it misses most communication and prevention told in words it does not list;
a blame rule that fires in a short answer has always been right, in a long one often not."""


def length_bucket(words: int) -> int:
    return sum(words >= edge for edge in LENGTH_BUCKETS_WORDS)


@dataclass(frozen=True)
class RuleRecord:
    """How often a check's pattern rule was right on the labelled answers, per answer
    length (``LENGTH_BUCKETS_WORDS``): how sure its verdict alone may be."""

    precision: tuple[float, ...] = ()
    """When it fired: the share of answers labelled as holding the check."""
    silence_right: tuple[float, ...] = ()
    """When it found nothing: the share labelled as not holding it."""
    read_precision: float | None = None
    """For a signal with a per-sentence model (``signals_in_sentences``): when the model
    found it and its rules did not, the share labelled as holding it (one share for every
    length: such finds are few). None when not measured."""
    measured_on: int = 0
    """How many labelled answers it was measured on (0: not said). A test holds it to the
    labels there are now, so labels added without measuring again are caught."""

    def confidence(self, found: bool, words: int) -> float:
        """How likely the rule's verdict is right for an answer of ``words`` (1.0 when
        nothing was measured)."""
        shares = self.precision if found else self.silence_right
        return shares[length_bucket(words)] if shares else 1.0

    def to_dict(self) -> dict[str, list[float] | float]:
        out: dict[str, list[float] | float] = {
            "rule_precision": [round(v, 3) for v in self.precision],
            "rule_silence_right": [round(v, 3) for v in self.silence_right]}
        if self.read_precision is not None:
            out["read_precision"] = round(self.read_precision, 3)
        if self.measured_on:
            out["measured_on"] = self.measured_on
        return out

    @classmethod
    def from_dict(cls, d: dict) -> RuleRecord:
        def shares(key: str) -> tuple[float, ...]:
            values = d.get(key, ())
            if not isinstance(values, list) or len(values) != len(LENGTH_BUCKETS_WORDS) + 1:
                return ()
            return tuple(float(v) for v in values)
        read = d.get("read_precision")
        if isinstance(read, bool) or not isinstance(read, (int, float)) or not 0 <= read <= 1:
            read = None
        answers = d.get("measured_on", 0)
        return cls(shares("rule_precision"), shares("rule_silence_right"),
                   None if read is None else float(read),
                   answers if type(answers) is int and answers > 0 else 0)


class CheckModel:
    """One trained check: probability, and the sentences that weigh most for it."""

    def __init__(self, path: Path, rule: RuleRecord | None = None,
                 said: tuple[SentenceModel, Stack] | None = None,
                 calibration: Calibration | None = None, said_denials: bool = False):
        import pycrfsuite

        self.rule = rule or RuleRecord()
        """How often the check's pattern rule was right, on the training data."""
        self.calibration = calibration
        """Its probability as the share of answers holding the check, fitted on answers
        the model did not see (None: taken as it is)."""
        self.said = said
        """The check's per-sentence model and the weights joining it with this one, for
        the checks said in one sentence among many (``sentence_model``)."""
        self.said_denials = said_denials
        """Whether the per-sentence model reads denials apart (``said_reads_denials``)."""
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self._weights: dict[str, float] | None = None
        self._lock = threading.Lock()

    @property
    def _toward_yes(self) -> dict[str, float]:
        """Per feature: its weight for 'holds' minus its weight for 'does not hold'.

        Read on first use: crfsuite hands its weights over through a temporary file, which
        cannot be written when the disk is full; the verdict then quotes no sentence of its
        own rather than failing the whole report."""
        if self._weights is not None:
            return self._weights
        try:
            with self._lock:
                features = self._tagger.info().state_features
        except (RuntimeError, OSError) as exc:
            log.warning("cannot read the check model's weights (%s)", exc)
            return {}  # tried again next time: the disk may have room by then
        weights: dict[str, float] = {}
        for (name, label), w in features.items():
            sign = 1.0 if label == YES else -1.0 if label == NO else 0.0
            weights[name] = weights.get(name, 0.0) + sign * w
        self._weights = weights
        return weights

    def probability(self, features: Features) -> float:
        with self._lock:
            self._tagger.set([features])
            return float(self._tagger.marginal(YES, 0))

    def weigh(self, sentence: Sentence) -> float:
        """How much ``sentence``'s words push towards 'holds'."""
        return sum(self._toward_yes.get(k, 0.0) for k in sentence_features(sentence))

    def judge(self, sentences: list[Sentence], features: Features,
              rule_evidence: tuple[Sentence, ...], threshold: float = 0.5) -> Verdict:
        """The verdict on ``sentences``, whose ``answer_features`` are ``features`` (the
        same for every check of an answer, so computed once by the caller)."""
        p = self.probability(features)
        said: list[float] = []
        if self.said is not None and sentences:
            model, stack = self.said
            said = model.probabilities(said_features_of(sentences, self.said_denials))
            p = stack.join(p, max(said))
        found = p >= threshold
        belief = self.calibration(p) if self.calibration else p
        if not found:
            return Verdict(False, p, belief, ())
        if rule_evidence:
            return Verdict(True, p, belief, rule_evidence)
        if said:
            # The sentences most likely to say it: the one the verdict rests on first, and
            # a second only when it says it as surely.
            ranked = sorted(range(len(sentences)), key=said.__getitem__, reverse=True)
            keep = [k for k in ranked[:2] if k == ranked[0] or said[k] >= 0.5]
            return Verdict(True, p, belief, tuple(sentences[k] for k in keep))
        weights = [(self.weigh(s), k) for k, s in enumerate(sentences)]
        top = sorted(weights, key=lambda wk: wk[0], reverse=True)[:2]
        return Verdict(True, p, belief, tuple(sentences[k] for w, k in top if w > 0))


MODEL_DIR_OVERRIDE: Path | None = None
"""Evaluation only: read the models from this folder (set it with ``models_in``)."""
SIGNAL_MODEL_OVERRIDE: Path | None = None
"""Evaluation only: read the rule-told signals' sentence models from this folder (set it
with ``signal_models_in``; the learned checks' models stay the shipped ones)."""
STATS_FILE = "check_stats.json"
"""Written beside the models by training: each rule's record on the training data."""


def _stats_path() -> Path:
    return MODEL_DIR_OVERRIDE / STATS_FILE if MODEL_DIR_OVERRIDE else model_file(STATS_FILE)


@cache
def signal_record(check_id: str) -> RuleRecord | None:
    """How often a signal told by its rules alone (no model) was right on answers people
    labelled for it (``tests/data/checks/labels_rule_signals*.txt``, written into the stats
    by scripts/train_checks.py), or None when it was never measured."""
    import json

    path = _stats_path()
    if not path.is_file():
        return None
    record = json.loads(path.read_text()).get("rule_signals", {}).get(check_id)
    return RuleRecord.from_dict(record) if isinstance(record, dict) else None


@cache
def check_model(check_id: str) -> CheckModel | None:
    """The trained model for ``check_id``, or None when none has been trained."""
    import json

    name = model_name(check_id)
    path = MODEL_DIR_OVERRIDE / name if MODEL_DIR_OVERRIDE else model_file(name)
    if not path.is_file():
        return None
    stats_path = path.parent / STATS_FILE
    stats = json.loads(stats_path.read_text()) if stats_path.is_file() else {}
    mine = stats.get(check_id, {})
    if not isinstance(mine, dict):
        mine = {}
    said_path = path.parent / sentence_model_name(check_id)
    stack = Stack.from_list(mine.get("stack"))
    said = (SentenceModel(said_path), stack) if said_path.is_file() and stack else None
    return CheckModel(path, RuleRecord.from_dict(mine), said,
                      Calibration.from_list(mine.get("calibration")),
                      said_reads_denials(check_id))


@cache
def signal_model(check_id: str) -> SentenceModel | None:
    """The per-sentence model of a signal told by its rules (``signals_in_sentences`` in
    rubric.toml: found also where one sentence says it in words the rules do not read), or
    None when none has been trained."""
    name = sentence_model_name(check_id)
    path = SIGNAL_MODEL_OVERRIDE / name if SIGNAL_MODEL_OVERRIDE else model_file(name)
    return SentenceModel(path) if path.is_file() else None


@contextmanager
def signal_models_in(folder: Path) -> Iterator[None]:
    """Evaluation only: read the signals' sentence models from ``folder`` inside the
    block (a model trained without the answers being measured)."""
    global SIGNAL_MODEL_OVERRIDE
    signal_model.cache_clear()
    SIGNAL_MODEL_OVERRIDE = folder
    try:
        yield
    finally:
        SIGNAL_MODEL_OVERRIDE = None
        signal_model.cache_clear()


@contextmanager
def models_in(folder: Path) -> Iterator[None]:
    """Evaluation only: read the check models and their stats from ``folder`` inside the
    block, and the shipped ones again after it. Both caches are cleared on the way in and
    out, so nothing read from one folder is kept for the other (a signal's record missing
    from a test's folder, cached as None, once hid the shipped one from later tests)."""
    global MODEL_DIR_OVERRIDE
    check_model.cache_clear()
    signal_record.cache_clear()
    MODEL_DIR_OVERRIDE = folder
    try:
        yield
    finally:
        MODEL_DIR_OVERRIDE = None
        check_model.cache_clear()
        signal_record.cache_clear()
