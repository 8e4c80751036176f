"""The terminal: the two consoles (results on stdout, progress and prompts on stderr) and
the live practice UI (the "listening" line with elapsed time and the 50-second mark)."""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.live import Live

    from coach.analysis.report import Report
    from coach.audio.record import Recording, Status
    from coach.practice.drill import DrillResult
    from coach.prompts import Question
    from coach.sessions.store import Session

out = Console()
err = Console(stderr=True)


class ConsoleUI:
    """Rich terminal implementation of coach.practice.run.UI."""

    def __init__(self, as_json: bool, countdown_s: float | None = None,
                 ending: str = "a pause of a few seconds ends the answer",
                 reply_ending: str | None = None):
        self.as_json = as_json
        self.countdown_s = countdown_s
        self.ending = ending
        """How the answer ends by itself, in the line shown before it..."""
        self.reply_ending = reply_ending or ending
        """...and the reply to the follow-up question."""
        self._live: Live | None = None
        self._marked = False

    def question(self, question: Question) -> None:
        err.print(f"\n[bold cyan]Question[/bold cyan] ({question.id}): "
                  f"[bold]{question.text}[/bold]")
        if question.everyday and question.text != question.everyday:
            # b135's reader: a verger and an exam invigilator were asked about a
            # "production incident" and never told another wording exists.
            err.print("[dim]Not in software? 'coach config wording everyday' asks the "
                      "questions in words for any job.[/dim]")

    def warn(self, message: str) -> None:
        err.print(f"[yellow]warning:[/yellow] {message}")

    def listening(self, reply: bool = False) -> None:
        from rich.live import Live

        ending = self.reply_ending if reply else self.ending
        err.print(f"[dim]Answer when ready. Press Enter when done, or just stop talking "
                  f"({ending}). Ctrl-C stops.[/dim]")
        self._live = Live("", console=err, refresh_per_second=8, transient=False)
        self._live.start()

    def status(self, s: Status) -> None:
        if self._live is None:
            return
        if s.answer_s is None:
            line = f"[bold]● waiting for you to start[/bold]  {s.waited_s:4.0f} s"
        else:
            over = s.answer_s >= 50
            dot = "[red]●[/red]" if s.speaking else "[dim]●[/dim]"
            mins, secs = divmod(int(s.answer_s), 60)
            line = f"{dot} [bold]listening[/bold]  {mins}:{secs:02d}"
            if self.countdown_s is not None:
                left = self.countdown_s - s.answer_s
                line += (f"  ⏱ [bold]{left:.0f} s left[/bold]" if left > 0
                         else f"  [bold red]▲ {-left:.0f} s over: wrap up[/bold red]")
            elif over:
                line += "  [bold yellow]▲ past the 50 s mark: be in your Action now[/bold yellow]"
            if s.sounds_finished:
                line += "  [bold green]✓ sounds finished - still listening[/bold green]"
        self._live.update(line)

    def stopped(self, recording: Recording | None) -> None:
        if self._live:
            self._live.stop()
            self._live = None
        if recording is None:
            return
        reason = {
            "silence": "you stopped talking", "enter": "you pressed Enter",
            "max_length": "maximum length reached", "end_of_input": "end of the recording",
            "interrupted": "interrupted", "device_error": "the microphone failed",
            "disk_full": "the disk is full",
        }[recording.ended_by.value]
        err.print(f"[green]■[/green] Recorded {recording.duration_s:.1f} s ({reason}). "
                  f"Saved to {recording.path}")
        if recording.error:
            err.print(f"[yellow]warning:[/yellow] {recording.error}")

    def confirm_partial(self) -> bool:
        if not sys.stdin.isatty():
            return True
        return typer.confirm("Analyse what was recorded?", default=True, err=True)

    @contextmanager
    def busy(self, message: str) -> Iterator[None]:
        with err.status(f"{message}…"):
            yield

    def drill_result(self, r: DrillResult) -> None:
        verdict = "[green]within budget[/green]" if r.over_s <= 0 else \
            f"[red]{r.over_s} s over[/red]"
        out.print(f"Round {r.round}: Situation+Task {r.situation_task_s:.0f} s, {verdict}")
        if r.kind == "action" and r.action_share is not None:  # always set for "action"
            start = (f"began at {r.action_start_s:.0f} s" if r.action_start_s is not None
                     else "no sentence was mainly Action")
            out.print(f"  Action {r.action_share * 100:.0f}% (target "
                      f"{r.action_share_target * 100:.0f}%), {start}")
            for text in r.cut:
                out.print(f"  ✂ Cut or shorten: “{text}”")

    def follow_up(self, question: str) -> None:
        err.print(f"\n[bold cyan]Follow-up:[/bold cyan] [bold]{question}[/bold]")

    def reply(self, report: Report) -> None:
        f = report.follow_up
        if self.as_json or f is None:  # only called once the reply was judged
            return
        out.print(f"[bold]Your reply:[/bold] {f.reply or '(nothing heard)'}")
        out.print(f"[bold]Verdict:[/bold] {f.verdict}")

    def report(self, report: Report, session: Session) -> None:
        if not self.as_json:  # JSON is printed once at the end, follow-up included
            from coach.cli.render import render_report, render_session_line

            render_report(report, out)
            render_session_line(report, session.id, session.path, out)
        else:
            err.print(f"Session {session.id}: {session.path}", markup=False, highlight=False)


def stdin_enter_stops(stop: threading.Event) -> None:
    """Pressing Enter ends the answer (only when a person is at the terminal).

    The watcher polls, and quits once ``stop`` is set for any reason, so that it never
    swallows a line meant for a later prompt.
    """
    import select

    if not sys.stdin.isatty():
        return

    def watch() -> None:
        while not stop.is_set():
            ready, _, _ = select.select([sys.stdin], [], [], 0.2)
            if ready:
                sys.stdin.readline()
                stop.set()

    threading.Thread(target=watch, daemon=True).start()
