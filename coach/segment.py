"""STAR segmentation: words -> sentences -> a part per sentence -> part spans and timing.

Method: sentences are cut at end punctuation, at pauses between words, and inside long
run-ons at clause cues. Each sentence gets a score per part from weighted cue patterns
(``prompts/segmenter.toml``) plus a prior on its position in the answer; a Viterbi pass
then picks the best sequence, preferring the natural S -> T -> A -> R order but allowing
skips and (at a cost) going back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from coach.prompts import TimingRules, load_toml
from coach.report import PARTS, PartSpan, Sentence, Timing
from coach.transcribe import Word, bare_word, join_words

_END = re.compile(r"[.?!…]+[\"')\]]*$")


@dataclass(frozen=True)
class SegmenterModel:
    pause_s: float
    capital_pause_s: float
    opener_pause_s: float
    openers: frozenset[str]
    long_sentence_words: int
    min_words: int
    clause_cues: tuple[tuple[str, ...], ...]
    subjects: frozenset[str]
    not_before_subject: frozenset[str]
    past_verbs: frozenset[str]
    fillers: re.Pattern
    cues: dict[str, tuple[tuple[re.Pattern, float], ...]]
    prior: dict[str, tuple[float, float]]
    bias: dict[str, float]
    stay: float
    forward_next: float
    forward_skip: float
    backward: float
    opening_back: float
    start: dict[str, float]


@cache
def load_model() -> SegmenterModel:
    d = load_toml("segmenter.toml")
    fillers = sorted(d["fillers"]["words"], key=len, reverse=True)
    filler_re = re.compile(r"(?<![\w'])(" + "|".join(re.escape(f) for f in fillers) + r")(?![\w'])")
    t = d["transition"]
    return SegmenterModel(
        pause_s=d["split"]["pause_s"],
        capital_pause_s=d["split"]["capital_pause_s"],
        opener_pause_s=d["split"]["opener_pause_s"],
        openers=frozenset(d["split"]["openers"]),
        long_sentence_words=d["split"]["long_sentence_words"],
        min_words=d["split"]["min_words"],
        clause_cues=tuple(tuple(c.split()) for c in d["split"]["clause_cues"]),
        subjects=frozenset(d["split"]["subjects"]),
        not_before_subject=frozenset(d["split"]["not_before_subject"]),
        past_verbs=frozenset(d["split"]["past_verbs"]),
        fillers=filler_re,
        cues={p: tuple((re.compile(k), float(v)) for k, v in d["cues"][p].items())
              for p in PARTS},
        prior={p: (d["prior"][p]["centre"], d["prior"][p]["weight"]) for p in PARTS},
        bias={p: float(d["bias"][p]) for p in PARTS},
        stay=t["stay"], forward_next=t["forward_next"], forward_skip=t["forward_skip"],
        backward=t["backward"], opening_back=t["opening_back"], start=t["start"],
    )


def normalize(text: str, model: SegmenterModel | None = None) -> str:
    """Lower-case, fillers and stray punctuation removed: what the cue patterns see."""
    model = model or load_model()
    text = text.lower().replace("’", "'")
    text = model.fillers.sub(" ", text)
    text = re.sub(r"[^\w'%$.:\- ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(words: list[Word], model: SegmenterModel | None = None
                    ) -> list[tuple[int, int]]:
    """Word index ranges (first, last) of the sentences in ``words``."""
    model = model or load_model()
    spans: list[tuple[int, int]] = []
    start = 0
    for i, w in enumerate(words):
        last = i == len(words) - 1
        gap = words[i + 1].start - w.end if not last else 0.0
        long_enough = i - start + 1 >= model.min_words
        # Whisper sometimes drops the full stop but keeps the capital of the next sentence.
        nxt = bare_word(words[i + 1].text) if not last else ""
        capital = (not last and gap >= model.capital_pause_s and words[i + 1].text[:1].isupper()
                   and nxt not in ("i", "i'm", "i've", "i'd", "i'll"))
        # After a pause, "I", "we", "so", "then" usually open a new sentence.
        opener = not last and gap >= model.opener_pause_s and nxt in model.openers
        if last or _END.search(w.text) or (long_enough and (gap >= model.pause_s or capital
                                                            or opener)):
            spans.append((start, i))
            start = i + 1
    out: list[tuple[int, int]] = []
    for first, last in spans:
        out.extend(_cut_run_on(words, first, last, model))
    return out


def _cut_run_on(words: list[Word], first: int, last: int, model: SegmenterModel
                ) -> list[tuple[int, int]]:
    if last - first + 1 <= model.long_sentence_words:
        return [(first, last)]
    bare = [bare_word(w.text) for w in words[first : last + 1]]
    cuts = [first]
    for j in range(model.min_words, len(bare) - model.min_words):
        if first + j - cuts[-1] < model.min_words:
            continue
        if any(tuple(bare[j : j + len(c)]) == c for c in model.clause_cues) or (
                _opens_clause(bare, j, model)):
            cuts.append(first + j)
    bounds = cuts + [last + 1]
    return [(bounds[k], bounds[k + 1] - 1) for k in range(len(cuts))]


def _opens_clause(bare: list[str], j: int, model: SegmenterModel) -> bool:
    """ "I"/"we" followed by a past-tense verb, after a word that does not introduce them
    ("...where I could I pulled the patch"; not "every booking I make")."""
    if bare[j] not in model.subjects or bare[j - 1] in model.not_before_subject:
        return False
    verb = bare[j + 1] if j + 1 < len(bare) else ""
    return verb.endswith("ed") or verb in model.past_verbs


def part_scores(text: str, position: float, model: SegmenterModel | None = None,
                opening: bool = False) -> dict[str, float]:
    """Score of each part for one sentence at relative ``position`` (0..1) in the answer.

    ``opening`` marks the first sentence, where a headline result is a known style: the
    result's position prior is left out there (the start scores weigh it instead).
    """
    model = model or load_model()
    norm = normalize(text, model)
    scores = {}
    for part in PARTS:
        cue = sum(w for pattern, w in model.cues[part] if pattern.search(norm))
        centre, weight = model.prior[part]
        prior = 0.0 if opening and part == "result" else weight * (position - centre) ** 2
        scores[part] = model.bias[part] + cue - prior
    return scores


def _transition(a: int, b: int, model: SegmenterModel, first: bool = False) -> float:
    """Log-score of part ``a`` followed by part ``b``; ``first``: ``a`` opens the answer."""
    if first and PARTS[a] == "result" and b < a:
        return model.opening_back
    if b == a:
        return model.stay
    if b == a + 1:
        return model.forward_next
    if b > a:
        return model.forward_skip
    return model.backward


def label_sentences(texts: list[str], positions: list[float],
                    model: SegmenterModel | None = None) -> list[str]:
    """The most likely part for each sentence (Viterbi over the four parts)."""
    model = model or load_model()
    if not texts:
        return []
    emissions = [part_scores(t, p, model, opening=i == 0)
                 for i, (t, p) in enumerate(zip(texts, positions, strict=True))]
    n = len(PARTS)
    best = [model.start[PARTS[k]] + emissions[0][PARTS[k]] for k in range(n)]
    back: list[list[int]] = []
    for i, e in enumerate(emissions[1:]):
        row, new = [], []
        for b in range(n):
            scores = [best[a] + _transition(a, b, model, first=i == 0) for a in range(n)]
            a = max(range(n), key=scores.__getitem__)
            row.append(a)
            new.append(scores[a] + e[PARTS[b]])
        back.append(row)
        best = new
    k = max(range(n), key=lambda k: best[k])
    path = [k]
    for row in reversed(back):
        k = row[k]
        path.append(k)
    return [PARTS[k] for k in reversed(path)]


def segment(words: list[Word], model: SegmenterModel | None = None) -> list[Sentence]:
    """Sentences of ``words`` with their STAR part."""
    model = model or load_model()
    if not words:
        return []
    spans = split_sentences(words, model)
    t0, t1 = words[0].start, words[-1].end
    total = max(t1 - t0, 1e-6)
    texts = [join_words(words[a : b + 1]) for a, b in spans]
    positions = [((words[a].start + words[b].end) / 2 - t0) / total for a, b in spans]
    parts = label_sentences(texts, positions, model)
    return [Sentence(text, words[a].start, words[b].end, part, a, b)
            for text, (a, b), part in zip(texts, spans, parts, strict=True)]


def part_spans(sentences: list[Sentence]) -> list[PartSpan]:
    """Contiguous runs of one part. Boundaries sit halfway through the pause between runs,
    which absorbs Whisper's habit of starting a word early after a pause."""
    spans: list[PartSpan] = []
    for i, s in enumerate(sentences):
        if spans and spans[-1].part == s.part:
            continue
        start = s.start
        if spans:
            prev_end = sentences[i - 1].end
            start = round((prev_end + max(s.start, prev_end)) / 2, 3)
            spans[-1] = PartSpan(spans[-1].part, spans[-1].start, start)
        spans.append(PartSpan(s.part, start, s.end))
    if spans:
        spans[-1] = PartSpan(spans[-1].part, spans[-1].start, sentences[-1].end)
    return spans


def compute_timing(spans: list[PartSpan], rules: TimingRules, estimated: bool) -> Timing:
    """The report's timing block. ``action_start_s`` counts from the answer's first word."""
    dur = {p: 0.0 for p in PARTS}
    for s in spans:
        dur[s.part] += s.end - s.start
    total = spans[-1].end - spans[0].start if spans else 0.0
    st = dur["situation"] + dur["task"]
    action_start = next((s.start - spans[0].start for s in spans if s.part == "action"), None)
    return Timing(
        total_s=round(total, 2),
        situation_s=round(dur["situation"], 2),
        task_s=round(dur["task"], 2),
        action_s=round(dur["action"], 2),
        result_s=round(dur["result"], 2),
        situation_task_s=round(st, 2),
        situation_task_budget_s=rules.situation_task_budget_s,
        situation_task_over_s=round(st - rules.situation_task_budget_s, 2),
        action_share=round(dur["action"] / total, 3) if total > 0 else 0.0,
        action_share_target=rules.action_share_target,
        action_start_s=round(action_start, 2) if action_start is not None else None,
        estimated=estimated,
    )
