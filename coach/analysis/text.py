"""Answers given as text: words with times estimated from a nominal speaking rate."""

from __future__ import annotations

import re

from coach.words import Word

LINE_PAUSE_S = 0.7
"""A line that ends without punctuation ends like a sentence said aloud: with a pause (long
enough for the segmenter's sentence split). Headings such as "Task" on a line of their own
then open the text that follows them."""

_END = re.compile(r"[.?!…:;]+[\"')\]]*$")


def words_from_text(text: str, wpm: float = 150.0) -> list[Word]:
    """Split ``text`` on white space; each word takes 60/wpm seconds, back to back."""
    step = 60.0 / wpm
    words: list[Word] = []
    t = 0.0
    for line in text.splitlines():
        tokens = line.split()
        for tok in tokens:
            words.append(Word(tok, round(t, 3), round(t + 0.95 * step, 3), 1.0))
            t += step
        if tokens and not _END.search(tokens[-1]):
            t += LINE_PAUSE_S
    return words
