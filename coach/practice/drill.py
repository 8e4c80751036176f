"""Timing drills: the 50-second opening, and the 70% Action."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from statistics import mean
from typing import Protocol

from coach.analysis.feedback import action_share_said
from coach.analysis.report import Part, Report
from coach.analysis.segment import seconds_by_part
from coach.audio.devices import Microphone
from coach.practice.kinds import DrillKind
from coach.practice.run import UI, Mouth, PracticeRun, PracticeSettings
from coach.prompts import Question, timing_rules
from coach.sessions.files import SessionKind
from coach.sessions.store import SessionStore
from coach.speech.transcript import Transcriber


@dataclass(frozen=True)
class DrillResult:
    round: int
    session_id: str
    question_id: str
    kind: DrillKind
    situation_task_s: float
    budget_s: float
    action_share: float | None
    action_share_target: float
    action_start_s: float | None
    cut: tuple[str, ...]
    """Opening sentences that would be the first to cut, longest first."""

    @property
    def over_s(self) -> int:
        """Whole seconds over the budget, as shown and said (negative when under): the
        same rule as ``Timing.over_budget``."""
        return round(self.situation_task_s) - round(self.budget_s)

    def spoken(self) -> str:
        st, budget = round(self.situation_task_s), round(self.budget_s)
        over = self.over_s
        line = (f"Situation and Task took {st} seconds, {over} over the {budget} second budget."
                if over > 0 else
                f"Situation and Task took {st} seconds, {-over} under the {budget} second "
                "budget." if over < 0 else
                f"Situation and Task took {st} seconds, right on the {budget} second budget.")
        if self.kind == DrillKind.action and self.action_share is not None:
            line += " " + action_share_said(self.action_share, self.action_share_target)
        return line


def cut_suggestions(report: Report) -> tuple[str, ...]:
    """The longest Situation and Task sentences, as many as it takes to get the opening
    within budget and the Action to its target share (at most three)."""
    t = report.timing
    if t is None:
        return ()
    # Each sentence's seconds as the timing counts them (shared among the parts by the
    # segmenter's probabilities), so cutting one takes out what it added to each figure.
    seconds = seconds_by_part(report.sentences)
    opening = sorted((k for k, s in enumerate(report.sentences)
                      if s.part in ("situation", "task")),
                     key=lambda k: sum(seconds[k].values()), reverse=True)
    st, total, action = t.situation_task_s, t.total_s, t.action_s
    picked: list[str] = []
    for k in opening:
        share = action / total if total else 0.0
        if (not t.over_budget(st) and t.meets_share(share)) \
                or len(picked) == 3:
            break
        picked.append(report.sentences[k].text)
        st -= seconds[k][Part.situation] + seconds[k][Part.task]
        action -= seconds[k][Part.action]
        total -= sum(seconds[k].values())
    return tuple(picked)


def result_of(report: Report, kind: DrillKind, round_no: int, session_id: str) -> DrillResult:
    rules = timing_rules()
    t = report.timing
    if report.question is None:
        raise ValueError("a drill report always names its question")
    if kind == DrillKind.opening:
        # The whole answer is the opening: its length is the Situation+Task time.
        st = t.total_s if t else 0.0
        return DrillResult(round_no, session_id, report.question.id, kind, st,
                           rules.situation_task_budget_s, None, rules.action_share_target,
                           None, ())
    return DrillResult(round_no, session_id, report.question.id, kind,
                       t.situation_task_s if t else 0.0, rules.situation_task_budget_s,
                       t.action_share if t else 0.0, rules.action_share_target,
                       t.action_start_s if t else None, cut_suggestions(report))


@dataclass(frozen=True)
class DrillSummary:
    best: float
    average: float
    trend: float
    """Change per round (least-squares slope); negative is better for the opening."""
    metric: str


def summarize(results: list[DrillResult]) -> DrillSummary:
    if results[0].kind == DrillKind.opening:
        values, best = [r.situation_task_s for r in results], min
        metric = "Situation+Task seconds"
    else:
        values, best = [r.action_share or 0.0 for r in results], max
        metric = "action share"
    n = len(values)
    xs = range(n)
    mx, my = (n - 1) / 2, mean(values)
    denom = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (v - my) for x, v in zip(xs, values, strict=True)) / denom \
        if denom else 0.0
    return DrillSummary(best(values), my, slope, metric)


class DrillUI(UI, Protocol):
    """The practice UI, and the line that reports a drill round."""

    def drill_result(self, result: DrillResult) -> None: ...


class DrillRun(PracticeRun):
    """Rounds of a drill; each round is stored as a session of kind ``drill``."""

    ui: DrillUI

    def __init__(self, store: SessionStore, transcriber: Transcriber, mouth: Mouth,
                 ui: DrillUI, stop: threading.Event | None = None):
        super().__init__(store, transcriber, mouth, ui, stop)

    def round(self, kind: DrillKind, question: Question, mic: Microphone,
              settings: PracticeSettings, round_no: int) -> DrillResult | None:
        prompt = question.text
        if kind == DrillKind.opening:
            prompt += " Give only the Situation and Task, in under 50 seconds."
        self.store.ensure_writable()  # before the question: nobody answers for nothing
        self.ui.question(Question(question.id, prompt))
        self.mouth.say(prompt)
        captured = self.capture(question, mic, settings, SessionKind.drill, kind, round_no)
        if captured is None:
            return None
        session, _meta, report, _ = captured
        result = result_of(report, kind, round_no, session.id)
        self.ui.drill_result(result)
        self.mouth.say(result.spoken())
        return result
