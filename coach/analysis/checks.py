"""The rubric's checks on an answer: red flags and signals, each with its evidence.

Most checks are patterns from ``prompts/rubric.toml`` looked for in the STAR part where the
behaviour belongs. A few need counting or other checks' results; those are below, each
with its rule in its docstring.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from coach.analysis.check_model import (
    RuleParts,
    answer_features,
    check_model,
    signal_features_of,
    signal_model,
    signal_record,
)
from coach.analysis.evidence import (
    EvidenceGroups,
    clause_groups,
    clause_texts,
    holds_counter,
    only_undone,
    pooled_sentences,
    said_anyhow,
    sentence_groups,
    still_said,
)
from coach.analysis.report import PARTS, SURE_CHECK, Check, CheckKind, Evidence, Sentence
from coach.analysis.rubric import COMPUTED_CHECKS as COMPUTED
from coach.analysis.rubric import CheckSpec, FollowUpRule, Rubric, load_rubric
from coach.analysis.segment import ends_sentence, normalize
from coach.prompts import number_words, person_words
from coach.words import straight_apostrophes

_NEGATIONS = {"not", "never", "no", "nobody", "cannot", "neither", "nor", "hardly"}
_NUMBER_WORDS = (r"(\d[\d,.]*|"
                 + "|".join(sorted(number_words() - number_words(ambiguous=True),
                                   key=lambda w: (-len(w), w))) + ")")
"""The numbers the impact rule counts: not the words that are numbers only in some uses
("a third party", "last quarter", "I rang twice")."""
# Numbers that are dates or clock times, not impact; nor a point in the story ("four hours
# in, a passenger collapsed", "two weeks into the job") or the length of the shift or trip
# that sets the scene ("a twelve-hour shift", "a ten hour night flight").
_NOT_IMPACT = re.compile(
    r"\b(" + _NUMBER_WORDS + r" (years|months|weeks|days) ago|in (19|20)\d\d|(19|20)\d\d|"
    r"at (\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)( (am|pm|o'clock))?"
    r"( in the (morning|afternoon|evening))?|my (first|second|third) year|every "
    + _NUMBER_WORDS + r" (minutes|hours)|"
    + _NUMBER_WORDS + r" (minutes|hours|days|weeks|months) into|"
    + _NUMBER_WORDS + r"[- ]hour (\w+ )?(shift|flight|drive|journey|night|day|trip)s?)\b")
_STORY_POINT = re.compile(r"\b" + _NUMBER_WORDS
                          + r" (minutes|hours|days|weeks|months) in(?=[,;:])")
"""A point in the story, told with the punctuation after it ("four hours in, ..."): read
before the punctuation is normalised away ("four hours in A&E" is an impact)."""
_RECOVERY_STEPS = 3
"""Own steps in the Action part that count as a recovery even when no recovery verb is said."""
EVERY_PART = tuple(p.value for p in PARTS)
"""Every STAR part: a scope of the whole answer."""

_LEARNING = re.compile(r"\b(learn(ed|t)|lesson|taught me|takeaway|since then|going forward|"
                       r"next time|would have|would do|reminders?|reminds? me|reminded me|"
                       r"made me (realise|realize|think)|stuck with me|(i|we) know now|"
                       r"now i (always|never|make sure|check))\b")


@dataclass(frozen=True)
class Scope:
    """The sentences a check looks at, with their normalised text."""

    sentences: tuple[Sentence, ...]
    texts: tuple[str, ...]
    run_on_before: tuple[int | None, ...] = ()
    """Per sentence: the index (in ``sentences``) of the piece of the same run-on just
    before it, when the segmenter cut one there (None otherwise)."""


def _scope(sentences: list[Sentence], parts: Iterable[str]) -> Scope:
    """Sentences in ``parts``; a reply without STAR parts is searched whole."""
    parts = set(parts)
    whole = all(s.part is None for s in sentences)
    kept = [k for k, s in enumerate(sentences) if whole or s.part in parts]
    chosen = [sentences[k] for k in kept]
    before = [j - 1 if j and kept[j - 1] == k - 1 and not ends_sentence(sentences[k - 1].text)
              else None for j, k in enumerate(kept)]
    return Scope(tuple(chosen), tuple(normalize(s.text) for s in chosen), tuple(before))


_CLAUSE_BREAKS = {"and", "but", "so", "because", "cos", "before", "when", "after", "while",
                  "until", "though", "although", "now"}
"""Words that start a new clause: what came before them does not govern what follows (the
text is read with its commas normalised away, so "I did what I could, but we lost half"
arrives as one run)."""
_SUBJECTS = {"i", "we", "he", "she", "they", "you", "it", "i'm", "we're", "they're", "i'd",
             "we'd", "i've", "we've"}
_OPENERS = {"if", "whether", "unless"}
_THINKING = {"think", "believe", "reckon", "suppose", "say", "saying", "said", "mean", "feel",
             "felt", "admit", "admitted", "suggest", "suggested", "accept", "convinced", "like",
             "way", "sure", "claim", "claimed", "thought"}
"""Words that, denied just before a clause, deny it: "I don't think I forgot", "I never said
I made a mistake", "it's not like I forgot", "there's no way I skipped it"."""
_DENIALS = {"don't", "didn't", "doesn't", "wouldn't", "won't", "not", "never", "no", "nobody",
            "refuse", "wasn't", "isn't", "dont", "didnt", "wouldnt", "wasnt", "isnt"}
"""Not "couldn't": "I couldn't believe I'd skipped it" is surprise at what happened."""
_ASIDES = re.compile(
    r"\b(if (i'm|i am|i'm being|i am being|i have to be|i've got to be|we're|to be) honest|"
    r"if i (look|think) back|if i think about it( now)?|if you (like|ask me)|if anything|"
    r"as (you|anyone) (would|might|can|could) (expect|imagine|guess))\b")
"""Asides that open a sentence without making what follows unreal."""


def _clause_before(text: str, start: int, end: int | None = None, carry: bool = False
                   ) -> tuple[list[str], bool]:
    """The words of the clause a match at ``start`` sits in, before it: back to the last
    word that starts a clause, and no further back than the subject of the match's verb
    (the match's own first word when that is a subject) and the "if" that may open it.
    "If I'm honest we lost half" reads "we"; "if we had lost half" reads "if we had". And
    whether the clause is denied by the one before it ("I don't think I forgot"). With
    ``carry``, a clause with no subject of its own goes on with the one before it, as an
    "if" or a "would" does ("could have been shut down and lost half"; a "not" does not:
    "we didn't notice and lost half")."""
    own = text[start:end].split()[:1]
    if own and own[0] in _CLAUSE_BREAKS | {"since"}:  # "now I always ...", "since then ..."
        return [], False
    words = _ASIDES.sub(" ", text[:start]).split()
    has_subject = not carry or (bool(own) and own[0] in _SUBJECTS)
    for k in range(len(words) - 1, -1, -1):
        if words[k] in _SUBJECTS:
            has_subject = True
        elif words[k] in _CLAUSE_BREAKS and has_subject:  # a clause with no subject of its
            words = words[k + 1:]  # own goes on with the one before ("... and lost half")
            break
    subject = len(words) if own and own[0] in _SUBJECTS else next(
        (k for k in range(len(words) - 1, -1, -1) if words[k] in _SUBJECTS), None)
    if subject is None:
        return words, False
    opener = next((k for k in range(max(0, subject - 4), subject) if words[k] in _OPENERS),
                  subject)  # "if for some reason we had lost half"
    return words[opener:], _denied(words[:subject])


def _denied(lead: list[str]) -> bool:
    """Whether the words just before a clause's subject deny it: a word of thinking or
    saying right before it (or "that"), with a denial in the three words before that ("I
    never said I ...", "it's not like I ..."), or a bare "not that" / "wasn't that". Not "I
    didn't say anything, I just forgot": the denial there is of saying anything."""
    that = lead[-1:] == ["that"]
    lead = lead[:-1] if that else lead
    if not lead:
        return False
    return (that and lead[-1] in _DENIALS) or (
        lead[-1] in _THINKING and any(w in _DENIALS for w in lead[-4:-1]))


def _negative(word: str) -> bool:
    return word in _NEGATIONS or word.endswith("n't")


def _negated(text: str, start: int) -> bool:
    words, denied = _clause_before(text, start)
    return denied or any(map(_negative, words[-3:]))


_UNREAL = {"if", "whether", "unless", "could", "would", "might", "should", "nearly", "almost"}
"""Words that make what follows them in a clause something that did not happen ("if we had
lost half...", "we nearly lost half", "if I did it all over again")."""


_SENSES = {"see", "tell", "hear", "smell", "feel"}
"""After "could", words of noticing what did happen ("I could see half the stock was gone")."""


def _unreal(text: str, start: int, end: int | None = None) -> bool:
    """Whether a match at ``start``-``end`` tells something that did not happen: an unreal
    word in its clause before it, or among its own first words ("now I would check")."""
    words = [*_clause_before(text, start, end, carry=True)[0][-6:],
             *text[start:end].split()[:4]]
    after = [*words[1:], ""]
    return any((w in _UNREAL and not (w == "could" and after[i] in _SENSES))
               or (w.endswith("'d") and after[i] == "have")  # "we'd have lost half"
               for i, w in enumerate(words))


def _matches(spec: CheckSpec, scope: Scope, patterns=None, said: bool = False
             ) -> list[Sentence]:
    """The sentences of ``scope`` a pattern matches. A sentence the segmenter cut out of a
    run-on is also read together with the piece before it ("The minute I saw it" / "I let
    my manager know"): where a run-on was cut must not change what it says. A match that
    needs both pieces quotes both. With ``said``, a match must also be neither negated
    nor unreal (``_unreal``), whatever ``spec.negatable`` says."""
    hits = []
    patterns = patterns if patterns is not None else spec.patterns
    for k, (s, text) in enumerate(zip(scope.sentences, scope.texts, strict=True)):
        if any(p.search(text) for p in spec.not_if):
            continue
        if _match(spec, patterns, text, said=said):
            hits.append(s)
            continue
        j = scope.run_on_before[k] if scope.run_on_before else None
        if j is not None:
            joined = f"{scope.texts[j]} {text}"
            if not any(p.search(joined) for p in spec.not_if) and \
                    _match(spec, patterns, joined, from_index=len(scope.texts[j]) + 1,
                           said=said):
                hits.extend((scope.sentences[j], s))
    return hits


def _match(spec: CheckSpec, patterns, text: str, from_index: int = 0, said: bool = False
           ) -> bool:
    """Whether a pattern matches ``text`` (not negated, not inside a ``not_within`` match:
    someone else's words) and reaches past ``from_index``; with ``said``, not negated or
    unreal whatever the spec says."""
    spans = _within_spans(spec, text)
    every = spans or said
    for pattern in patterns:
        for m in pattern.finditer(text) if every else filter(None, [pattern.search(text)]):
            at = m.start()
            if m.end() > from_index and not ((spec.negatable or said) and _negated(text, at)) \
                    and not (said and _unreal(text, at, m.end())) and not _inside(at, spans):
                return True
    return False


_GOES_ON = re.compile(r"\b(and|or|but) that (i|we)\b")
"""Words going on with what was reported before them ("she said I rushed it, and that I
had not checked")."""


def _within_spans(spec: CheckSpec, text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds a ``not_within`` match, and what goes on from one."""
    spans = [m.span() for p in spec.not_within for m in p.finditer(text)]
    if spans:
        first = min(start for start, _ in spans)
        spans += [m.span() for m in _GOES_ON.finditer(text) if m.start() > first]
    return spans


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _check(spec: CheckSpec, found: bool, evidence: Iterable[Sentence]) -> Check:
    unique = dict.fromkeys((s.text, s.start, s.end) for s in evidence)
    ev = tuple(Evidence(*key) for key in unique) if found else ()
    return Check(spec.kind, found, ev, spec.why, spec.advice,
                 claims_absence=spec.claims_absence, sure_found=spec.sure_found)


@cache
def _subjects() -> tuple[re.Pattern, re.Pattern]:
    """ "I" taking a step (not "I think"), and "we" (prompts/words.toml)."""
    w = person_words()
    hedges = "|".join(re.escape(v) for v in w.hedging_verbs)
    return (re.compile(rf"\b{re.escape(w.singular_subject)}(?! ({hedges})\b)\b"),
            re.compile(rf"\b{re.escape(w.plural_subject)}\b"))


def _person_counts(scope: Scope) -> tuple[int, int, list[Sentence], list[Sentence]]:
    i_count = we_count = 0
    i_sents, we_sents = [], []
    for s, text in zip(scope.sentences, scope.texts, strict=True):
        n_i, n_we = len(_subjects()[0].findall(text)), len(_subjects()[1].findall(text))
        i_count += n_i
        we_count += n_we
        if n_i:
            i_sents.append(s)
        if n_we:
            we_sents.append(s)
    return i_count, we_count, i_sents, we_sents


def _own_steps(sentences: list[Sentence], specs: dict[str, CheckSpec],
               routed: list[Sentence]) -> list[Sentence]:
    """The Action part's steps the speaker took (with "I" or "we"), when there are at least
    ``_RECOVERY_STEPS`` of them: a recovery told in words no pattern lists. Escalating or
    waiting for others (``routed``) and mere effort ("we stayed late") are not steps.
    (Counting every "I" of a run-on sentence as a step was tried: it found fewer of the
    labelled recoveries, 78.9% against 81.6% of 603 answers by the rules alone.)"""
    action = _scope(sentences, ("action",))
    not_steps = set(routed) | set(_matches(specs["effort_without_initiative"], action))
    steps = [s for s, text in zip(action.sentences, action.texts, strict=True)
             if s not in not_steps and (_subjects()[0].search(text) or _subjects()[1].search(text))]
    return steps if len(steps) >= _RECOVERY_STEPS else []


@cache
def _impact_pattern(units: tuple[str, ...]) -> re.Pattern:
    """A number (or a money amount, "£250", "7k", or a percentage) followed closely by one
    of ``units``."""
    unit = "|".join(units)
    return re.compile(r"([$£€¥]\s?\d|\b\d[\d,.]*\s?(k|m|bn)\b|\b" + _NUMBER_WORDS
                      + r"[\w\s,.-]{0,25}?\b(" + unit + r")\b|\b" + _NUMBER_WORDS + r"%)")


def _impact_sentences(scope: Scope, units: tuple[str, ...]) -> list[Sentence]:
    """Sentences with a number tied to an impact unit, once dates and clock times are
    taken out ("in 2019", "two years ago", "at three in the morning" are not impact)."""
    impact = _impact_pattern(units)
    hits = []
    for s, text in zip(scope.sentences, scope.texts, strict=True):
        placed, points = _STORY_POINT.subn(" ", s.text.lower())
        if points:
            text = normalize(placed)
        if impact.search(_NOT_IMPACT.sub(" ", text)):
            hits.append(s)
    return hits


def run_checks(sentences: list[Sentence], target_level: str | None = None,
               rubric: Rubric | None = None, learned: bool = True) -> dict[str, Check]:
    """Every check of the rubric on ``sentences`` (with STAR parts, or none for a reply).
    ``learned`` False keeps the rules' verdicts (the learned models' own features)."""
    rubric = rubric or load_rubric()
    specs = rubric.checks
    out: dict[str, Check] = {}

    reply = all(s.part is None for s in sentences)

    def pattern_check(cid: str) -> list[Sentence]:
        spec = specs[cid]
        scope = _scope(sentences, spec.parts)
        if reply:
            return _matches(spec, scope, spec.patterns + spec.reply_patterns)
        hits = _matches(spec, scope)
        asked = _answers_own_question(spec, sentences)
        if not asked:
            return hits
        return [s for s in sentences if s in hits or s in asked]  # in the answer's order

    esc = specs["escalates_and_waits"]
    waited = _matches(esc, _scope(sentences, ("action", "result")), esc.waiting_patterns)
    escalated = _matches(esc, _scope(sentences, esc.parts))

    # Every check told by its patterns alone (rubric data: a new one needs no code here).
    for cid, spec in specs.items():
        if cid not in COMPUTED:
            hits = pattern_check(cid)
            out[cid] = _check(spec, bool(hits), hits)
    # "They eventually fixed it" is not the speaker's recovery; three own steps are.
    hits = [s for s in pattern_check("shows_recovery") if s not in waited] or _own_steps(
        sentences, specs, waited + escalated)
    out["shows_recovery"] = _check(specs["shows_recovery"], bool(hits), hits)

    action = _scope(sentences, specs["individual_role_clear"].parts)
    has_action = bool(action.sentences)
    if not has_action:  # no Action part: judge the person used over the whole answer
        action = _scope(sentences, EVERY_PART)
    i_count, we_count, i_sents, we_sents = _person_counts(action)
    # Two first-person steps, or a one-sentence Action told in the first person.
    lone = (len(action.sentences) == 1 and action.sentences[0] not in waited
            and action.sentences[0] not in escalated)
    role_clear = has_action and i_count >= we_count and (i_count >= 2 or (i_count > 0 and lone))
    out["individual_role_clear"] = _check(specs["individual_role_clear"], role_clear, i_sents)
    team_only = we_count >= 2 and i_count <= we_count * 0.25
    out["team_only"] = _check(specs["team_only"], team_only, we_sents)
    if team_only:
        whole_i, whole_we, _, _ = _person_counts(_scope(sentences, EVERY_PART))
        if whole_i > whole_we:
            # "I" more than "we" over the whole answer: the Action may be misread as all
            # "we" (a surveyor's "it was me ... I should have handled it far better myself"
            # beside two "we" sentences read as the Action). Of the answers built on real
            # ones (b99-b131) that got the flag surely, the 4 with more "I" than "we" were
            # all labelled with a clear role of their own, the 22 others all but one
            # without: not said surely.
            out["team_only"] = replace(out["team_only"], confidence=DOUBTED_MISSING)

    qi = specs["quantified_impact"]
    scope = _scope(sentences, qi.parts)
    impact = _impact_sentences(scope, qi.units)
    impact += [s for s in _matches(qi, scope) if s not in impact]
    out["quantified_impact"] = _check(specs["quantified_impact"], bool(impact), impact)

    # Escalation is a red flag when it ends the speaker's part: they waited for others, or
    # did fewer than two things themselves besides escalating. Waiting for another team to
    # fix it, with fewer than two own steps, is the same routing even without the word.
    few_own_steps = len([s for s in i_sents if s not in escalated]) < 2
    esc_found = bool(escalated and waited) or bool((escalated or waited) and few_own_steps)
    out["escalates_and_waits"] = _check(esc, esc_found, escalated + waited)

    level = next((lv for lv in rubric.levels if lv.id == target_level), None)
    senior = level is not None and level.cross_team_required
    _dependent_flags(out, sentences, rubric, reply, senior)
    # The learned checks their rules found: said in some way, whatever the models say.
    ruled = {cid for cid in rubric.learned if out[cid].found}
    if learned and not reply:
        if len(sentences) >= rubric.learned_min_sentences:
            _apply_learned(out, sentences, rubric)
        else:
            _rule_only_confidence(out, sentences, rubric)
        _credit_groups(out, sentences, rubric)
    if learned:
        _credit_patterns(out, sentences, rubric)
        if not reply:
            _credit_sentences(out, sentences, rubric)
        ruled |= _doubt_missing(out, sentences, rubric)
    # "No recovery or learning" rests on the lesson as found so far (its rules, and since
    # the thirty-second session its per-sentence model, which rules the flag out where it
    # credits one), not as sure as the signal's record allows: with the record (a lesson in
    # words the rules do not list is missed in a fifth to a half of answers) the flag would
    # never be said, and said as it is, it was right 32 of the 37 times it was said surely
    # on the 447 answers labelled for a lesson (tests/data/checks/labels_rule_signals_b*.txt).
    lesson_as_told = out["concrete_reflection"]
    if learned and not reply:  # as the signals were measured, on answers of every length
        _signal_confidence(out, rubric, _words(sentences))
    if learned:  # the flags again, on the verdicts as they now stand
        _dependent_flags(out, sentences, rubric, reply, senior, lesson_as_told, final=True)
    _partial_advice(out, sentences, rubric, ruled)
    missing = set(specs) - set(out)
    if missing:  # cannot happen with a rubric that passed validate_rubric
        raise ValueError(f"checks not computed: {sorted(missing)}")
    return {cid: out[cid] for cid in specs}


def _answers_own_question(spec: CheckSpec, sentences: list[Sentence]) -> list[Sentence]:
    """The sentences of a whole answer that say the check in a reply's words right after the
    speaker asks the question themselves ("What would I do differently? Honestly, nothing.")."""
    if spec.asks is None or not spec.reply_patterns:
        return []
    texts = [normalize(s.text) for s in sentences]
    return [sentences[k] for k in range(1, len(sentences))
            if spec.asks.search(_asked(sentences[k - 1].text)) and any(p.search(texts[k])
                                                      for p in spec.reply_patterns)]


def _asked(text: str) -> str:
    """A sentence as ``CheckSpec.asks`` reads it: lower case, curly apostrophes straight,
    its question mark kept (``normalize`` drops it)."""
    return straight_apostrophes(text.lower())


def _dependent_flags(out: dict[str, Check], sentences: list[Sentence], rubric: Rubric,
                     reply: bool, senior: bool, lesson_as_told: Check | None = None,
                     final: bool = False) -> None:
    """The red flags judged against other checks' verdicts (set again after the learned
    verdicts replace the rules'). ``senior``: the target level expects work across teams.
    ``lesson_as_told``: the lesson's verdict before its rule's record made it less sure,
    which "no recovery or learning" rests on instead. ``final``: the last pass, on the
    verdicts as they are shown (what only the report reads, never the learned models'
    features, is judged there)."""
    specs = rubric.checks

    # Only your own team at a senior target: as likely as work with other teams is absent
    # (its rule misses it in other words, so this is rarely sure).
    cross = out["cross_team_scope"]
    out["single_team_scope"] = _derived(
        specs["single_team_scope"], 1.0 - holds_probability(cross) if senior else 0.0, (),
        ruled_out=cross.found)

    def pattern_check(cid: str) -> list[Sentence]:
        spec = specs[cid]
        return _matches(spec, _scope(sentences, spec.parts))

    # These three only count when the matching good signal is absent: as likely as that
    # signal's absence.
    for flag, unless in (("vague_prevention", "concrete_prevention"),
                         ("effort_without_initiative", "self_initiated"),
                         ("passive_communication", "proactive_communication")):
        hits = pattern_check(flag)
        p_flag = (1.0 - holds_probability(out[unless])) if hits else 0.0
        out[flag] = _derived(specs[flag], p_flag, hits, ruled_out=out[unless].found)

    # "Playing down the impact" asks for the impact in numbers, so beside an impact the
    # report shows as found it would ask for what was just said (a fault called "just one
    # small thing" in an answer giving "a day and a half" and "six orders", b144-19):
    # held back, as the flags above are by their signal. Only in the last pass: the
    # learned models were trained on the pattern's own verdict (``run_checks``' first
    # reading, still in ``out`` until here), which they still get.
    played_down = out["minimizes_impact"]
    if final and played_down.found and out["quantified_impact"].found:
        out["minimizes_impact"] = _derived(specs["minimizes_impact"],
                                           holds_probability(played_down),
                                           _quoted(sentences, played_down), ruled_out=True)

    # A failure with no recovery, no prevention and no lesson: as likely as all of them
    # being absent at once.
    lesson = any(_LEARNING.search(normalize(s.text)) for s in sentences)
    signals = ("shows_recovery", "concrete_prevention", "concrete_reflection")
    rests_on = (out["shows_recovery"], out["concrete_prevention"],
                lesson_as_told if lesson_as_told is not None else out["concrete_reflection"])
    # (A short reply to a follow-up question is not a whole story: not judged for this.)
    p_none = 0.0 if (not sentences or reply or lesson) else math.prod(
        1.0 - holds_probability(c) for c in rests_on)
    story = list(_scope(sentences, specs["no_recovery"].parts).sentences) or sentences[:1]
    out["no_recovery"] = _derived(specs["no_recovery"], p_none, story,
                                  ruled_out=any(out[cid].found for cid in signals))


def _partial_advice(out: dict[str, Check], sentences: list[Sentence], rubric: Rubric,
                    ruled: set[str]) -> None:
    """A signal not found whose act the answer says anyway, if only late (its evidence's
    pooled groups: ``said_anyhow``), or that its own rule found where the learned model
    did not (``ruled``: "that cost us four hours of setup time" in a long story the model
    reads as no impact), gets the rubric's ``advice_if_partly``, which builds on what was
    said instead of asking for it as if it were not."""
    texts = [s.text for s in sentences]
    for cid, spec in rubric.checks.items():
        if not spec.advice_if_partly or cid not in out or out[cid].found:
            continue
        groups = rubric.evidence.get(cid)
        if cid in ruled or (groups is not None and said_anyhow(texts, groups)):
            out[cid] = replace(out[cid], advice=spec.advice_if_partly)


def holds_probability(check: Check) -> float:
    """How likely the check holds: its confidence if found, the rest if not."""
    return check.confidence if check.found else 1.0 - check.confidence


def _derived(spec: CheckSpec, p_holds: float, evidence: Iterable[Sentence],
             ruled_out: bool = False) -> Check:
    """A check judged from others' verdicts: it holds when more likely than not, and is
    no surer than the verdicts it rests on (a flag built on an unsure "missing" is unsure,
    so it is never announced). ``ruled_out``: a signal the report shows as found rules the
    flag out ("recovery shown" never stands beside "no recovery"), held just under even
    odds, so that "not found" is unsure when the odds alone would have found it."""
    if ruled_out:
        p_holds = min(p_holds, FLAG_HELD_BACK)
    found = p_holds >= 0.5
    confidence = round(p_holds if found else 1.0 - p_holds, 3)
    return replace(_check(spec, found, evidence), confidence=confidence)


def _apply_learned(out: dict[str, Check], sentences: list[Sentence], rubric: Rubric) -> None:
    """Replace the rules' verdicts with the learned ones where a model is trained (whole
    answers only: a short reply to a follow-up is judged by the rules). The learned model
    sees every rule verdict as a feature; for the checks in ``rule_counts`` a rule's hit
    stands even when the model says no."""
    rules = {cid: c.found for cid, c in out.items()}
    features = answer_features(sentences, rules, rule_parts(sentences, out))
    texts = [s.text for s in sentences]
    words = _words(sentences)
    for cid in rubric.learned:
        model = check_model(cid)
        if model is None:
            continue
        rule = out[cid]
        rule_evidence = _quoted(sentences, rule)
        threshold = rubric.thresholds.get(cid, 0.5)
        v = model.judge(sentences, features, rule_evidence, threshold)
        groups = rubric.evidence.get(cid)
        found, confidence = decide_learned(
            rubric, cid, v.probability, threshold, rule.found,
            model.rule.confidence(True, words),
            undone=_only_undone(texts, groups),
            belief=v.belief, said=groups_said(texts, groups))
        evidence = v.evidence if found == v.found else rule_evidence
        # A check said in one sentence among many quotes the sentences its per-sentence
        # model found saying it (``CheckModel.judge``).
        said_it = model.said is not None and found == v.found and bool(v.evidence)
        if found and not rule_evidence and not said_it and groups and groups.pooled:
            # Quote only sentences that say it in one of its kinds of saying: the words
            # that weigh most towards it may be innocent ("so this was at the depot").
            evidence = tuple(sentences[k] for k in pooled_sentences(texts, groups))[:2]
        check = replace(_check(rubric.checks[cid], found, evidence),
                        confidence=round(confidence, 3),
                        guessed_evidence=said_it and not rule_evidence)
        if found and groups and groups.counter_advice and holds_counter(texts, groups):
            # "Own your part" to someone who did: say what is left to change instead.
            check = replace(check, advice=groups.counter_advice)
        out[cid] = check


def _credit_groups(out: dict[str, Check], sentences: list[Sentence], rubric: Rubric
                   ) -> None:
    """A signal not found by its rules is found where a learned check's evidence group
    that says the same holds (``also_group`` in rubric.toml), quoting those sentences.
    Where that learned check is found (sure or not), only sentences that say nothing of
    its own kinds count ("and I should have checked it myself.", after "they just forgot
    to tell anyone,"), and never one it quotes: someone who blamed others and owned a part
    too is told both. The group's words must not lie inside the signal's ``not_within``
    ("the DBA told me I should have checked": someone else's words; "she said I could've
    asked, which, yeah, I didn't think of that" still owns it), read across the pieces
    of a run-on the segmenter cut ("The DBA told me | I should have checked, | and he was
    right"). Where the group's words are all someone else's, the learned check's advice
    for an answer holding the group ("you owned part of it") gives way to its own."""
    scope = _scope(sentences, EVERY_PART)
    after = {j: k for k, j in enumerate(scope.run_on_before) if j is not None}
    for cid, spec in rubric.checks.items():
        if spec.also_group is None or out[cid].found:
            continue
        owner, group = spec.also_group
        groups = rubric.evidence[owner]
        others = set(groups.pooled) if out[owner].found else set()
        quoted = set(_quoted(sentences, out[owner])) if out[owner].found else set()
        hits, owns = [], False
        for k, s in enumerate(scope.sentences):
            if _owns(scope, k, after, spec, groups, group):
                owns = True
                if not (others & sentence_groups(s.text, groups) or s in quoted):
                    hits.append(s)
        if hits:
            out[cid] = _check(spec, True, hits[:2])
        elif not owns and out[owner].advice == groups.counter_advice:
            out[owner] = replace(out[owner], advice=rubric.checks[owner].advice)


def _credit_patterns(out: dict[str, Check], sentences: list[Sentence], rubric: Rubric
                     ) -> None:
    """A signal not found otherwise is found where its ``also_patterns`` match, never in a
    sentence the learned check of its ``also_group`` quotes surely ("I didn't check the
    rota because she never sends it on time" is a dig, not owning; a blame verdict too
    unsure to be said does not take "Honestly I dropped the ball" away)."""
    for cid, spec in rubric.checks.items():
        if spec.also_patterns and not out[cid].found:
            quoted = _quoted_surely(out, sentences, spec)
            hits = [s for s in _matches(spec, _scope(sentences, spec.parts), spec.also_patterns)
                    if s not in quoted]
            if hits:
                out[cid] = _check(spec, True, hits[:2])


def _credit_sentences(out: dict[str, Check], sentences: list[Sentence], rubric: Rubric
                      ) -> None:
    """A signal in ``signals_in_sentences`` not found otherwise is found where its
    per-sentence model reads it in a sentence at the check's threshold (owning told in
    words no pattern lists: "I'd assumed it would be quick and ran it at lunchtime"),
    never in a sentence the learned check of its ``also_group`` quotes surely, as
    ``_credit_patterns``, nor in a sentence holding one of the rules' exclusions (the
    whole sentence: "I didn't blame the agency nurse, I'd signed off her rota without
    reading it" is left to the rules). Such a credit is as sure as the model's own finds
    have been right (``RuleRecord.read_precision``; none when under even odds), under
    ``UNMEASURED_READ`` when that was never measured: shown as probable, not said aloud."""
    for cid in rubric.signals_in_sentences:
        spec = rubric.checks[cid]
        model = signal_model(cid)
        scope = _scope(sentences, spec.parts).sentences
        if out[cid].found or model is None or not scope:
            continue
        quoted = _quoted_surely(out, sentences, spec)
        threshold = rubric.thresholds.get(cid, 0.5)
        said = model.probabilities(signal_features_of(list(scope)))
        # The patterns' own exclusions hold for the model too: owning words in someone
        # else's mouth, a slip that might have been, a blame denied, a clean record ("Priya
        # said I should have asked", "I never made a single mistake").
        hits = [(p, s) for p, s in zip(said, scope, strict=True)
                if p >= threshold and s not in quoted and not _excluded(spec, s.text)]
        record = signal_record(cid)
        read = record.read_precision if record else None
        if hits and (read is None or read >= 0.5):
            best = sorted(hits, key=lambda ps: -ps[0])[:2]
            check = _check(spec, True, sorted((s for _, s in best), key=scope.index))
            out[cid] = replace(check, confidence=round(
                UNMEASURED_READ if read is None else read, 3))


UNMEASURED_READ = 0.6
"""How sure a credit only a signal's model gives may be when no record measured it: under
``SURE_CHECK``, so it is never said aloud."""


def _quoted_surely(out: dict[str, Check], sentences: list[Sentence], spec: CheckSpec
                   ) -> set[Sentence]:
    """The sentences the learned check of ``spec.also_group`` quotes, where it is found
    surely (a dig it quotes is not owning; an unsure blame takes nothing away)."""
    owner = out[spec.also_group[0]] if spec.also_group else None
    return set(_quoted(sentences, owner)) if owner and owner.found and owner.sure else set()


def _excluded(spec: CheckSpec, text: str) -> bool:
    """Whether ``text`` holds one of the check's ``not_if`` or ``not_within`` matches, or
    words its patterns read and set aside (denied or unreal: "I never said I made a
    mistake"): where the rules have judged the words, a model does not overrule them."""
    norm = normalize(text)
    return any(p.search(norm) for p in (*spec.not_if, *spec.not_within, *spec.patterns,
                                        *spec.also_patterns))


DOUBTED_MISSING = 0.6
"""How sure a learned "missing" may be where the answer says the sign in words its model
may not read (``CheckSpec.doubt_patterns``): under ``SURE_MISSING``, so never said aloud."""


def _doubt_missing(out: dict[str, Check], sentences: list[Sentence], rubric: Rubric
                   ) -> set[str]:
    """A learned check called missing where its ``doubt_patterns`` match is no longer sure
    (at most ``DOUBTED_MISSING``); returns those checks, for advice that builds on it.
    Looked for in every part, whatever the check's own: a doubt only stops a "missing"
    being said, and a change told before the fix ("straight after that I had the tanks
    made in different colours, so nobody can mix them up again"), which the segmenter may
    read as background, must not be asked for as if unsaid."""
    doubted = set()
    for cid, spec in rubric.checks.items():
        check = out[cid]
        if spec.doubt_patterns and not check.found and cid in rubric.learned and \
                _matches(spec, _scope(sentences, EVERY_PART), spec.doubt_patterns, said=True):
            out[cid] = replace(check, confidence=min(check.confidence, DOUBTED_MISSING))
            doubted.add(cid)
    return doubted


def _owns(scope: Scope, k: int, after: dict[int, int], spec: CheckSpec,
          groups: EvidenceGroups, group: str) -> bool:
    """Whether sentence ``k`` of ``scope`` holds ``group`` in words of its own: not inside
    ``spec.not_within``, read across the pieces of a cut run-on."""
    j, n = scope.run_on_before[k], after.get(k)
    before = clause_texts(scope.sentences[j].text) if j is not None else ()
    own = clause_texts(scope.sentences[k].text)
    rest = clause_texts(scope.sentences[n].text) if n is not None else ()
    # Clauses kept apart by a comma ("I saw the data , said my design"), pieces not.
    pieces = [" , ".join(clauses) for clauses in (before, own, rest) if clauses]
    spans = _within_spans(spec, " ".join(pieces))
    patterns = dict(groups.groups)[group]
    at = len(pieces[0]) + 1 if before else 0
    for text, held in zip(own, clause_groups(scope.sentences[k].text, groups), strict=True):
        if group in held and any(not _inside(at + m.start(), spans)
                                 for p in patterns for m in p.finditer(text)):
            return True
        at += len(text) + 3
    return False


def _signal_confidence(out: dict[str, Check], rubric: Rubric, words: int) -> None:
    """A signal told by its rules alone is as sure as those rules have been right on
    answers people labelled for it, per answer length (``signal_record``; whole answers
    only, as those were): a rule that finds no cause in 250 words of a nurse's story is
    not sure there is none, so "say how you found the cause" is not said to someone who
    told it in other words."""
    for cid in rubric.checks:
        record = signal_record(cid) if cid not in rubric.learned else None
        if record is not None:
            check = out[cid]
            # Never under even odds: a verdict held against the rule's own is not shown.
            out[cid] = replace(check, confidence=round(max(0.5, min(
                check.confidence, record.confidence(check.found, words))), 3))


def _quoted(sentences: list[Sentence], check: Check) -> tuple[Sentence, ...]:
    """The sentences ``check`` quotes as its evidence, in the answer's order."""
    quoted = {(e.start, e.text) for e in check.evidence}
    return tuple(s for s in sentences if (s.start, s.text) in quoted)


def rule_parts(sentences: list[Sentence], checks: dict[str, Check]) -> RuleParts:
    """Per check its rule found: the STAR parts of the sentences it quotes (a feature of
    the learned models)."""
    return {cid: frozenset(s.part.value for s in _quoted(sentences, c) if s.part is not None)
            for cid, c in checks.items() if c.found}


def _only_undone(texts: list[str], groups: EvidenceGroups | None) -> bool:
    """Whether the answer says the check only in ways its evidence undoes, for a check whose
    evidence rules that out (``EvidenceGroups.rules_out``): then it is not found."""
    return groups is not None and groups.rules_out and only_undone(texts, groups)


def _rule_only_confidence(out: dict[str, Check], sentences: list[Sentence], rubric: Rubric
                          ) -> None:
    """An answer of too few sentences for the learned models keeps the rules' verdicts, as
    sure as each rule has been right on labelled answers of its length (four long run-on
    sentences that say nothing a rule lists are not "surely missing" it), except where the
    answer says it only in ways its evidence undoes (as ``decide_learned``): "I suggested a
    checklist, but nothing came of it" is not found, and unsurely so; and a signal a
    sentence still says ("I phoned every parent that morning to let them know", read
    surely missing by the rules' silence) is not surely missing."""
    words = _words(sentences)
    texts = [s.text for s in sentences]
    for cid in rubric.learned:
        model = check_model(cid)
        if model is not None:
            check = out[cid]
            groups = rubric.evidence.get(cid)
            found, confidence = rule_only_decision(
                rubric, cid, check.found, model.rule.confidence(check.found, words),
                undone=_only_undone(texts, groups), said=groups_said(texts, groups))
            if found != check.found:
                check = _check(rubric.checks[cid], found, ())
            out[cid] = replace(check, confidence=round(confidence, 3))


def rule_only_decision(rubric: Rubric, cid: str, found: bool, confidence: float,
                       undone: bool = False, said: bool = False) -> tuple[bool, float]:
    """(found, confidence) of a learned check on an answer too short for its model: the
    rule's verdict, as sure as the rule has been right (``confidence``), but, as
    ``decide_learned`` decides, not found (and unsurely so) where the answer says it only
    in ways its evidence undoes (``undone``), and a signal a sentence still says
    (``said``) not surely missing. The evaluation (coach/eval/checks.py) decides by it
    too."""
    if found and undone:
        return False, 1.0 - FLAG_HELD_BACK
    if not found and said and rubric.checks[cid].kind is CheckKind.signal:
        return False, min(confidence, OVERRULED_CAP)
    return found, confidence


def groups_said(texts: list[str], groups: EvidenceGroups | None) -> bool:
    """``still_said`` for a check with evidence groups; False for one without."""
    return groups is not None and still_said(texts, groups)


def _words(sentences: list[Sentence]) -> int:
    return sum(len(s.text.split()) for s in sentences)


OVERRULED_CAP = SURE_CHECK - 0.05
"""The most a learned "missing" may be trusted when the signal's own rule found it in the
answer's words: never announced, so the advice never asks for what was just said."""
FLAG_HELD_BACK = 0.49
"""The most a derived flag may weigh when a signal that rules it out was found: just under
even odds, so it is not found, and the "not found" is unsure."""


def decide_learned(rubric: Rubric, cid: str, probability: float, threshold: float,
                   rule_found: bool, rule_precision: float, undone: bool = False,
                   belief: float | None = None, said: bool = False) -> tuple[bool, float]:
    """(found, confidence) of a learned check on a whole answer, from the model's
    probability and the rule's own verdict:
    - found when the probability reaches ``threshold`` (the check's, in rubric.toml),
      as sure as ``belief`` (the probability calibrated on answers the model did not see;
      the probability itself when None) says the answer holds the check, or does not;
    - for the checks in ``rule_counts``, a rule's hit stands even when the model says no,
      at least as sure as the rule has been right when it fired;
    - a signal the model calls missing although its rule found it, or although ``said``
      (a sentence still says it in a way its evidence does not undo: ``still_said``), is
      not sure: on b125-b143 (567 answers the communication model never saw) a telling
      called surely missing beside such a sentence ("I rang round the parents so they
      knew") was wrong 22 times in 112, where none is said 8 in 207; the spoken advice and
      the follow-up then asked for what the person had just told (recovery and prevention,
      the other signals with ``undone_by`` evidence, are held the same way);
    - ``undone``: the answer says it only in ways its evidence's ``undone_by`` groups
      undo (every telling put after the fix; every fix someone else's or partial): not
      found, whatever else weighs for it (the rule's hit does not stand), and unsure where
      the model would have found it."""
    if undone and probability >= threshold:
        return False, 1.0 - FLAG_HELD_BACK  # not found, and not sure of that
    rule_found = rule_found and not undone
    found = probability >= threshold
    holds = probability if belief is None else belief
    confidence = holds if found else 1.0 - holds
    if rule_found and cid in rubric.rule_counts:
        return True, max(confidence, rule_precision) if found else rule_precision
    if (rule_found or said) and not found and rubric.checks[cid].kind is CheckKind.signal:
        return False, min(confidence, OVERRULED_CAP)
    return found, confidence


@dataclass(frozen=True)
class LevelEstimate:
    level: str
    reason: str
    could_be: str | None = None
    """The next level, when only signs no more likely missing than there stand between
    (b138's reader: all 30 stories read "entry level", model answers among them, most held
    there by a cause told in words the coach could not be sure of)."""


def estimate_level(checks: dict[str, Check], sentences: list[Sentence],
                   rubric: Rubric | None = None) -> LevelEstimate:
    """The highest level whose needed signals are all present (Principal also needs
    organisation-wide change), with a reason in words."""
    rubric = rubric or load_rubric()
    names = {cid: spec.title_in_sentence for cid, spec in rubric.checks.items()}
    text = " ".join(normalize(s.text) for s in sentences)
    reached = rubric.levels[0]
    for level in rubric.levels[1:]:
        if not all(checks[n].found for n in level.needs):
            break
        if level.org_patterns and not any(p.search(text) for p in level.org_patterns):
            break
        reached = level
    idx = rubric.levels.index(reached)
    have = [names[n] for n in reached.needs if checks[n].found]
    # Not the level's description, which reads as said of the story ("Owns a failure whose
    # harm, in numbers, reaches beyond their own team" to an answer that gives no number:
    # b134's second reading); what the story shows of it.
    reason = f"Present: {', '.join(have)}." if have else ""
    could_be = None
    if idx + 1 < len(rubric.levels):
        nxt = rubric.levels[idx + 1]
        # A sign the coach is not sure is missing is asked for as said more plainly: "would
        # also need X (not sure it is missing)" said at once that X was needed and that it
        # may be there (a second reader of b133's reports, in all 30).
        missing = [names[n] for n in nxt.needs if not checks[n].found and checks[n].sure]
        doubted = [n for n in nxt.needs if not checks[n].found and not checks[n].sure]
        unsure = [names[n] for n in doubted]
        if nxt.org_patterns and not any(p.search(text) for p in nxt.org_patterns):
            missing.append("organisation-wide change")
        if missing:
            reason += f" For {nxt.label} it would also need: {', '.join(missing)}."
        if unsure:
            reason += (f" {'It would also' if missing else f'For {nxt.label} it would'} need,"
                       f" said more plainly: {', '.join(unsure)} (I could not tell whether"
                       f" {'it is' if len(unsure) == 1 else 'they are'} there).")
            # The next level as a perhaps only where each sign it lacks is no more likely
            # missing than there (root cause's silence is right at most a third of the
            # time): shown wherever none was surely missing, it read on 51 of b137-b138's
            # 60 stories, 22 of them lacking a recovery or an own role by their labels; so,
            # on 15, 4 of them.
            if not missing and all(checks[n].confidence <= 0.5 for n in doubted):
                could_be = nxt.id
    return LevelEstimate(reached.id, reason.strip(), could_be)


def choose_follow_up(checks: dict[str, Check], rubric: Rubric | None = None
                     ) -> tuple[str, str] | None:
    """(question, the check behind it) for the biggest gap; with no gap surely there, the
    rubric's fallback question (one that presumes nothing: 8 of b136's 30 reports asked
    nothing, where an interviewer would have asked something), unless its signal is surely
    present, and in its other wording where the signal is found unsurely (b145's reader:
    "what would you do differently?" asked of answers that had just said it); where a
    signal that answers it is surely found (a change made), the follow-up of the first of
    its ``instead`` signals not found (b147's reader; ``_first_not_found``); else None."""
    rubric = rubric or load_rubric()
    for rule in rubric.follow_ups:
        check = checks.get(rule.check_id)
        if check is None or not check.sure:  # ask only about a gap that is surely there
            continue
        if (rule.on_missing_signal and not check.found) or \
                (not rule.on_missing_signal and check.found):
            return rule.question, rule.check_id
    for rule in rubric.follow_ups:
        check = checks.get(rule.check_id)
        if rule.fallback and check is not None and not (check.found and check.sure):
            if any(checks[cid].found and checks[cid].sure
                   for cid in rule.answered_by if cid in checks):
                other = _first_not_found(checks, rubric, rule.instead)
                if other is not None:
                    return other.question, other.check_id
            if check.found and rule.question_if_perhaps_told:
                return rule.question_if_perhaps_told, rule.check_id
            return rule.question, rule.check_id
    return None


def _first_not_found(checks: dict[str, Check], rubric: Rubric, signals: tuple[str, ...]
                     ) -> FollowUpRule | None:
    """The follow-up asked on the absence of the first of ``signals`` not found (however
    unsurely) whose act the answer does not say in part (its advice is not the rubric's
    ``advice_if_partly``: "I personally contacted both mothers" is asked "Who did you
    tell?" only when nothing else is missing), else of the first not found at all; None
    when all are found."""
    missing = [cid for cid in signals if cid in checks and not checks[cid].found]
    missing.sort(key=lambda cid: bool(rubric.checks[cid].advice_if_partly)
                 and checks[cid].advice == rubric.checks[cid].advice_if_partly)
    # (validate_rubric holds each of ``instead`` to a follow-up asked on its absence)
    return rubric.follow_up_for(missing[0]) if missing else None
