"""Labelled answers "as heard": carrying a written answer's STAR parts onto the words the
recogniser heard when it was spoken.

``scripts/make_heard_data.py`` speaks and transcribes the answers; this module is the pure
part it shares with ``scripts/relabel_heard.py``, which carries corrected written labels to
the heard copies already made (so the two forms of an answer never disagree, which
``tests/test_heard_labels.py`` checks for every batch).

The source and the heard words are cut into bare tokens (lower case, letters and digits
only) and aligned with difflib; a heard word takes the part of the source token it is
matched to (in a replaced stretch, of the source token at the same relative place), and a
word with no counterpart (an insertion, or a bare "-") that of its matched neighbour: the
previous one, or the next one when there is none or the previous word ended a sentence.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import replace

from coach.analysis.labelled import LabelledAnswer
from coach.analysis.report import Part
from coach.words import straight_apostrophes

SENTENCE_END = (".", "?", "!")


def tokens(text: str) -> list[str]:
    """Bare tokens of one written word: "I'll," -> ["ill"], "thirty-odd" -> two."""
    return re.findall(r"[a-z0-9]+", straight_apostrophes(text.lower()).replace("'", ""))


def transfer_labels(source: list[str], gold: list[Part], heard: list[str]) -> list[Part]:
    """The gold part of each heard word, from the source words' parts (see above)."""
    src = [(t, i) for i, w in enumerate(source) for t in tokens(w)]
    hrd = [(t, j) for j, w in enumerate(heard) for t in tokens(w)]
    matcher = difflib.SequenceMatcher(None, [t for t, _ in src], [t for t, _ in hrd],
                                      autojunk=False)
    votes: list[Counter[Part]] = [Counter() for _ in heard]
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(j2 - j1):
                votes[hrd[j1 + k][1]][gold[src[i1 + k][1]]] += 1
        elif op == "replace":
            for k in range(j2 - j1):
                i = i1 + (2 * k + 1) * (i2 - i1) // (2 * (j2 - j1))
                votes[hrd[j1 + k][1]][gold[src[i][1]]] += 1
    labels: list[Part | None] = [v.most_common(1)[0][0] if v else None for v in votes]
    matched = [lab for lab in labels if lab is not None]
    if not matched:  # nothing aligned at all: the answer's first part for every word
        return [gold[0]] * len(heard)
    out: list[Part] = []
    for j, lab in enumerate(labels):
        if lab is not None:
            out.append(lab)
            continue
        prev = next((k for k in range(j - 1, -1, -1) if labels[k] is not None), None)
        nxt = next((k for k in range(j + 1, len(heard)) if labels[k] is not None), None)
        after_sentence = j > 0 and heard[j - 1].endswith(SENTENCE_END)
        near = prev if prev is not None and not (after_sentence and nxt is not None) else nxt
        out.append(matched[0] if near is None else labels[near] or matched[0])
    return out


def part_lines(words: list[str], labels: list[Part]) -> tuple[tuple[Part, str], ...]:
    """(part, text) lines: a new one where the part changes or a sentence has ended."""
    lines: list[tuple[Part, list[str]]] = []
    for w, lab in zip(words, labels, strict=True):
        if not lines or lines[-1][0] != lab or lines[-1][1][-1].endswith(SENTENCE_END):
            lines.append((lab, []))
        lines[-1][1].append(w)
    return tuple((lab, " ".join(ws)) for lab, ws in lines)


def carry_labels(written: LabelledAnswer, heard: LabelledAnswer) -> LabelledAnswer:
    """``heard`` with its lines cut and labelled anew from ``written``'s parts."""
    words = heard.text.split()
    labels = transfer_labels(written.text.split(), written.word_labels(), words)
    return replace(heard, lines=part_lines(words, labels))
