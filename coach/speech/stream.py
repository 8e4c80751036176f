"""Transcription while the person speaks.

The recorder hands every frame it keeps to a ``ChunkedTranscriber``. Once a chunk holds
enough speech and the speaker pauses, the chunk is cut in the middle of the pause and a
background worker transcribes it, so when the answer ends only the last chunk is left.
And that one is started early: a pause that may be the end of the answer starts a
*speculative* transcription of what is pending, used if no more speech comes, so the
recorder's end-of-answer silence timeout hides the last chunk's transcription too. If the
speaker goes on after it, the speculative transcription is not wasted when it is long
enough to be a chunk: it becomes one (it ends in a pause, like any chunk).
Timestamps stay on the recording's timeline (each chunk knows its offset).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeGuard

import numpy as np

from coach.audio.pcm import FRAME_MS, SAMPLE_RATE
from coach.errors import CoachError, NoSpeechError
from coach.speech.transcript import Transcriber, Transcript
from coach.words import Word, join_words

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChunkOptions:
    min_chunk_s: float = 6.0
    """A chunk is only cut once it is at least this long (Whisper wants context: shorter
    chunks cost accuracy at their edges; each chunk also gets the last words before it as
    a prompt). The shorter, the less is left to transcribe when the answer ends."""
    cut_pause_ms: int = 700
    """A non-speech run this long is a sentence break: cut in its middle. (Shorter runs
    happen inside words and phrases; cutting there loses words at the edge.)"""
    max_chunk_s: float = 25.0
    """A chunk this long is cut in the middle of its longest pause so far..."""
    min_fallback_pause_ms: int = 300
    """...if that pause is at least this long."""
    prompt_words: int = 30
    """Words of the previous chunk given to Whisper as context for the next."""
    early_pause_ms: int = 800
    """A pause this long may be the end of the answer: transcribe what is pending now, and
    keep the result if no more speech comes, or as a chunk if it is at least
    ``min_chunk_s`` long (else it is dropped)."""
    overlap_ms: int = 300
    """A chunk made of an early transcription ends where the pause was when it started;
    the next chunk starts this much earlier (at most half that pause), inside the pause,
    so the first sound of the next word is never cut off where the voice detector heard
    speech a frame late."""


@dataclass(frozen=True)
class HeardSoFar:
    """Everything said so far, transcribed during a pause (for end-of-turn detection)."""

    words: tuple[Word, ...]
    upto_frame: int
    """The last voiced frame the words cover (frames as fed, counted from 0): stale once
    a later frame is voiced."""


@dataclass(frozen=True)
class _Job:
    audio: np.ndarray
    offset_s: float
    early: int | None = None
    """The number of the early (speculative) transcription, None for a chunk cut as one."""
    upto_frame: int | None = None
    """The last voiced frame so far, when this job covers every voiced frame so far."""
    promote: int | None = None
    """Not audio: early transcription number ``promote`` became a chunk; keep its result
    (if it is in by now; else it is kept when it comes)."""


class ChunkedTranscriber:
    """Feeds on (frame, is_speech) and transcribes VAD-delimited chunks in a worker."""

    def __init__(self, transcriber: Transcriber, options: ChunkOptions | None = None,
                 on_heard: Callable[[HeardSoFar], None] | None = None):
        """``on_heard`` is called from the worker thread whenever everything said so far
        has been transcribed during a pause (by an early transcription, or by a chunk cut
        in that pause) and nobody has spoken since."""
        self.transcriber = transcriber
        self.options = options or ChunkOptions()
        self.on_heard = on_heard
        self._frames: list[np.ndarray] = []
        self._fed = 0  # frames fed so far
        self._last_voiced = -1  # the latest voiced frame fed
        self._chunk_start = 0  # frame index of self._frames[0] on the recording's timeline
        self._silent_run = 0
        self._best_cut: int | None = None  # index into self._frames
        self._longest_ms = 0
        self._jobs: queue.Queue = queue.Queue()
        self._outstanding = 0  # jobs put and not yet handled
        self._handled = threading.Condition()
        self._transcripts: list[Transcript] = []
        self._error: CoachError | None = None
        self._early: int | None = None  # the early job still valid: no speech since
        self._early_frames = 0  # the pending frames it covers
        self._promoted: set[int] = set()  # early jobs talked past that became chunks
        self._kept_early: set[int] = set()  # ...whose results are in the transcript
        self._early_result: tuple[int, Transcript | CoachError] | None = None  # the latest
        self._worker = threading.Thread(target=self._work, daemon=True)
        self._worker.start()
        self.chunks_sent = 0
        self.early_started = 0
        self.early_used = False

    def feed(self, frame: np.ndarray, is_speech: bool) -> None:
        o = self.options
        self._frames.append(frame)
        self._fed += 1
        self._silent_run = 0 if is_speech else self._silent_run + 1
        if is_speech:
            if self._early is not None:  # the speaker went on after an early transcription
                self._talked_past()
            self._last_voiced = self._fed - 1
        run_ms = self._silent_run * FRAME_MS
        if run_ms > self._longest_ms:  # the longest pause so far, and its middle
            self._longest_ms = run_ms
            self._best_cut = len(self._frames) - self._silent_run // 2
        if self._early is not None:
            return  # only silence since the early transcription: nothing new to cut
        length_s = len(self._frames) * FRAME_MS / 1000
        if length_s >= o.min_chunk_s and run_ms >= o.cut_pause_ms:
            self._send(len(self._frames) - self._silent_run // 2)
        elif (length_s >= o.max_chunk_s and self._longest_ms >= o.min_fallback_pause_ms
              and self._best_cut is not None):
            self._send(self._best_cut)
        elif (self._silent_run == o.early_pause_ms // FRAME_MS
              and len(self._frames) > self._silent_run):
            self._start_early()

    def _talked_past(self) -> None:
        """The early transcription is no longer the end: keep it as a chunk if it is long
        enough (the frames it covers leave the pending ones), else drop it."""
        assert self._early is not None
        covered = self._early_frames
        if covered * FRAME_MS / 1000 >= self.options.min_chunk_s:
            self._promoted.add(self._early)  # before _early changes: never neither
            overlap_ms = min(self.options.overlap_ms, self.options.early_pause_ms // 2)
            self._sent(max(1, covered - overlap_ms // FRAME_MS))  # the overlap is all pause
            log.info("early transcription %d kept as chunk %d", self._early, self.chunks_sent)
            self._put(_Job(np.zeros(0, np.int16), 0.0, promote=self._early))
        self._early = None

    def _start_early(self) -> None:
        self.early_started += 1
        self._early = self.early_started
        self._early_frames = len(self._frames)
        self._put(_Job(np.concatenate(self._frames), self._chunk_start * FRAME_MS / 1000,
                       early=self.early_started, upto_frame=self._last_voiced))
        log.debug("early transcription %d of %d pending frames", self._early, len(self._frames))

    def _send(self, upto: int) -> None:
        self._early = None
        chunk = np.concatenate(self._frames[:upto])
        offset_s = self._chunk_start * FRAME_MS / 1000
        covers_all = self._last_voiced < self._chunk_start + upto
        self._put(_Job(chunk, offset_s, upto_frame=self._last_voiced if covers_all else None))
        self._sent(upto)
        log.info("chunk %d: %.1f-%.1f s sent for transcription", self.chunks_sent, offset_s,
                 offset_s + chunk.size / SAMPLE_RATE)

    def _sent(self, upto: int) -> None:
        """The first ``upto`` pending frames are a chunk now: the next one starts after."""
        self.chunks_sent += 1
        self._frames = self._frames[upto:]
        self._chunk_start += upto
        self._best_cut = None
        self._longest_ms = 0
        self._silent_run = min(self._silent_run, len(self._frames))

    def _put(self, job: _Job) -> None:
        with self._handled:
            self._outstanding += 1
        self._jobs.put(job)

    def settle(self, timeout_s: float = 60.0) -> bool:
        """Wait until every job sent so far has been handled (its ``on_heard`` called):
        for tests and benchmarks that feed a recording faster than real time. False if
        that took longer than ``timeout_s``."""
        with self._handled:
            return self._handled.wait_for(lambda: self._outstanding == 0, timeout_s)

    def _work(self) -> None:
        prompt = None
        while (job := self._jobs.get()) is not None:
            try:
                prompt = self._run(job, prompt)
            finally:
                with self._handled:
                    self._outstanding -= 1
                    self._handled.notify_all()

    def _run(self, job: _Job, prompt: str | None) -> str | None:
        """Transcribe one job; the prompt for the next chunk."""
        if job.promote is not None:
            return self._keep_early(job.promote, prompt)
        if self._stale(job):
            return prompt  # stale before it started: skip it
        told: list[tuple[Word, ...]] = []

        def draft(words: tuple[Word, ...]) -> bool:  # the words, before the hesitations
            if self._stale(job):
                return False  # the speaker went on: no hesitations wanted for this one
            told.append(words)
            self._tell_heard(job, words)
            return True

        result: Transcript | CoachError
        try:
            result = self.transcriber.transcribe(job.audio, offset_s=job.offset_s,
                                                 prompt=prompt, on_words=draft)
        except CoachError as exc:
            result = exc
        own = result.words if isinstance(result, Transcript) else ()
        if own and (not told or told[-1] != own):  # (nothing new in a silent piece)
            self._tell_heard(job, own)  # again if the hesitations changed the words
        if job.early is not None:  # used if the answer ends here, or if it became a chunk
            self._early_result = (job.early, result)
            return self._keep_early(job.early, prompt)
        return self._kept(result, prompt)

    def _kept(self, result: Transcript | CoachError, prompt: str | None) -> str | None:
        """Keep a chunk's result; the prompt for the next chunk (its last words)."""
        if self._keep(result):
            return join_words(result.words[-self.options.prompt_words:])
        return prompt

    def _keep_early(self, number: int, prompt: str | None) -> str | None:
        """Keep early transcription ``number``'s result as a chunk's, once, if it became
        one and its result is in (on the worker thread, in job order)."""
        if number not in self._promoted or number in self._kept_early or \
                self._early_result is None or self._early_result[0] != number:
            return prompt
        self._kept_early.add(number)
        return self._kept(self._early_result[1], prompt)

    def _stale(self, job: _Job) -> bool:
        """An early transcription the speaker has since talked past, too short to be kept
        as a chunk: never used."""
        return job.early is not None and job.early != self._early and \
            job.early not in self._promoted

    def _tell_heard(self, job: _Job, own: tuple[Word, ...]) -> None:
        """Pass on everything said so far (the earlier chunks' words and ``own``, the
        job's), if ``job`` covered it and nobody spoke since (the jobs run in order, so
        every earlier chunk is in by now)."""
        if self.on_heard is None or job.upto_frame is None or \
                job.upto_frame != self._last_voiced or self._error is not None:
            return
        words = [w for t in self._transcripts for w in t.words] + list(own)
        try:
            self.on_heard(HeardSoFar(tuple(words), job.upto_frame))
        except Exception:  # a judge that fails must not stop transcription
            log.exception("end-of-turn judge failed")

    def _keep(self, result: Transcript | CoachError) -> TypeGuard[Transcript]:
        """Add a chunk's transcript (True), pass over silence, or note the error."""
        if isinstance(result, Transcript):
            self._transcripts.append(result)
            return True
        if not isinstance(result, NoSpeechError):
            self._error = self._error or result
        return False

    def finish(self) -> Transcript:
        """Send what is left (unless an early transcription already covers it), wait for
        the worker, and return the whole transcript."""
        early = self._early
        duration = (self._chunk_start + len(self._frames)) * FRAME_MS / 1000
        if early is None and self._frames:
            self._send(len(self._frames))
        self._jobs.put(None)
        self._worker.join()
        if early is not None:
            self.early_used = True
            if self._early_result is None:
                raise RuntimeError(f"early transcription {early} never ran")
            number, result = self._early_result
            assert number == early  # the worker ran it: it was still valid when picked up
            self._keep(result)
        if self._error:
            raise self._error
        words = tuple(w for t in self._transcripts for w in t.words)
        if not words:
            raise NoSpeechError("no answer heard: no words could be recognised")
        return Transcript(words, tuple(s for t in self._transcripts for s in t.segments),
                          duration, self.transcriber.model_name)
