"""Answers given as text: words with times estimated from a nominal speaking rate."""

from __future__ import annotations

from coach.transcribe import Word


def words_from_text(text: str, wpm: float = 150.0) -> list[Word]:
    """Split ``text`` on white space; each word takes 60/wpm seconds, back to back."""
    step = 60.0 / wpm
    return [Word(tok, round(i * step, 3), round((i + 1) * step - 0.05 * step, 3), 1.0)
            for i, tok in enumerate(text.split())]
