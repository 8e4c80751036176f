"""A real fake recogniser: implements the Transcriber protocol without a model.

It "hears" a script of words laid over the voiced stretches of the audio (webrtcvad on
the real samples), so timing, endpointing, chunking, sessions and reports run on the same
code as with Whisper, in milliseconds. Tests that are about recognition use the real model.
"""

from __future__ import annotations

import numpy as np

from coach.audio.pcm import FRAME_MS, SAMPLE_RATE
from coach.audio.vad import classify_frames
from coach.errors import NoSpeechError
from coach.speech.transcript import Segment, Transcript
from coach.words import Word


class FakeTranscriber:
    """Lays ``script`` (or, for each later call, the next script in ``scripts``) over the
    voiced audio, in proportion to each voiced stretch's length."""

    model_name = "fake"

    def __init__(self, *scripts: str):
        self.scripts = list(scripts)
        self.calls: list[tuple[int, float, str | None]] = []
        self.loaded = False

    def load(self) -> None:
        self.loaded = True

    def transcribe(self, samples: np.ndarray, offset_s: float = 0.0,
                   prompt: str | None = None) -> Transcript:
        self.calls.append((samples.size, offset_s, prompt))
        script = self.scripts[0] if len(self.scripts) == 1 else self.scripts.pop(0)
        voiced = np.array(classify_frames(samples), dtype=bool)
        runs = _runs(voiced)
        tokens = script.split()
        if not runs or not tokens:
            raise NoSpeechError("no answer heard: the recording holds no speech")
        total = sum(b - a for a, b in runs)
        words: list[Word] = []
        k = 0
        for n, (a, b) in enumerate(runs):
            share = len(tokens) - k if n == len(runs) - 1 else round(len(tokens) * (b - a) / total)
            chunk = tokens[k:k + share]
            k += len(chunk)
            step = (b - a) * FRAME_MS / 1000 / max(len(chunk), 1)
            t0 = a * FRAME_MS / 1000 + offset_s
            words += [Word(t, round(t0 + i * step, 3), round(t0 + (i + 1) * step - 0.02, 3))
                      for i, t in enumerate(chunk)]
        return Transcript(tuple(words), (Segment(script, words[0].start, words[-1].end,
                                                 tuple(words)),),
                          samples.size / SAMPLE_RATE, self.model_name)


def _runs(voiced: np.ndarray, min_gap: int = 10) -> list[tuple[int, int]]:
    """Voiced frame runs [a, b), gaps shorter than ``min_gap`` frames bridged."""
    idx = np.flatnonzero(voiced)
    if idx.size == 0:
        return []
    runs = [[int(idx[0]), int(idx[0]) + 1]]
    for i in idx[1:]:
        if i - runs[-1][1] < min_gap:
            runs[-1][1] = int(i) + 1
        else:
            runs.append([int(i), int(i) + 1])
    return [(a, b) for a, b in runs]


def tone_speech(seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A voiced-sounding signal (harmonics with a syllable rhythm) that webrtcvad takes
    for speech: stands in for speech where the words come from the fake recogniser."""
    t = np.arange(int(seconds * rate)) / rate
    f0 = 140 + 20 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    sig = sum(np.sin(k * phase) / k for k in range(1, 8))
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t) ** 2
    return (sig * envelope * 4000).astype(np.int16)
