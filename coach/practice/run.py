"""A practice session: say the question, record the answer, transcribe, report, speak."""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import numpy as np

from coach import __version__
from coach.analysis.analyze import CoachingOptions, build_report, judge_reply
from coach.analysis.report import Report, Source, SourceKind
from coach.audio.devices import Microphone
from coach.audio.record import EndReason, Recorder, Recording, Status
from coach.audio.turn import TurnOptions, TurnTaking, VerdictBox
from coach.audio.vad import EndpointOptions
from coach.audio.voices import Speaker, Voice, tone
from coach.errors import CoachError, DeviceError, NoSpeechError, TtsUnavailable
from coach.practice.kinds import DrillKind
from coach.prompts import Question, timing_rules
from coach.sessions.files import Scalar, SessionKind, SessionMeta, SessionStatus
from coach.sessions.store import Session, SessionStore
from coach.speech.stream import ChunkedTranscriber, ChunkOptions
from coach.speech.transcript import Transcriber, Transcript

if TYPE_CHECKING:
    from coach.practice.turn import TurnJudge

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class UI(Protocol):
    """What the session tells the person; the CLI implements it with Rich (drills add
    ``drill_result``: see coach.practice.drill.DrillUI)."""

    def question(self, question: Question) -> None: ...
    def warn(self, message: str) -> None: ...
    def listening(self, reply: bool = False) -> None:
        """Recording starts (``reply``: the reply to the follow-up question)."""
    def status(self, status: Status) -> None: ...
    def stopped(self, recording: Recording | None) -> None:
        """The recording is over (None: it failed and the error follows)."""
    def confirm_partial(self) -> bool: ...
    def busy(self, message: str) -> AbstractContextManager[None]: ...
    def report(self, report: Report, session: Session) -> None: ...
    def follow_up(self, question: str) -> None: ...
    def reply(self, report: Report) -> None: ...


def split_sentences(text: str) -> list[str]:
    """Sentences of a feedback text, for speaking one at a time."""
    return [p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p]


class Mouth:
    """Says text through a Voice and a Speaker; after the first failure it only prints."""

    def __init__(self, voice: Voice | None, speaker: Speaker, ui: UI,
                 file_voice: Voice | None = None):
        self.voice = voice
        self.speaker = speaker
        self.ui = ui
        self.enabled = voice is not None
        self.file_voice = file_voice or voice

    def say(self, text: str) -> None:
        """Speak ``text``, starting as soon as its first sentence is synthesized: the next
        sentence is rendered in the background while the current one plays."""
        voice = self.voice
        if not self.enabled or voice is None:  # enabled only ever holds with a voice
            return
        rendered: queue.Queue = queue.Queue(maxsize=2)

        def render() -> None:
            try:
                for sentence in split_sentences(text):
                    rendered.put(voice.synthesize(sentence))
            except CoachError as exc:
                rendered.put(exc)
            rendered.put(None)

        threading.Thread(target=render, daemon=True).start()
        try:
            while (item := rendered.get()) is not None:
                if isinstance(item, CoachError):
                    raise item
                self.speaker.play(item)
        except (TtsUnavailable, DeviceError) as exc:
            self.enabled = False
            self.ui.warn(f"speech unavailable ({exc}); showing text only")

    def save(self, text: str, path: Path) -> None:
        """Write ``text`` as speech to a WAV file (even when not speaking aloud)."""
        from coach.audio.pcm import write_wav

        if self.file_voice is None:
            raise ValueError(f"cannot write {path}: this Mouth was given no voice")
        try:
            write_wav(path, self.file_voice.synthesize(text))
        except TtsUnavailable as exc:
            self.ui.warn(f"cannot write {path}: {exc}")
        except OSError as exc:
            self.ui.warn(f"cannot write {path}: {exc.strerror}")

    def beep(self) -> None:
        if self.enabled:
            threading.Thread(target=self._beep, daemon=True).start()

    def _beep(self) -> None:
        try:
            self.speaker.play(tone())
        except CoachError as exc:
            log.info("cue tone failed: %s", exc)


FOLLOW_UP_AUDIO = "follow_up.wav"


@dataclass(frozen=True)
class PracticeSettings:
    endpoint: EndpointOptions
    end_on_silence: bool
    input_name: str
    output_name: str
    voice: str
    coaching: CoachingOptions = field(default_factory=CoachingOptions)
    reply_mic: Microphone | None = None
    """Where the reply to the follow-up comes from; None skips the follow-up."""
    feedback_audio: Path | None = None
    """Also write the spoken feedback to this WAV file."""
    streaming: bool = True
    """Transcribe while recording (False: the whole recording afterwards, for comparison)."""
    turn_taking: TurnTaking = TurnTaking.fixed
    """smart: a live answer that sounds finished ends after a short pause, and the
    silence limit (``endpoint.silence_ms``) is the upper bound; it needs streaming (in
    batch mode there is no transcript during the answer, and only the limit ends it)."""
    turn: TurnOptions = field(default_factory=TurnOptions)
    reply_turn_taking: TurnTaking | None = None
    """For the reply to the follow-up (None: as ``turn_taking``), with
    ``reply_silence_ms`` as its silence limit (None: ``endpoint``'s)."""
    reply_silence_ms: int | None = None


def _plain(options: EndpointOptions | CoachingOptions) -> dict[str, Scalar]:
    """Options as the plain values ``meta.json`` keeps (a path as its text)."""
    return {k: v if v is None or isinstance(v, str | int | float | bool) else str(v)
            for k, v in asdict(options).items()}


@dataclass(frozen=True)
class _Listener:
    """What listens to one answer besides the recorder."""

    endpoint: EndpointOptions
    chunker: ChunkedTranscriber | None
    judge: TurnJudge | None = None
    turn: TurnOptions | None = None
    """Set for smart turn-taking: the recorder's detector takes ``verdicts``."""
    verdicts: VerdictBox | None = None

    def on_frame(self, frame: np.ndarray, is_speech: bool) -> None:
        if self.judge is not None:
            self.judge.feed(frame, is_speech)
        if self.chunker is not None:
            self.chunker.feed(frame, is_speech)


class PracticeRun:
    """Runs one practice session and stores it; the parts are injected."""

    def __init__(self, store: SessionStore, transcriber: Transcriber, mouth: Mouth,
                 ui: UI, stop: threading.Event | None = None):
        self.store = store
        self.stop = stop or threading.Event()
        self.transcriber = transcriber
        self.mouth = mouth
        self.ui = ui

    def run(self, question: Question, mic: Microphone, settings: PracticeSettings
            ) -> Report | None:
        """The report, or None when a partial recording was not to be analysed."""
        self.store.ensure_writable()  # before the question: nobody answers for nothing
        threading.Thread(target=self._preload, daemon=True).start()
        self.ui.question(question)
        self.mouth.say(question.text)
        captured = self.capture(question, mic, settings, SessionKind.practice)
        if captured is None:
            return None
        session, meta, report, transcript = captured
        self.ui.report(report, session)
        self.mouth.say(report.feedback.spoken)
        if settings.feedback_audio:
            self.mouth.save(report.feedback.spoken, settings.feedback_audio)
        if report.follow_up and settings.reply_mic is not None:
            report = self._follow_up(report, session, settings)
        return report

    def capture(self, question: Question, mic: Microphone, settings: PracticeSettings,
                kind: SessionKind, drill: DrillKind | None = None, round_no: int | None = None
                ) -> tuple[Session, SessionMeta, Report, Transcript] | None:
        """Record one answer into a new session, transcribe it, save the report (drills
        give their kind and round number).

        None when a partial recording was not to be analysed.
        """
        session = self.store.create()
        meta = SessionMeta(
            kind=kind, version=__version__,
            created=datetime.now().astimezone().isoformat(timespec="seconds"),
            question=question, model=self.transcriber.model_name,
            input_device=settings.input_name, output_device=settings.output_name,
            voice=settings.voice,
            endpoint={**_plain(settings.endpoint), "turn_taking": settings.turn_taking.value},
            coaching=_plain(settings.coaching),
            drill=drill.value if drill is not None else None, round=round_no,
            status=SessionStatus.recording)
        session.write_meta(meta)
        listener = self._listener(settings, settings.turn_taking, settings.endpoint)
        chunker = listener.chunker
        self.stop.clear()
        recorder = Recorder(mic, listener.endpoint, on_status=self.ui.status,
                            on_mark=self.mouth.beep,
                            mark_s=timing_rules().situation_task_budget_s,
                            end_on_silence=settings.end_on_silence, stop=self.stop,
                            on_frame=listener.on_frame, turn=listener.turn,
                            verdicts=listener.verdicts)
        self.ui.listening()
        try:
            recording = recorder.record(session.audio_path)
        except (NoSpeechError, DeviceError, KeyboardInterrupt):
            self.ui.stopped(None)
            self._discard(session)
            raise
        finally:
            self.stop.set()  # releases the Enter watcher
        ended_by = SessionStatus(recording.ended_by.value)
        meta = replace(meta, status=ended_by, ended_by=ended_by,
                       duration_s=round(recording.duration_s, 2),
                       input_overflows=recording.input_overflows)
        self._keep(session.write_meta, meta)
        self.ui.stopped(recording)
        if recording.save_error:
            self.ui.warn(f"the recording could not be saved in full ({recording.save_error}):"
                         f" {recording.saved_s or 0:.0f} s of {recording.duration_s:.0f} s kept;"
                         " the whole answer is analysed")
        if recording.input_overflows:
            self.ui.warn(f"the computer was too busy: {recording.input_overflows} moment"
                         f"{'s' if recording.input_overflows > 1 else ''} of your answer "
                         f"{'were' if recording.input_overflows > 1 else 'was'} lost")
        if recording.ended_by in (EndReason.INTERRUPTED, EndReason.DEVICE_ERROR,
                                  EndReason.DISK_FULL) and \
                not self.ui.confirm_partial():
            return None
        try:
            with self.ui.busy(f"Transcribing {recording.duration_s:.0f} s of audio"):
                transcript = self._transcript(recording, chunker)
        except NoSpeechError:
            self._keep(session.write_meta, replace(meta, status=SessionStatus.no_speech))
            raise
        report = build_report(list(transcript.words),
                              Source(SourceKind.audio, str(session.audio_path),
                                     round(recording.duration_s, 2)),
                              question, estimated=False, model=transcript.model,
                              coaching=settings.coaching)
        meta = replace(meta, status=SessionStatus.complete)
        _ = self._keep(session.write_transcript, transcript) and \
            self._keep(session.write_report, report) and self._keep(session.write_meta, meta)
        return session, meta, report, transcript

    def _keep(self, write: Callable[[_T], object], value: _T) -> bool:
        """Save one file of the session; when the disk is full or the folder is gone, warn
        (naming the file) and go on: the analysis is still shown, only not kept."""
        try:
            write(value)
        except OSError as exc:
            where = exc.filename or "the session folder"
            self.ui.warn(f"could not save {where} ({exc.strerror or exc}); the results are "
                         "shown but not all of them are kept")
            return False
        return True

    def _follow_up(self, report: Report, session: Session, settings: PracticeSettings
                   ) -> Report:
        """Ask the follow-up question aloud, record the reply and judge it: the report
        with the judged reply (unchanged when no reply was heard)."""
        if report.follow_up is None or settings.reply_mic is None:
            return report  # no question to ask, or nowhere to hear the reply from
        self.ui.follow_up(report.follow_up.question)
        self.mouth.say(report.follow_up.question)
        self.stop.clear()
        endpoint = settings.endpoint if settings.reply_silence_ms is None else \
            replace(settings.endpoint, silence_ms=settings.reply_silence_ms)
        listener = self._listener(settings, settings.reply_turn_taking or settings.turn_taking,
                                  endpoint)
        chunker = listener.chunker
        recorder = Recorder(settings.reply_mic, listener.endpoint, on_status=self.ui.status,
                            end_on_silence=settings.end_on_silence, stop=self.stop,
                            on_frame=listener.on_frame, turn=listener.turn,
                            verdicts=listener.verdicts)
        self.ui.listening(reply=True)
        try:
            recording = recorder.record(session.path / FOLLOW_UP_AUDIO)
        except NoSpeechError:
            self.ui.stopped(None)
            self.ui.warn("no reply heard to the follow-up question")
            return report
        finally:
            self.stop.set()
        self.ui.stopped(recording)
        try:
            with self.ui.busy("Transcribing your reply"):
                words = list(self._transcript(recording, chunker).words)
        except NoSpeechError:
            words = []
        report = judge_reply(report, words)
        self._keep(session.write_report, report)
        self.ui.reply(report)
        if report.follow_up is not None:
            self.mouth.say(report.follow_up.verdict)
        return report

    def _listener(self, settings: PracticeSettings, mode: TurnTaking,
                  endpoint: EndpointOptions) -> _Listener:
        """The streaming transcriber and, for smart turn-taking on a live microphone, the
        judge that tells the recorder when the answer sounds finished."""
        if not settings.streaming:
            return _Listener(endpoint, None)
        if mode is not TurnTaking.smart or not settings.end_on_silence:
            return _Listener(endpoint, ChunkedTranscriber(self.transcriber))
        from coach.analysis.turn_model import turn_model
        from coach.practice.turn import TurnJudge

        model = turn_model()
        if model is None:  # not trained: behave as fixed, with the same limit
            log.warning("no end-of-turn model (run scripts/train_turn_model.py)")
            return _Listener(endpoint, ChunkedTranscriber(self.transcriber))
        box = self._verdict_box()
        judge = TurnJudge(box, model)
        chunks = ChunkOptions(early_pause_ms=settings.turn.judge_pause_ms)
        chunker = ChunkedTranscriber(self.transcriber, chunks, on_heard=judge.heard)
        return _Listener(endpoint, chunker, judge, settings.turn, box)

    def _verdict_box(self) -> VerdictBox:
        """Where the judge posts its verdicts for the recorder (a benchmark delays them by
        the time they took to reach, on a simulated clock)."""
        return VerdictBox()

    def _transcript(self, recording: Recording, chunker: ChunkedTranscriber | None
                    ) -> Transcript:
        if chunker is None:
            return self.transcriber.transcribe(recording.samples)
        return chunker.finish()

    def _preload(self) -> None:
        try:
            self.transcriber.load()
        except CoachError as exc:  # reported again, properly, when transcription starts
            log.info("model preload failed: %s", exc)

    @staticmethod
    def _discard(session: Session) -> None:
        """Remove a session folder that holds no audio (nothing worth keeping)."""
        if session.audio_path.exists():
            return
        for f in session.path.iterdir():
            f.unlink()
        session.path.rmdir()
