"""STAR segmentation: words -> sentences -> a part per sentence -> part spans and timing.

Method: sentences are cut at end punctuation, at pauses between words, and inside long
run-ons at clause cues. A linear-chain CRF (python-crfsuite) then labels the sequence of
sentences: its weights for words, grammatical person, tense, position, neighbours and the
cue patterns of ``prompts/segmenter.toml`` (see ``star_features``), and for moving from one
part to the next (the S -> T -> A -> R order prior), are learned from the labelled answers
in ``tests/data/star/`` by ``scripts/train_segmenter.py``. Each sentence gets the model's
probability of each part (its marginals), shifted to how often the parts come in answers
people tell (``part_prior``), and takes the part most likely after the shift; the report
turns the probabilities into a range.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from coach.analysis import clauses
from coach.analysis.part_prior import PartPrior, load_part_prior
from coach.analysis.report import (
    PARTS,
    Part,
    PartSpan,
    Sentence,
    Timing,
    usable_distribution,
)
from coach.analysis.star_features import (
    CuePattern,
    Features,
    answer_features,
    cue_patterns,
    sentence_features,
)
from coach.analysis.timing_ranges import RangeCalibration, widen_ranges
from coach.errors import ModelError
from coach.prompts import TimingRules, load_toml, model_file
from coach.speech.fillers import find_fillers
from coach.words import Word, bare_word, join_words, straight_apostrophes

if TYPE_CHECKING:
    import numpy as np

_END = re.compile(r"[.?!…]+[\"')\]]*$")


MODEL_FILE = "star_segmenter.crfsuite"


@dataclass(frozen=True)
class SegmenterModel:
    pause_s: float
    capital_pause_s: float
    opener_pause_s: float
    openers: frozenset[str]
    long_sentence_words: int
    min_words: int
    clause_cues: tuple[tuple[str, ...], ...]
    not_before_cue: frozenset[str]
    noun_cue_openers: frozenset[str]
    subjects: frozenset[str]
    not_before_subject: frozenset[str]
    past_verbs: frozenset[str]
    cues: tuple[CuePattern, ...]
    comma_openers: frozenset[str]
    bullets: frozenset[str]
    wh_words: frozenset[str]
    reporting_verbs: frozenset[str]
    cut_probability: float
    clause_file: Path | None
    """The learned clause model (``clauses``); None cuts run-ons by the rules alone."""
    prior: PartPrior | None = None
    """How the shipped STAR model's probabilities are shifted to answers people tell
    (``part_prior``); None keeps the model's own reading. Another STAR model (a person's
    own, one trained for cross-validation) always reads its own way."""


@cache
def load_model() -> SegmenterModel:
    d = load_toml("segmenter.toml")
    unknown = set(d["cues"]) - set(PARTS)
    if unknown:
        raise ValueError(f"segmenter.toml: cues for unknown parts {sorted(unknown)}")
    return SegmenterModel(
        pause_s=d["split"]["pause_s"],
        capital_pause_s=d["split"]["capital_pause_s"],
        opener_pause_s=d["split"]["opener_pause_s"],
        openers=frozenset(d["split"]["openers"]),
        long_sentence_words=d["split"]["long_sentence_words"],
        min_words=d["split"]["min_words"],
        clause_cues=tuple(tuple(c.split()) for c in d["split"]["clause_cues"]),
        not_before_cue=frozenset(d["split"]["not_before_cue"]),
        noun_cue_openers=frozenset(d["split"]["noun_cue_openers"]),
        subjects=frozenset(d["split"]["subjects"]),
        not_before_subject=frozenset(d["split"]["not_before_subject"]),
        past_verbs=frozenset(d["split"]["past_verbs"]),
        cues=cue_patterns({p: d["cues"][p]["patterns"] for p in PARTS}),
        comma_openers=frozenset(d["split"]["comma_openers"]),
        bullets=frozenset(d["split"]["bullets"]),
        wh_words=frozenset(d["split"]["wh_words"]),
        reporting_verbs=frozenset(d["split"]["reporting_verbs"]),
        cut_probability=d["split"]["cut_probability"],
        clause_file=model_file(clauses.MODEL_FILE),
        prior=load_part_prior(model_file(MODEL_FILE)),
    )


class _Tagger:
    """A trained CRF (the STAR model, the clause model), opened once; python-crfsuite's
    tagger is not thread-safe."""

    def __init__(self, path: Path, what: str):
        import pycrfsuite

        if not path.is_file():
            raise ModelError(f"{path}: {what} missing (run scripts/train_segmenter.py)")
        self._tagger = pycrfsuite.Tagger()
        try:
            self._tagger.open(str(path))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: {what} unreadable ({exc}); run "
                             "scripts/train_segmenter.py") from exc
        self._lock = threading.Lock()

    def tag(self, features: list[Features], labels: Sequence[str]
            ) -> tuple[list[str], list[dict[str, float]]]:
        """The best sequence of labels, and each item's probability of every label."""
        with self._lock:
            best = self._tagger.tag(features)
            marginals = [{x: self._tagger.marginal(x, i) for x in labels}
                         for i in range(len(best))]
            return best, marginals


@cache
def _opened(path: Path, mtime_ns: int, what: str) -> _Tagger:
    return _Tagger(path, what)


def _tagger(path: Path | None = None, what: str = "STAR model") -> _Tagger:
    """The model at ``path`` (default: the shipped STAR model), opened once per version of
    the file (a personal model is retrained in place)."""
    path = path or model_file(MODEL_FILE)
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError as exc:
        raise ModelError(f"{path}: {what} missing (run scripts/train_segmenter.py)") from exc
    return _opened(path, mtime_ns, what)


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lower-case, fillers and stray punctuation removed: what the cue patterns see. The
    fillers are the ones delivery counts (``speech.fillers``, prompts/delivery.toml)."""
    tokens = [_contracted(t) for t in straight_apostrophes(text).split()]
    words = [Word(t, 0.0, 0.0) for t in tokens]
    drop = {k for a, b in find_fillers(words) for k in range(a, b + 1)}
    text = " ".join(t for k, t in enumerate(tokens) if k not in drop)
    text = re.sub(r"[^\w'%$£€¥.:\- ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@cache
def _typed_contractions() -> dict[str, str]:
    """{"thats": "that's", ...}: prompts/segmenter.toml [typing]."""
    return {c.replace("'", ""): c for c in load_toml("segmenter.toml")["typing"]["contractions"]}


def _contracted(token: str) -> str:
    """A token in lower case, a contraction typed without its apostrophe given it back
    ("didnt." -> "didn't."), but not a word in capitals ("IM" is intramuscular)."""
    lower = token.lower()
    core = lower.strip(".,;:!?\"()")
    full = _typed_contractions().get(core)
    if full is None or (token.isupper() and len(core) > 1):
        return lower
    return lower.replace(core, full, 1)


def ends_sentence(text: str) -> bool:
    """Whether ``text`` (a word, or a sentence) ends with a sentence's own end mark; a
    sentence without one was cut out of a run-on."""
    return bool(_END.search(text))


def split_sentences(words: list[Word], model: SegmenterModel | None = None,
                    cut_run_ons: bool = True) -> list[tuple[int, int]]:
    """Word index ranges (first, last) of the sentences in ``words``; ``cut_run_ons``
    False keeps long sentences whole (for a short reply, judged as one thought)."""
    model = model or load_model()
    spans: list[tuple[int, int]] = []
    start = 0
    for i, w in enumerate(words):
        last = i == len(words) - 1
        gap = words[i + 1].start - w.end if not last else 0.0
        long_enough = i - start + 1 >= model.min_words
        # Whisper sometimes drops the full stop but keeps the capital of the next sentence.
        nxt = bare_word(words[i + 1].text) if not last else ""
        capital = (not last and gap >= model.capital_pause_s and words[i + 1].text[:1].isupper()
                   and nxt not in ("i", "i'm", "i've", "i'd", "i'll"))
        # After a pause, "I", "we", "so", "then" usually open a new sentence.
        opener = not last and gap >= model.opener_pause_s and nxt in model.openers
        # A typed list: "- rang the supplier - checked the log".
        bullet = not last and words[i + 1].text in model.bullets
        if last or ends_sentence(w.text) or (long_enough and (gap >= model.pause_s or capital
                                                            or opener or bullet)):
            spans.append((start, i))
            start = i + 1
    if not cut_run_ons:
        return spans
    out: list[tuple[int, int]] = []
    for a, b in spans:
        out.extend(_cut_run_on(words, a, b, model))
    return out


def reply_sentences(words: list[Word]) -> list[Sentence]:
    """A reply to a follow-up question as sentences without STAR parts (it answers one
    question), cut only where a sentence really ends."""
    spans = split_sentences(words, cut_run_ons=False)
    return [Sentence(join_words(words[a:b + 1]), words[a].start, words[b].end, None, a, b)
            for a, b in spans]


def _cut_run_on(words: list[Word], first: int, last: int, model: SegmenterModel
                ) -> list[tuple[int, int]]:
    """A sentence cut into clauses: where the learned clause model gives a new clause at
    least ``cut_probability``, and, in a run-on longer than ``long_sentence_words``, at
    the rules' clause cues; no piece shorter than ``min_words``, and no cut before what was
    told or known (``_reported``)."""
    n = last - first + 1
    cuts: set[int] = set()
    if n > model.long_sentence_words:
        cuts.update(_rule_cuts(words, first, last, model))
    if model.clause_file is not None and n >= 2 * model.min_words:
        raw = [w.text for w in words[first : last + 1]]
        _, p = _tagger(model.clause_file, "clause model").tag(
            clauses.word_features(raw, model.past_verbs), (clauses.NEW,))
        cuts.update(first + j for j in range(1, n) if p[j][clauses.NEW] >= model.cut_probability)
    kept = [first]
    for c in sorted(c for c in cuts if not _reported(words, first, c, model)):
        if c - kept[-1] >= model.min_words and last + 1 - c >= model.min_words:
            kept.append(c)
    bounds = kept + [last + 1]
    return [(bounds[k], bounds[k + 1] - 1) for k in range(len(kept))]


def _reported(words: list[Word], first: int, at: int, model: SegmenterModel) -> bool:
    """Whether the word at ``at`` is a question word just after a verb of telling, asking
    or knowing (within five words, no comma just before it): it opens what was told or known
    ("told the team | what I had done" is not a cut)."""
    if bare_word(words[at].text) not in model.wh_words or words[at - 1].text[-1:] in ",;:":
        return False
    return any(bare_word(words[k].text) in model.reporting_verbs
               for k in range(max(first, at - 5), at))


def _rule_cuts(words: list[Word], first: int, last: int, model: SegmenterModel) -> list[int]:
    """Where the rules cut a long run-on: a comma before a word that opens a clause, a
    clause cue (not a noun phrase that completes the words before it: "it was | my job"),
    "I"/"we" and a past-tense verb."""
    bare = [bare_word(w.text) for w in words[first : last + 1]]
    cuts = [first]
    for j in range(model.min_words, len(bare) - model.min_words):
        if first + j - cuts[-1] < model.min_words:
            continue
        before = words[first + j - 1].text
        comma = before.endswith(",") and bare[j] in model.comma_openers
        # A noun-phrase cue straight after "was", "to"... completes those words.
        completes = bare[j - 1] in model.not_before_cue and before[-1:].isalnum()
        cue = any(tuple(bare[j : j + len(c)]) == c
                  and not (completes and c[0] in model.noun_cue_openers)
                  for c in model.clause_cues)
        if comma or cue or _opens_clause(bare, j, model):
            cuts.append(first + j)
    return cuts[1:]


def _opens_clause(bare: list[str], j: int, model: SegmenterModel) -> bool:
    """ "I"/"we" followed by a past-tense verb, after a word that does not introduce them
    ("...where I could I pulled the patch"; not "every booking I make")."""
    if bare[j] not in model.subjects or bare[j - 1] in model.not_before_subject:
        return False
    verb = bare[j + 1] if j + 1 < len(bare) else ""
    return clauses.is_past(verb, model.past_verbs)


def features(texts: list[str], model: SegmenterModel | None = None) -> list[Features]:
    """The CRF's features for the sentences of one answer, in order."""
    model = model or load_model()
    return answer_features([sentence_features(normalize(t), model.cues, model.past_verbs)
                            for t in texts])


@dataclass(frozen=True)
class Labelled:
    part: Part
    confidence: float
    """The probability of ``part``: the model's marginal over all sequences, shifted by the
    part prior (``part_prior``)."""
    distribution: tuple[float, ...]
    """The probability of each part, in PARTS order."""


def label_sentences(texts: list[str], model: SegmenterModel | None = None,
                    tagger_path: Path | None = None) -> tuple[list[Part], list[float]]:
    """The most likely part of each sentence, and the model's probability of that part."""
    labelled = label_with_alternatives(texts, model, tagger_path)
    return [x.part for x in labelled], [x.confidence for x in labelled]


def label_with_alternatives(texts: list[str], model: SegmenterModel | None = None,
                            tagger_path: Path | None = None) -> list[Labelled]:
    """Each sentence's part and probabilities: by the shipped STAR model with the model's
    ``prior``, the probabilities shifted by it and the part most likely after the shift;
    otherwise (no prior, or another STAR model at ``tagger_path``, which the prior was not
    fitted for), the model's own (its most likely sequence and each sentence's
    marginals)."""
    if not texts:
        return []
    model = model or load_model()
    labels, marginals = _tagger(tagger_path).tag(features(texts, model), PARTS)
    out = []
    for label, m in zip(labels, marginals, strict=True):
        distribution = tuple(m[p] for p in PARTS)
        part = Part(label)
        if model.prior is not None and tagger_path is None:
            distribution = model.prior.shifted(distribution)
            part = PARTS[max(range(len(PARTS)), key=distribution.__getitem__)]
        out.append(Labelled(part, distribution[PARTS.index(part)],
                            tuple(round(x, 4) for x in distribution)))
    return out


def segment(words: list[Word], model: SegmenterModel | None = None,
            tagger_path: Path | None = None) -> list[Sentence]:
    """Sentences of ``words`` with their STAR part (``tagger_path``: another trained STAR
    model, such as the user's personal one)."""
    model = model or load_model()
    if not words:
        return []
    spans = split_sentences(words, model)
    texts = [join_words(words[a : b + 1]) for a, b in spans]
    labelled = label_with_alternatives(texts, model, tagger_path)
    return [Sentence(text, words[a].start, words[b].end, x.part, a, b, round(x.confidence, 3),
                     x.distribution)
            for text, (a, b), x in zip(texts, spans, labelled, strict=True)]


def part_spans(sentences: list[Sentence]) -> list[PartSpan]:
    """Contiguous runs of one part. Boundaries sit halfway through the pause between runs,
    which absorbs Whisper's habit of starting a word early after a pause."""
    spans: list[PartSpan] = []
    for i, s in enumerate(sentences):
        if spans and spans[-1].part == s.part:
            continue
        start = s.start
        if spans:
            prev_end = sentences[i - 1].end
            start = round((prev_end + max(s.start, prev_end)) / 2, 3)
            spans[-1] = PartSpan(spans[-1].part, spans[-1].start, start)
        spans.append(PartSpan(s.part or Part.situation, start, s.end))
    if spans:
        spans[-1] = PartSpan(spans[-1].part, spans[-1].start, sentences[-1].end)
    return spans


def _sentence_times(sentences: list[Sentence]) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's seconds and its probability of each part, in PARTS order. A
    sentence runs from halfway through the pause before it to halfway through the pause
    after it, as the timeline's part spans do (``part_spans``); one without probabilities
    (the person set its part) or with unusable ones is certain of its part (a reply
    sentence, with no part, counts as Situation as the spans count it)."""
    import numpy as np

    starts = np.array([s.start for s in sentences], dtype=float)
    ends = np.array([s.end for s in sentences], dtype=float)
    cuts = (ends[:-1] + np.maximum(starts[1:], ends[:-1])) / 2
    left = np.concatenate([starts[:1], cuts])
    right = np.concatenate([cuts, ends[-1:]])
    durations = np.maximum(right - left, 0.0)
    probs = np.array([s.distribution if usable_distribution(s.distribution)
                      else [float(p == (s.part or Part.situation)) for p in PARTS]
                      for s in sentences], dtype=float)
    return durations, probs / probs.sum(axis=1, keepdims=True)


def labelled_seconds(sentences: list[Sentence]) -> float:
    """The seconds of the sentences whose part the segmenter gave (with its
    probabilities), not the person (see ``_sentence_times``)."""
    if not sentences:
        return 0.0
    durations, _ = _sentence_times(sentences)
    return float(sum(d for d, s in zip(durations, sentences, strict=True)
                     if usable_distribution(s.distribution)))


def seconds_by_part(sentences: list[Sentence]) -> list[dict[Part, float]]:
    """Per sentence, its seconds shared among the parts by the probability the segmenter
    gave each (see ``_sentence_times``)."""
    if not sentences:
        return []
    durations, probs = _sentence_times(sentences)
    return [{p: float(row[k] * d) for k, p in enumerate(PARTS)}
            for d, row in zip(durations, probs, strict=True)]


def expected_seconds(sentences: list[Sentence]) -> dict[Part, float]:
    """Seconds of each part as the segmenter expects them: each sentence's time shared
    among the parts by the probability it gave each. This is the figure the report gives:
    on three blind batches (90 answers, each scored by the model shipped before it was
    written) it was nearer the true Action share (off 6.9 points on average instead of
    7.9) and Situation+Task (3.2 s instead of 3.9) than counting each sentence wholly
    as its most likely part, which the timeline still shows."""
    per_sentence = seconds_by_part(sentences)
    return {p: sum(x[p] for x in per_sentence) for p in PARTS}


def likely_ranges(sentences: list[Sentence], samples: int = 400
                  ) -> tuple[tuple[float, float], tuple[float, float]]:
    """(Situation+Task seconds, Action share), each as a (10th, 90th percentile) range over
    labelings drawn from the segmenter's probabilities: each sentence takes each part with
    the probability the model gave it (a sentence without them keeps its part).
    Deterministic (fixed seed)."""
    import numpy as np

    if not sentences:
        return (0.0, 0.0), (0.0, 0.0)
    rng = np.random.default_rng(0)
    durations, probs = _sentence_times(sentences)
    total = max(float(durations.sum()), 1e-6)
    cumulative = np.cumsum(probs, axis=1)
    draws = rng.random((samples, len(sentences), 1))
    chosen = np.minimum((draws > cumulative[None]).sum(axis=2), len(PARTS) - 1)
    st = (chosen <= PARTS.index(Part.task)) @ durations
    share = (chosen == PARTS.index(Part.action)) @ durations / total
    q = (10, 90)
    return (tuple(round(float(x), 2) for x in np.percentile(st, q)),  # type: ignore[return-value]
            tuple(round(float(x), 3) for x in np.percentile(share, q)))


def compute_timing(spans: list[PartSpan], rules: TimingRules, estimated: bool,
                   sentences: list[Sentence] | None = None,
                   calibration: RangeCalibration | None = None) -> Timing:
    """The report's timing block. ``action_start_s`` counts from the answer's first word
    (of the most likely parts). With ``sentences``, each part's seconds are those the
    segmenter expects (``expected_seconds``), and the likely ranges from its confidence are
    added, widened by ``calibration`` (default: the shipped one, ``timing_ranges``);
    without, each span counts wholly."""
    if sentences:
        expected = expected_seconds(sentences)
        dur = {p.value: expected[p] for p in PARTS}
    else:
        dur = {p.value: 0.0 for p in PARTS}
        for s in spans:
            dur[s.part.value] += s.end - s.start
    total = spans[-1].end - spans[0].start if spans else 0.0
    # Rounded so that the four parts add up to the total exactly.
    dur = {k: round(v, 2) for k, v in dur.items()}
    dur["result"] = max(round(total, 2) - dur["situation"] - dur["task"] - dur["action"], 0.0)
    st = dur["situation"] + dur["task"]
    action_start = next((s.start - spans[0].start for s in spans if s.part == Part.action),
                        None)
    ranges = None
    if sentences:
        share = dur["action"] / total if total > 0 else 0.0
        st_range, share_range = likely_ranges(sentences)
        ranges = widen_ranges(st, st_range, share, share_range, total,
                              labelled_seconds(sentences), calibration)
    return Timing(
        total_s=round(total, 2),
        situation_s=round(dur["situation"], 2),
        task_s=round(dur["task"], 2),
        action_s=round(dur["action"], 2),
        result_s=round(dur["result"], 2),
        situation_task_s=round(st, 2),
        situation_task_budget_s=rules.situation_task_budget_s,
        situation_task_over_s=round(st - rules.situation_task_budget_s, 2),
        action_share=round(dur["action"] / total, 3) if total > 0 else 0.0,
        action_share_target=rules.action_share_target,
        action_start_s=round(action_start, 2) if action_start is not None else None,
        estimated=estimated,
        situation_task_range_s=_rounded(ranges[0], 2) if ranges else None,
        action_share_range=_rounded(ranges[1], 3) if ranges else None,
    )


def _rounded(low_high: tuple[float, float], digits: int) -> tuple[float, float]:
    return round(low_high[0], digits), round(low_high[1], digits)
