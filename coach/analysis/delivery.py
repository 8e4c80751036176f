"""Delivery: pace, filler words, long pauses, hedges and "I" versus "we", per STAR part."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from coach.analysis.report import PARTS, Delivery, DeliveryReport, Mark, Sentence
from coach.prompts import load_toml, number_words, person_words
from coach.speech.fillers import FillerRules, filler_rules, find_fillers
from coach.words import Word, bare_word

MAYBE_WORD = '"maybe" word'
"""What a hedge is called in every report: "I think" or "probably" in everyday words (a
nurse or a referee did not know "hedge": b134's second reading)."""

MAYBE_EXAMPLES = "maybe, I think, I guess"
"""What the "maybe" words (hedges) are, in the words a report explains them with where the
answer says none ("unsure" is the coach's own doubt elsewhere in a report)."""


def maybe_words(x: Delivery) -> str:
    """The "maybe" words counted, as a report explains them: those ``x`` says, each once
    in the order first said ("hopefully, I think": a reader of b140's reports could not
    tell which word made a count of 1 under "maybe, I think, I guess"); where it says
    none, ``MAYBE_EXAMPLES``."""
    said = dict.fromkeys(m.text for m in x.hedges)
    return ", ".join(re.sub(r"\bi\b", "I", w) for w in said) if said else MAYBE_EXAMPLES


def maybe_legend(x: Delivery) -> str:
    """The line that says what the "maybe" words are: '"maybe" words said: hopefully, I
    think' ('"maybe" word said: perhaps' for one), or, where none was said, '"maybe" words,
    such as maybe, I think, I guess: none said' (the examples alone under the heading read
    as words the person had said: b143's second reading, in 21 reports)."""
    kinds = len({m.text for m in x.hedges})
    if not kinds:
        return f"{MAYBE_WORD}s, such as {maybe_words(x)}: none said"
    return f"{MAYBE_WORD}{'' if kinds == 1 else 's'} said: {maybe_words(x)}"


MIN_WORD_S = 0.2
"""The shortest time a word is taken to last when a stretch is timed (300 wpm)."""


@dataclass(frozen=True)
class DeliveryRules:
    wpm_min: float
    wpm_max: float
    long_pause_s: float
    hedges: tuple[str, ...]
    estimates: frozenset[str]
    """Hedges that, right before a number, give an estimate ("maybe forty"): not counted."""
    before_estimate: frozenset[str]
    """Words that may stand between such a hedge and its number ("maybe just under forty")."""
    hedge_unless_after: dict[str, frozenset[str]]
    """A hedge -> the words that, right after it, make it no hedge ("I think about it")."""
    fillers_per_minute_max: float
    fillers: FillerRules


def _words(value: object, key: str) -> frozenset[str]:
    """A list of words from delivery.toml (ValueError naming ``key`` otherwise: a string
    would be read letter by letter)."""
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise ValueError(f"delivery.toml: {key} must be a list of words, not {value!r}")
    return frozenset(value)


def _hedge_unless_after(d: dict) -> dict[str, frozenset[str]]:
    table = d.get("hedge_unless_after", {})
    unknown = set(table) - set(d["hedges"])
    if unknown:
        raise ValueError(f"delivery.toml: hedge_unless_after names {sorted(unknown)}, "
                         "which are not hedges")
    return {phrase: _words(words, f"hedge_unless_after.{phrase!r}")
            for phrase, words in table.items()}


def _estimates(d: dict) -> frozenset[str]:
    estimates = _words(d.get("estimates", []), "estimates")
    unknown = estimates - set(d["hedges"])
    if unknown:
        raise ValueError(f"delivery.toml: estimates {sorted(unknown)} are not hedges")
    return estimates


@cache
def delivery_rules() -> DeliveryRules:
    d = load_toml("delivery.toml")
    return DeliveryRules(
        float(d["wpm_min"]), float(d["wpm_max"]), float(d["long_pause_s"]),
        tuple(d["hedges"]), _estimates(d), _words(d["before_estimate"], "before_estimate"),
        _hedge_unless_after(d),
        float(d["fillers_per_minute_max"]), filler_rules())


@cache
def _estimate_numbers() -> frozenset[str]:
    """The words that make a "maybe" before them an estimate: numbers, not "one" nor those
    that are numbers only in some uses ("a third party"), and "few"."""
    return (number_words() - number_words(ambiguous=True) - {"one"}) | {"few"}


def _is_estimate(words: list[Word], bare: list[str], i: int, between: frozenset[str]
                 ) -> bool:
    """Whether the hedge word at ``i`` gives a number ("a queue of maybe 40", "maybe a few
    minutes"), not a doubt: one of ``_estimate_numbers`` or digits at most two words on, in
    the same sentence, with only words of ``between`` before it."""
    numbers = _estimate_numbers()
    k = i
    for _ in range(3):
        if words[k].text.rstrip()[-1:] in ".,;:?!":  # "Maybe. Two customers complained."
            return False
        k += 1
        if k >= len(words):
            return False
        head = words[k].text.lower().split("-")[0].strip("\"'(")  # "forty-five"
        if head[:1].isdigit() or bare_word(head) in numbers:
            return True
        if bare[k] not in between:
            return False
    return False


def _hedges(words: list[Word], rules: DeliveryRules) -> list[Mark]:
    bare = [bare_word(w.text) for w in words]
    marks = []
    for phrase in rules.hedges:
        parts = phrase.split()
        n = len(parts)
        for i in range(len(bare) - n + 1):
            if bare[i:i + n] != parts:
                continue
            last = words[i + n - 1].text.rstrip()
            if i + n < len(bare) and last[-1:] not in ".,;:?!" and \
                    bare[i + n] in rules.hedge_unless_after.get(phrase, ()) and \
                    not _is_estimate(words, bare, i + n - 1, rules.before_estimate):
                continue  # "I think about it"; not "I think, about..." nor "I think about 60"
            if phrase in rules.estimates and \
                    _is_estimate(words, bare, i + n - 1, rules.before_estimate):
                continue
            marks.append(Mark(phrase, words[i].start, words[i + n - 1].end))
    return sorted(marks, key=lambda m: m.start)


def measure(words: list[Word], rules: DeliveryRules | None = None,
            breaks: frozenset[int] = frozenset()) -> Delivery:
    """Delivery figures for a run of words (a whole answer or one part). ``breaks``: the
    indices of the words that open a new stretch, not said right after the word before
    them (a part told in several places): the time between stretches is neither speaking
    time nor a pause."""
    rules = rules or delivery_rules()
    if not words:
        return Delivery(0.0, 0, 0.0, (), 0.0, (), (), 0, 0)
    fillers = find_fillers(words, rules.fillers)
    in_filler = {k for a, b in fillers for k in range(a, b + 1)}
    starts = [0, *sorted(k for k in breaks if 0 < k < len(words))]
    ends = [k - 1 for k in starts[1:]] + [len(words) - 1]
    # A stretch lasts at least as long as its words at a fast pace: a part told as one-word
    # sentences, or words the recogniser gave no length, is not read as 600 wpm or more.
    duration = max(sum(max(words[b].end - words[a].start, (b - a + 1) * MIN_WORD_S)
                       for a, b in zip(starts, ends, strict=True)), 1e-6)
    content = len(words) - len(in_filler)
    pauses = tuple(Mark(f"{b.start - a.end:.1f} s", a.end, b.start)
                   for k, (a, b) in enumerate(zip(words, words[1:], strict=False))
                   if k + 1 not in breaks and b.start - a.end > rules.long_pause_s)
    bare = [bare_word(w.text) for w in words]
    person = person_words()
    return Delivery(
        duration_s=round(duration, 2), words=content,
        wpm=round(content / duration * 60, 1),
        fillers=tuple(Mark(" ".join(w.text.strip(",.") for w in words[a:b + 1]).lower(),
                           words[a].start, words[b].end) for a, b in fillers),
        fillers_per_minute=round(len(fillers) / duration * 60, 2),
        long_pauses=pauses, hedges=tuple(_hedges(words, rules)),
        i_count=sum(1 for t in bare if t in person.singular),
        we_count=sum(1 for t in bare if t in person.plural))


def delivery_report(words: list[Word], sentences: list[Sentence]) -> DeliveryReport:
    rules = delivery_rules()
    parts: dict[str, Delivery] = {}
    for part in PARTS:
        idx = [i for s in sentences if s.part == part
               for i in range(s.first_word, s.last_word + 1)]
        if idx:
            breaks = frozenset(k for k in range(1, len(idx)) if idx[k] != idx[k - 1] + 1)
            parts[part.value] = measure([words[i] for i in idx], rules, breaks)
    return DeliveryReport(measure(words, rules), parts, (rules.wpm_min, rules.wpm_max))
