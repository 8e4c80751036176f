"""Looking back: the commands that list, show, export, replay, plot and delete sessions.

They are registered on the app in ``coach.cli.app``, which turns their errors into messages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from coach.cli.console import err, out
from coach.cli.options import JsonFlag, SessionId, SessionsDir, seconds_between, writable_path
from coach.sessions.kinds import SessionKind
from coach.words import counted


def history(
    question: Annotated[str | None, typer.Option("--question", "-q", help="Only this question.")
                        ] = None,
    kind: Annotated[SessionKind | None, typer.Option(help="Only practice or drill.")] = None,
    sessions_dir: SessionsDir = None,
) -> None:
    """Your sessions, newest first."""
    from rich.markup import escape
    from rich.table import Table

    from coach.sessions.history import history as list_sessions
    from coach.sessions.store import SessionStore

    _check_question(question)
    rows, warnings = list_sessions(SessionStore(sessions_dir), question, kind)
    for w in warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(w)}")
    if not rows:
        out.print("No sessions match." if question or kind else
                  "No sessions yet. Start one with: coach practice")
        return
    from rich import box

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    # Status only when a session did not complete (killed, no speech, not analysed).
    odd = any(r.status != "complete" for r in rows)
    # On a narrow terminal the Date column goes: the ID already reads as date and time.
    dated = out.width >= _WIDTH_FOR_DATE
    names = ("ID", *(("Date",) if dated else ()), "Kind", "Question", "Total", "S+T",
             "Action", "Flags", *(("Status",) if odd else ()))
    for name in names:
        table.add_column(name, no_wrap=name != "Status", overflow="fold")
    for r in rows:
        cells = [r.id, *([r.created[5:16].replace("T", " ")] if dated else []), r.kind,
                 r.question_id or "-",
                 f"{r.total_s:.0f} s" if r.total_s is not None else "-",
                 f"{r.situation_task_s:.0f} s" if r.situation_task_s is not None else "-",
                 f"{r.action_share * 100:.0f}%" if r.action_share is not None else "-",
                 str(r.red_flags) if r.red_flags is not None else "-"]
        if odd:
            cells.append("" if r.status == "complete" else r.status.replace("_", " "))
        table.add_row(*(escape(c) for c in cells))
    out.print(table)


_WIDTH_FOR_DATE = 100
"""Columns a terminal needs for the Date column beside the longest question id."""


def _check_question(question: str | None) -> None:
    """InputError for a question id that is not in the bank (a typo would list nothing)."""
    if question is not None:
        from coach.prompts import get_question

        get_question(question)


def _session(session_id: str, sessions_dir):
    from coach.sessions.store import SessionStore

    return SessionStore(sessions_dir).get(session_id)


def _report_of(session):
    """The session's report; an InputError (DamagedSession when the file is damaged) says
    why there is none."""
    from coach.errors import InputError
    from coach.sessions.files import DamagedSession

    if not session.has_report:
        try:
            status = session.read_meta().status.value
        except DamagedSession:
            status = "unknown"
        raise InputError(f"session {session.id} has no report: it was never analysed "
                         f"(status {status})")
    return session.read_report()


def show(
    session_id: SessionId,
    sessions_dir: SessionsDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print a stored session's report again."""
    session = _session(session_id, sessions_dir)
    report = _report_of(session)
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
        return
    from coach.cli.render import render_report, render_session_line

    render_report(report, out)
    render_session_line(report, session.id, session.path, out)


def export(
    session_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Session id.")] = None,
    all_sessions: Annotated[bool, typer.Option("--all", help="Every session.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="json or md.")] = "json",
    sessions_dir: SessionsDir = None,
) -> None:
    """Print one session (or all) as JSON or Markdown."""
    from rich.markup import escape

    from coach.errors import InputError
    from coach.sessions.files import DamagedSession
    from coach.sessions.history import to_json_text, to_markdown
    from coach.sessions.store import SessionStore

    if fmt not in ("json", "md"):
        raise InputError(f"--format takes json or md, not {fmt!r}")
    if all_sessions == (session_id is not None):
        raise InputError("give a session ID or --all")
    store = SessionStore(sessions_dir)
    # Exactly one of the two was given (checked above).
    sessions = [store.get(session_id)] if session_id is not None else store.all()
    render = to_markdown if fmt == "md" else to_json_text
    texts = []
    for session in sessions:
        try:
            texts.append(render(session))
        except DamagedSession as exc:
            err.print(f"[yellow]warning:[/yellow] skipped damaged session {session.id} "
                      f"({escape(f'{exc.file}: {exc.problem}')})")
    if fmt == "json" and all_sessions:
        print("[\n" + ",\n".join(texts) + "\n]")
    else:
        print("\n\n".join(texts))


def report(
    session_id: SessionId,
    html: Annotated[bool, typer.Option("--html", help="Write a self-contained HTML page.")
                    ] = True,
    open_it: Annotated[bool, typer.Option("--open", help="Open it in the browser.")] = False,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Where to write it (default: report.html in the session).")
    ] = None,
    sessions_dir: SessionsDir = None,
) -> None:
    """Write a session's report as an HTML page with a clickable timeline and transcript."""
    from coach.sessions.html import render_html
    from coach.sessions.store import atomic_write_bytes

    session = _session(session_id, sessions_dir)
    rep = _report_of(session)
    target = writable_path(output) or session.path / "report.html"
    page = render_html(rep, session.kept_audio(), title=f"coach session {session.id}")
    atomic_write_bytes(target, page.encode())
    out.print(str(target))
    if open_it:
        import webbrowser

        webbrowser.open(target.resolve().as_uri())


def progress(
    question: Annotated[str | None, typer.Option("--question", "-q", help="Only this question.")
                        ] = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="PNG file (default: progress.png in the data folder).")] = None,
    sessions_dir: SessionsDir = None,
) -> None:
    """Trends over your sessions: a PNG plot and a short summary."""
    from rich.markup import escape

    from coach.analysis.delivery import delivery_rules
    from coach.prompts import timing_rules
    from coach.sessions.history import history as list_sessions
    from coach.sessions.progress import plot, trends
    from coach.sessions.store import SessionStore, atomic_write_bytes

    _check_question(question)
    store = SessionStore(sessions_dir)
    rows, warnings = list_sessions(store, question)
    for w in warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(w)}")
    rows = [r for r in reversed(rows) if r.total_s is not None]  # oldest first
    if not rows:
        out.print("No analysed sessions yet. Start one with: coach practice")
        return
    rules = timing_rules()
    target = writable_path(output) or store.root.parent / "progress.png"
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "progress.png"
        d = delivery_rules()
        plot(rows, png, rules.situation_task_budget_s, rules.action_share_target,
             (d.wpm_min, d.wpm_max))
        atomic_write_bytes(target, png.read_bytes())
    scope = f" for {question}" if question else ""
    out.print(f"{counted(len(rows), 'session')}{scope}:")
    for trend, unit in trends(rows, (d.wpm_min, d.wpm_max)):
        out.print(f"  {trend.sentence(unit)}")
    out.print(f"Plot: {target}")


def replay(
    session_id: SessionId,
    part: Annotated[str | None, typer.Option(
        "--part", help="Only this part: situation, task, action or result.")] = None,
    from_s: Annotated[float | None, typer.Option(
        "--from", callback=seconds_between(0.0, 24 * 3600.0), help="Start at this second.")
    ] = None,
    output_device: Annotated[str | None, typer.Option(
        "--output-device", help="Speaker: index or part of its name.")] = None,
    sessions_dir: SessionsDir = None,
) -> None:
    """Play a session back, showing the transcript as it plays."""
    from coach.audio.devices import SoundDeviceSpeaker
    from coach.audio.pcm import SAMPLE_RATE, load_audio
    from coach.cli.render import COLOURS, LETTERS
    from coach.sessions.replay import choose_clip, play_clip

    session = _session(session_id, sessions_dir)
    rep = _report_of(session)
    audio = session.kept_audio()
    if audio is None:
        from coach.errors import InputError

        raise InputError(f"session {session.id} has no recording to play")
    samples = load_audio(audio)
    clip = choose_clip(rep, samples.size / SAMPLE_RATE, part, from_s)
    speaker = SoundDeviceSpeaker(output_device)
    out.print(f"[dim]Playing {clip.start_s:.1f}-{clip.end_s:.1f} s of {session.id}[/dim]")

    def show(s) -> None:
        style = COLOURS.get(s.part or "", "")
        out.print(f"[dim]{s.start:6.1f}[/dim] [bold {style}]{LETTERS.get(s.part or '', '?')}"
                  f"[/bold {style}] {s.text}", highlight=False)

    play_clip(samples, clip, speaker, show)


def delete(
    session_id: SessionId,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    sessions_dir: SessionsDir = None,
) -> None:
    """Delete a session and its recordings."""
    import shutil

    session = _session(session_id, sessions_dir)
    if not yes and not typer.confirm(f"Delete session {session.id} and its recordings?",
                                     default=False, err=True):
        raise typer.Exit(1)
    shutil.rmtree(session.path)
    out.print(f"Deleted {session.id}")
    _forget_correction(session.id, sessions_dir)


def _forget_correction(session_id: str, sessions_dir) -> None:
    """A deleted answer no longer teaches the personal STAR model."""
    from coach.sessions import corrections
    from coach.sessions.store import SessionStore

    store = SessionStore(sessions_dir)
    kept = corrections.forget(store, session_id)
    if kept:
        with err.status("Updating your personal STAR model…"):
            corrections.retrain(store, kept)
    if kept is not None:
        out.print("Its corrections no longer teach your personal STAR model.")
