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


def _envelope_db(samples: np.ndarray, frame: int) -> np.ndarray:
    n = samples.size // frame
    x = samples[: n * frame].astype(np.float64).reshape(n, frame)
    return 10 * np.log10(np.mean(x * x, axis=1) + 1.0)


def lost_frames(reference: np.ndarray, captured: np.ndarray, frame_ms: int = 10,
                voiced_db: float = 30.0, lost_db: float = 20.0) -> list[int]:
    """The ``frame_ms`` frames of ``reference``'s sound (louder than its loudest frame minus
    ``voiced_db``) that ``captured`` lost: ``captured`` is lined up with ``reference``
    (the lag with the best match of their loudness envelopes), its level matched (median
    difference over the sound), and a frame counts as lost when it is more than
    ``lost_db`` quieter there. Indices are ``reference``'s frames; [] is intact."""
    frame = SAMPLE_RATE * frame_ms // 1000
    ref, cap = _envelope_db(reference, frame), _envelope_db(captured, frame)
    if cap.size < ref.size:
        cap = np.concatenate([cap, np.zeros(ref.size - cap.size)])
    voiced = ref > ref.max() - voiced_db
    a = np.where(voiced, ref - ref.max() + voiced_db, 0.0)
    b = np.clip(cap - cap.max() + voiced_db, 0.0, None)
    coarse = int(np.argmax(np.correlate(b, a, mode="valid"))) * frame
    # Then to the sample, on the waveforms (a copy is off by part of a frame, which at a
    # word's sudden start looks like a lost frame).
    x = reference.astype(np.float64)
    y = np.concatenate([captured.astype(np.float64), np.zeros(x.size + 2 * frame)])
    shifts = range(max(0, coarse - frame), coarse + frame + 1)
    at = max(shifts, key=lambda d: float(np.dot(y[d: d + x.size], x)))
    aligned = _envelope_db(y[at: at + x.size], frame)
    level = float(np.median(aligned[voiced] - ref[voiced]))
    lost = voiced & (aligned - level < ref - lost_db)
    return np.flatnonzero(lost).tolist()


def heard_whole(lost: list[int], max_gap_frames: int = 2, max_frames: int = 5) -> bool:
    """Whether sound with these ``lost_frames`` is still heard whole: no gap longer than
    ``max_gap_frames`` (20 ms: a click, no syllable lost) and at most ``max_frames`` in
    all. A clipped first word loses 15-30 frames in a row, a dropped block 5 or more."""
    run = longest = 0
    for k, f in enumerate(lost):
        run = run + 1 if k and f == lost[k - 1] + 1 else 1
        longest = max(longest, run)
    return longest <= max_gap_frames and len(lost) <= max_frames
