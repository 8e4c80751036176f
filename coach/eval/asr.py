"""Scoring recognition on answers said at known times: word error rate with numbers
normalized, fillers found, and how far the report's part timing is from the truth.

Pure: the caller synthesizes, mixes and transcribes (``scripts/eval_asr.py``, with the
answers of ``tests/star_fixtures.py``), and passes in the words heard and what was said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from coach.analysis.analyze import build_report
from coach.analysis.report import Source, SourceKind, Timing
from coach.eval.fillers import FillerScore, score, without_fillers
from coach.speech.fillers import filler_rules
from coach.words import Word, straight_apostrophes

PARTS = ("situation", "task", "action", "result")

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_ORDINALS = {"first": "one", "second": "two", "third": "three", "fifth": "five",
             "eighth": "eight", "ninth": "nine", "twelfth": "twelve"}
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _ordinal_base(word: str) -> str | None:
    """The cardinal of an ordinal number word ("tenth" -> "ten", "twentieth" -> "twenty"),
    None for any other word."""
    if word in _ORDINALS:
        return _ORDINALS[word]
    if word.endswith("ieth") and word[:-4] + "y" in _TENS:
        return word[:-4] + "y"
    if word.endswith("th") and word[:-2] in _UNITS and _UNITS[word[:-2]] >= 4:
        return word[:-2]
    return None


def _suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 19 else _SUFFIX.get(n % 10, "th")


def _value(word: str) -> int | None:
    return _UNITS.get(word, _TENS.get(word, _SCALES.get(word)))


def _take(total: int, current: int, word: str) -> tuple[int, int] | None:
    """(total, current) with number ``word`` taken into the number being read (``total``
    the thousands and up, ``current`` the rest), or None when it starts a new number."""
    v = _value(word)
    if v is None or v == 0:
        return None
    low = current % 100
    if word == "hundred":
        return (total, current * 100) if 0 < current < 100 else None
    if word in _SCALES:
        if current == 0 or (total and total < v * 1000):
            return None
        return total + current * v, 0
    if v >= 10:  # ten to nineteen, and the tens
        return (total, current + v) if low == 0 else None
    return (total, current + v) if low % 10 == 0 and not 10 <= low <= 19 else None


def numbers_to_digits(tokens: Sequence[str]) -> list[str]:
    """Number words as digits, the way Whisper writes most numbers: "two thousand" ->
    "2000", "forty five" -> "45", "three hundred and six" -> "306", "a hundred" -> "100",
    "twenty first" -> "21st". Numbers said one after the other stay apart ("nine one one"
    -> "9 1 1"); words that are not numbers are left alone."""
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok == "zero":
            out.append("0")
            i += 1
            continue
        if tok == "a" and i + 1 < n and tokens[i + 1] in _SCALES:
            total, current, i = 0, 1, i + 1
        elif (_value(tok) is not None and tok not in _SCALES) or _ordinal_base(tok):
            total, current = 0, 0
        else:
            out.append(tok)
            i += 1
            continue
        suffix = ""
        while i < n:
            tok = tokens[i]
            if tok == "and" and current % 100 == 0 and (total or current) and i + 1 < n \
                    and tokens[i + 1] not in _SCALES and _take(total, current, tokens[i + 1]):
                i += 1  # "two hundred and six"
                continue
            base = _ordinal_base(tok)
            taken = _take(total, current, base or tok)
            if taken is None:
                break
            total, current = taken
            i += 1
            if base:
                suffix = _suffix(total + current)
                break
        out.append(f"{total + current}{suffix}")
    return out


def normalize(text: str) -> str:
    """Lower case, punctuation gone (apostrophes kept), hyphens as spaces, numbers as
    digits ("2,000", "2 000" and "two thousand" -> "2000", "10%" -> "10 percent", "1st"
    kept)."""
    t = straight_apostrophes(text.lower())
    # "2,000", "2 000", and "2 ,000" (Whisper's words "2" ",000" joined with a space)
    t = re.sub(r"\b(\d{1,3})(?: ?,| )(?=\d{3}\b)", r"\1", t)
    t = t.replace("%", " percent ")
    t = re.sub(r"(?<=\d)\.(?=\d)", "<point>", t)
    t = re.sub(r"[^a-z0-9'<> ]+", " ", t.replace("-", " ")).replace("<point>", ".")
    tokens = [w.strip("'") for w in t.split()]
    return " ".join(numbers_to_digits([w for w in tokens if w]))


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Substitutions, deletions and insertions turning ``reference`` into ``hypothesis``."""
    previous = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, start=1):
        current = [i]
        for j, h in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def word_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Word errors over all answers divided by the words of all references (both
    ``normalize``d); 0 when nothing was said and nothing heard."""
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references for {len(hypotheses)} hypotheses")
    errors = words = 0
    for ref, hyp in zip(references, hypotheses, strict=True):
        r, h = normalize(ref).split(), normalize(hyp).split()
        errors += edit_distance(r, h)
        words += len(r)
    if words == 0:
        return 0.0 if errors == 0 else float("inf")
    return errors / words


def part_seconds(spans: Sequence[tuple[str, float, float]]) -> dict[str, float]:
    """Seconds of each STAR part from the (part, start, end) spans of its voiced audio,
    with the boundary between two parts in the middle of the pause between them (as the
    report places it: ``TimedAnswer.truth`` in the tests does the same); 0 for a part
    not said."""
    out = dict.fromkeys(PARTS, 0.0)
    if not spans:
        return out
    bounds = [spans[0][1]]
    bounds += [(end + start) / 2 for (_, _, end), (_, start, _) in zip(spans, spans[1:],
                                                                      strict=False)]
    bounds.append(spans[-1][2])
    for k, (part, _, _) in enumerate(spans):
        out[part] = out.get(part, 0.0) + bounds[k + 1] - bounds[k]
    return out


def timing_errors(spans: Sequence[tuple[str, float, float]], timing: Timing | None
                  ) -> tuple[float, float]:
    """(mean absolute error of the four parts' seconds, absolute error of Situation+Task
    seconds) of the report's ``timing`` against the true ``spans``; no timing (nothing
    heard) counts as every part lasting 0 s."""
    truth = part_seconds(spans)
    heard = {p: float(getattr(timing, f"{p}_s")) if timing else 0.0 for p in PARTS}
    per_part = sum(abs(heard[p] - truth[p]) for p in PARTS) / len(PARTS)
    st = abs(heard["situation"] + heard["task"] - truth["situation"] - truth["task"])
    return per_part, st


def heard_timing(words: list[Word], duration_s: float) -> Timing | None:
    """The timing block of the report the app makes of ``words`` (no question)."""
    if not words:
        return None
    return build_report(words, Source(SourceKind.audio, None, duration_s), None,
                        estimated=False).timing


def with_fillers(parts: Sequence[tuple[str, Sequence[str]]], every: int = 4
                 ) -> list[tuple[str, list[str]]]:
    """The answer with hesitations at known places, marked "~" for
    ``tests/star_fixtures.build``: hesitations already in the text ("so um this was")
    become fillers said on their own; then, counting sentences through the answer, every
    ``every``-th one from the second starts with "um", and every ``every``-th from the
    fourth has an "uh" after its first comma (else after its middle word). A sentence
    with a filler of its own gets no other."""
    hesitations = filler_rules().hesitations
    out: list[tuple[str, list[str]]] = []
    k = 0
    for part, sentences in parts:
        said = []
        for sentence in sentences:
            words = sentence.split()
            if any(w.lower().strip(",.") in hesitations for w in words):
                words = ["~" + w.strip(",.") if w.lower().strip(",.") in hesitations else w
                         for w in words]
            elif k % every == 1:
                words = ["~um", *words]
            elif k % every == 3 and len(words) >= 4:
                cut = next((i + 1 for i, w in enumerate(words[:-1]) if w.endswith(",")),
                           len(words) // 2)
                words = [*words[:cut], "~uh", *words[cut:]]
            said.append(" ".join(words))
            k += 1
        out.append((part, said))
    return out


@dataclass
class Tally:
    """The scores of one voice in one condition, answer by answer."""

    references: list[str] = field(default_factory=list)
    hypotheses: list[str] = field(default_factory=list)
    fillers: FillerScore = field(default_factory=lambda: FillerScore(0, 0, 0))
    part_errors_s: list[float] = field(default_factory=list)
    st_errors_s: list[float] = field(default_factory=list)

    def add(self, words: list[Word], reference: str,
            filler_truth: Sequence[tuple[str, float]],
            spans: Sequence[tuple[str, float, float]], timing: Timing | None) -> None:
        """One answer: the ``words`` heard (none when nothing was), what was said
        (``reference``, fillers left out), the fillers said and when, the parts' true
        ``spans`` and the report's ``timing`` of the words."""
        self.references.append(reference)
        self.hypotheses.append(without_fillers(words))
        self.fillers = self.fillers + score(words, list(filler_truth))
        part, st = timing_errors(spans, timing)
        self.part_errors_s.append(part)
        self.st_errors_s.append(st)

    @property
    def wer(self) -> float:
        return word_error_rate(self.references, self.hypotheses)

    @property
    def part_mae_s(self) -> float:
        return sum(self.part_errors_s) / len(self.part_errors_s) if self.part_errors_s else 0.0

    @property
    def st_mae_s(self) -> float:
        return sum(self.st_errors_s) / len(self.st_errors_s) if self.st_errors_s else 0.0
