"""Filler words ("um", "uh", "you know"): which words of a transcript are hesitations.

The recogniser uses this to keep the fillers Whisper cleans away; delivery counts them.
The word lists are data in ``prompts/delivery.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from coach.prompts import load_toml
from coach.words import Word, bare_word


@dataclass(frozen=True)
class FillerRules:
    prompt: str
    """A prompt that shows Whisper the fillers belong in the transcript."""
    hesitations: frozenset[str]
    """Sounds that are always fillers ("um")."""
    lexical: dict[str, tuple[frozenset[str], frozenset[str]]]
    """Phrases that are fillers except before/after these words ("like", "you know")."""


@cache
def filler_rules() -> FillerRules:
    d = load_toml("delivery.toml")
    return FillerRules(
        d["transcription_prompt"], frozenset(d["hesitations"]),
        {k: (frozenset(v["unless_before"]), frozenset(v["unless_after"]))
         for k, v in d["lexical"].items()})


def find_fillers(words: list[Word], rules: FillerRules | None = None) -> list[tuple[int, int]]:
    """(first, last) word indices of filler words and phrases, in order."""
    rules = rules or filler_rules()
    bare = [bare_word(w.text) for w in words]
    out, i = [], 0
    while i < len(words):
        if bare[i] in rules.hesitations:
            out.append((i, i))
            i += 1
            continue
        matched = False
        for phrase, (unless_before, unless_after) in rules.lexical.items():
            parts = phrase.split()
            n = len(parts)
            if bare[i:i + n] != parts:
                continue
            before = bare[i - 1] if i else ""
            after = bare[i + n] if i + n < len(bare) else ""
            # A comma around it ("we were, like, losing") marks a filler whatever the words.
            comma = (i and words[i - 1].text.endswith(",")) or words[i + n - 1].text.endswith(",")
            if comma or (before not in unless_before and after not in unless_after):
                out.append((i, i + n - 1))
                i += n
                matched = True
            break
        if not matched:
            i += 1
    return out
