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


def word_features(raw: Sequence[str], past_verbs: Iterable[str] = ()) -> list[Features]:
    """Per word of one sentence (as written or heard, with its punctuation): the word and
    its neighbours, the pairs around it, the punctuation before it, a capital, and whether
    it or the next word is a verb in the past tense ("...the funnel | wrote up a plan")."""
    bare = [bare_word(t) for t in raw]
    past = frozenset(past_verbs)

    def w(k: int) -> str:
        return bare[k] if 0 <= k < len(bare) else ("<s>" if k < 0 else "</s>")

    def is_past(word: str) -> bool:
        return word.endswith("ed") or word in past

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
        if is_past(w(j)):
            f["past"] = 1.0
        if is_past(w(j + 1)):
            f["next_past"] = 1.0
        out.append(f)
    return out
