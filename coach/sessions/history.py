"""Looking back over stored sessions: summaries for history, and export."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from coach.analysis.report import CheckKind
from coach.sessions.files import DamagedSession, SessionKind
from coach.sessions.store import Session, SessionStore

log = logging.getLogger(__name__)

INCOMPLETE = "incomplete"
"""The summary status of a session whose run was killed while recording."""


@dataclass(frozen=True)
class SessionSummary:
    id: str
    created: str
    kind: SessionKind
    question_id: str | None
    question: str | None
    total_s: float | None
    situation_task_s: float | None
    action_share: float | None
    red_flags: int | None
    status: str
    """The session's status (a SessionStatus value), or ``incomplete`` for a killed run."""
    wpm: float | None = None


def summarize(session: Session) -> SessionSummary:
    """One row of history; raises DamagedSession when the folder is damaged."""
    meta = session.read_meta()
    report = session.read_report() if session.has_report else None
    timing = report.timing if report else None
    wpm, flags = None, None
    if report is not None:
        if report.delivery and timing and not timing.estimated:
            wpm = report.delivery.overall.wpm
        # A flag found at less than even odds is shown only as something the answer "might
        # sound like": not counted, or the trend would read "worse" for it.
        flags = sum(1 for c in report.checks.values()
                    if c.kind == CheckKind.red_flag and c.found and not c.faint)
    q = meta.question
    return SessionSummary(
        id=session.id, created=meta.created, kind=meta.kind,
        question_id=q.id if q else None, question=q.text if q else None,
        total_s=timing.total_s if timing else None,
        situation_task_s=timing.situation_task_s if timing else None,
        action_share=timing.action_share if timing else None,
        red_flags=flags, status=INCOMPLETE if meta.incomplete else meta.status.value, wpm=wpm)


def history(store: SessionStore, question: str | None = None,
            kind: SessionKind | None = None
            ) -> tuple[list[SessionSummary], list[str]]:
    """Summaries newest first, and one warning for each folder that could not be read."""
    rows, warnings = [], []
    for session in reversed(store.all()):
        try:
            row = summarize(session)
        except DamagedSession as exc:
            warnings.append(f"skipped damaged session {session.id} ({exc.file}: {exc.problem})")
            continue
        if question and row.question_id != question:
            continue
        if kind and row.kind != kind:
            continue
        rows.append(row)
    return rows, warnings


def to_markdown(session: Session) -> str:
    report = session.read_report()
    meta = session.read_meta()
    lines = [f"# Session {session.id}", "",
             f"- Date: {meta.created}",
             f"- Question: {report.question.text if report.question else '(none)'}", ""]
    if report.timing:
        t = report.timing
        lines += ["## Timing", "",
                  f"- Total: {t.total_s:.1f} s",
                  f"- Situation + Task: {t.situation_task_s:.1f} s "
                  f"(budget {t.situation_task_budget_s:.0f} s)",
                  f"- Action share: {t.action_share * 100:.0f}% "
                  f"(target {t.action_share_target * 100:.0f}%)", ""]
    lines += ["## Transcript", ""]
    lines += [f"- **{(s.part or '?').capitalize()}** [{s.start:.1f} s] {s.text}"
              for s in report.sentences]
    lines += ["", "## Feedback", "", "```", report.feedback.written, "```", ""]
    return "\n".join(lines)


def to_json_text(session: Session) -> str:
    return json.dumps({"id": session.id, "meta": session.read_meta().to_json(),
                       "report": session.read_report().to_json()}, indent=2)
