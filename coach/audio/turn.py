"""When the answer is over: silence alone ("fixed"), or silence with what was said and how
("smart").

``TurnDetector`` is a pure state machine like ``Endpointer`` (it is one, with the silence
limit as its upper bound) that also takes *verdicts*: "the answer so far, up to voiced
frame N, sounds finished" (or "may be finished", or neither), judged elsewhere from the
transcript so far and the pitch of the last phrase. For the pause going on now, a verdict
that sounds finished ends the answer a short grace moment later, unless the person speaks
again; one that may be finished ends it after ``unsure_pause_ms`` of silence (5 s, never
sooner); any other (or none at all) leaves the answer to end at the silence limit. It never
touches audio, clocks or threads: ``VerdictBox`` carries verdicts from the thread that
judges to the recording loop, which hands them over between frames.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

from coach.audio.pcm import FRAME_MS
from coach.audio.vad import Endpointer, EndpointEvent, EndpointOptions, EventKind


class TurnTaking(StrEnum):
    """How the coach decides the answer is over."""

    smart = "smart"
    """From what was said and how it sounded, with the silence limit as the upper bound."""
    fixed = "fixed"
    """After the silence limit, whatever was said (the behaviour before smart existed)."""


FIXED_SILENCE_S = 3.0
"""The default silence limit in fixed mode."""
SMART_SILENCE_S = 8.0
"""The default silence limit in smart mode: how long a pause in the middle of an answer
may last before the answer ends anyway (thinking pauses of 5 s are common)."""


def default_silence_s(mode: TurnTaking) -> float:
    return SMART_SILENCE_S if mode is TurnTaking.smart else FIXED_SILENCE_S


@dataclass(frozen=True)
class TurnOptions:
    """How soon a finished-sounding answer ends."""

    judge_pause_ms: int = 300
    """The pause at which the answer so far is transcribed and judged (the streaming
    transcriber's early transcription, ``ChunkOptions.early_pause_ms``). The verdict
    comes 0.5-1 s later, when the recogniser has the words. Many such pauses are not the
    end: a transcription the person talks past is kept as a chunk when it is long
    enough, and otherwise stops before its filler search, so little of that work is lost
    (scripts/bench_turn_taking.py: 300 ms gave a median of 1.53 s from the last word to
    the feedback, 500 ms 1.93 s, 800 ms 2.20 s, none of 61 thinking pauses cut)."""
    grace_ms: int = 300
    """After the verdict "sounds finished", listen this much longer (the status line says
    so) before ending: speaking again within it resumes the answer."""
    min_pause_ms: int = 600
    """Never end a finished-sounding answer before this much silence."""
    unsure_pause_ms: int = 5000
    """The silence that ends an answer that may be finished (when it is shorter than the
    silence limit): a thinking pause is still never cut before 5 s."""


@dataclass(frozen=True)
class Verdict:
    """The answer so far, judged at a pause."""

    upto_frame: int
    """The last voiced frame the judged transcript covers, on the detector's timeline (the
    recorder translates from the recording's). A verdict about an older pause is stale."""
    finished: bool
    probability: float = 0.0
    maybe: bool = False
    """Not finished-sounding, but likely enough to end after ``unsure_pause_ms``."""
    """How sure the judge was that the answer is over (for the log and the status)."""


class TurnDetector(Endpointer):
    """An ``Endpointer`` whose answer can also end early, on a finished-sounding verdict."""

    def __init__(self, options: EndpointOptions | None = None,
                 turn: TurnOptions | None = None):
        self.turn = turn or TurnOptions()
        super().__init__(options)

    def reset(self) -> None:
        super().reset()
        self._last_voiced = -1
        self._end_at: int | None = None
        self.verdicts_heard = 0
        self.last_verdict: Verdict | None = None

    @property
    def sounds_finished(self) -> bool:
        """The answer is about to end (within the grace moment) on a verdict for this
        pause: still listening."""
        grace = self.turn.grace_ms // FRAME_MS
        return self._end_at is not None and not self._done and \
            self._frame >= self._end_at - grace

    @property
    def last_voiced(self) -> int:
        """The latest voiced frame so far (-1 before any)."""
        return self._last_voiced

    def push(self, is_speech: bool) -> EndpointEvent | None:
        if self._done:
            return None
        event = super().push(is_speech)
        if is_speech:
            self._last_voiced = self._frame
            self._end_at = None  # speaking again: the answer goes on
        if event is not None or not self.in_speech:
            return event
        if self._end_at is not None and self._frame >= self._end_at:
            self._done = True
            return EndpointEvent(EventKind.END, self._last_voiced + 1)
        return None

    def hear(self, verdict: Verdict) -> bool:
        """Take a verdict; True when it is about the pause going on now (else stale)."""
        if (not self.in_speech or verdict.upto_frame != self._last_voiced
                or self._frame == self._last_voiced):
            return False
        self.verdicts_heard += 1
        self.last_verdict = verdict
        if verdict.finished:
            frames = self.turn.grace_ms // FRAME_MS
            earliest = self._last_voiced + self.turn.min_pause_ms // FRAME_MS
            self._end_at = max(self._frame + frames, earliest)
        elif verdict.maybe and self.turn.unsure_pause_ms < self.options.silence_ms:
            self._end_at = max(self._frame + self.turn.grace_ms // FRAME_MS,
                               self._last_voiced + self.turn.unsure_pause_ms // FRAME_MS)
        else:
            self._end_at = None
        return True


class VerdictBox:
    """Verdicts handed from the judging thread to the recording loop (thread-safe)."""

    def __init__(self) -> None:
        self._items: list[Verdict] = []
        self._lock = threading.Lock()

    def post(self, verdict: Verdict) -> None:
        with self._lock:
            self._items.append(verdict)

    def take(self) -> list[Verdict]:
        with self._lock:
            items, self._items = self._items, []
        return items
