"""What the reply judge sees of a reply to a follow-up question: plain, named features.

The reply is cut into clauses. Each clause is read for the cue groups of
``prompts/replies.toml`` (telling someone, a time word, a change put in place, a denial,
blame...) and for the verb it leads with: "I rechecked", "Rechecked" and "I recheck" are
all the speaker's own step. The features say how much of the reply speaks to the topic
the question asked about, against the other topics, and which cues it holds, each also
tied to the topic asked; the model learns the weights (``coach.eval.follow_ups``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from coach.analysis.clauses import is_past
from coach.analysis.rubric import FollowUpRule, load_rubric
from coach.analysis.segment import normalize
from coach.analysis.star_features import Features, word_features
from coach.prompts import load_toml

JUDGEMENTS = ("strong", "weak", "offtopic")
_MODALS = ("would", "will", "'ll", "would've", "will've")
_PERSONS = ("I", "we", "none")
"""Whose step a clause's leading verb can be (``Lead.person``, but for "other")."""
_TENSES = ("past", "base", "would", "present")
"""The tenses a clause's leading verb is read in (``Lead.tense``)."""
_CLAUSE_END = re.compile(
    r"(?:[;:!?—–]|[.,](?!\d))+|\s-+\s|\b(?:and )?then\b|(?:^|\s)\(?\d{1,2}\)(?=\s)", re.IGNORECASE)
"""Where a reply's clauses end: end marks (not a comma or full stop inside a number,
"1,200", "1.5"), a dash, "then", a list's "1)" or "(2)"."""
_ADVERBS = frozenset({"then", "just", "also", "personally", "immediately", "quickly",
                      "actually", "first", "straight", "really", "probably", "definitely",
                      "myself", "still", "even", "later", "finally", "eventually", "only",
                      "already", "both", "all", "kind", "sort", "basically", "literally"})


@dataclass(frozen=True)
class Verdicts:
    """What the coach says about a reply to one follow-up, in plain words."""

    strong: str
    weak: str
    offtopic: str
    unsure: str
    unsure_when_said: tuple[str, ...] = ()
    """Cue groups naming what the weak and offtopic advice asks for: a reply holding one
    is never told it lacks it; the coach says it is not sure instead."""
    on_topic_when_said: tuple[str, ...] = ()
    """Cue groups that speak to the question in a short reply ("My supervisor, straight
    away."): a reply of at most ``SHORT_REPLY_WORDS`` holding one is never told, surely,
    that it did not answer; the coach says it is not sure instead. (The judge learnt from
    replies to longer questions.)"""

    def say(self, judgement: str) -> str:
        return {"strong": self.strong, "weak": self.weak, "offtopic": self.offtopic,
                "unsure": self.unsure}[judgement]


@dataclass(frozen=True)
class ReplyCues:
    """prompts/replies.toml as typed data."""

    topics: dict[str, tuple[str, ...]]
    """Topic -> the cue groups that speak to it."""
    asked_by: dict[str, str]
    """A follow-up's ``when`` -> the topic its question asks about."""
    groups: dict[str, tuple[re.Pattern, ...]]
    openers: frozenset[str]
    past: frozenset[str]
    base: frozenset[str]
    not_steps: frozenset[str]
    verb_classes: dict[str, frozenset[str]]
    leads: dict[str, tuple[str, ...]]
    """A verb class -> the topics a clause leading with one of its verbs speaks to."""
    near: dict[str, frozenset[str]]
    """A topic -> the topics too close to it to count as speaking to something else."""
    lead_persons: dict[str, frozenset[str]]
    """A topic -> whose leading verbs speak to it ("I", "we", "none": a fragment)."""
    lead_tenses: dict[str, frozenset[str]]
    """A topic -> the tenses in which any of the speaker's leading verbs speaks to it ("I'd
    have rung them sooner", "check the date first": hindsight), whatever the verb."""
    verdicts: dict[str, Verdicts]
    """A follow-up's ``when`` -> what is said about a reply to it."""

    def topic_of(self, rule: FollowUpRule) -> str | None:
        return self.asked_by.get(rule.when)


@cache
def load_reply_cues() -> ReplyCues:
    """prompts/replies.toml, checked against the rubric's follow-ups (ValueError names the
    first problem)."""
    d = load_toml("replies.toml")
    groups = {name: tuple(re.compile(p) for p in patterns)
              for name, patterns in d["groups"].items()}
    topics = {name: tuple(t["cues"]) for name, t in d["topics"].items()}
    asked_by = {when: name for name, t in d["topics"].items() for when in t["asked_by"]}
    v = d["verbs"]
    cues = ReplyCues(
        topics=topics, asked_by=asked_by, groups=groups,
        openers=frozenset(v["openers"]), past=frozenset(v["past"]),
        base=frozenset(v["base"]), not_steps=frozenset(v["not_steps"]),
        verb_classes={k: frozenset(words) for k, words in v["classes"].items()},
        leads={cls: tuple(name for name, t in d["topics"].items() if cls in t.get("leads", ()))
               for cls in v["classes"]},
        near={name: frozenset(t.get("near", ())) for name, t in d["topics"].items()},
        lead_persons={name: frozenset(t.get("lead_persons", _PERSONS))
                      for name, t in d["topics"].items()},
        lead_tenses={name: frozenset(t["lead_tenses"])
                     for name, t in d["topics"].items() if t.get("lead_tenses")},
        verdicts={when: Verdicts(x["strong"], x["weak"], x["offtopic"], x["unsure"],
                                 tuple(x.get("unsure_when_said", ())),
                                 tuple(x.get("on_topic_when_said", ())))
                  for when, x in d["verdicts"].items()})
    whens = {r.when for r in load_rubric().follow_ups}
    for name, cue_groups in topics.items():
        for g in cue_groups:
            if g not in groups:
                raise ValueError(f"replies.toml: topic {name!r} names unknown cue group {g!r}")
        t = d["topics"][name]
        for cls in t.get("leads", ()):
            if cls not in cues.verb_classes:
                raise ValueError(f"replies.toml: topic {name!r} names unknown verb class {cls!r}")
        for person in t.get("lead_persons", ()):
            if person not in _PERSONS:
                raise ValueError(f"replies.toml: topic {name!r} names unknown person {person!r}")
        for tense in t.get("lead_tenses", ()):
            if tense not in _TENSES:
                raise ValueError(f"replies.toml: topic {name!r} names unknown tense {tense!r}")
        if t.get("lead_tenses") and t.get("leads"):  # one clause would count twice
            raise ValueError(f"replies.toml: topic {name!r} has both leads and lead_tenses")
        for other in t.get("near", ()):
            if other not in topics or other == name:
                what = "itself" if other == name else f"an unknown topic {other!r}"
                raise ValueError(f"replies.toml: topic {name!r} is near {what}")
    for when in [*asked_by, *cues.verdicts]:
        if when not in whens:
            raise ValueError(f"replies.toml: no follow-up in rubric.toml asks {when!r}")
    for when in whens:
        if when not in cues.verdicts:
            raise ValueError(f"replies.toml: no verdicts for the follow-up {when!r}")
    for when, said in cues.verdicts.items():
        for g in (*said.unsure_when_said, *said.on_topic_when_said):
            if g not in groups:
                raise ValueError(f"replies.toml: the verdicts of {when!r} name unknown cue "
                                 f"group {g!r}")
    return cues


def says_any(reply: str, group_names: tuple[str, ...], cues: ReplyCues) -> bool:
    """Whether a clause of ``reply`` holds a cue of one of these groups."""
    parts = clauses(reply)
    return any(p.search(c) for g in group_names for p in cues.groups[g] for c in parts)


def clauses(reply: str) -> list[str]:
    """The reply's clauses, normalized (lower case, fillers removed)."""
    return [c for c in (normalize(p) for p in _CLAUSE_END.split(reply) if p) if c]


@dataclass(frozen=True)
class Lead:
    """The verb a clause starts with, and who does it."""

    person: str
    """"I", "we", "none" (a fragment: "Rechecked the chart") or "other" ("they fixed it")."""
    verb: str
    tense: str
    """"past", "base" (an instruction or a present-tense step), "would" or "present"."""


def lead_verb(clause: str, cues: ReplyCues) -> Lead | None:
    toks = clause.replace(".", " ").split()
    while toks and toks[0] in cues.openers:
        toks = toks[1:]
    if len(toks) < 2:  # "Look," opens a sentence; it is no step
        return None
    person, rest = "none", toks
    if toks[0] in ("i", "we", "i'd", "we'd", "i've", "we've"):
        person = "I" if toks[0].startswith("i") else "we"
        rest = toks[1:]
    elif toks[0] in ("he", "she", "they", "he'd", "she'd", "they'd"):
        person, rest = "other", toks[1:]
    modal = toks[0].endswith("'d") or (bool(rest) and rest[0] in _MODALS)
    if rest and rest[0] in _MODALS:
        rest = rest[1:]
        if rest and rest[0] in ("have", "'ve"):  # "I would have added"
            rest = rest[1:]
    elif rest and rest[0] in ("have", "had"):  # "I have checked"; "I had had enough" is none
        rest = rest[1:]
    if rest and rest[0] in _ADVERBS and len(rest) > 1:
        rest = rest[1:]
    if not rest:
        return None
    verb = rest[0]
    if verb in cues.not_steps:
        return None
    if modal:
        return Lead(person, verb, "would")
    if is_past(verb, cues.past, min_letters=5):
        return Lead(person, verb, "past")
    if verb in cues.base:
        return Lead(person, verb, "base")
    if person in ("I", "we") and verb.isalpha():
        return Lead(person, verb, "present")
    return None


def _bucket(n: int) -> str:
    return str(min(n, 3))


def reply_features(rule: FollowUpRule, reply: str, found: set[str],
                   with_words: bool = True) -> Features:
    """The reply judge's features for ``reply`` to the follow-up ``rule``; ``found``: the
    checks the rubric's rules found in the reply."""
    cues = load_reply_cues()
    topic = cues.topic_of(rule) or rule.check_id
    parts = clauses(reply)
    f: Features = {"bias": 1.0, f"topic={topic}": 1.0}

    def add(name: str, value: float = 1.0) -> None:
        f[name] = f.get(name, 0.0) + value
        f[f"{topic}:{name}"] = f.get(f"{topic}:{name}", 0.0) + value

    counts = {g: sum(any(p.search(c) for p in pats) for c in parts)
              for g, pats in cues.groups.items()}
    for g, n in counts.items():
        if n:
            add(f"cue:{g}")
            add(f"cue:{g}={_bucket(n)}")
    for g in cues.topics.get(topic, ()):  # what the answer to this question lacks
        if not counts[g]:
            f[f"{topic}:lacks:{g}"] = 1.0
    hits = {t: sum(any(any(p.search(c) for p in cues.groups[g]) for g in groups)
                   for c in parts) for t, groups in cues.topics.items()}
    steps = 0
    for c in parts:
        lead = lead_verb(c, cues)
        if lead is None:
            continue
        for g, pats in cues.groups.items():  # "I'd run it the same": would & no_change
            if any(p.search(c) for p in pats):
                add(f"{lead.tense}&{g}")
        add(f"lead:{lead.person}")
        add(f"lead:{lead.person}:{lead.tense}")
        if lead.person != "other":
            steps += 1
        for cls, verbs in cues.verb_classes.items():
            if lead.verb in verbs:
                add(f"lead:{cls}")
                add(f"lead:{cls}:{lead.tense}")
                for t in cues.leads.get(cls, ()):
                    if lead.person in cues.lead_persons[t]:
                        hits[t] += 1
        for t, tenses in cues.lead_tenses.items():
            if lead.tense in tenses and lead.person in cues.lead_persons[t]:
                hits[t] += 1
    add(f"steps={_bucket(steps)}")
    if parts:
        add(f"step_share={round(steps / len(parts) * 4)}")
    asked = hits.get(topic, 0)
    near = cues.near.get(topic, frozenset()) | {topic}
    other = max((n for t, n in hits.items() if t not in near), default=0)
    add(f"asked={_bucket(asked)}")
    add(f"other={_bucket(other)}")
    add("asked_leads" if asked > other else "asked_ties" if asked == other else "other_leads")
    if parts:
        add(f"asked_share={round(asked / len(parts) * 4)}")
    for t, n in hits.items():
        if t not in near and n:
            add(f"about:{t}")
    add(f"clauses={_bucket(len(parts) // 2)}")
    flags = {"good": rule.good in found,
             "bad": rule.bad is not None and rule.bad in found,
             "answers": rule.answers(normalize(reply))}
    for name, value in flags.items():
        add(f"{name}={'yes' if value else 'no'}")
    if with_words:
        toks = normalize(reply).replace(".", " ").split()
        f.update({k: v for k, v in word_features(toks, topic).items()
                  if k.startswith(f"{topic}:")})
    return f
