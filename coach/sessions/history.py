"""Looking back over stored sessions: summaries for history, and export."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from coach.analysis.report import Report
from coach.sessions.store import META_NAME, REPORT_NAME, Session, SessionStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionSummary:
    id: str
    created: str
    kind: str
    question_id: str | None
    question: str | None
    total_s: float | None
    situation_task_s: float | None
    action_share: float | None
    red_flags: int | None
    status: str
    wpm: float | None = None


def summarize(session: Session) -> SessionSummary:
    """One row of history; raises ValueError/OSError when the folder is damaged."""
    meta = session.read_json(META_NAME)
    timing, flags, wpm = None, None, None
    if (session.path / REPORT_NAME).exists():
        report = session.read_json(REPORT_NAME)
        timing = report.get("timing")
        if report.get("delivery") and timing and not timing.get("estimated"):
            wpm = report["delivery"]["overall"]["wpm"]
        flags = sum(1 for c in (report.get("checks") or {}).values()
                    if c["kind"] == "red_flag" and c["found"])
    q = meta.get("question") or {}
    return SessionSummary(
        id=session.id, created=meta.get("created", ""), kind=meta.get("kind", "practice"),
        question_id=q.get("id"), question=q.get("text"),
        total_s=timing["total_s"] if timing else None,
        situation_task_s=timing["situation_task_s"] if timing else None,
        action_share=timing["action_share"] if timing else None,
        red_flags=flags, status=meta.get("status", "unknown"), wpm=wpm)


def history(store: SessionStore, question: str | None = None, kind: str | None = None
            ) -> tuple[list[SessionSummary], list[str]]:
    """Summaries newest first, and warnings for folders that could not be read."""
    rows, warnings = [], []
    for session in reversed(store.all()):
        try:
            row = summarize(session)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            warnings.append(f"skipped damaged session {session.id} ({exc.__class__.__name__})")
            continue
        if question and row.question_id != question:
            continue
        if kind and row.kind != kind:
            continue
        rows.append(row)
    return rows, warnings


def load_report(session: Session) -> Report:
    return Report.from_json(session.read_json(REPORT_NAME))


def to_markdown(session: Session) -> str:
    report = load_report(session)
    meta = session.read_json(META_NAME)
    lines = [f"# Session {session.id}", "",
             f"- Date: {meta.get('created', '')}",
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
    return json.dumps({"id": session.id, "meta": session.read_json(META_NAME),
                       "report": session.read_json(REPORT_NAME)}, indent=2)
