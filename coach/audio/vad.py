"""Voice activity detection and endpointing.

``classify_frames`` turns audio into one speech/non-speech decision per 30 ms frame
(webrtcvad). ``Endpointer`` is a pure, resettable state machine over those decisions
that says when an answer starts and when it is over; it never touches audio or clocks,
so it can be tested on stored decisions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum

import numpy as np

from coach.audio.pcm import FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE


@dataclass(frozen=True)
class EndpointOptions:
    """When an answer starts and ends. All durations in the unit their name says."""

    start_window_ms: int = 300
    """Speech starts when this window of frames is mostly voiced..."""
    start_ratio: float = 0.6
    """...at least this share of it."""
    silence_ms: int = 3000
    """The answer ends after this much continuous non-speech (tolerates thinking pauses)."""
    pre_roll_ms: int = 1000
    """Audio kept from before the detected start of speech (at least 0.5 s)."""
    no_speech_timeout_s: float = 20.0
    """Give up when nobody has started speaking by then."""
    max_s: float = 300.0
    """Hard cap on the answer's length."""
    aggressiveness: int = 2
    """webrtcvad mode, 0 (lenient) to 3 (strict)."""


class EventKind(Enum):
    START = "start"
    END = "end"
    NO_SPEECH = "no_speech"
    MAX_LENGTH = "max_length"


@dataclass(frozen=True)
class EndpointEvent:
    kind: EventKind
    frame: int
    """Index of the frame at which the event applies (start: first voiced frame)."""

    @property
    def time_s(self) -> float:
        return self.frame * FRAME_MS / 1000


class Endpointer:
    """Feeds on per-frame speech decisions and emits start/end events."""

    def __init__(self, options: EndpointOptions | None = None):
        self.options = options or EndpointOptions()
        self.reset()

    def reset(self) -> None:
        o = self.options
        self._window: deque[bool] = deque(maxlen=max(1, o.start_window_ms // FRAME_MS))
        self._frame = -1
        self._started_at: int | None = None
        self._silent_frames = 0
        self._done = False

    @property
    def in_speech(self) -> bool:
        return self._started_at is not None and not self._done

    @property
    def started_at(self) -> int | None:
        return self._started_at

    def push(self, is_speech: bool) -> EndpointEvent | None:
        """Take the next frame's decision; return an event when one happens."""
        if self._done:
            return None
        o = self.options
        self._frame += 1
        frame = self._frame
        if frame + 1 >= int(o.max_s * 1000 / FRAME_MS):
            self._done = True
            return EndpointEvent(EventKind.MAX_LENGTH, frame)
        if self._started_at is None:
            self._window.append(is_speech)
            full = len(self._window) == self._window.maxlen
            if full and sum(self._window) >= o.start_ratio * len(self._window):
                first = frame - len(self._window) + 1 + self._window.index(True)
                self._started_at = first
                return EndpointEvent(EventKind.START, first)
            if (frame + 1) * FRAME_MS >= o.no_speech_timeout_s * 1000:
                self._done = True
                return EndpointEvent(EventKind.NO_SPEECH, frame)
            return None
        self._silent_frames = 0 if is_speech else self._silent_frames + 1
        if self._silent_frames * FRAME_MS >= o.silence_ms:
            self._done = True
            return EndpointEvent(EventKind.END, frame - self._silent_frames + 1)
        return None


def endpoint(decisions: Iterable[bool], options: EndpointOptions | None = None
             ) -> Iterator[EndpointEvent]:
    """Run an Endpointer over a sequence of decisions, yielding its events."""
    ep = Endpointer(options)
    for d in decisions:
        event = ep.push(bool(d))
        if event:
            yield event
            if event.kind is not EventKind.START:
                return


class FrameClassifier:
    """webrtcvad over 30 ms frames of 16 kHz int16 audio; keeps the odd remainder."""

    def __init__(self, aggressiveness: int = 2):
        import webrtcvad

        self._vad = webrtcvad.Vad(aggressiveness)
        self._rest = np.zeros(0, np.int16)

    def frames(self, block: np.ndarray) -> Iterator[tuple[np.ndarray, bool]]:
        """Split ``block`` (plus the remainder of the last call) into frames with decisions."""
        data = np.concatenate([self._rest, block.astype(np.int16)])
        whole = data.size // FRAME_SAMPLES * FRAME_SAMPLES
        self._rest = data[whole:]
        for i in range(0, whole, FRAME_SAMPLES):
            frame = data[i : i + FRAME_SAMPLES]
            yield frame, self._vad.is_speech(frame.tobytes(), SAMPLE_RATE)


def classify_frames(samples: np.ndarray, aggressiveness: int = 2) -> list[bool]:
    """One webrtcvad decision per whole 30 ms frame of ``samples``."""
    return [d for _, d in FrameClassifier(aggressiveness).frames(samples)]


def speech_s(samples: np.ndarray, aggressiveness: int = 2) -> float:
    """Seconds of voiced frames in ``samples``."""
    return sum(classify_frames(samples, aggressiveness)) * FRAME_MS / 1000
