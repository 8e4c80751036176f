"""Command-line interface. The only layer that prints errors and chooses exit codes.

Heavy libraries (faster-whisper, ctranslate2, sounddevice) are imported inside commands,
so ``coach --help`` stays fast.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coach import __version__
from coach.audio.turn import FIXED_SILENCE_S, SMART_SILENCE_S
from coach.cli import relabel as cli_relabel
from coach.cli import review as cli_review
from coach.cli.console import ConsoleUI, err, out, stdin_enter_stops
from coach.cli.options import (
    MAX_ANSWER_RANGE_S,
    CompanyOpt,
    FeedbackAudio,
    JsonFlag,
    Level,
    ModelDir,
    QuestionId,
    SessionsDir,
    SilenceSeconds,
    TurnTakingOpt,
    VocabularyOpt,
    VoiceName,
    seconds_between,
    writable_path,
)
from coach.errors import CoachError
from coach.practice.kinds import DrillKind

if TYPE_CHECKING:
    from coach.analysis.analyze import CoachingOptions
    from coach.analysis.report import Report
    from coach.audio.devices import Microphone
    from coach.audio.voices import Speaker, Voice
    from coach.practice.run import PracticeSettings
    from coach.prompts import Question
    from coach.speech.transcript import Transcriber

app = typer.Typer(
    help="Practise behavioural interview answers out loud, offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


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


@app.command()
def questions() -> None:
    """List the question bank, with the everyday wording of each question that has one."""
    from coach.cli.config import load_config
    from coach.prompts import competency
    from coach.prompts import questions as bank

    c = competency()
    out.print(f"[bold]{c.name}[/bold]: {c.headline}\n")
    wording = "everyday" if load_config().everyday else "as asked"
    out.print(f"[dim]Questions are asked {wording} ('coach config wording everyday' or "
              "'as-asked' to change).[/dim]\n")
    for q in bank():
        out.print(f"  [cyan]{q.id:<20}[/cyan] {q.text}")
        if q.everyday:  # what 'coach config wording everyday' asks instead
            out.print(f"  {'':<20} [dim]everyday: {q.everyday}[/dim]")


@app.command()
def config(
    key: Annotated[str | None, typer.Argument(help="Setting to change.")] = None,
    value: Annotated[str | None, typer.Argument(help="Its new value.")] = None,
) -> None:
    """Show the settings file, or set KEY to VALUE (voice, device, output_device, silence_s,
    turn_taking: smart or fixed, vocabulary: your own words for the recogniser to listen
    for, separated by commas, wording: everyday for questions in words for any job, or
    as-asked)."""
    from coach.cli.config import config_path, load_config, save_setting
    from coach.errors import InputError

    if key is not None and value is None:
        raise InputError(f"give a value: coach config {key} VALUE")
    # A key always comes with a value here (checked above).
    current = save_setting(key, value) if key and value is not None else load_config()
    out.print(f"[dim]{config_path()}[/dim]")
    for name, val in vars(current).items():
        out.print(f"  {name} = {_setting_shown(name, val)}", markup=False, highlight=False)


_UNSET = {
    "device": "not set (the system's default microphone)",
    "output_device": "not set (the system's default speaker)",
    "silence_s": (f"not set ({SMART_SILENCE_S:g} s with smart turn-taking, "
                  f"{FIXED_SILENCE_S:g} s with fixed)"),
    "vocabulary": "none (the question's and the rubric's words only)",
}


def _setting_shown(name: str, value: object) -> str:
    """A setting as ``coach config`` lists it: its value, or in words what "not set" means."""
    if value is None or value == ():
        return _UNSET.get(name, "not set")
    return repr(", ".join(value) if isinstance(value, tuple) else value)


@app.command()
def devices() -> None:
    """List microphones and speakers; '>' marks the defaults."""
    from coach.audio.devices import list_devices

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


def make_transcriber(model: Path | None, vocabulary: tuple[str, ...] = ()) -> Transcriber:
    """The recogniser every command uses: Whisper from ``model`` or the embedded tiny.en,
    listening for the terms of ``vocabulary`` (most important first; see ``_vocabulary``).
    Transcribers made for other vocabularies share the loaded model. (Tests replace this
    function to run the commands on a fake recogniser: a replacement takes ``model`` and
    the keyword ``vocabulary``.)"""
    from coach.speech.whisper import TranscribeOptions, WhisperTranscriber

    return WhisperTranscriber(TranscribeOptions(model_path=model, vocabulary=vocabulary))


def _own_vocabulary(stored: tuple[str, ...], option: str | None) -> tuple[str, ...]:
    """The user's own terms: the settings file's, then those of --vocabulary."""
    from coach.errors import InputError
    from coach.speech.vocabulary import MAX_TERMS, merge, parse_terms

    terms = merge(stored, parse_terms(option or "", "--vocabulary"))
    if len(terms) > MAX_TERMS:
        raise InputError(f"--vocabulary: with the {len(stored)} terms of 'coach config "
                         f"vocabulary' that makes {len(terms)}, at most {MAX_TERMS}")
    return terms


def _vocabulary(question: Question | None, stored: tuple[str, ...], option: str | None
                ) -> tuple[str, ...]:
    """What the recogniser listens for in an answer to ``question``: the user's own terms,
    the question's key terms, the rubric's keywords."""
    from coach.speech.vocabulary import answer_vocabulary

    return answer_vocabulary(question, _own_vocabulary(stored, option))


AnswerFile = Annotated[str | None, typer.Option(
    "--answer", help="Use this recording as the answer instead of the microphone.")]
MicDevice = Annotated[str | None, typer.Option(
    "--device", "-d", help="Microphone: index or part of its name (see 'coach devices').")]
SpeakerDevice = Annotated[str | None, typer.Option(
    "--output-device", help="Speaker: index or part of its name.")]
SpeakFlag = Annotated[bool, typer.Option("--speak/--no-speak",
                                         help="Say the question and feedback aloud.")]
VoiceOpt = Annotated[VoiceName | None, typer.Option(
    help="system (espeak-ng) or neural (Piper); default from 'coach config'.")]
MaxSeconds = Annotated[float, typer.Option(
    "--max-s", callback=seconds_between(*MAX_ANSWER_RANGE_S),
    help="Longest answer, in seconds (5 to 3600).")]
FollowUpFlag = Annotated[bool, typer.Option(
    "--follow-up/--no-follow-up", help="Ask one follow-up question and judge the reply.")]
FollowUpAnswer = Annotated[str | None, typer.Option(
    "--follow-up-answer", help="With --answer: a recording of the reply to the follow-up.")]
TranscribeMode = Annotated[str, typer.Option(
    "--transcribe", help="stream (while you speak) or batch (after); for comparisons.")]


@app.command()
def practice(
    question: QuestionId = None, answer: AnswerFile = None, device: MicDevice = None,
    output_device: SpeakerDevice = None, speak: SpeakFlag = True, voice: VoiceOpt = None,
    silence_s: SilenceSeconds = None, max_s: MaxSeconds = 300.0, model: ModelDir = None,
    sessions_dir: SessionsDir = None, level: Level = None, company: CompanyOpt = None,
    follow_up: FollowUpFlag = True, follow_up_answer: FollowUpAnswer = None,
    feedback_audio: FeedbackAudio = None, transcribe: TranscribeMode = "stream",
    vocabulary: VocabularyOpt = None, turn_taking: TurnTakingOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Hear a question, answer it out loud, get feedback. Everything stays local."""
    from coach.cli.config import load_config
    from coach.errors import InputError
    from coach.prompts import get_question

    config = load_config()
    voice_name = voice.value if voice else config.voice
    mode = turn_taking.value if turn_taking else config.turn_taking
    silence_s_option = silence_s
    silence_s = _silence_s(silence_s, config.silence_s, mode)
    device = device if device is not None else config.device
    output_device = output_device if output_device is not None else config.output_device
    if transcribe not in ("stream", "batch"):
        raise InputError(f"--transcribe takes stream or batch, not {transcribe!r}")
    q = get_question(question, everyday=config.everyday)
    _store_ready(sessions_dir)
    coaching = _coaching(level, company, sessions_dir)
    transcriber = make_transcriber(model,
                                   vocabulary=_vocabulary(q, config.vocabulary, vocabulary))
    reply_silence_s = _silence_s(silence_s_option, config.silence_s, "fixed")
    ui = ConsoleUI(as_json, ending=_ending(mode, silence_s),
                   reply_ending=_ending("fixed", reply_silence_s))
    source = _answer_source(answer, follow_up_answer, follow_up, device)
    sound = _practice_sound(speak, output_device, voice_name, feedback_audio, ui)
    settings = _practice_settings(source, sound, voice_name, coaching, silence_s=silence_s,
                                  max_s=max_s, feedback_audio=feedback_audio,
                                  streaming=transcribe == "stream", turn_taking=mode,
                                  reply_silence_s=reply_silence_s)
    report = _run_practice(q, source, sound, settings, transcriber, ui, sessions_dir)
    if as_json and report is not None:
        print(json.dumps(report.to_json(), indent=2))


def _silence_s(option: float | None, stored: float | None, mode: str) -> float:
    """The silence limit: the option, else the settings file's, else the mode's default."""
    from coach.audio.turn import TurnTaking, default_silence_s

    if option is not None:
        return option
    return stored if stored is not None else default_silence_s(TurnTaking(mode))


def _ending(mode: str, silence_s: float) -> str:
    """How an answer ends by itself, in plain words for the line before it."""
    if mode == "smart":
        return (f"when you sound finished, a short pause ends the answer; you may pause to "
                f"think for up to {silence_s:g} seconds")
    return f"a pause of {silence_s:g} seconds ends the answer"


@dataclass(frozen=True)
class _AnswerSource:
    """Where a practice answer and the reply to its follow-up come from."""

    mic: Microphone
    reply_mic: Microphone | None
    """None skips the follow-up."""
    name: str
    live: bool
    """A real microphone (not --answer): silence or Enter ends the answer."""


def _answer_source(answer: str | None, follow_up_answer: str | None, follow_up: bool,
                   device: str | None) -> _AnswerSource:
    """The --answer recordings as microphones, else the live microphone for both."""
    from coach.audio.devices import SoundDeviceMicrophone
    from coach.audio.pcm import load_audio
    from coach.audio.record import FileMicrophone

    reply_mic: Microphone | None
    if answer is not None:
        mic = FileMicrophone(load_audio(Path(answer)))
        reply_mic = FileMicrophone(load_audio(Path(follow_up_answer))) \
            if follow_up_answer else None
        return _AnswerSource(mic, reply_mic if follow_up else None, f"file:{answer}", False)
    live = SoundDeviceMicrophone(device)
    return _AnswerSource(live, live if follow_up else None, live.name, True)


@dataclass(frozen=True)
class _Sound:
    """How a practice session speaks."""

    speaker: Speaker
    output_name: str
    voice: Voice | None
    """None when speech is off or there is no speaker."""
    file_voice: Voice | None
    """The voice for --feedback-audio."""


def _practice_sound(speak: bool, output_device: str | None, voice_name: str,
                    feedback_audio: str | None, ui: ConsoleUI) -> _Sound:
    """The speaker and voice; a voice for --feedback-audio even when not speaking aloud."""
    from coach.audio.voices import make_voice

    speaker, output_name, voice_impl = _sound_output(speak, output_device, voice_name, ui)
    file_voice = voice_impl or (make_voice(voice_name) if feedback_audio else None)
    return _Sound(speaker, output_name, voice_impl, file_voice)


def _practice_settings(source: _AnswerSource, sound: _Sound, voice_name: str,
                       coaching: CoachingOptions, *, silence_s: float, max_s: float,
                       feedback_audio: str | None, streaming: bool, turn_taking: str,
                       reply_silence_s: float) -> PracticeSettings:
    """Endpointing, the device and voice names, coaching and outputs for the run. The
    reply to the follow-up question always ends after a fixed silence: a short reply has
    no Result to sound finished with (the end-of-turn model, trained on whole answers,
    took 3 of 232 written replies for finished), so smart turn-taking would wait out the
    limit every time."""
    from coach.audio.turn import TurnTaking
    from coach.audio.vad import EndpointOptions
    from coach.practice.run import PracticeSettings

    endpoint = EndpointOptions(silence_ms=int(silence_s * 1000), max_s=max_s)
    return PracticeSettings(endpoint, end_on_silence=source.live,
                            input_name=source.name, output_name=sound.output_name,
                            voice=voice_name if sound.voice else "none", coaching=coaching,
                            reply_mic=source.reply_mic,
                            feedback_audio=writable_path(feedback_audio), streaming=streaming,
                            turn_taking=TurnTaking(turn_taking),
                            reply_turn_taking=TurnTaking.fixed,
                            reply_silence_ms=int(reply_silence_s * 1000))


def _run_practice(q: Question, source: _AnswerSource, sound: _Sound,
                  settings: PracticeSettings, transcriber: Transcriber, ui: ConsoleUI,
                  sessions_dir: Path | None) -> Report | None:
    """Run the session and store it; Enter ends a live answer."""
    from coach.practice.run import Mouth, PracticeRun
    from coach.sessions.store import SessionStore

    stop = threading.Event()
    if source.live:
        stdin_enter_stops(stop)
    store = SessionStore(sessions_dir)
    mouth = Mouth(sound.voice, sound.speaker, ui, sound.file_voice)
    return PracticeRun(store, transcriber, mouth, ui, stop).run(q, source.mic, settings)


def _sound_output(speak: bool, device: str | None, voice_name: str, ui: ConsoleUI
                  ) -> tuple[Speaker, str, Voice | None]:
    """(speaker, its name, voice) — a silent speaker and no voice when speech is off or
    there is no output device; the session goes on with text."""
    from coach.audio.devices import SoundDeviceSpeaker
    from coach.audio.voices import NullSpeaker, make_voice

    if not speak:
        return NullSpeaker(), "none", None
    try:
        speaker = SoundDeviceSpeaker(device)
    except CoachError as exc:
        ui.warn(f"no sound output ({exc}); the question is shown instead")
        return NullSpeaker(), "none", None
    return speaker, str(speaker.device), make_voice(voice_name)


def _store_ready(sessions_dir: Path | None) -> None:
    """Check the sessions folder before a microphone or speaker is opened: a bad
    --sessions-dir is the problem to report, not a missing microphone."""
    from coach.sessions.store import SessionStore

    SessionStore(sessions_dir).ensure_writable()


def _coaching(level: str | None, company: str | None,
              sessions_dir: Path | None = None) -> CoachingOptions:
    """Who the answer is judged for, and the user's personal STAR model if they have
    corrected answers in this sessions folder (``coach relabel``)."""
    from coach.analysis.analyze import CoachingOptions
    from coach.analysis.rubric import check_company, check_level
    from coach.sessions.corrections import personal_model
    from coach.sessions.store import SessionStore

    return CoachingOptions(check_level(level), check_company(company),
                           personal_model(SessionStore(sessions_dir)))


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
    vocabulary: VocabularyOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Analyse an existing answer (audio or text) without recording. Saves no session."""
    from coach.analysis.analyze import analyze_samples, analyze_text, read_text
    from coach.cli.config import load_config
    from coach.prompts import get_question

    # The settings only when they are used: a bad one does not stop a typed answer's check.
    config = load_config() if question or not text else None
    q = get_question(question, everyday=config.everyday) if question and config else None
    coaching = _coaching(level, company)
    out_audio = writable_path(feedback_audio)
    path = Path(file)
    if text:
        report = analyze_text(read_text(path), q, path, coaching)
    else:
        from coach.audio.pcm import SAMPLE_RATE, load_audio

        listen_for = _vocabulary(q, config.vocabulary if config else (), vocabulary)
        samples = load_audio(path)
        transcriber = make_transcriber(model, vocabulary=listen_for)
        with err.status(f"Transcribing {samples.size / SAMPLE_RATE:.0f} s of audio…"):
            _, report = analyze_samples(samples, transcriber, q, path, coaching)
    if out_audio:
        from coach.audio.pcm import write_wav
        from coach.audio.voices import make_voice

        write_wav(out_audio, make_voice("system").synthesize(report.feedback.spoken))
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        from coach.cli.render import render_report

        render_report(report, out)


def _drill(kind: DrillKind, rounds: int, question: str | None, same_question: bool,
           answers: list[str] | None, device: str | None, output_device: str | None,
           speak: bool, sessions_dir, silence_s: float | None, model: Path | None,
           vocabulary: str | None = None, turn_taking: str | None = None) -> None:
    import random

    from rich.table import Table

    from coach.audio.devices import SoundDeviceMicrophone
    from coach.audio.pcm import load_audio
    from coach.audio.record import FileMicrophone
    from coach.audio.turn import TurnTaking
    from coach.audio.vad import EndpointOptions
    from coach.cli.config import load_config
    from coach.errors import InputError
    from coach.practice.drill import DrillRun, summarize
    from coach.practice.run import Mouth, PracticeSettings
    from coach.prompts import get_question, questions
    from coach.sessions.store import SessionStore
    from coach.speech.vocabulary import answer_vocabulary

    if answers and len(answers) < rounds:
        raise InputError(f"{rounds} rounds need {rounds} --answer files, got {len(answers)}")
    config = load_config()
    # The opening drill is Situation and Task only, cut off on purpose: an answer without
    # its Result never sounds finished to the end-of-turn model (trained on whole
    # answers), so smart turn-taking would always wait out the limit. It stays fixed.
    mode = "fixed" if kind == DrillKind.opening else turn_taking or config.turn_taking
    silence = _silence_s(silence_s, config.silence_s, mode)
    own = _own_vocabulary(config.vocabulary, vocabulary)
    _store_ready(sessions_dir)
    mics = [FileMicrophone(load_audio(Path(a))) for a in answers] if answers else None
    live = None if mics else SoundDeviceMicrophone(device or config.device)
    ui = ConsoleUI(as_json=False, countdown_s=50.0 if kind == DrillKind.opening else None,
                   ending=_ending(mode, silence))
    speaker, output_name, voice = _sound_output(speak, output_device or config.output_device,
                                                config.voice, ui)
    stop = threading.Event()
    transcribers: dict[str, Transcriber] = {}

    def transcriber_for(q: Question) -> Transcriber:  # each question has its own key terms
        if q.id not in transcribers:
            transcribers[q.id] = make_transcriber(model,
                                                  vocabulary=answer_vocabulary(q, own))
        return transcribers[q.id]

    q = get_question(question, everyday=config.everyday)
    run = DrillRun(SessionStore(sessions_dir), transcriber_for(q), Mouth(voice, speaker, ui),
                   ui, stop)
    settings = PracticeSettings(
        EndpointOptions(silence_ms=int(silence * 1000)),
        end_on_silence=mics is None, input_name="file" if live is None else live.name,
        output_name=output_name, voice=config.voice if voice else "none",
        coaching=_coaching(None, None, sessions_dir), turn_taking=TurnTaking(mode))
    results = []
    for n in range(1, rounds + 1):
        if n > 1 and not same_question:
            q = random.choice([x for x in questions(config.everyday) if x.id != q.id])
            run.transcriber = transcriber_for(q)
        if live:
            stdin_enter_stops(stop)
        err.print(f"\n[bold]Round {n} of {rounds}[/bold]")
        mic = mics[n - 1] if mics else live
        if mic is None:  # cannot happen: the microphone is opened when there are no files
            raise RuntimeError("no microphone and no recordings to answer with")
        result = run.round(kind, q, mic, settings, n)
        if result:
            results.append(result)
    if not results:
        return
    table = Table("Round", "Question", "S+T", "Over", "Action", "Action starts")
    for r in results:
        table.add_row(str(r.round), r.question_id, f"{r.situation_task_s:.0f} s",
                      f"{r.over_s:+d} s",
                      f"{r.action_share * 100:.0f}%" if r.action_share is not None else "-",
                      f"{r.action_start_s:.0f} s" if r.action_start_s is not None else "-")
    out.print(table)
    s = summarize(results)
    fmt = (lambda v: f"{v:.0f} s") if kind == DrillKind.opening else (lambda v: f"{v * 100:.0f}%")
    trend = (f"{s.trend:+.1f} s per round" if kind == DrillKind.opening
             else f"{s.trend * 100:+.1f} points per round")
    out.print(f"Best {fmt(s.best)}, average {fmt(s.average)}, trend {trend} ({s.metric}).")


DrillAnswers = Annotated[list[str] | None, typer.Option(
    "--answer", help="Use recordings instead of the microphone, one per round.")]
Rounds = Annotated[int, typer.Option("--rounds", "-n", min=1, max=20, help="How many rounds.")]
SameQuestion = Annotated[bool, typer.Option(
    "--same/--new", help="Same question every round, or a new one.")]


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
    silence_s: SilenceSeconds = None,
    sessions_dir: SessionsDir = None,
    model: ModelDir = None,
    vocabulary: VocabularyOpt = None,
    turn_taking: TurnTakingOpt = None,
) -> None:
    """Timing drills: the 50-second opening, or the 70% Action. Saved as kind 'drill'.
    (The opening drill always ends after --silence-s of silence: it has no Result to
    sound finished with.)"""
    _drill(kind, rounds, question, same, answer, device, output_device, speak,
           sessions_dir, silence_s, model, vocabulary,
           turn_taking.value if turn_taking else None)


# Looking back at sessions (coach/cli/review.py).
app.command("history")(cli_review.history)
app.command()(cli_review.show)
app.command()(cli_review.export)
app.command()(cli_review.report)
app.command()(cli_review.progress)
app.command("replay")(cli_review.replay)
app.command()(cli_review.delete)
app.command()(cli_relabel.relabel)


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
        # Usage errors from Typer's (vendored) Click: one line, with where to find help.
        message = getattr(exc, "format_message", None)
        exit_code = getattr(exc, "exit_code", None)
        if callable(message) and isinstance(exit_code, int):
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            text = " ".join(str(message()).split())
            err.print(f"coach: {text}{hint}", markup=False, highlight=False, soft_wrap=True)
            sys.exit(exit_code)
        raise
    sys.exit(result if isinstance(result, int) else 0)
