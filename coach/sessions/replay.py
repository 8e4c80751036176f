"""Playing a session back, with the transcript shown as it plays."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coach.analysis.report import PARTS, Report, Sentence
from coach.audio.pcm import SAMPLE_RATE
from coach.audio.voices import Speaker
from coach.errors import InputError


@dataclass(frozen=True)
class Clip:
    start_s: float
    end_s: float
    sentences: tuple[Sentence, ...]


def choose_clip(report: Report, duration_s: float, part: str | None = None,
                from_s: float | None = None) -> Clip:
    """The stretch of the recording to play: one STAR part, or from a time to the end."""
    start, end = 0.0, duration_s
    if part is not None:
        if part not in PARTS:
            raise InputError(f"--part takes one of {', '.join(PARTS)}, not {part!r}")
        spans = [s for s in report.parts if s.part == part]
        if not spans:
            raise InputError(f"this answer has no {part} part")
        start, end = spans[0].start, spans[-1].end
    if from_s is not None:
        if not 0 <= from_s < duration_s:
            raise InputError(f"--from must be between 0 and {duration_s:.0f} seconds")
        start = max(start, from_s) if part else from_s
    sentences = tuple(s for s in report.sentences if s.end > start and s.start < end)
    return Clip(start, end, sentences)


def play_clip(samples: np.ndarray, clip: Clip, speaker: Speaker,
              show: Callable[[Sentence], None]) -> None:
    """Play the clip through ``speaker`` and call ``show`` for each sentence as it starts."""
    audio = samples[int(clip.start_s * SAMPLE_RATE): int(clip.end_s * SAMPLE_RATE)]
    done = threading.Event()
    failure: list[BaseException] = []

    def play() -> None:
        try:
            speaker.play(audio)
        except BaseException as exc:  # reported in the calling thread
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=play, daemon=True).start()
    t0 = time.monotonic()
    pending = list(clip.sentences)
    while pending and not done.is_set():
        position = clip.start_s + time.monotonic() - t0
        while pending and pending[0].start <= position + 0.05:
            show(pending.pop(0))
        done.wait(0.05)
    done.wait()
    if failure:
        raise failure[0]
