"""The recording loop: microphone blocks -> VAD frames -> endpointing -> a WAV on disk."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

import numpy as np

from coach.audio.devices import Microphone
from coach.audio.pcm import FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, WavWriter
from coach.audio.turn import TurnDetector, TurnOptions, VerdictBox
from coach.audio.vad import (
    Endpointer,
    EndpointEvent,
    EndpointOptions,
    EventKind,
    FrameClassifier,
)
from coach.errors import DeviceError, NoSpeechError

log = logging.getLogger(__name__)

STOP_DRAIN_S = 2.0
"""When Enter stops an answer, the audio already captured but not yet read (queued by the
microphone's callback: up to a second or so on a busy machine) is still kept, up to this
much. Without it the last words said just before Enter were lost."""


class EndReason(Enum):
    SILENCE = "silence"
    ENTER = "enter"
    MAX_LENGTH = "max_length"
    END_OF_INPUT = "end_of_input"
    INTERRUPTED = "interrupted"
    DEVICE_ERROR = "device_error"
    DISK_FULL = "disk_full"


@dataclass(frozen=True)
class Status:
    """What the live status line shows."""

    waited_s: float
    """Seconds since the microphone opened."""
    answer_s: float | None
    """Seconds since the answer started, None while waiting for speech."""
    speaking: bool
    sounds_finished: bool = False
    """The answer sounds finished and is about to end (smart turn-taking): still
    listening for a short moment, speaking again resumes it."""


@dataclass(frozen=True)
class Recording:
    path: Path
    samples: np.ndarray
    speech_start_s: float
    """Where the detected speech starts inside the file (the pre-roll before it)."""
    ended_by: EndReason
    error: str | None = None
    save_error: str | None = None
    """Why the file holds less than ``samples`` (the disk filled up or the folder went
    away while recording): the whole answer is still in ``samples``."""
    saved_s: float | None = None
    """Seconds of the answer in the file when ``save_error`` is set."""
    input_overflows: int = 0
    """Moments of input the microphone dropped because the computer was too busy to take
    them in time (its ``overflows``; 0 from a file): the answer has gaps there."""

    @property
    def duration_s(self) -> float:
        return self.samples.size / SAMPLE_RATE


class EndOfInput(Exception):
    """Raised by a file-backed microphone when its audio is used up."""


class FileMicrophone:
    """Serves a decoded recording as microphone blocks, so files run the recording code."""

    def __init__(self, samples: np.ndarray, block: int = FRAME_SAMPLES * 4):
        self.samples = samples
        self.block = block
        self._pos = 0
        self.name = "file"
        self.overflows = 0

    def __enter__(self) -> FileMicrophone:
        self._pos = 0
        return self

    def __exit__(self, *exc) -> None:
        return None

    def read(self, timeout_s: float) -> np.ndarray | None:
        if self._pos >= self.samples.size:
            raise EndOfInput
        block = self.samples[self._pos : self._pos + self.block]
        self._pos += self.block
        return block


@dataclass
class _Take:
    """One recording in progress: the frames before speech starts, then the file."""

    path: Path
    options: EndpointOptions
    endpointer: Endpointer
    classifier: FrameClassifier
    before: deque[tuple[np.ndarray, bool]]
    """The latest frames while waiting for speech: the pre-roll comes from here."""
    writer: WavWriter | None = None
    """The file, from the start of speech until writing fails."""
    started: bool = False
    """Speech has started: frames are kept (and written while the file takes them)."""
    save_error: str | None = None
    saved_samples: int = 0
    frame_no: int = -1
    start_frame: int = 0
    pre_roll_frames: int = 0
    marked: bool = False
    reason: EndReason = EndReason.END_OF_INPUT
    error: str | None = None
    input_overflows: int = 0
    kept: list[np.ndarray] = field(default_factory=list)

    @classmethod
    def start(cls, path: Path, options: EndpointOptions, turn: TurnOptions | None = None
              ) -> _Take:
        """A take waiting for speech (``turn``: it may also end on verdicts)."""
        endpointer = TurnDetector(options, turn) if turn is not None else Endpointer(options)
        classifier = FrameClassifier(options.aggressiveness)
        keep = (options.pre_roll_ms + options.start_window_ms) // FRAME_MS + 1
        return cls(path, options, endpointer, classifier, deque(maxlen=keep))

    @property
    def ended(self) -> bool:
        return self.reason is not EndReason.END_OF_INPUT

    def answer_s(self) -> float | None:
        """Seconds since the answer started, None while waiting for speech."""
        return (self.frame_no - self.start_frame) * FRAME_MS / 1000 if self.started else None

    def status(self) -> Status:
        """The live status line's values."""
        finished = isinstance(self.endpointer, TurnDetector) and \
            self.endpointer.sounds_finished
        return Status((self.frame_no + 1) * FRAME_MS / 1000, self.answer_s(),
                      self.endpointer.in_speech, finished)

    @property
    def first_frame(self) -> int:
        """The endpointer's number of the recording's first frame (the pre-roll's)."""
        return self.start_frame - self.pre_roll_frames

    def close(self) -> None:
        """Close the file, if there is one; a failure is kept as ``save_error``."""
        if self.writer is not None:
            try:
                self.writer.close()
            except OSError as exc:
                self.saving_failed(exc)

    def saving_failed(self, exc: OSError) -> None:
        """The file takes no more: keep recording into memory only, and say why once."""
        if self.save_error is None:
            self.save_error = f"{self.path}: {exc.strerror or exc}"
            self.saved_samples = self.writer.samples_written if self.writer else 0
        writer, self.writer = self.writer, None
        if writer is not None:
            with contextlib.suppress(OSError):  # the file holds its last valid state
                writer.close()

    def result(self) -> Recording:
        """The recording, or the error for a take that never heard speech."""
        if not self.started:
            if self.reason is EndReason.INTERRUPTED:
                raise KeyboardInterrupt
            if self.error:
                raise DeviceError(self.error)
            raise NoSpeechError("no answer heard: the recording holds no speech")
        samples = np.concatenate(self.kept) if self.kept else np.zeros(0, np.int16)
        saved_s = self.saved_samples / SAMPLE_RATE if self.save_error else None
        return Recording(self.path, samples, self.pre_roll_frames * FRAME_MS / 1000,
                         self.reason, self.error, self.save_error, saved_s,
                         self.input_overflows)


class Recorder:
    """Records one answer from a microphone into a WAV file that is valid at every moment.

    Ends on the endpointer's silence, on ``stop`` being set (Enter), at the maximum
    length, at the end of a file, on Ctrl-C (KeyboardInterrupt) or a device error; all
    but the first three are reported in ``Recording.ended_by`` with the audio kept. When
    the file cannot be written any more (disk full), recording goes on in memory and
    ``Recording.save_error`` says so: the answer is never cut short by the disk.

    With ``turn`` (smart turn-taking) the silence limit is an upper bound: verdicts
    posted to ``verdicts`` (frames numbered on the recording's timeline, as ``on_frame``
    sees them) can end the answer earlier (``coach.audio.turn``).
    """

    def __init__(self, mic: Microphone, options: EndpointOptions | None = None,
                 on_status: Callable[[Status], None] | None = None,
                 on_mark: Callable[[], None] | None = None, mark_s: float = 50.0,
                 end_on_silence: bool = True, stop: threading.Event | None = None,
                 on_frame: Callable[[np.ndarray, bool], None] | None = None,
                 turn: TurnOptions | None = None, verdicts: VerdictBox | None = None):
        self.mic = mic
        self.turn = turn
        self.verdicts = verdicts
        self.options = options or EndpointOptions()
        self.on_status = on_status
        self.on_mark = on_mark
        self.mark_s = mark_s
        self.end_on_silence = end_on_silence
        self.stop = stop or threading.Event()
        self.on_frame = on_frame
        """Called with every kept frame and its speech decision (for streaming)."""

    def record_to_memory(self) -> Recording:
        """Record into a temporary file and keep only the samples (tests, drills)."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="coach-rec-") as tmp:
            return self.record(Path(tmp) / "answer.wav")

    def record(self, path: Path) -> Recording:
        """Record one answer into ``path``; the class docstring says how it ends."""
        take = _Take.start(path, self.options, self.turn)
        try:
            with self.mic:
                self._read_blocks(take)
        except KeyboardInterrupt:
            take.reason = EndReason.INTERRUPTED
        except DeviceError as exc:
            take.reason, take.error = EndReason.DEVICE_ERROR, str(exc)
        except OSError as exc:  # disk full, file too large, storage gone
            take.reason = EndReason.DISK_FULL
            take.error = (f"cannot write the recording any more ({exc.strerror or exc}); "
                          "kept what was saved so far")
        finally:
            take.input_overflows = self.mic.overflows
            take.close()
        return take.result()

    def _read_blocks(self, take: _Take) -> None:
        """Read microphone blocks until the take ends, Enter is pressed or the input ends.

        The microphone's callback only queues blocks; all the work happens in this loop.
        """
        while not take.ended:
            if self.stop.is_set():
                self._read_captured(take)
                if not take.ended:
                    take.reason = EndReason.ENTER
                break
            try:
                block = self.mic.read(0.1)
            except EndOfInput:
                break
            if block is None:
                continue
            self._take_block(take, block)
            if self.on_status:
                self.on_status(take.status())

    def _read_captured(self, take: _Take) -> None:
        """Keep what the microphone captured before Enter was pressed: the blocks still
        queued behind the one just read hold the answer's last words. Reads only what is
        already there (no waiting), and at most ``STOP_DRAIN_S`` of it."""
        left = int(STOP_DRAIN_S * SAMPLE_RATE)
        while left > 0 and not take.ended:
            try:
                block = self.mic.read(0.0)
            except EndOfInput:
                return
            if block is None:
                return
            left -= block.size
            self._take_block(take, block)

    def _take_block(self, take: _Take, block: np.ndarray) -> None:
        """Push a block's frames through the endpointer until the take ends."""
        for frame, is_speech in take.classifier.frames(block):
            self._hand_over_verdicts(take)
            event = self._push_frame(take, frame, is_speech)
            if event:
                self._on_event(take, event)
            if take.ended:
                break
            self._mark_if_due(take)

    def _hand_over_verdicts(self, take: _Take) -> None:
        """Give the detector the verdicts that arrived, on its own timeline."""
        if self.verdicts is None or not isinstance(take.endpointer, TurnDetector):
            return
        for verdict in self.verdicts.take():
            if take.started:
                heard = replace(verdict, upto_frame=verdict.upto_frame + take.first_frame)
                if take.endpointer.hear(heard):
                    log.info("the answer %s (p=%.2f) after %.1f s of silence",
                             "sounds finished" if verdict.finished else "goes on",
                             verdict.probability,
                             (take.frame_no - heard.upto_frame) * FRAME_MS / 1000)

    def _push_frame(self, take: _Take, frame: np.ndarray, is_speech: bool
                    ) -> EndpointEvent | None:
        """Keep one frame (in the pre-roll buffer or the file); the endpointer's event."""
        take.frame_no += 1
        event = take.endpointer.push(is_speech)
        if not take.started:
            take.before.append((frame, is_speech))
        else:
            self._write(take, frame, is_speech)
        return event

    def _on_event(self, take: _Take, event: EndpointEvent) -> None:
        """Open the file when speech starts; note why the take ends."""
        if event.kind is EventKind.START:
            self._open_file(take, event.frame)
        elif event.kind is EventKind.NO_SPEECH:
            raise NoSpeechError(
                f"no answer heard in {take.options.no_speech_timeout_s:.0f} s: "
                "is the microphone muted or the wrong one? (see 'coach devices')")
        elif event.kind is EventKind.MAX_LENGTH:
            take.reason = EndReason.MAX_LENGTH
        elif event.kind is EventKind.END and self.end_on_silence:
            take.reason = EndReason.SILENCE

    def _open_file(self, take: _Take, start_frame: int) -> None:
        """Speech started at ``start_frame``: open the file and write the pre-roll."""
        take.start_frame = start_frame
        first = max(0, start_frame - take.options.pre_roll_ms // FRAME_MS)
        take.pre_roll_frames = start_frame - first
        take.started = True
        try:
            take.writer = WavWriter(take.path)
        except OSError as exc:
            take.saving_failed(exc)
        for f, d in list(take.before)[-(take.frame_no - first + 1):]:
            self._write(take, f, d)

    def _write(self, take: _Take, frame: np.ndarray, is_speech: bool) -> None:
        """Append a frame to the kept samples and (while it takes them) the file, and pass
        it on to ``on_frame``."""
        if take.writer is not None:
            try:
                take.writer.write(frame)
            except OSError as exc:
                take.saving_failed(exc)
        take.kept.append(frame)
        if self.on_frame:
            self.on_frame(frame, is_speech)

    def _mark_if_due(self, take: _Take) -> None:
        """Call ``on_mark`` once, when the answer reaches ``mark_s`` seconds."""
        answer_s = take.answer_s()
        if answer_s is not None and not take.marked and answer_s >= self.mark_s:
            take.marked = True
            if self.on_mark:
                self.on_mark()
