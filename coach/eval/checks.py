"""Measuring the rubric checks against hand labels (tests/data/checks/labelled.txt)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coach.analysis.analyze import analyze_text
from coach.eval.segmenter import LabelledAnswer

MEASURED = ("blames_others", "escalates_and_waits", "quantified_impact", "concrete_prevention",
            "individual_role_clear", "shows_recovery")
"""The checks whose agreement with people is measured (the hidden set's six)."""


@dataclass(frozen=True)
class Disagreement:
    answer_id: str
    check_id: str
    labelled: bool
    found: bool


@dataclass(frozen=True)
class CheckScores:
    answers: int
    agreed: dict[str, int]
    disagreements: tuple[Disagreement, ...]

    def agreement(self, check_id: str) -> float:
        return self.agreed[check_id] / self.answers if self.answers else 0.0


def load_labels(path: Path) -> dict[str, frozenset[str]]:
    """``{answer id: the measured checks that hold}`` from "id: check check ..." lines."""
    labels = {}
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        answer_id, sep, rest = line.partition(":")
        unknown = set(rest.split()) - set(MEASURED)
        if not sep or unknown:
            raise ValueError(f"{path}:{n}: cannot parse {line!r}")
        labels[answer_id.strip()] = frozenset(rest.split())
    return labels


def evaluate(answers: dict[str, LabelledAnswer], labels: dict[str, frozenset[str]]
             ) -> CheckScores:
    agreed = dict.fromkeys(MEASURED, 0)
    misses = []
    for answer_id, holds in labels.items():
        checks = analyze_text(answers[answer_id].text).checks
        for cid in MEASURED:
            if (cid in holds) == checks[cid].found:
                agreed[cid] += 1
            else:
                misses.append(Disagreement(answer_id, cid, cid in holds, checks[cid].found))
    return CheckScores(len(labels), agreed, tuple(misses))


def format_scores(scores: CheckScores) -> str:
    lines = [f"{scores.answers} hand-labelled answers", f"  {'check':24s} agreement"]
    lines += [f"  {cid:24s} {scores.agreement(cid):6.1%}" for cid in MEASURED]
    return "\n".join(lines)
