"""Words with times: the plain type every stage shares, with no ties to the recogniser.

A leaf module: it imports nothing from coach, so anything may import it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """One recognised (or, for text answers, estimated) word."""

    text: str
    start: float
    """Seconds from the start of the recording."""
    end: float
    probability: float = 1.0
    """The recogniser's confidence in the word, 0..1 (1.0 for typed text)."""


def join_words(words: Iterable[Word]) -> str:
    """Words back into text: no space before tokens such as ",000", "'s", "%" or "."""
    out = ""
    for w in words:
        t = w.text
        glue = out == "" or t[:1] in ",.;:!?%'’)-"
        out += t if glue else " " + t
    return out


def counted(n: int, noun: str) -> str:
    """``n`` and its noun, with an "s" unless ``n`` is 1: "1 filler", "3 fillers",
    "0 long pauses"."""
    return f"{n} {noun if n == 1 else noun + 's'}"


def straight_apostrophes(text: str) -> str:
    """Curly apostrophes and single quotes made straight, as the word lists and patterns
    spell them ("didn’t" -> "didn't"); phones and word processors type the curly ones."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def bare_word(text: str) -> str:
    """A word as the word lists know it: lower case, punctuation gone ("I'm," -> "i'm")."""
    return re.sub(r"[^\w']", "", straight_apostrophes(text.lower()))
