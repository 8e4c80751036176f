"""What the learned STAR model sees of each sentence: plain, named features.

Pure functions from sentence texts (and their order) to feature dicts, shared by the
segmenter and by ``scripts/train_segmenter.py``, so training and use can never drift apart.
Features: words and word pairs, the first words, grammatical person, tense and modal words,
numbers, the cue patterns of ``prompts/segmenter.toml`` (named by a hash of the pattern, so
reordering the file changes nothing), the sentence's position in the answer, and a few
features of the neighbouring sentences.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from coach.analysis.clauses import is_past
from coach.prompts import number_words, person_words

Features = dict[str, float]

_THIRD = frozenset({"he", "she", "they", "his", "her", "their", "them", "he's", "she's",
                    "they're"})
_MODAL = frozenset({"will", "would", "should", "'ll", "going", "could", "might", "must"})
_PRESENT = frozenset({"is", "are", "am", "now", "always", "every", "still", "today"})
_NEIGHBOUR_KEYS = ("f1=", "f2=", "cue:")
_NEIGHBOUR_VALUES = ("I", "we", "past", "modal", "present")


@dataclass(frozen=True)
class CuePattern:
    name: str
    """``<letter of the part it was written for><8 hex digits of the pattern's hash>``."""
    pattern: re.Pattern


def cue_patterns(cues: dict[str, list[str]]) -> tuple[CuePattern, ...]:
    """Compile ``{part: [regex, ...]}`` into named cue features."""
    return tuple(CuePattern(part[0] + hashlib.sha1(p.encode()).hexdigest()[:8], re.compile(p))
                 for part, patterns in cues.items() for p in patterns)


def word_features(toks: list[str], *tags: str) -> Features:
    """Each word and each pair of neighbouring words ("w=rolled", "b=rolled_back"), also
    once under every tag given ("A:w=rolled": the same word in an Action sentence)."""
    f: Features = {}
    names = [f"w={t}" for t in toks] + [f"b={a}_{b}" for a, b in zip(toks, toks[1:],
                                                                      strict=False)]
    for name in names:
        f[name] = 1.0
        for tag in tags:
            f[f"{tag}:{name}"] = 1.0
    return f


def sentence_features(norm: str, cues: tuple[CuePattern, ...],
                      past_verbs: frozenset[str]) -> Features:
    """Features of one sentence, given its normalized text (lower case, no fillers)."""
    toks = norm.replace(".", " ").replace(":", " ").split()
    f: Features = {"bias": 1.0, **word_features(toks)}
    for k in (1, 2, 3):
        if len(toks) >= k:
            f[f"f{k}=" + "_".join(toks[:k])] = 1.0
    if toks:
        f["last=" + toks[-1]] = 1.0
    f[f"len={min(len(toks) // 5, 6)}"] = 1.0
    person = person_words()
    f["I"] = min(sum(t in person.singular for t in toks), 3) / 3
    f["we"] = min(sum(t in person.plural for t in toks), 3) / 3
    f["they"] = min(sum(t in _THIRD for t in toks), 3) / 3
    past = sum(is_past(t, past_verbs) for t in toks)
    f["past"] = min(past, 4) / 4
    f["modal"] = float(any(t in _MODAL for t in toks))
    f["present"] = float(any(t in _PRESENT for t in toks))
    numbers = number_words()
    f["number"] = float(any(re.fullmatch(r"[\d$%.,€£]+\w*", t) or t in numbers for t in toks))
    for cue in cues:
        if cue.pattern.search(norm):
            f["cue:" + cue.name] = 1.0
    return f


def answer_features(sentences: list[Features]) -> list[Features]:
    """Add position in the answer and neighbours' main features to each sentence's own."""
    n = len(sentences)
    out = []
    for i, own in enumerate(sentences):
        f = dict(own)
        pos = i / max(n - 1, 1)
        f["pos"] = pos
        f["pos2"] = pos * pos
        f[f"quarter={min(int(pos * 4), 3)}"] = 1.0
        if i == 0:  # an opening headline ("long story short, we lost the account")
            f["first_sentence"] = 1.0
            f.update({"first:" + k: v for k, v in own.items()
                      if k.startswith(("cue:", "f1=", "f2="))})
        if i == n - 1:
            f["last_sentence"] = 1.0
        for offset, tag in ((-1, "prev:"), (1, "next:")):
            j = i + offset
            if not 0 <= j < n:
                f[tag + "none"] = 1.0
                continue
            for k, v in sentences[j].items():
                if k.startswith(_NEIGHBOUR_KEYS) or k in _NEIGHBOUR_VALUES:
                    f[tag + k] = v
        out.append(f)
    return out
