"""The report: typed dataclasses, and their stable JSON form (schema coach.report/1).

Fields may be added to the JSON form; none may be renamed or removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TypeGuard

from coach.prompts import Question
from coach.words import Word

SCHEMA = "coach.report/1"


class Part(StrEnum):
    """A STAR part. (A StrEnum: stored and compared as its plain name.)"""

    situation = "situation"
    task = "task"
    action = "action"
    result = "result"


PARTS: tuple[Part, ...] = tuple(Part)


class CheckKind(StrEnum):
    red_flag = "red_flag"
    signal = "signal"


class SourceKind(StrEnum):
    audio = "audio"
    text = "text"
UNCERTAIN_BELOW = 0.8
"""A sentence whose part the segmenter gives less than this probability is marked unsure.
Measured on batches the models had not seen (b43-b45 by the models of e9f0354, b46-b47 by
those of a210cf4, written and heard; the part of most of a sentence's words): sentences
given 0.7-0.8 were right 64% and 45% of the time, 0.8-0.9 74% and 78%, 0.9 and over 95%
and 96%; 0.7 left a sentence unmarked that was as likely wrong as right."""


@dataclass(frozen=True)
class Sentence:
    text: str
    start: float
    end: float
    part: Part | None
    """None for a reply to a follow-up question (one question, no STAR parts)."""
    first_word: int
    """Index of the sentence's first word in ``Report.words`` (not in the JSON form)."""
    last_word: int
    confidence: float = 1.0
    """The segmenter's probability that ``part`` is right (0..1)."""
    distribution: tuple[float, ...] = ()
    """The segmenter's probability of each part, in PARTS order (saved with the report, so
    a correction recomputes the timing the same way; empty when the part is given, as
    after a correction, and in reports saved before it was kept)."""

    @property
    def uncertain(self) -> bool:
        return self.confidence < UNCERTAIN_BELOW


@dataclass(frozen=True)
class PartSpan:
    """A run of contiguous sentences with the same STAR part."""

    part: Part
    start: float
    end: float

    @property
    def duration_s(self) -> float:
        return round(self.end - self.start, 2)


PROBABLY_OVER_MARGIN_S = 5
"""How many whole seconds over the budget (as said) an unsure Situation+Task estimate must
run to be said as "probably over". The segmenter tends to read late background as Action
(it under-counts Situation+Task by about 6 s on answers built on real ones), so an estimate
over the budget is seldom wrong in that direction, while one under it is a coin toss.
Measured with the shipped model on the 671 answers of b117-b131 (written and heard) it
never saw: of the 356 whose range crossed the budget, the 202 estimated at least 5 s over
were over in truth 180 times (89%; b117-b124 86 of 97, b125-b131 94 of 105); the 118
estimated under, 60 times."""


@dataclass(frozen=True)
class Timing:
    total_s: float
    situation_s: float
    task_s: float
    action_s: float
    result_s: float
    situation_task_s: float
    situation_task_budget_s: float
    situation_task_over_s: float
    action_share: float
    action_share_target: float
    action_start_s: float | None
    estimated: bool
    situation_task_range_s: tuple[float, float] | None = None
    """Likely low and high Situation+Task seconds, given how sure the segmenter was of
    each sentence's part (10th and 90th percentile)."""
    action_share_range: tuple[float, float] | None = None
    """The same for the Action share."""

    def over_budget(self, situation_task_s: float) -> bool:
        """Whether ``situation_task_s`` seconds of Situation+Task run over the budget,
        judged on whole seconds, as every report shows and says the figure: 50.3 s is
        "50 seconds", within a 50-second budget."""
        return round(situation_task_s) > round(self.situation_task_budget_s)

    @property
    def seconds_over_budget(self) -> int:
        """Whole seconds of Situation+Task over the budget, as shown and said (negative
        when under)."""
        return round(self.situation_task_s) - round(self.situation_task_budget_s)

    def meets_share(self, action_share: float) -> bool:
        """Whether an Action share of ``action_share`` (0-1) reaches the target, judged
        on whole percent, as the share is shown and said: 69.6% is "70 percent"."""
        return round(action_share * 100) >= round(self.action_share_target * 100)

    @property
    def situation_task_verdict_sure(self) -> bool:
        """Whether over/within the budget holds across the whole likely range."""
        lo, hi = self.situation_task_range_s or (self.situation_task_s,) * 2
        return self.over_budget(lo) == self.over_budget(hi) \
            == self.over_budget(self.situation_task_s)

    @property
    def situation_task_probably_over(self) -> bool:
        """An unsure budget verdict whose estimate runs at least ``PROBABLY_OVER_MARGIN_S``
        over the budget: the truth was over it too on nearly nine answers in ten."""
        return (not self.situation_task_verdict_sure
                and self.seconds_over_budget >= PROBABLY_OVER_MARGIN_S)  # as said, whole s

    @property
    def action_share_verdict_sure(self) -> bool:
        """Whether below/at the target holds across the whole likely range."""
        lo, hi = self.action_share_range or (self.action_share,) * 2
        return self.meets_share(lo) == self.meets_share(hi) == self.meets_share(self.action_share)


@dataclass(frozen=True)
class Evidence:
    text: str
    start: float
    end: float


SURE_CHECK = 0.75
"""A check verdict less likely than this to be right is not announced as a verdict."""


@dataclass(frozen=True)
class Check:
    kind: CheckKind
    found: bool
    evidence: tuple[Evidence, ...]
    why: str
    advice: str
    confidence: float = 1.0
    """How likely the verdict (``found``) is right: a learned check's probability; 1.0 for
    a rule."""
    claims_absence: bool = False
    """A red flag that, found, says the answer lacks something (the rubric's
    ``claims_absence``)."""
    guessed_evidence: bool = False
    """The evidence is the per-sentence model's best guess of where it is said, not a
    sentence a rule read it in."""
    sure_found: float = SURE_CHECK
    """How likely a found verdict must be to be announced as one: ``SURE_CHECK``, or more
    for a check whose verdicts at that bar were wrong too often (the rubric's
    ``sure_found``)."""

    @property
    def sure(self) -> bool:
        return is_sure(self.kind, self.found, self.confidence, self.claims_absence,
                       self.sure_found)

    @property
    def faint(self) -> bool:
        """A red flag found at less than even odds: shown as something the answer "might
        sound like", in words that fit either way (``Rubric.flag_shown``), never as the flag
        itself."""
        return (self.kind is CheckKind.red_flag and self.found and not self.sure
                and self.confidence < 0.5)

    @property
    def quotes(self) -> tuple[Evidence, ...]:
        """The evidence shown to the person: none for a flag that says something is missing.
        No sentence shows an absence, and the ones it rests on (the scene, told at length)
        were read back as if they were the fault: "No recovery or learning" quoted "During
        my year as an au pair in the United States," (b130-24). None either for a red flag
        the coach is not sure of whose sentence is only the per-sentence model's guess: for
        blame on b118-b132 (batches its models never saw) such a quote showed a blaming line
        in 41 of 164 answers, and read an innocent one back as blame in the rest ("I didn't
        charge her, and funnily enough she's had me back since", b132-11)."""
        if self.claims_absence:
            return ()
        if self.kind is CheckKind.red_flag and self.guessed_evidence and not self.sure:
            return ()
        return self.evidence


SURE_MISSING = 0.85
"""A good sign called missing needs this much: telling someone to add what they just said
contradicts them, which costs more than a piece of advice left out. On b99-b111 (390
answers built on real ones, none seen by the check models), the spoken advice to add a
missing sign went against the answer's own labels in 30 of 318 answers at 0.75, 14 at
0.85 and 8 at 0.9; 0.9 would also leave unsure the rules' "no size given" on a short
answer with no number at all (right 88% of the time), so the coach would not ask for one
(`tests/data/star/README.md`, "What the coach says aloud")."""


def is_sure(kind: CheckKind, found: bool, confidence: float, claims_absence: bool = False,
            sure_found: float = SURE_CHECK) -> bool:
    """Whether a verdict is sure enough to be announced as one: ``SURE_MISSING`` for a
    verdict that says something is missing (a signal not found, or a found red flag that
    ``claims_absence``), the check's ``sure_found`` (at least ``SURE_CHECK``) for one found,
    ``SURE_CHECK`` otherwise."""
    missing = (kind is CheckKind.signal and not found) or (claims_absence and found)
    if missing:
        return confidence >= SURE_MISSING
    return confidence >= (max(SURE_CHECK, sure_found) if found else SURE_CHECK)


NOT_SURE_MISSING = ("Not sure they are missing", "say them more plainly for credit")
"""The heading of the signals the coach is not sure are missing, and what to do about them:
the same words in the terminal, the written report and the HTML page."""


def missing_signals(checks: dict[str, Check], sure: bool) -> list[str]:
    """The signals not found: those said missing (``sure``), or those the coach is not sure
    are missing, which every report lists apart ("say them more plainly")."""
    return [cid for cid, c in checks.items()
            if c.kind is CheckKind.signal and not c.found and c.sure == sure]


def unsure_red_flags(checks: dict[str, Check]) -> list[str]:
    """The red flags not found that may still be there: "No red flags" says each is absent,
    a claim that something is missing, so it needs ``SURE_MISSING`` of every one. On b99-b113
    (450 answers built on real ones) it was said after a good sign in 201 answers, 36 of
    them labelled as blaming or as escalating and waiting; held to this bar, in 70 and 6."""
    return [cid for cid, c in checks.items()
            if c.kind is CheckKind.red_flag and not c.found and c.confidence < SURE_MISSING]


@dataclass(frozen=True)
class Feedback:
    spoken: str = ""
    written: str = ""


@dataclass(frozen=True)
class Assessment:
    """How an interviewer would place the answer."""

    level: str
    level_reason: str
    target_level: str | None = None
    company: str | None = None
    could_be: str | None = None
    """The next level, when only signs the coach is not sure of stand between: shown as
    "entry level, perhaps mid level" (``Rubric.level_shown``)."""


@dataclass(frozen=True)
class FollowUp:
    """The follow-up question asked after the answer, and the reply with its checks."""

    question: str
    gap: str
    """The check whose gap the question probes."""
    reply: str | None = None
    reply_words: tuple[Word, ...] = ()
    checks: dict[str, Check] = field(default_factory=dict)
    verdict: str = ""
    judgement: str = ""
    """How the reply answered the question: "strong", "weak" or "offtopic" ("" before a
    reply)."""
    judgement_sure: bool = True
    """False when the reply judge was not sure of ``judgement``: the verdict says so."""


@dataclass(frozen=True)
class Mark:
    """Something that happened at a time: a filler, a hedge, a long pause."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Delivery:
    duration_s: float
    words: int
    wpm: float
    fillers: tuple[Mark, ...]
    fillers_per_minute: float
    long_pauses: tuple[Mark, ...]
    hedges: tuple[Mark, ...]
    i_count: int
    we_count: int


@dataclass(frozen=True)
class DeliveryReport:
    overall: Delivery
    parts: dict[str, Delivery] = field(default_factory=dict)
    wpm_range: tuple[float, float] = (130.0, 160.0)


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    path: str | None
    duration_s: float


@dataclass(frozen=True)
class Report:
    """Built once by ``analysis.analyze``; changed only with ``dataclasses.replace``."""

    question: Question | None
    source: Source
    words: list[Word]
    sentences: list[Sentence]
    parts: list[PartSpan] = field(default_factory=list)
    timing: Timing | None = None
    checks: dict[str, Check] = field(default_factory=dict)
    feedback: Feedback = field(default_factory=Feedback)
    model: str | None = None
    assessment: Assessment | None = None
    follow_up: FollowUp | None = None
    delivery: DeliveryReport | None = None
    corrected: bool = False
    """The person changed some sentences' parts (``coach relabel``); the figures use theirs."""

    @property
    def paced(self) -> bool:
        """Whether the words were said and timed: a typed answer's times are estimated from
        its word count, so it has no pace and no pauses to speak of."""
        return self.source.kind is SourceKind.audio

    def to_json(self) -> dict:
        return {
            "schema": SCHEMA,
            "question": self.question.to_json() if self.question else None,
            "source": asdict(self.source),
            "model": self.model,
            "words": [asdict(w) for w in self.words],
            "sentences": [{"text": s.text, "start": s.start, "end": s.end, "part": s.part,
                           "confidence": s.confidence, "distribution": list(s.distribution)}
                          for s in self.sentences],
            "parts": [{"part": p.part, "start": p.start, "end": p.end,
                       "duration_s": p.duration_s} for p in self.parts],
            "timing": asdict(self.timing) if self.timing else None,
            "checks": {k: asdict(c) for k, c in self.checks.items()},
            "feedback": asdict(self.feedback),
            "assessment": asdict(self.assessment) if self.assessment else None,
            "follow_up": _follow_up_json(self.follow_up),
            "delivery": _delivery_json(self.delivery),
            "corrected_by_user": self.corrected,
        }

    @classmethod
    def from_json(cls, data: dict) -> Report:
        """Rebuild a report saved by ``to_json`` (for show/history/replay)."""
        words = [Word(**w) for w in data.get("words", [])]
        sentences = []
        for s in data.get("sentences", []):
            inside = [i for i, w in enumerate(words) if s["start"] <= w.start <= s["end"]]
            first, last = (inside[0], inside[-1]) if inside else (0, -1)
            part = Part(s["part"]) if s["part"] is not None else None
            sentences.append(Sentence(s["text"], s["start"], s["end"], part, first, last,
                                      s.get("confidence", 1.0),
                                      _distribution(s.get("distribution"))))
        checks = _checks_from_json(data.get("checks"))
        f = data.get("follow_up")
        follow_up = FollowUp(f["question"], f["gap"], f.get("reply"),
                             tuple(Word(**w) for w in f.get("reply_words", [])),
                             _checks_from_json(f.get("checks")), f.get("verdict", ""),
                             f.get("judgement", ""), f.get("judgement_sure", True)
                             ) if f else None
        q = data.get("question")
        return cls(
            question=Question(q["id"], q["text"]) if q else None,
            source=Source(SourceKind(data["source"]["kind"]), data["source"].get("path"),
                          data["source"]["duration_s"]),
            words=words,
            sentences=sentences,
            parts=[PartSpan(Part(p["part"]), p["start"], p["end"])
                   for p in data.get("parts", [])],
            timing=_timing_from_json(data.get("timing")),
            checks=checks,
            feedback=Feedback(**data.get("feedback", {})),
            model=data.get("model"),
            assessment=Assessment(**data["assessment"]) if data.get("assessment") else None,
            follow_up=follow_up,
            delivery=_delivery_from_json(data.get("delivery")),
            corrected=bool(data.get("corrected_by_user", False)),
        )


def _timing_from_json(data: dict | None) -> Timing | None:
    if not data:
        return None
    ranges = {k: tuple(data[k]) if data.get(k) else None
              for k in ("situation_task_range_s", "action_share_range")}
    return Timing(**{**data, **ranges})


def _delivery_json(d: DeliveryReport | None) -> dict | None:
    if d is None:
        return None
    return {"overall": asdict(d.overall), "parts": {k: asdict(v) for k, v in d.parts.items()},
            "wpm_range": list(d.wpm_range)}


def _delivery_from_json(data: dict | None) -> DeliveryReport | None:
    if not data:
        return None

    def one(x: dict) -> Delivery:
        marks = {k: tuple(Mark(**m) for m in x[k]) for k in ("fillers", "long_pauses", "hedges")}
        return Delivery(**{**x, **marks})

    return DeliveryReport(one(data["overall"]), {k: one(v) for k, v in data["parts"].items()},
                          tuple(data["wpm_range"]))


def usable_distribution(value: object) -> TypeGuard[Sequence[float]]:
    """Whether ``value`` can be a sentence's probabilities of the parts: one number in 0..1
    per part, not all zero (the timing normalises them). Anything else, the sentence counts
    wholly as its part."""
    return (isinstance(value, list | tuple) and len(value) == len(PARTS)
            and all(isinstance(v, int | float) and not isinstance(v, bool)
                    and 0.0 <= v <= 1.0 for v in value) and sum(value) > 0)


def _distribution(value: object) -> tuple[float, ...]:
    """A saved sentence's probabilities of the parts, if usable (a stored session is
    untrusted input); otherwise none."""
    return tuple(float(v) for v in value) if usable_distribution(value) else ()


def _saved_sure_found(value: object) -> float:
    """A saved check's bar for a found verdict, if usable (a stored session is untrusted
    input, and one saved before the bar was kept has none: it keeps the bar it was said
    with then); otherwise ``SURE_CHECK``."""
    if isinstance(value, int | float) and not isinstance(value, bool) and \
            SURE_CHECK <= value <= 1.0:
        return float(value)
    return SURE_CHECK


def _checks_from_json(data: dict | None) -> dict[str, Check]:
    return {k: Check(CheckKind(c["kind"]), c["found"], tuple(Evidence(**e) for e in c["evidence"]),
                     c["why"], c["advice"], c.get("confidence", 1.0),
                     c.get("claims_absence", False) is True,
                     c.get("guessed_evidence", False) is True,
                     _saved_sure_found(c.get("sure_found")))
            for k, c in (data or {}).items()}


def _follow_up_json(f: FollowUp | None) -> dict | None:
    if f is None:
        return None
    return {"question": f.question, "gap": f.gap, "reply": f.reply,
            "reply_words": [asdict(w) for w in f.reply_words],
            "checks": {k: asdict(c) for k, c in f.checks.items()}, "verdict": f.verdict,
            "judgement": f.judgement, "judgement_sure": f.judgement_sure}
