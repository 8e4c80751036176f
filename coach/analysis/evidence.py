"""Sentence-level evidence for the learned checks: who did what, and how it is told.

A learned check may list in ``prompts/rubric.toml`` (``[learning.evidence.<check>]``)
named groups of patterns: for blame, another party failing, a verdict on others, an
excuse, a hedge before blame, the speaker owning a part. Each sentence is cut into clauses
(at commas, semicolons, dashes and question marks: spoken blame often turns on one clause)
and every clause is matched against every group; a match with a negation just before it
("not my fault", "I wouldn't say it was my mistake") counts as the group's negated form,
``not_<group>``. A sentence with a question mark also holds ``question`` (the rhetorical
"what was I supposed to do?").

The model then sees, per sentence, the groups and pairs of groups it holds (a sentence cut
out of a run-on pairs with the piece before it) and the groups of the clause it ends on
(``ending_features``: "nobody told us, but it was my job and I skipped it" ends owning);
per answer,
how many sentences hold each group, each group in an answer where the ``counter`` group
(the speaker owning their part) is nowhere, and the groups of the last sentence that holds
any ("I should have checked... but honestly that was their job"). The ``pooled`` groups
are also counted as one ("pooled": sentences holding any of them, how many different ones),
so a rare way of saying it borrows the weight of the common ones. The groups are data;
how much each weighs is learned from the labelled answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from coach.analysis.clauses import is_past
from coach.analysis.segment import ends_sentence, load_model, normalize
from coach.prompts import person_words
from coach.words import straight_apostrophes

Features = dict[str, float]

_CLAUSE = re.compile(r"[,;:?!()\u2014\u2013]|\s-\s|\.\s")
_NEGATIONS = frozenset({"not", "never", "no", "nobody", "nothing", "cannot", "neither", "nor",
                        "hardly"})
_NEGATION_WINDOW = 4
"""Words before a match in which a negation turns the group into its negated form."""
QUESTION = "question"
_POOLED = "pooled"
_MAX_COUNT = 3
"""Sentence counts are capped here and scaled to 0..1."""


@dataclass(frozen=True)
class EvidenceGroups:
    """One check's named pattern groups, and the group that counters them."""

    groups: tuple[tuple[str, tuple[re.Pattern, ...]], ...]
    counter: str | None = None
    """The group whose absence from the whole answer makes the others weigh more (for blame:
    the speaker owning a part)."""
    pooled: tuple[str, ...] = ()
    """Groups that all point the same way (for blame: every way of putting it on others),
    also counted together, so a way of saying it seldom seen in training weighs like the
    common ones."""
    counter_advice: str | None = None
    """The check's advice for an answer that holds the counter group (the general advice
    would tell the speaker to do what they already did)."""
    counter_as_group: bool = False
    """The counter group's words are read only as that group, not also as loose words
    in the learned checks' word features (``without_counter``)."""
    undone_by: tuple[str, ...] = ()
    """Groups any of which undoes the ``undoes`` groups in its own clause ("I emailed my
    manager once it was all fixed" is telling, but not the kind the check asks for; "the
    supplier replaced the part" is a fix, but not the speaker's): the answer also counts
    the sentences that still hold a pooled group, and an answer where none does is marked,
    and cannot be found to hold the check (``only_undone``)."""
    undoes: tuple[str, ...] = ()
    rules_out: bool = True
    """Whether an answer that says it only in undone ways cannot hold the check, whatever
    its model says (``only_undone``); False: the model only sees that it is so
    (``undone_features``) and weighs it."""
    lead_in: str | None = None
    """A group that, said in a clause with no pooled group, undoes the next clause as an
    ``undone_by`` group would in it ("Afterwards, when it was all sorted, | I let my
    supervisor know")."""

    voided_by: tuple[str, ...] = ()
    """``undone_by`` groups that undo every pooled group of their clause, not only the
    ``undoes`` ones: "I should have rung them straight away" tells nobody at any time."""
    sentence_voided_by: tuple[str, ...] = ()
    """``undone_by`` groups that undo every pooled group of their whole sentence, said
    before or after it: "I suggested a rule that every alarm gets an engineer, but nothing
    came of it" changed nothing."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.groups)


def _negated(text: str, start: int) -> bool:
    before = text[:start].split()[-_NEGATION_WINDOW:]
    return any(w in _NEGATIONS or w.endswith("n't") for w in before)


@lru_cache(maxsize=8192)
def clause_texts(text: str) -> tuple[str, ...]:
    """The clauses of ``text``, each normalized, empty ones left out, each step of a
    list given its subject (``with_subjects``)."""
    norms = (normalize(clause) for clause in _CLAUSE.split(straight_apostrophes(text)))
    return with_subjects([norm for norm in norms if norm])


def with_subjects(norms: list[str]) -> tuple[str, ...]:
    """Clauses (normalized) of one sentence, a clause that opens on a verb in the past
    tense given the subject of the clause before, with the helping words said after it:
    "I pulled the file | put the old prices back" reads "i put the old prices back"; "I
    should have rung them | told the manager" reads "i should have told the manager";
    "they patched it | and re-ran the jobs" reads "and they re-ran the jobs". Only
    pronouns are carried (prompts/words.toml [person]); a clause with another opening
    stops the carrying."""
    person = person_words()
    past = load_model().past_verbs - person.step_openers - person.carried_helpers
    carried = ""
    out = []
    for norm in norms:
        words = norm.split()
        k = next((j for j, w in enumerate(words) if w not in person.step_openers), len(words))
        first = words[k] if k < len(words) else ""
        verb = first.replace("-", "")  # "re-sent", "re-ran"
        if not first:  # a clause of openers alone ("then") goes on with the list
            pass
        elif first in person.carried_subjects:
            end = next((j for j in range(k + 1, len(words))
                        if words[j] not in person.carried_helpers), len(words))
            carried = " ".join(words[k:end])
        elif carried and is_past(verb, past, min_letters=4):
            norm = " ".join([*words[:k], carried, *words[k:]])
        else:
            carried = ""
        out.append(norm)
    return tuple(out)


@lru_cache(maxsize=8192)
def clause_groups(text: str, spec: EvidenceGroups) -> tuple[frozenset[str], ...]:
    """The groups (and negated groups) each clause of ``text`` holds, in order."""
    out = []
    for norm in clause_texts(text):
        held: set[str] = set()
        for name, patterns in spec.groups:
            for pattern in patterns:
                m = pattern.search(norm)
                if m:
                    held.add(f"not_{name}" if _negated(norm, m.start()) else name)
                    break
        out.append(frozenset(held))
    return tuple(out)


@lru_cache(maxsize=8192)
def sentence_groups(text: str, spec: EvidenceGroups) -> frozenset[str]:
    """The groups (and negated groups, and ``question``) that ``text`` holds."""
    held = frozenset().union(*clause_groups(text, spec))
    return held | {QUESTION} if "?" in text else held


def sentence_features(prefix: str, held: frozenset[str], letter: str) -> Features:
    """Each group a sentence holds (also under its STAR part's letter), and each pair."""
    f: Features = {}
    names = sorted(held)
    for g in names:
        f[f"{prefix}:{g}"] = 1.0
        f[f"{letter}:{prefix}:{g}"] = 1.0
    for k, g in enumerate(names):
        for h in names[k + 1:]:
            f[f"{prefix}:{g}+{h}"] = 1.0
    return f


def ending_features(prefix: str, text: str, spec: EvidenceGroups) -> Features:
    """The groups of the last clause that holds any, in a sentence where more than one
    clause holds some: what the sentence ends on. "Nobody had told us, but testing it was
    my job and I skipped it" ends owning; "I should have checked, but nobody told us" ends
    on someone else."""
    held = [g for g in clause_groups(text, spec) if g]
    if len(held) < 2:
        return {}
    return {f"{prefix}:ends:{g}": 1.0 for g in sorted(held[-1])}


def run_on_pairs(prefix: str, before: frozenset[str], held: frozenset[str]) -> Features:
    """The pairs of groups across a sentence cut out of a run-on ("the minute I saw it" /
    "I let my manager know"), named as the pairs inside one sentence: where a long run-on
    was cut must not change what it says."""
    f: Features = {}
    for g in sorted(before - held):
        for h in sorted(held - before):
            a, b = sorted((g, h))
            f[f"{prefix}:{a}+{b}"] = 1.0
    return f


def answer_features(prefix: str, per_sentence: list[frozenset[str]], spec: EvidenceGroups
                    ) -> Features:
    """Counts per group, each group without the counter group anywhere, and the groups of
    the last sentence that holds any."""
    f: Features = {}
    counts: dict[str, int] = {}
    for held in per_sentence:
        for g in sorted(held):  # (in order: the same features in the same order every run)
            counts[g] = counts.get(g, 0) + 1
    for g, n in counts.items():
        f[f"{prefix}:n:{g}"] = min(n, _MAX_COUNT) / _MAX_COUNT
    pooled = [held & set(spec.pooled) for held in per_sentence]
    n_pooled = sum(1 for held in pooled if held)
    if n_pooled:
        counts[_POOLED] = n_pooled
        f[f"{prefix}:n:{_POOLED}"] = min(n_pooled, _MAX_COUNT) / _MAX_COUNT
        kinds = len(set().union(*pooled))
        f[f"{prefix}:kinds"] = min(kinds, _MAX_COUNT) / _MAX_COUNT
    if spec.counter is not None:
        owned = counts.get(spec.counter, 0) > 0
        f[f"{prefix}:{'has' if owned else 'no'}_{spec.counter}"] = 1.0
        if not owned:
            for g in counts:
                f[f"{prefix}:{g}&no_{spec.counter}"] = 1.0
    last = next((held for held in reversed(per_sentence) if held - {QUESTION}), None)
    for g in sorted(last or ()):
        f[f"{prefix}:last:{g}"] = 1.0
    if last and last & set(spec.pooled) and spec.counter not in last:
        f[f"{prefix}:last:{_POOLED}"] = 1.0
    return f


def still_pooled(text: str, spec: EvidenceGroups, late_counts: bool = False) -> bool:
    """Whether a clause of ``text`` holds a pooled group that an ``undone_by`` group, in
    that clause, does not undo ("I rang the home when I saw it, and I emailed my manager
    once it was fixed": the first clause still tells early). A clause with the ``lead_in``
    group and no pooled one undoes the next ("Afterwards, when it was all sorted, I let my
    supervisor know": the telling is put after the fix). A ``voided_by`` group undoes every
    pooled group of its clause, and of the clauses after it that do not say the thing again
    (no group of the first ``undoes`` kind) and have the speaker nowhere in them: "I should
    have told her, | straight away" tells nobody; "..., | and I kept the families posted" is
    the speaker's own. ``late_counts``: the ``undone_by`` groups and the lead-in undo
    nothing (a telling put after the fix still happened); only ``voided_by`` ones do."""
    pooled = set(spec.pooled)
    undoers = set(spec.undone_by)
    voiders = set(spec.voided_by)
    main = set(spec.undoes[:1])
    person = person_words()
    speaker = person.singular | person.plural
    lead_in = voided = False
    for norm, held in zip(clause_texts(text), clause_groups(text, spec), strict=True):
        voided = bool(held & voiders) or (
            voided and not held & main and speaker.isdisjoint(norm.split()))
        if voided:
            cancelled = pooled
        elif (held & undoers or lead_in) and not late_counts:
            cancelled = set(spec.undoes)
        else:
            cancelled = set()
        if (held & pooled) - cancelled:
            return True
        lead_in = spec.lead_in in held and not held & pooled
    return False


def free_sentences(texts: list[str], spec: EvidenceGroups) -> list[bool]:
    """Per sentence of an answer, whether it still says it (``still_pooled``), where a
    ``sentence_voided_by`` group anywhere in a sentence undoes all of it, the pieces of a
    run-on cut into several sentences read as one ("I did say they should have a card in
    the cab, and they said no, | it all has to go through control")."""
    free = [still_pooled(t, spec) for t in texts]
    if not spec.sentence_voided_by:
        return free
    voiders = set(spec.sentence_voided_by)
    start = 0
    for k, text in enumerate(texts):
        if k == len(texts) - 1 or ends_sentence(text):
            if any(voiders & sentence_groups(t, spec) for t in texts[start : k + 1]):
                free[start : k + 1] = [False] * (k + 1 - start)
            start = k + 1
    return free


def said_anyhow(texts: list[str], spec: EvidenceGroups) -> bool:
    """Whether the speaker says the act at all, even only late ("I rang the family the
    next morning"), though not only as wished for or as someone else's doing."""
    return any(still_pooled(t, spec, late_counts=True) for t in texts)


def still_said(texts: list[str], spec: EvidenceGroups) -> bool:
    """For a check with ``undone_by`` groups: whether some sentence still says it in a way
    none of them undoes ("I rang round the parents so they knew"), so the answer cannot be
    surely without it, whatever else weighs."""
    return bool(spec.undone_by) and any(free_sentences(texts, spec))


def still_said_feature(prefix: str) -> str:
    """The name of the answer feature counting the sentences that still say it
    (``undone_features``): above zero where ``still_said`` holds."""
    return f"{prefix}:n:free"


def only_undone(texts: list[str], spec: EvidenceGroups) -> bool:
    """Whether ``texts`` hold the pooled groups only where an ``undone_by`` group undoes
    them (every telling put after the fix): the check cannot hold on that alone."""
    if not spec.undone_by:
        return False
    return (any(set(spec.pooled) & sentence_groups(t, spec) for t in texts)
            and not any(free_sentences(texts, spec)))


def only_undone_feature(prefix: str, spec: EvidenceGroups) -> str:
    """The name of the answer feature that ``only_undone`` holds."""
    return f"{prefix}:only_{'_'.join(spec.undone_by)}"


def undone_features(prefix: str, texts: list[str], spec: EvidenceGroups) -> Features:
    """For a check with ``undone_by`` groups: how many sentences still say it, and
    whether the answer says it only in undone ways (``only_undone``)."""
    if not spec.undone_by or not any(set(spec.pooled) & sentence_groups(t, spec)
                                     for t in texts):
        return {}
    free = sum(free_sentences(texts, spec))
    f = {still_said_feature(prefix): min(free, _MAX_COUNT) / _MAX_COUNT}
    if not free:
        f[only_undone_feature(prefix, spec)] = 1.0
    return f


def without_counter(text: str, spec: EvidenceGroups) -> str:
    """``text`` normalized (as ``normalize``), with the words of the counter group taken out
    where it is said outright, clause by clause as ``sentence_groups`` reads it: "which is
    on me" is the speaker owning their part, read as that group, not as the loose words
    "which", "is", "on", "me", which in other answers open a remark about someone else."""
    counter = next((patterns for name, patterns in spec.groups if name == spec.counter), ())
    pieces = []
    for clause in _CLAUSE.split(straight_apostrophes(text)):
        norm = normalize(clause)
        spans = [m.span() for pattern in counter for m in pattern.finditer(norm)
                 if not _negated(norm, m.start())]
        keep = [c for k, c in enumerate(norm) if not any(a <= k < b for a, b in spans)]
        pieces.append("".join(keep))
    return " ".join(" ".join(pieces).split())


def pooled_sentences(texts: list[str], spec: EvidenceGroups) -> list[int]:
    """Indices of ``texts`` that hold any of the ``pooled`` groups (said outright, not
    negated): the sentences that say it, in any of its kinds of saying."""
    pooled = set(spec.pooled)
    free = free_sentences(texts, spec) if spec.undone_by else [True] * len(texts)
    return [k for k, t in enumerate(texts) if pooled & sentence_groups(t, spec) and free[k]]


def holds_counter(texts: list[str], spec: EvidenceGroups) -> bool:
    """Whether any of ``texts`` holds the counter group."""
    return spec.counter is not None and any(
        spec.counter in sentence_groups(t, spec) for t in texts)
