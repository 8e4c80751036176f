"""Where a run-on is cut into clauses: a model learned from the labelled answers.

People talking, and people typing in a hurry, join whole steps without a full stop ("i
had to figure out what went wrong ran 10 customer calls looked at the funnel"). Each part
of STAR is given to a whole sentence, so a sentence that runs from the Task through the
Action into the Result is bound to be partly wrong. A linear-chain CRF (python-crfsuite)
over the words of such a run-on gives each word the probability that a new clause starts
at it; it is learned from the labelled answers' lines, each a sentence or clause as its
writer cut it (``coach.eval.segmenter.train_clauses``, run by ``scripts/train_segmenter.py``).
``segment.split_sentences`` cuts where that probability reaches ``cut_probability``
(``prompts/segmenter.toml``), besides its rules. This module holds what the model sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from coach.words import bare_word

Features = dict[str, float]

MODEL_FILE = "clause_cuts.crfsuite"
NEW, SAME = "B", "I"
"""A word's label: a new clause starts at it, or it goes on the one before."""


# Small closed classes of words: what a word is, not which word, lets the model carry a
# cut it learned at "...christenings | had a card corrupt" to "...the van | rang my depot".
_CLASSES = {
    "pron": "i we he she they you it i'm i've i'd we'd we've they'd it's that's there's",
    "poss": "my our his her their your its",
    "det": "the a an this that these those some any every each no",
    "conj": "and but or so then because as if when while since until though",
    "prep": "to of in on at for with from by about into after before over up out off",
    "aux": "is are be been being have has do does can will would could should might must",
}
_CLASS = {word: name for name, words in _CLASSES.items() for word in words.split()}


def is_past(word: str, irregular: frozenset[str] = frozenset(), min_letters: int = 0) -> bool:
    """Whether a bare word reads as a verb in the past tense: one of the ``irregular`` forms
    ("wrote", "rang"), or ending in "-ed" when it has at least ``min_letters`` letters (a
    caller that must not take "red" for one asks for 4 letters, "need" too, 5)."""
    return word in irregular or (word.endswith("ed") and len(word) >= min_letters)


def word_class(word: str, past: frozenset[str] = frozenset()) -> str:
    """A bare word's class: one of _CLASSES, "past" (a verb in the past tense), "ing",
    "num" or "word"."""
    if word in _CLASS:
        return _CLASS[word]
    if is_past(word, past):
        return "past"
    if word.endswith("ing"):
        return "ing"
    if word[:1].isdigit():
        return "num"
    return "word"


def word_features(raw: Sequence[str], past_verbs: Iterable[str] = ()) -> list[Features]:
    """Per word of one sentence (as written or heard, with its punctuation): the word and
    its neighbours, the pairs around it, the punctuation before it, a capital, whether it
    or the next word is a verb in the past tense ("...the funnel | wrote up a plan"), the
    classes of the words around it, and how much punctuation the sentence has (a typed
    note with none is cut by its words alone)."""
    bare = [bare_word(t) for t in raw]
    past = frozenset(past_verbs)

    def w(k: int) -> str:
        return bare[k] if 0 <= k < len(bare) else ("<s>" if k < 0 else "</s>")

    def c(k: int) -> str:
        return word_class(bare[k], past) if 0 <= k < len(bare) else "edge"

    marks = sum(1 for t in raw if t[-1:] in ",;:-)") / max(len(raw), 1)
    density = "none" if marks == 0 else ("few" if marks < 0.08 else "many")
    out = []
    for j, tok in enumerate(raw):
        f: Features = {"bias": 1.0, f"w0={w(j)}": 1.0, f"w-1={w(j - 1)}": 1.0,
                       f"w1={w(j + 1)}": 1.0, f"w2={w(j + 2)}": 1.0,
                       f"b-1={w(j - 1)}_{w(j)}": 1.0, f"b0={w(j)}_{w(j + 1)}": 1.0,
                       f"t={w(j - 1)}_{w(j)}_{w(j + 1)}": 1.0, f"pos={min(j, 6)}": 1.0}
        before = raw[j - 1] if j else ""
        if before.endswith(","):
            f["after_comma"] = 1.0
        elif before[-1:] in ("-", ":", ";", ")"):
            f[f"after={before[-1]}"] = 1.0
        if tok[:1].isupper():
            f["capital"] = 1.0
        if is_past(w(j), past):
            f["past"] = 1.0
        if is_past(w(j + 1), past):
            f["next_past"] = 1.0
        f[f"c={c(j - 1)}_{c(j)}"] = 1.0
        f[f"c3={c(j - 1)}_{c(j)}_{c(j + 1)}"] = 1.0
        f[f"d={density}_{c(j - 1)}_{c(j)}"] = 1.0
        out.append(f)
    return out
