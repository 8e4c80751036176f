"""A sound loop on a virtual PulseAudio sink, for end-to-end tests and latency benchmarks.

With a null sink ``vsink`` whose monitor is the default source, what is played into the
sink is what the microphone hears, and recording the monitor captures everything the
coach says. ``Capture`` records the monitor to a raw file; its ``mark()`` notes how many
samples were captured at a moment, which ties wall-clock events to capture positions.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from coach.audio.pcm import SAMPLE_RATE, write_wav

SINK = "vsink"


class Capture:
    def __init__(self, sink: str = SINK):
        self._dir = tempfile.mkdtemp(prefix="coach-capture-")
        self.path = Path(self._dir) / "capture.raw"
        self._proc = subprocess.Popen(
            ["parecord", f"--device={sink}.monitor", "--raw", "--format=s16le",
             f"--rate={SAMPLE_RATE}", "--channels=1", "--latency-msec=20", str(self.path)])
        deadline = time.monotonic() + 5
        while self.samples_so_far() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)

    def samples_so_far(self) -> int:
        try:
            return os.path.getsize(self.path) // 2
        except OSError:
            return 0

    def mark(self) -> int:
        """The capture position (in samples) of this moment."""
        return self.samples_so_far()

    def stop(self) -> np.ndarray:
        self._proc.terminate()
        self._proc.wait(timeout=5)
        data = np.fromfile(self.path, dtype="<i2").astype(np.int16)
        self.path.unlink(missing_ok=True)
        os.rmdir(self._dir)
        return data


def play(samples: np.ndarray, sink: str = SINK) -> None:
    """Play 16 kHz samples into the sink (what the default microphone hears); blocks."""
    with tempfile.TemporaryDirectory(prefix="coach-play-") as tmp:
        f = Path(tmp) / "play.wav"
        write_wav(f, samples)
        subprocess.run(["paplay", f"--device={sink}", str(f)], check=True, timeout=600)


def first_sound(samples: np.ndarray, start: int = 0, threshold: int = 300) -> int | None:
    """Index of the first 10 ms block from ``start`` whose RMS exceeds ``threshold``."""
    block = SAMPLE_RATE // 100
    for i in range(start, samples.size - block, block):
        chunk = samples[i : i + block].astype(np.float64)
        if np.sqrt(np.mean(chunk * chunk)) > threshold:
            return i
    return None
