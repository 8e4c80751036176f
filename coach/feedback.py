"""Feedback in words: a short spoken summary and the full written report."""

from __future__ import annotations

from coach.report import Report, Timing


def _seconds(s: float) -> str:
    s = round(s)
    if s < 60:
        return f"{s} second{'s' if s != 1 else ''}"
    m, r = divmod(s, 60)
    return f"{m} minute{'s' if m != 1 else ''}" + (f" {r} seconds" if r else "")


def timing_verdict(t: Timing) -> str:
    """One or two sentences on the two timing rules, with their numbers."""
    st = round(t.situation_task_s)
    budget = round(t.situation_task_budget_s)
    over = round(t.situation_task_over_s)
    if over > 0:
        first = f"Situation and Task took {st} seconds, {over} over the {budget} second budget."
    else:
        first = f"Situation and Task took {st} seconds, within the {budget} second budget."
    share = round(t.action_share * 100)
    target = round(t.action_share_target * 100)
    if share >= target:
        second = f"Action was {share} percent of the answer; the target is {target}. Good."
    else:
        second = f"Action was {share} percent of the answer; the target is {target}."
    return f"{first} {second}"


def make_feedback(report: Report):
    from coach.report import Feedback

    t = report.timing
    if t is None:
        return Feedback(spoken="I did not hear an answer to analyse.",
                        written="No answer to analyse: the transcript is empty.")
    spoken = [f"Your answer took {_seconds(t.total_s)}.", timing_verdict(t)]
    written = [f"Answer length: {t.total_s:.1f} s"
               + (" (estimated from word count)" if t.estimated else ""),
               timing_verdict(t)]
    for span in report.parts:
        written.append(f"  {span.part:<9} {span.start:7.1f}-{span.end:7.1f} s "
                       f"({span.duration_s:.1f} s)")
    return Feedback(spoken=" ".join(spoken), written="\n".join(written))
