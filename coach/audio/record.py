"""The recording loop: microphone blocks -> VAD frames -> endpointing -> a WAV on disk."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from coach.audio.devices import Microphone
from coach.audio.pcm import FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, WavWriter
from coach.audio.vad import Endpointer, EndpointOptions, EventKind, FrameClassifier
from coach.errors import DeviceError, NoSpeechError

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Recording:
    path: Path
    samples: np.ndarray
    speech_start_s: float
    """Where the detected speech starts inside the file (the pre-roll before it)."""
    ended_by: EndReason
    error: str | None = None

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


class Recorder:
    """Records one answer from a microphone into a WAV file that is valid at every moment.

    Ends on the endpointer's silence, on ``stop`` being set (Enter), at the maximum
    length, at the end of a file, on Ctrl-C (KeyboardInterrupt) or a device error; all
    but the first three are reported in ``Recording.ended_by`` with the audio kept.
    """

    def __init__(self, mic: Microphone, options: EndpointOptions | None = None,
                 on_status: Callable[[Status], None] | None = None,
                 on_mark: Callable[[], None] | None = None, mark_s: float = 50.0,
                 end_on_silence: bool = True, stop: threading.Event | None = None,
                 on_frame: Callable[[np.ndarray, bool], None] | None = None):
        self.mic = mic
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
        o = self.options
        endpointer = Endpointer(o)
        classifier = FrameClassifier(o.aggressiveness)
        keep = (o.pre_roll_ms + o.start_window_ms) // FRAME_MS + 1
        before: deque[tuple[np.ndarray, bool]] = deque(maxlen=keep)
        writer: WavWriter | None = None
        frame_no = -1
        start_frame = 0
        pre_roll_frames = 0
        marked = False
        reason = EndReason.END_OF_INPUT
        error = None
        kept: list[np.ndarray] = []

        def write(wav: WavWriter, frame: np.ndarray, is_speech: bool) -> None:
            wav.write(frame)
            kept.append(frame)
            if self.on_frame:
                self.on_frame(frame, is_speech)

        try:
            with self.mic:
                while reason is EndReason.END_OF_INPUT:
                    if self.stop.is_set():
                        reason = EndReason.ENTER
                        break
                    try:
                        block = self.mic.read(0.1)
                    except EndOfInput:
                        break
                    if block is None:
                        continue
                    for frame, is_speech in classifier.frames(block):
                        frame_no += 1
                        event = endpointer.push(is_speech)
                        if writer is None:
                            before.append((frame, is_speech))
                        else:
                            write(writer, frame, is_speech)
                        if event and event.kind is EventKind.START:
                            start_frame = event.frame
                            first = max(0, event.frame - o.pre_roll_ms // FRAME_MS)
                            pre_roll_frames = event.frame - first
                            writer = WavWriter(path)
                            for f, d in list(before)[-(frame_no - first + 1):]:
                                write(writer, f, d)
                        elif event and event.kind is EventKind.NO_SPEECH:
                            raise NoSpeechError(
                                f"no answer heard in {o.no_speech_timeout_s:.0f} s: "
                                "is the microphone muted or the wrong one? (see 'coach devices')")
                        elif event and event.kind is EventKind.MAX_LENGTH:
                            reason = EndReason.MAX_LENGTH
                        elif event and event.kind is EventKind.END and self.end_on_silence:
                            reason = EndReason.SILENCE
                        if reason is not EndReason.END_OF_INPUT:
                            break
                        answer_s = ((frame_no - start_frame) * FRAME_MS / 1000
                                    if writer else None)
                        if answer_s is not None and not marked and answer_s >= self.mark_s:
                            marked = True
                            if self.on_mark:
                                self.on_mark()
                    if self.on_status:
                        self.on_status(Status((frame_no + 1) * FRAME_MS / 1000,
                                              (frame_no - start_frame) * FRAME_MS / 1000
                                              if writer else None,
                                              endpointer.in_speech))
        except KeyboardInterrupt:
            reason = EndReason.INTERRUPTED
        except DeviceError as exc:
            reason, error = EndReason.DEVICE_ERROR, str(exc)
        except OSError as exc:  # disk full, file too large, storage gone
            reason = EndReason.DISK_FULL
            error = f"cannot write the recording any more ({exc.strerror or exc}); kept what " \
                    "was saved so far"
        finally:
            if writer is not None:
                try:
                    writer.close()
                except OSError as exc:
                    log.warning("closing the recording failed: %s", exc)
        if writer is None:
            if reason is EndReason.INTERRUPTED:
                raise KeyboardInterrupt
            if error:
                raise DeviceError(error)
            raise NoSpeechError("no answer heard: the recording holds no speech")
        if reason is EndReason.DISK_FULL:
            kept = kept[: writer.samples_written // FRAME_SAMPLES]  # only what is on disk
        samples = np.concatenate(kept) if kept else np.zeros(0, np.int16)
        return Recording(path, samples, pre_roll_frames * FRAME_MS / 1000, reason, error)
