"""The competency rubric (prompts/rubric.toml) as typed data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from coach.analysis.evidence import EvidenceGroups
from coach.analysis.report import SURE_CHECK, Check, CheckKind
from coach.errors import InputError
from coach.prompts import load_toml

COMPUTED_CHECKS = frozenset({
    "shows_recovery", "individual_role_clear", "team_only", "quantified_impact",
    "escalates_and_waits", "vague_prevention", "effort_without_initiative",
    "passive_communication", "no_recovery", "single_team_scope"})
"""Checks whose verdict takes more than their patterns (counting, or other checks'
results): each has its rule in ``checks.run_checks``. Every other check of the rubric is
told by its patterns alone, so a new one needs no code (one, "playing down the impact",
is then held back in the report's last pass beside a size of harm the report shows:
``checks._dependent_flags``)."""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    kind: CheckKind
    parts: tuple[str, ...]
    negatable: bool
    patterns: tuple[re.Pattern, ...]
    waiting_patterns: tuple[re.Pattern, ...]
    why: str
    advice: str
    units: tuple[str, ...] = ()
    """Only for quantified_impact: what a number must count to be an impact."""
    not_if: tuple[re.Pattern, ...] = ()
    """A sentence matching one of these is no evidence, whatever else it matches."""
    also_group: tuple[str, str] | None = None
    """(learned check, evidence group): a sentence holding that group, said outright,
    also shows this signal once the learned checks have judged the answer ("I should
    have checked", read by the blame check as the speaker owning their part, is honest
    ownership too). Not a rule feature: the learned models' inputs stay the rules'."""
    claims_absence: bool = False
    """A red flag that says the answer lacks something ("no recovery or learning"): it
    contradicts the person when wrong, as a good sign called missing does, so it is
    announced only as surely (``coach.analysis.report.SURE_MISSING``)."""
    advice_if_partly: str = ""
    """Advice for a signal not found although the answer says the act in a way the check
    does not credit (its learned evidence's pooled groups hold, as "I phoned his dad" holds
    a telling, but not an early one): it builds on what was said instead of asking for it
    again. Empty: ``advice`` always."""
    also_patterns: tuple[re.Pattern, ...] = ()
    """More ways of saying it, read as ``also_group`` is, once the learned checks have
    judged the answer (and in a reply): not a feature of the learned models."""
    not_within: tuple[re.Pattern, ...] = ()
    """A match of the check's patterns (or of its ``also_group``) that starts inside a
    match of one of these is no evidence: "my manager said it was on me" holds "it was on
    me" in someone else's words; the same sentence's "I caused the outage" still counts."""
    doubt_patterns: tuple[re.Pattern, ...] = ()
    """Only for a learned check: ways of saying it that its model may not read ("months of
    collected data were simply gone"). Where one matches, the model's "missing" is not
    said surely (it is held under ``DOUBTED_MISSING``) and gets ``advice_if_partly``: the
    coach neither asserts the sign is absent nor credits it. Not a model feature."""
    reply_patterns: tuple[re.Pattern, ...] = ()
    """Ways of saying it that count only as a reply to the question: "Nothing." answers
    "what would you do differently?", but in a whole answer it may tell anything ("so next
    reboot... nothing. dead box."). They count in a reply to a follow-up, and in a whole
    answer right after a sentence matching ``asks`` (the speaker asking it themselves)."""
    asks: re.Pattern | None = None
    """A question the speaker may ask themselves before saying it ("What would I do
    differently? Nothing.")."""
    sure_found: float = SURE_CHECK
    """How likely a found verdict must be to be announced as one (at least ``SURE_CHECK``):
    higher for a check whose verdicts just over that bar were wrong too often."""
    praise: str = ""
    """For a signal: what the person did well, said to them in a sentence of its own
    ("You owned your part plainly."), in place of the title read out as a label."""
    faint_words: tuple[str, str] | None = None
    """For a learned red flag: (why, advice) shown in place of ``why`` and ``advice`` when it
    is found at less than even odds, and the advice also when it is found unsurely from even
    odds (``Rubric.flag_shown``): words that fit whether or not the answer did it. The
    rubric's ``faint_why`` and ``faint_advice``, both or neither."""

    @property
    def title_in_sentence(self) -> str:
        """The title inside a sentence: its first letter lower-cased, the rest as written
        (a title 'Said "I" once' would read 'said "I" once', never 'said "i" once')."""
        return self.title[:1].lower() + self.title[1:]


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    looks_for: str
    emphasis: str
    say: str
    """One spoken sentence."""
    stress: tuple[str, ...]


@dataclass(frozen=True)
class Level:
    id: str
    summary: str
    needs: tuple[str, ...]
    org_patterns: tuple[re.Pattern, ...]
    cross_team_required: bool = False
    """Single-team scope is a pitfall at this level (the seed: Senior and up)."""
    plain: str = ""
    """The level in everyday words ("entry level"), for people outside engineering."""

    @property
    def label(self) -> str:
        """How the level is shown of a story: "entry level", or the id alone. The seed's
        codes are software grades (SDE1), which b132's second reader counted as jargon in
        29 of 30 reports read to people of other trades."""
        return self.plain or self.id

    @property
    def named(self) -> str:
        """The level with its code, "mid level (SDE2)": for a target the person chose by
        that code (``--level``)."""
        return f"{self.plain} ({self.id})" if self.plain else self.id


@dataclass(frozen=True)
class FollowUpRule:
    when: str
    question: str
    good: str
    """The signal a strong reply shows."""
    bad: str | None = None
    """The red flag that makes a reply weak."""
    answered_if: tuple[re.Pattern, ...] = ()
    """A reply matching none of these does not speak to the question (empty: any does)."""
    fallback: bool = False
    """Asked when no gap is surely there (an interviewer always asks something): a question
    that presumes nothing of the answer. Not asked when its signal is surely present."""
    question_if_perhaps_told: str = ""
    """A fallback's question when its signal is found but not surely: one that takes the
    answer further instead of asking for what it may just have said (empty: ``question``)."""
    answered_by: tuple[str, ...] = ()
    """A fallback's: signals that, surely found, already answer its question (a change
    made answers "what would you do differently?")."""
    instead: tuple[str, ...] = ()
    """A fallback's: where one of ``answered_by`` is surely found, the signals (of other
    follow-ups asked on their absence) whose follow-up is asked in its place: the first
    not found, however unsurely, and not said in part, else the first not found; with all
    found, the fallback's own question (or its ``question_if_perhaps_told``)."""

    def answers(self, normalized_reply: str) -> bool:
        return not self.answered_if or any(p.search(normalized_reply)
                                           for p in self.answered_if)

    @property
    def check_id(self) -> str:
        return self.when.lstrip("!")

    @property
    def on_missing_signal(self) -> bool:
        return self.when.startswith("!")


@dataclass(frozen=True)
class FollowUpPair:
    probe: str
    weak: str
    why_weak: str
    strong: str
    expect_flag: str
    expect_signals: tuple[str, ...]


@dataclass(frozen=True)
class Rubric:
    core_test: str
    checks: dict[str, CheckSpec]
    companies: dict[str, Company]
    levels: tuple[Level, ...]
    follow_ups: tuple[FollowUpRule, ...]
    pairs: tuple[FollowUpPair, ...]
    pitfalls: dict[str, str]
    red_flag_priority: tuple[str, ...]
    signal_priority: tuple[str, ...]
    praise_priority: tuple[str, ...] = ()
    """The order good signs are praised in aloud (the reliable and rare first; every signal
    of ``signal_priority`` once); empty: ``signal_priority``'s."""
    not_praised_beside: dict[str, frozenset[str]] = field(default_factory=dict)
    """Per good sign, the red flags that say otherwise: beside one of them shown as likely
    as not or more, the sign is not praised aloud."""
    learned: tuple[str, ...] = ()
    """Checks whose answer-level verdict comes from a trained model (check_model)."""
    learned_cues: dict[str, tuple[re.Pattern, ...]] = field(default_factory=dict)
    """Extra per-sentence cues the learned models see, by check id."""
    thresholds: dict[str, float] = field(default_factory=dict)
    """Probability from which a learned check is found (0.5 when absent)."""
    rule_counts: tuple[str, ...] = ()
    """Learned checks where the pattern rule's finding counts on its own too."""
    learned_min_sentences: int = 5
    """Shorter answers are judged by the rules alone."""
    evidence: dict[str, EvidenceGroups] = field(default_factory=dict)
    """Sentence-level evidence groups the learned models see, by check id."""
    said_in_sentences: tuple[str, ...] = ()
    """Learned checks that also have a per-sentence model (``sentence_model``), trained on
    the lines people marked as saying them."""
    signals_in_sentences: tuple[str, ...] = ()
    """Signals told by their rules that are also found where a per-sentence model
    (``check_model.signal_model``) reads them in one sentence, at the check's threshold."""

    def follow_up_for(self, gap: str) -> FollowUpRule | None:
        """The follow-up rule that asks about ``gap``."""
        return _follow_up_for(self.follow_ups, gap)

    def level_label(self, level_id: str, with_code: bool = False) -> str:
        """``level_id`` as shown ("entry level"; with its code, "entry level (SDE1)", for a
        target the person chose by it); an unknown id as it is."""
        return next(((lv.named if with_code else lv.label) for lv in self.levels
                     if lv.id == level_id), level_id)

    def level_shown(self, level_id: str, could_be: str | None = None) -> str:
        """A story's level as shown: "entry level", or "entry level, perhaps mid level" when
        only signs no more likely missing than there stand between it and the next. A
        ``could_be`` that is not the level right after (a saved session is untrusted) is
        left out."""
        shown = self.level_label(level_id)
        ids = [lv.id for lv in self.levels]
        nxt = ids[ids.index(level_id) + 1] if level_id in ids[:-1] else None
        return f"{shown}, perhaps {self.level_label(could_be)}" if could_be and \
            could_be == nxt else shown

    def flag_shown(self, cid: str, check: Check) -> tuple[str, str, str]:
        """(heading, why, advice) of a found red flag, alike in the terminal, the written
        report and the page: "✘ Blaming others" when sure, "? Possibly: Blaming others"
        when more likely than not, with the rubric's advice that fits either way (but for
        advice written for the answer's own owning words); below even odds
        (``Check.faint``) "? Might sound like blaming others (more likely not)", with the
        rubric's why and advice that fit either way, where it has them. A learned flag is
        shown from its threshold (blame's 0.3) so that asides are not missed, but on
        b117-b137 (627 answers, b118-b137 unseen by the blame model of b1-b117) its finds
        under even odds were blame 42 times in 123, and "Possibly: Blaming others", with
        the red flag's own words and "own your part", read as an accusation to people who
        had owned their part (b136's and b137's readers)."""
        spec = self.checks[cid]
        if check.sure:
            return f"✘ {spec.title}", check.why, check.advice
        if not check.faint:
            # From even odds the flag is named, but its general advice ("own your part
            # plainly") presumed it: on b138-b142, which the blame model never saw, such
            # finds were blame 16 times in 28, and b142's reader found "own your part" told
            # to people who had caused nothing or had owned it. The advice that fits either
            # way stands in for it (for every flag that has one: blame, and passing it on
            # and waiting); advice written for what the answer said (owning beside the
            # blame: the evidence's ``counter_advice``) stays. Told apart by the tailored
            # advice, so a saved session shown again after the general advice is reworded
            # still gets the either-way words.
            advice = check.advice
            groups = self.evidence.get(cid)
            tailored = groups.counter_advice if groups is not None else None
            if spec.faint_words and (tailored is None or advice != tailored):
                advice = spec.faint_words[1]
            return f"? Possibly: {spec.title}", check.why, advice
        heading = f"? Might sound like {spec.title_in_sentence} (more likely not)"
        return heading, *(spec.faint_words or (check.why, check.advice))


def _faint_words(c: dict, cid: str) -> tuple[str, str] | None:
    keys = {"faint_why", "faint_advice"} & set(c)
    if not keys:
        return None
    if len(keys) == 1:
        raise ValueError(f"rubric.toml: check {cid!r} has {keys.pop()} without the other "
                         "(faint_why and faint_advice go together)")
    return str(c["faint_why"]), str(c["faint_advice"])


def _follow_up_for(rules: tuple[FollowUpRule, ...], gap: str) -> FollowUpRule | None:
    return next((r for r in rules if r.check_id == gap), None)


def _compile(patterns) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns or ())


def _ids(value, where: str) -> tuple[str, ...]:
    """A list of check ids from rubric.toml (ValueError naming ``where`` for anything else:
    a string would otherwise be read letter by letter)."""
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ValueError(f"rubric.toml: {where} must be a list of check ids, not {value!r}")
    return tuple(value)


def _text(value, where: str) -> str:
    """A sentence from rubric.toml (ValueError naming ``where`` for anything else)."""
    if not isinstance(value, str):
        raise ValueError(f"rubric.toml: {where} must be text, not {value!r}")
    return value


def _sure_found(c: dict, cid: str) -> float:
    """A check's ``sure_found``: a number from ``SURE_CHECK`` to 1 (default ``SURE_CHECK``)."""
    value = c.get("sure_found", SURE_CHECK)
    if isinstance(value, bool) or not isinstance(value, int | float) or \
            not SURE_CHECK <= value <= 1.0:
        raise ValueError(f"rubric.toml: checks.{cid}: sure_found must be a number from "
                         f"{SURE_CHECK} to 1, not {value!r}")
    return float(value)


def _flag(e: dict, key: str, table: str, default: bool = True) -> bool:
    """A true/false setting of the rubric's ``[table]`` (a string is an error, not
    true)."""
    value = e.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"rubric.toml: {table}: {key} must be true or "
                         f"false, not {value!r}")
    return value


def _names_within(cid: str, key: str, listed: Iterable[str], allowed: Iterable[str],
                  what: str) -> tuple[str, ...]:
    """The group names an evidence entry lists under ``key``; ValueError naming the ones
    not among ``allowed`` (``what`` they are then)."""
    names = tuple(listed)
    extra = set(names) - set(allowed)
    if extra:
        raise ValueError(f"rubric.toml: learning.evidence.{cid}: {key} names {what} "
                         f"{sorted(extra)}")
    return names


def _evidence(d: dict, checks: dict | None = None) -> dict[str, EvidenceGroups]:
    """``[learning.evidence.<check>]``: the named ``groups``, the ``counter`` group and
    the advice when an answer holds it. ``patterns_group`` names one more group made of
    the check's own ``patterns`` (``[checks.<check>]``)."""
    out = {}
    for cid, e in d.items():
        groups = tuple((name, _compile(p)) for name, p in e["groups"].items())
        if "patterns_group" in e:
            check = (checks or {}).get(cid)
            if check is None:
                raise ValueError(f"rubric.toml: learning.evidence.{cid}: patterns_group "
                                 "needs a check of that id with patterns")
            groups += ((e["patterns_group"], _compile(check.get("patterns"))),)
        counter = e.get("counter")
        if counter is not None and counter not in dict(groups):
            raise ValueError(f"rubric.toml: learning.evidence.{cid}: counter {counter!r} "
                             "is not one of its groups")
        names = dict(groups)
        pooled = _names_within(cid, "pooled", e.get("pooled", ()), names, "unknown groups")
        undone_by = e.get("undone_by", ())
        undone_by = _names_within(cid, "undone_by", (undone_by,) if isinstance(undone_by, str)
                                  else undone_by, names, "unknown groups")
        undoes = _names_within(cid, "undoes", e.get("undoes", ()), pooled,
                               "groups that are not pooled:")
        voided_by, sentence_voided_by = (
            _names_within(cid, key, e.get(key, ()), undone_by, "groups not in undone_by:")
            for key in ("voided_by", "sentence_voided_by"))
        lead_in = e.get("lead_in")
        if lead_in is not None and lead_in not in dict(groups):
            raise ValueError(f"rubric.toml: learning.evidence.{cid}: lead_in {lead_in!r} "
                             "is not one of its groups")
        table = f"learning.evidence.{cid}"
        out[cid] = EvidenceGroups(groups, counter, pooled, e.get("counter_advice"),
                                  _flag(e, "counter_as_group", table, default=False),
                                  undone_by, undoes, _flag(e, "undone_rules_out", table),
                                  lead_in, voided_by, sentence_voided_by)
    return out


@cache
def load_rubric() -> Rubric:
    """The rubric, checked: an unknown check id anywhere fails here, at load."""
    d = load_toml("rubric.toml")
    checks = {
        cid: CheckSpec(cid, c["title"], CheckKind(c["kind"]), tuple(c.get("parts", ())),
                       c.get("negatable", False), _compile(c.get("patterns")),
                       _compile(c.get("waiting_patterns")), c["why"], c["advice"],
                       tuple(c.get("units", ())), _compile(c.get("not_if")),
                       _also_group(c.get("also_group")),
                       _flag(c, "claims_absence", f"checks.{cid}", default=False),
                       str(c.get("advice_if_partly", "")), _compile(c.get("also_patterns")),
                       _compile(c.get("not_within")), _compile(c.get("doubt_patterns")),
                       _compile(c.get("reply_patterns")),
                       re.compile(c["asks"]) if "asks" in c else None,
                       _sure_found(c, cid), str(c.get("praise", "")),
                       _faint_words(c, cid))
        for cid, c in d["checks"].items()
    }
    rubric = Rubric(
        core_test=d["competency"]["core_test"],
        checks=checks,
        companies={k: Company(k, c["name"], c["looks_for"], c["emphasis"], c["say"],
                                  tuple(c["stress"]))
                   for k, c in d["companies"].items()},
        levels=tuple(Level(lv["id"], lv["summary"], tuple(lv["needs"]),
                           _compile(lv.get("org_patterns")),
                           bool(lv.get("cross_team_required", False)),
                           str(lv.get("plain", ""))) for lv in d["levels"]),
        follow_ups=tuple(FollowUpRule(f["when"], f["question"], f["good"], f.get("bad"),
                                      _compile(f.get("answered_if")),
                                      bool(f.get("fallback", False)),
                                      _text(f.get("question_if_perhaps_told", ""),
                                            f"follow_ups ({f['when']}).question_if_perhaps_told"),
                                      _ids(f.get("answered_by", []),
                                           f"follow_ups ({f['when']}).answered_by"),
                                      _ids(f.get("instead", []),
                                           f"follow_ups ({f['when']}).instead"))
                         for f in d["follow_ups"]),
        pairs=tuple(FollowUpPair(p["probe"], p["weak"], p["why_weak"], p["strong"],
                                 p["expect_flag"], tuple(p["expect_signals"]))
                    for p in d["follow_up_pairs"]),
        pitfalls={k: v["text"] for k, v in d["pitfalls"].items()},
        red_flag_priority=_ids(d["feedback"]["red_flag_priority"], "feedback.red_flag_priority"),
        signal_priority=_ids(d["feedback"]["signal_priority"], "feedback.signal_priority"),
        praise_priority=_ids(d["feedback"].get("praise_priority", []),
                             "feedback.praise_priority"),
        not_praised_beside={cid: frozenset(_ids(flags, f"feedback.not_praised_beside.{cid}"))
                            for cid, flags in d["feedback"].get("not_praised_beside",
                                                                {}).items()},
        learned=_ids(d["learning"]["learned"], "learning.learned"),
        learned_cues={cid: _compile(p) for cid, p in d["learning"].get("cues", {}).items()},
        thresholds={cid: float(t) for cid, t in d["learning"].get("thresholds", {}).items()},
        rule_counts=_ids(d["learning"].get("rule_counts", []), "learning.rule_counts"),
        learned_min_sentences=int(d["learning"]["min_sentences"]),
        evidence=_evidence(d["learning"].get("evidence", {}), d["checks"]),
        said_in_sentences=_ids(d["learning"].get("said_in_sentences", []),
                               "learning.said_in_sentences"),
        signals_in_sentences=_ids(d["learning"].get("signals_in_sentences", []),
                                  "learning.signals_in_sentences"),
    )
    validate_rubric(rubric)
    return rubric


def _also_group(value) -> tuple[str, str] | None:
    if value is None:
        return None
    check_id, _, group = str(value).partition(".")
    return check_id, group


def validate_rubric(rubric: Rubric) -> None:
    """Every check id the rubric names must be a check it defines; every check must have
    patterns or a rule in code. Raises ValueError naming the first problem."""
    ids = set(rubric.checks)
    for cid, spec in rubric.checks.items():
        if not spec.patterns and cid not in COMPUTED_CHECKS:
            raise ValueError(f"rubric.toml: check {cid!r} has no patterns and no rule in code")
    refs: list[tuple[str, str]] = []
    refs += [(f"follow_ups ({r.when})", x) for r in rubric.follow_ups
             for x in (r.check_id, r.good, r.bad) if x]
    refs += [("feedback.signal_priority", x) for x in rubric.signal_priority]
    refs += [("feedback.praise_priority", x) for x in rubric.praise_priority]
    refs += [("feedback.not_praised_beside", x) for cid, flags in
             rubric.not_praised_beside.items() for x in (cid, *sorted(flags))]
    refs += [("feedback.red_flag_priority", x) for x in rubric.red_flag_priority]
    refs += [(f"levels ({lv.id})", x) for lv in rubric.levels for x in lv.needs]
    refs += [(f"companies ({c.id}).stress", x) for c in rubric.companies.values()
             for x in c.stress]
    refs += [("follow_up_pairs", x) for p in rubric.pairs
             for x in (p.expect_flag, *p.expect_signals)]
    refs += [("learning.learned", x) for x in rubric.learned]
    refs += [("learning.rule_counts", x) for x in rubric.rule_counts]
    refs += [("learning.thresholds", x) for x in rubric.thresholds]
    refs += [("learning.cues", x) for x in rubric.learned_cues]
    refs += [("learning.evidence", x) for x in rubric.evidence]
    refs += [("learning.said_in_sentences", x) for x in rubric.said_in_sentences]
    refs += [("learning.signals_in_sentences", x) for x in rubric.signals_in_sentences]
    for where, cid in refs:
        if cid not in ids:
            raise ValueError(f"rubric.toml: unknown check id {cid!r} in {where}")
    if rubric.praise_priority and (len(set(rubric.praise_priority)) != len(
            rubric.praise_priority) or set(rubric.praise_priority) != set(rubric.signal_priority)):
        raise ValueError("rubric.toml: feedback.praise_priority must name every signal of "
                         "signal_priority once")
    for cid, flags in rubric.not_praised_beside.items():
        if rubric.checks[cid].kind is not CheckKind.signal or any(
                rubric.checks[f].kind is not CheckKind.red_flag for f in flags):
            raise ValueError(f"rubric.toml: feedback.not_praised_beside.{cid} must be a "
                             "signal with a list of red flags")
    fallbacks = [r.when for r in rubric.follow_ups if r.fallback]
    if any((r.question_if_perhaps_told or r.answered_by or r.instead) and not r.fallback
           for r in rubric.follow_ups):
        raise ValueError("rubric.toml: only the fallback follow-up has a "
                         "question_if_perhaps_told, answered_by or instead")
    asked_on_absence = {r.check_id for r in rubric.follow_ups
                        if r.on_missing_signal and not r.fallback}
    signals = {cid for cid, c in rubric.checks.items() if c.kind is CheckKind.signal}
    for r in rubric.follow_ups:
        wrong = sorted((set(r.answered_by) - signals) | (set(r.instead) - asked_on_absence)
                       | (set(r.answered_by) & set(r.instead)))
        if bool(r.answered_by) != bool(r.instead) or wrong or \
                len(set(r.instead)) != len(r.instead):
            raise ValueError(f"rubric.toml: follow_ups ({r.when}): answered_by (signals) and "
                             "instead (other signals whose follow-ups are asked on their "
                             f"absence, each once) go together{': ' if wrong else ''}"
                             f"{', '.join(wrong)}")
    if len(fallbacks) > 1 or any(not w.startswith("!") for w in fallbacks):
        raise ValueError("rubric.toml: at most one follow-up may be the fallback, and on a "
                         f"signal ('!id'): {fallbacks}")
    for cid, spec in rubric.checks.items():
        if spec.kind not in (CheckKind.red_flag, CheckKind.signal):
            raise ValueError(f"rubric.toml: check {cid!r} has an unknown kind")
        if spec.faint_words is not None and (spec.kind is not CheckKind.red_flag
                                             or cid not in rubric.learned):
            raise ValueError(f"rubric.toml: check {cid!r} has faint_why and faint_advice, "
                             "which only a learned red flag can be shown with")
        if spec.also_group is not None:
            owner, group = spec.also_group
            groups = rubric.evidence.get(owner)
            if groups is None or group not in groups.names:
                raise ValueError(f"rubric.toml: check {cid!r}: also_group "
                                 f"{owner}.{group} is not an evidence group")
        if spec.kind is CheckKind.signal and not spec.praise:
            raise ValueError(f"rubric.toml: signal {cid!r} has no praise (what is said when "
                             "the answer shows it)")
        if spec.asks is not None and not spec.reply_patterns:
            raise ValueError(f"rubric.toml: check {cid!r}: asks needs reply_patterns (what "
                             "counts as the answer to the question it asks)")
        if spec.doubt_patterns and cid not in rubric.learned:
            raise ValueError(f"rubric.toml: check {cid!r}: doubt_patterns are for learned "
                             "checks only")


def check_level(level: str | None) -> str | None:
    """The rubric's own spelling of a level the user typed (any case)."""
    if level is None:
        return None
    ids = [lv.id for lv in load_rubric().levels]
    for lv in ids:
        if lv.lower() == level.lower():
            return lv
    raise InputError(f"unknown level {level!r} (choose from {', '.join(ids)})")


def check_company(company: str | None) -> str | None:
    if company is None:
        return None
    companies = list(load_rubric().companies)
    if company.lower() in companies:
        return company.lower()
    raise InputError(f"unknown company {company!r} (choose from {', '.join(companies)})")
