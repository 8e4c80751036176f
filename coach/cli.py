"""Command-line interface. The only layer that prints errors and chooses exit codes.

Heavy libraries (faster-whisper, ctranslate2, sounddevice) are imported inside commands,
so ``coach --help`` stays fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from coach import __version__
from coach.errors import CoachError

app = typer.Typer(
    help="Practise behavioural interview answers out loud, offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
out = Console()
err = Console(stderr=True)


class VoiceName(StrEnum):
    system = "system"
    neural = "neural"


def _version(value: bool) -> None:
    if value:
        print(f"coach {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


SessionsDir = Annotated[Path | None, typer.Option(
    "--sessions-dir", help="Where sessions are stored (default: your user data folder).")]
ModelDir = Annotated[Path | None, typer.Option(
    "--model", help="A local CTranslate2 Whisper model folder (default: embedded tiny.en).")]
QuestionId = Annotated[str | None, typer.Option(
    "--question", "-q", help="Question id (see 'coach questions'); random when omitted.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
Level = Annotated[str | None, typer.Option(
    "--level", help="Target level: SDE1, SDE2, Senior or Principal.")]
CompanyOpt = Annotated[str | None, typer.Option(
    "--company", help="Add a company's emphasis: amazon, google, meta or microsoft.")]
FeedbackAudio = Annotated[str | None, typer.Option(
    "--feedback-audio", help="Also write the spoken feedback to this WAV file.")]


@app.command()
def questions() -> None:
    """List the question bank."""
    from coach.prompts import competency
    from coach.prompts import questions as bank

    c = competency()
    out.print(f"[bold]{c.name}[/bold]: {c.headline}\n")
    for q in bank():
        out.print(f"  [cyan]{q.id:<20}[/cyan] {q.text}")


@app.command()
def config(
    key: Annotated[str | None, typer.Argument(help="Setting to change.")] = None,
    value: Annotated[str | None, typer.Argument(help="Its new value.")] = None,
) -> None:
    """Show the settings file, or set KEY to VALUE (voice, device, output_device, silence_s)."""
    from coach.config import config_path, load_config, save_setting
    from coach.errors import InputError

    if key is not None and value is None:
        raise InputError(f"give a value: coach config {key} VALUE")
    current = save_setting(key, value) if key else load_config()
    out.print(f"[dim]{config_path()}[/dim]")
    for name, val in vars(current).items():
        out.print(f"  {name} = {val!r}")


@app.command()
def devices() -> None:
    """List microphones and speakers; '>' marks the defaults."""
    from coach.devices import list_devices

    found = list_devices()
    if not found:
        err.print("No sound devices found. See README, 'No microphone'.")
        raise typer.Exit(4)
    for kind, attr, default in (("Microphones", "inputs", "is_default_input"),
                                ("Speakers", "outputs", "is_default_output")):
        out.print(f"[bold]{kind}[/bold]")
        rows = [d for d in found if getattr(d, attr) > 0]
        for d in rows:
            mark = ">" if getattr(d, default) else " "
            out.print(f" {mark} {d.index:>3}  {d.name}  ({d.default_rate:.0f} Hz)")
        if not rows:
            out.print("   (none)")


class ConsoleUI:
    """Rich terminal implementation of coach.practice.UI."""

    def __init__(self, as_json: bool, countdown_s: float | None = None):
        self.as_json = as_json
        self.countdown_s = countdown_s
        self._live = None
        self._marked = False

    def question(self, question) -> None:
        err.print(f"\n[bold cyan]Question[/bold cyan] ({question.id}): "
                  f"[bold]{question.text}[/bold]")

    def warn(self, message: str) -> None:
        err.print(f"[yellow]warning:[/yellow] {message}")

    def listening(self) -> None:
        from rich.live import Live

        err.print("[dim]Answer when ready. Press Enter when done, or just stop talking "
                  "(a pause of a few seconds ends the answer). Ctrl-C stops.[/dim]")
        self._live = Live("", console=err, refresh_per_second=8, transient=False)
        self._live.start()

    def status(self, s) -> None:
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
        self._live.update(line)

    def stopped(self, recording) -> None:
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
    def busy(self, message: str):
        with err.status(f"{message}…"):
            yield

    def drill_result(self, r) -> None:
        verdict = "[green]within budget[/green]" if r.over_s <= 0 else \
            f"[red]{r.over_s:.0f} s over[/red]"
        out.print(f"Round {r.round}: Situation+Task {r.situation_task_s:.0f} s, {verdict}")
        if r.kind == "action":
            start = f"{r.action_start_s:.0f} s" if r.action_start_s is not None else "never"
            out.print(f"  Action {r.action_share * 100:.0f}% (target "
                      f"{r.action_share_target * 100:.0f}%), began at {start}")
            for text in r.cut:
                out.print(f"  ✂ Cut or shorten: “{text}”")

    def follow_up(self, question: str) -> None:
        err.print(f"\n[bold cyan]Follow-up:[/bold cyan] [bold]{question}[/bold]")

    def reply(self, report) -> None:
        f = report.follow_up
        if self.as_json:
            return
        out.print(f"[bold]Your reply:[/bold] {f.reply or '(nothing heard)'}")
        out.print(f"[bold]Verdict:[/bold] {f.verdict}")

    def report(self, report, session) -> None:
        if not self.as_json:  # JSON is printed once at the end, follow-up included
            from coach.render import render_report

            render_report(report, out)
            out.print(f"[dim]Session {session.id}: {session.path}[/dim]")
        else:
            err.print(f"Session {session.id}: {session.path}", markup=False, highlight=False)


def _stdin_enter_stops(stop: threading.Event) -> None:
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


@app.command()
def practice(
    question: QuestionId = None,
    answer: Annotated[str | None, typer.Option(
        "--answer", help="Use this recording as the answer instead of the microphone.")] = None,
    device: Annotated[str | None, typer.Option(
        "--device", "-d", help="Microphone: index or part of its name (see 'coach devices').")
    ] = None,
    output_device: Annotated[str | None, typer.Option(
        "--output-device", help="Speaker: index or part of its name.")] = None,
    speak: Annotated[bool, typer.Option("--speak/--no-speak",
                                        help="Say the question and feedback aloud.")] = True,
    voice: Annotated[VoiceName | None, typer.Option(
        help="system (espeak-ng) or neural (Piper); default from 'coach config'.")] = None,
    silence_s: Annotated[float | None, typer.Option(
        "--silence-s", min=0.5, help="Silence that ends the answer, in seconds [default: 3]."
    )] = None,
    max_s: Annotated[float, typer.Option("--max-s", min=5, help="Longest answer, in seconds.")
                     ] = 300.0,
    model: ModelDir = None,
    sessions_dir: SessionsDir = None,
    level: Level = None,
    company: CompanyOpt = None,
    follow_up: Annotated[bool, typer.Option(
        "--follow-up/--no-follow-up", help="Ask one follow-up question and judge the reply.")
    ] = True,
    follow_up_answer: Annotated[str | None, typer.Option(
        "--follow-up-answer", help="With --answer: a recording of the reply to the follow-up.")
    ] = None,
    feedback_audio: FeedbackAudio = None,
    transcribe: Annotated[str, typer.Option(
        "--transcribe", help="stream (while you speak) or batch (after); for comparisons.")
    ] = "stream",
    as_json: JsonFlag = False,
) -> None:
    """Hear a question, answer it out loud, get feedback. Everything stays local."""
    from coach.audio import load_audio
    from coach.config import load_config
    from coach.devices import SoundDeviceMicrophone
    from coach.errors import InputError
    from coach.practice import Mouth, PracticeRun, PracticeSettings
    from coach.prompts import get_question
    from coach.record import FileMicrophone
    from coach.sessions import SessionStore
    from coach.transcribe import TranscribeOptions, WhisperTranscriber
    from coach.tts import make_voice
    from coach.vad import EndpointOptions

    config = load_config()
    voice_name = voice.value if voice else config.voice
    silence_s = silence_s if silence_s is not None else config.silence_s
    device = device if device is not None else config.device
    output_device = output_device if output_device is not None else config.output_device
    if transcribe not in ("stream", "batch"):
        raise InputError(f"--transcribe takes stream or batch, not {transcribe!r}")
    q = get_question(question)
    coaching = _coaching(level, company)
    transcriber = WhisperTranscriber(TranscribeOptions(model_path=model))
    ui = ConsoleUI(as_json)
    if answer is not None:
        mic = FileMicrophone(load_audio(Path(answer)))
        input_name = f"file:{answer}"
        reply_mic = FileMicrophone(load_audio(Path(follow_up_answer))) \
            if follow_up_answer else None
    else:
        mic = SoundDeviceMicrophone(device)
        input_name = mic.name
        reply_mic = mic
    if not follow_up:
        reply_mic = None
    speaker, output_name, voice_impl = _sound_output(speak, output_device, voice_name, ui)
    file_voice = voice_impl or (make_voice(voice_name) if feedback_audio else None)
    endpoint = EndpointOptions(silence_ms=int(silence_s * 1000), max_s=max_s)
    settings = PracticeSettings(endpoint, end_on_silence=answer is None,
                                input_name=input_name, output_name=output_name,
                                voice=voice_name if voice_impl else "none", coaching=coaching,
                                reply_mic=reply_mic, feedback_audio=_writable(feedback_audio),
                                streaming=transcribe == "stream")
    stop = threading.Event()
    if answer is None:
        _stdin_enter_stops(stop)
    store = SessionStore(sessions_dir)
    mouth = Mouth(voice_impl, speaker, ui, file_voice)
    report = PracticeRun(store, transcriber, mouth, ui, stop).run(q, mic, settings)
    if as_json and report is not None:
        print(json.dumps(report.to_json(), indent=2))


def _sound_output(speak: bool, device: str | None, voice_name: str, ui: ConsoleUI):
    """(speaker, its name, voice) — a silent speaker and no voice when speech is off or
    there is no output device; the session goes on with text."""
    from coach.devices import SoundDeviceSpeaker
    from coach.tts import NullSpeaker, make_voice

    if not speak:
        return NullSpeaker(), "none", None
    try:
        speaker = SoundDeviceSpeaker(device)
    except CoachError as exc:
        ui.warn(f"no sound output ({exc}); the question is shown instead")
        return NullSpeaker(), "none", None
    return speaker, str(speaker.device), make_voice(voice_name)


def _coaching(level: str | None, company: str | None):
    from coach.analysis import CoachingOptions
    from coach.rubric import check_company, check_level

    return CoachingOptions(check_level(level), check_company(company))


def _writable(path: str | None) -> Path | None:
    """Check up front that an output file can be written, so no work is lost at the end."""
    from coach.errors import InputError

    if path is None:
        return None
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a file name")
    if not p.parent.exists() or not os.access(p.parent, os.W_OK):
        raise InputError(f"{p.parent}: folder does not exist or is not writable")
    return p


@app.command()
def analyze(
    file: Annotated[str, typer.Argument(help="A recording (wav, flac, mp3, m4a, ...) "
                                              "or, with --text, a transcript.")],
    text: Annotated[bool, typer.Option("--text", help="FILE is a UTF-8 text transcript.")
                    ] = False,
    question: Annotated[str | None, typer.Option("--question", "-q",
                                                 help="The question it answers.")] = None,
    model: ModelDir = None,
    level: Level = None,
    company: CompanyOpt = None,
    feedback_audio: FeedbackAudio = None,
    as_json: JsonFlag = False,
) -> None:
    """Analyse an existing answer (audio or text) without recording. Saves no session."""
    from coach.analysis import analyze_samples, analyze_text, read_text
    from coach.prompts import get_question

    q = get_question(question) if question else None
    coaching = _coaching(level, company)
    out_audio = _writable(feedback_audio)
    file = Path(file)
    if text:
        report = analyze_text(read_text(file), q, file, coaching)
    else:
        from coach.audio import load_audio
        from coach.transcribe import TranscribeOptions, WhisperTranscriber

        samples = load_audio(file)
        transcriber = WhisperTranscriber(TranscribeOptions(model_path=model))
        with err.status(f"Transcribing {samples.size / 16000:.0f} s of audio…"):
            _, report = analyze_samples(samples, transcriber, q, file, coaching)
    if out_audio:
        from coach.audio import write_wav
        from coach.tts import make_voice

        write_wav(out_audio, make_voice("system").synthesize(report.feedback.spoken))
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        from coach.render import render_report

        render_report(report, out)


def _drill(kind: str, rounds: int, question: str | None, same_question: bool,
           answers: list[str] | None, device: str | None, output_device: str | None,
           speak: bool, sessions_dir, silence_s: float | None) -> None:
    import random

    from rich.table import Table

    from coach.audio import load_audio
    from coach.config import load_config
    from coach.devices import SoundDeviceMicrophone
    from coach.drill import DrillRun, summarize
    from coach.errors import InputError
    from coach.practice import Mouth, PracticeSettings
    from coach.prompts import get_question, questions
    from coach.record import FileMicrophone
    from coach.sessions import SessionStore
    from coach.transcribe import WhisperTranscriber
    from coach.vad import EndpointOptions

    if answers and len(answers) < rounds:
        raise InputError(f"{rounds} rounds need {rounds} --answer files, got {len(answers)}")
    config = load_config()
    mics = [FileMicrophone(load_audio(Path(a))) for a in answers] if answers else None
    live = None if mics else SoundDeviceMicrophone(device or config.device)
    ui = ConsoleUI(as_json=False, countdown_s=50.0 if kind == "opening" else None)
    speaker, output_name, voice = _sound_output(speak, output_device or config.output_device,
                                                config.voice, ui)
    stop = threading.Event()
    run = DrillRun(SessionStore(sessions_dir), WhisperTranscriber(), Mouth(voice, speaker, ui),
                   ui, stop)
    settings = PracticeSettings(
        EndpointOptions(silence_ms=int((silence_s or config.silence_s) * 1000)),
        end_on_silence=mics is None, input_name="file" if mics else live.name,
        output_name=output_name, voice=config.voice if voice else "none")
    q = get_question(question)
    results = []
    for n in range(1, rounds + 1):
        if n > 1 and not same_question:
            q = random.choice([x for x in questions() if x.id != q.id])
        if live:
            _stdin_enter_stops(stop)
        err.print(f"\n[bold]Round {n} of {rounds}[/bold]")
        result = run.round(kind, q, mics[n - 1] if mics else live, settings, n)
        if result:
            results.append(result)
    if not results:
        return
    table = Table("Round", "Question", "S+T", "Over", "Action", "Action starts")
    for r in results:
        table.add_row(str(r.round), r.question_id, f"{r.situation_task_s:.0f} s",
                      f"{r.over_s:+.0f} s",
                      f"{r.action_share * 100:.0f}%" if r.action_share is not None else "-",
                      f"{r.action_start_s:.0f} s" if r.action_start_s is not None else "-")
    out.print(table)
    s = summarize(results)
    fmt = (lambda v: f"{v:.0f} s") if kind == "opening" else (lambda v: f"{v * 100:.0f}%")
    trend = (f"{s.trend:+.1f} s per round" if kind == "opening"
             else f"{s.trend * 100:+.1f} points per round")
    out.print(f"Best {fmt(s.best)}, average {fmt(s.average)}, trend {trend} ({s.metric}).")


DrillAnswers = Annotated[list[str] | None, typer.Option(
    "--answer", help="Use recordings instead of the microphone, one per round.")]
Rounds = Annotated[int, typer.Option("--rounds", "-n", min=1, max=20, help="How many rounds.")]
SameQuestion = Annotated[bool, typer.Option(
    "--same/--new", help="Same question every round, or a new one.")]


class DrillKind(StrEnum):
    opening = "opening"
    action = "action"


@app.command()
def drill(
    kind: Annotated[DrillKind, typer.Argument(
        help="opening: only Situation and Task against a 50-second countdown (a tone sounds "
             "at 50 s). action: a whole answer, with the action share, when Action began "
             "and what to cut.")],
    rounds: Rounds = 1, question: QuestionId = None, same: SameQuestion = True,
    answer: DrillAnswers = None,
    device: Annotated[str | None, typer.Option("--device", "-d", help="Microphone.")] = None,
    output_device: Annotated[str | None, typer.Option("--output-device")] = None,
    speak: Annotated[bool, typer.Option("--speak/--no-speak")] = True,
    silence_s: Annotated[float | None, typer.Option("--silence-s", min=0.5)] = None,
    sessions_dir: SessionsDir = None,
) -> None:
    """Timing drills: the 50-second opening, or the 70% Action. Saved as kind 'drill'."""
    _drill(kind.value, rounds, question, same, answer, device, output_device, speak,
           sessions_dir, silence_s)


@app.command("history")
def history_cmd(
    question: Annotated[str | None, typer.Option("--question", "-q", help="Only this question.")
                        ] = None,
    kind: Annotated[str | None, typer.Option(help="Only practice or drill.")] = None,
    sessions_dir: SessionsDir = None,
) -> None:
    """Your sessions, newest first."""
    from rich.table import Table

    from coach.history import history
    from coach.sessions import SessionStore

    rows, warnings = history(SessionStore(sessions_dir), question, kind)
    for w in warnings:
        err.print(f"[yellow]warning:[/yellow] {w}")
    if not rows:
        out.print("No sessions yet. Start one with: coach practice")
        return
    from rich import box

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for name in ("ID", "Date", "Kind", "Question", "Total", "S+T", "Action", "Flags"):
        table.add_column(name, no_wrap=name != "Question", min_width=15 if name == "ID" else None,
                         overflow="fold")
    for r in rows:
        table.add_row(r.id, r.created[5:16].replace("T", " "), r.kind, r.question_id or "-",
                      f"{r.total_s:.0f} s" if r.total_s is not None else "-",
                      f"{r.situation_task_s:.0f} s" if r.situation_task_s is not None else "-",
                      f"{r.action_share * 100:.0f}%" if r.action_share is not None else "-",
                      str(r.red_flags) if r.red_flags is not None else "-")
    out.print(table)


def _session(session_id: str, sessions_dir):
    from coach.sessions import SessionStore

    return SessionStore(sessions_dir).get(session_id)


def _report_of(session):
    from coach.errors import InputError
    from coach.history import load_report

    try:
        return load_report(session)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"session {session.id} has no readable report "
                         f"({exc.__class__.__name__})") from exc


@app.command()
def show(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="Session id, prefix or 'last'.")],
    sessions_dir: SessionsDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print a stored session's report again."""
    session = _session(session_id, sessions_dir)
    report = _report_of(session)
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
        return
    from coach.render import render_report

    render_report(report, out)
    out.print(f"[dim]Session {session.id}: {session.path}[/dim]")


@app.command()
def export(
    session_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="Session id.")] = None,
    all_sessions: Annotated[bool, typer.Option("--all", help="Every session.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="json or md.")] = "json",
    sessions_dir: SessionsDir = None,
) -> None:
    """Print one session (or all) as JSON or Markdown."""
    from coach.errors import InputError
    from coach.history import to_json_text, to_markdown
    from coach.sessions import SessionStore

    if fmt not in ("json", "md"):
        raise InputError(f"--format takes json or md, not {fmt!r}")
    if all_sessions == (session_id is not None):
        raise InputError("give a session ID or --all")
    store = SessionStore(sessions_dir)
    sessions = store.all() if all_sessions else [store.get(session_id)]
    render = to_markdown if fmt == "md" else to_json_text
    texts = []
    for session in sessions:
        try:
            texts.append(render(session))
        except (OSError, ValueError, KeyError, TypeError):
            err.print(f"[yellow]warning:[/yellow] skipped damaged session {session.id}")
    if fmt == "json" and all_sessions:
        print("[\n" + ",\n".join(texts) + "\n]")
    else:
        print("\n\n".join(texts))


@app.command()
def report(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="Session id, prefix or 'last'.")],
    html: Annotated[bool, typer.Option("--html", help="Write a self-contained HTML page.")
                    ] = True,
    open_it: Annotated[bool, typer.Option("--open", help="Open it in the browser.")] = False,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Where to write it (default: report.html in the session).")
    ] = None,
    sessions_dir: SessionsDir = None,
) -> None:
    """Write a session's report as an HTML page with a clickable timeline and transcript."""
    from coach.html import render_html
    from coach.sessions import atomic_write_bytes

    session = _session(session_id, sessions_dir)
    rep = _report_of(session)
    target = _writable(output) or session.path / "report.html"
    page = render_html(rep, session.audio_path, title=f"coach session {session.id}")
    atomic_write_bytes(target, page.encode())
    out.print(str(target))
    if open_it:
        import webbrowser

        webbrowser.open(target.resolve().as_uri())


@app.command()
def progress(
    question: Annotated[str | None, typer.Option("--question", "-q", help="Only this question.")
                        ] = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="PNG file (default: progress.png in the data folder).")] = None,
    sessions_dir: SessionsDir = None,
) -> None:
    """Trends over your sessions: a PNG plot and a short summary."""
    from coach.delivery import delivery_rules
    from coach.history import history
    from coach.progress import plot, trends
    from coach.prompts import timing_rules
    from coach.sessions import SessionStore, atomic_write_bytes

    store = SessionStore(sessions_dir)
    rows, warnings = history(store, question)
    for w in warnings:
        err.print(f"[yellow]warning:[/yellow] {w}")
    rows = [r for r in reversed(rows) if r.total_s is not None]  # oldest first
    if not rows:
        out.print("No analysed sessions yet. Start one with: coach practice")
        return
    rules = timing_rules()
    target = _writable(output) or store.root.parent / "progress.png"
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "progress.png"
        d = delivery_rules()
        plot(rows, png, rules.situation_task_budget_s, rules.action_share_target,
             (d.wpm_min, d.wpm_max))
        atomic_write_bytes(target, png.read_bytes())
    scope = f" for {question}" if question else ""
    out.print(f"{len(rows)} sessions{scope}:")
    for trend, unit in trends(rows, (d.wpm_min, d.wpm_max)):
        out.print(f"  {trend.sentence(unit)}")
    out.print(f"Plot: {target}")


@app.command("replay")
def replay_cmd(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="Session id, prefix or 'last'.")],
    part: Annotated[str | None, typer.Option(
        "--part", help="Only this part: situation, task, action or result.")] = None,
    from_s: Annotated[float | None, typer.Option("--from", help="Start at this second.")
                      ] = None,
    output_device: Annotated[str | None, typer.Option(
        "--output-device", help="Speaker: index or part of its name.")] = None,
    sessions_dir: SessionsDir = None,
) -> None:
    """Play a session back, showing the transcript as it plays."""
    from coach.audio import load_audio
    from coach.devices import SoundDeviceSpeaker
    from coach.render import COLOURS, LETTERS
    from coach.replay import choose_clip, replay

    session = _session(session_id, sessions_dir)
    rep = _report_of(session)
    samples = load_audio(session.audio_path)
    clip = choose_clip(rep, samples.size / 16000, part, from_s)
    speaker = SoundDeviceSpeaker(output_device)
    out.print(f"[dim]Playing {clip.start_s:.1f}-{clip.end_s:.1f} s of {session.id}[/dim]")

    def show(s) -> None:
        style = COLOURS.get(s.part or "", "")
        out.print(f"[dim]{s.start:6.1f}[/dim] [bold {style}]{LETTERS.get(s.part or '', '?')}"
                  f"[/bold {style}] {s.text}", highlight=False)

    replay(samples, clip, speaker, show)


@app.command()
def delete(
    session_id: Annotated[str, typer.Argument(metavar="ID", help="Session id, prefix or 'last'.")],
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


def main() -> None:
    """Entry point: runs the app; typed errors become one line on stderr and an exit code."""
    try:
        result = app(standalone_mode=False)
    except CoachError as exc:
        err.print(f"coach: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("coach: interrupted", markup=False, highlight=False)
        sys.exit(130)
    except OSError as exc:  # disk full, permissions on the data folder, ...
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"coach: {where}{exc.strerror or exc}", markup=False, highlight=False)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("coach: aborted", markup=False)
        sys.exit(130)
    except Exception as exc:
        # Usage errors from Typer's (vendored) Click: show them the Click way.
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            exc.show(file=sys.stderr)
            sys.exit(exc.exit_code)
        raise
    sys.exit(result if isinstance(result, int) else 0)
