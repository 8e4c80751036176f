"""How the last phrase before a pause ended: pitch and loudness at its end.

People who have finished usually let the pitch of their last phrase fall and its
loudness fade; in the middle of an answer ("...and then,") the pitch tends to stay up or
rise. ``phrase_end`` measures both from the audio up to the start of a pause, with
numpy only: pitch by autocorrelation over 40 ms windows every 10 ms (70-400 Hz), loudness
as RMS in dB. Pure functions of samples; nothing here decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coach.audio.pcm import SAMPLE_RATE

WINDOW_S = 0.04
HOP_S = 0.01
MIN_HZ, MAX_HZ = 70.0, 400.0
VOICING = 0.45
"""Normalised autocorrelation peak above which a window counts as voiced."""
QUIET_DB = 35.0
"""Windows quieter than this (dB relative to int16 full scale 1) are not pitch-tracked."""


@dataclass(frozen=True)
class PhraseEnd:
    """Pitch and loudness at the end of the last phrase, against the phrase as a whole."""

    pitch_end_st: float | None
    """Median pitch of the last 30% of the voiced windows minus that of the whole
    phrase, in semitones (negative: the pitch fell at the end). None when fewer than
    ten windows were voiced."""
    pitch_slope_st_s: float | None
    """Least-squares slope of the pitch over the last 0.4 s of voiced windows, semitones
    per second. None when fewer than five of them were voiced."""
    energy_end_db: float
    """Loudness of the last 0.2 s of sound minus the phrase's median loudness, in dB
    (negative: the voice faded)."""
    voiced_s: float
    """Seconds of voiced windows the pitch figures rest on."""

    @property
    def falls(self) -> bool:
        """Pitch falling and the voice fading at the end, the way a finished statement
        usually ends (False when there was too little voicing to tell)."""
        return (self.pitch_end_st is not None and self.pitch_end_st < -1.0
                and self.energy_end_db < -3.0)

    @property
    def rises(self) -> bool:
        """Pitch clearly up at the end (by more than 2 semitones): a question, or a voice
        held up for more to come. (The slope is not used: over the last 0.4 s, creaky
        endings make the pitch tracker jump an octave, and a neural voice's finished
        sentences measured +44 to +54 semitones a second.)"""
        return self.pitch_end_st is not None and self.pitch_end_st > 2.0


def _windows(samples: np.ndarray) -> np.ndarray:
    """The samples as overlapping windows (rows), float64."""
    size, hop = int(WINDOW_S * SAMPLE_RATE), int(HOP_S * SAMPLE_RATE)
    x = samples.astype(np.float64)
    if x.size < size:
        return np.zeros((0, size))
    n = 1 + (x.size - size) // hop
    idx = np.arange(size)[None, :] + hop * np.arange(n)[:, None]
    return x[idx]


def loudness_db(windows: np.ndarray) -> np.ndarray:
    """RMS of each window in dB (int16 units; silence is 0 dB)."""
    rms = np.sqrt(np.mean(windows * windows, axis=1))
    return 20 * np.log10(np.maximum(rms, 1.0))


def pitch_hz(windows: np.ndarray) -> np.ndarray:
    """Fundamental frequency of each window by normalised autocorrelation; NaN where the
    window is unvoiced or quiet."""
    if windows.shape[0] == 0:
        return np.zeros(0)
    size = windows.shape[1]
    x = windows - windows.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(x, 2 * size, axis=1)
    ac = np.fft.irfft(spectrum * np.conj(spectrum), axis=1)[:, :size]
    energy = ac[:, :1]
    lo, hi = int(SAMPLE_RATE / MAX_HZ), int(SAMPLE_RATE / MIN_HZ)
    # Normalise by the overlap at each lag, so long lags are not penalised.
    overlap = (size - np.arange(lo, hi + 1)) / size
    norm = ac[:, lo:hi + 1] / np.maximum(energy, 1e-9) / overlap
    lag = np.array([_first_peak(row) for row in norm], dtype=np.int64)
    peak = norm[np.arange(norm.shape[0]), lag]
    f0 = SAMPLE_RATE / (lo + lag).astype(np.float64)
    voiced = (peak >= VOICING) & (loudness_db(windows) >= QUIET_DB)
    return np.where(voiced, f0, np.nan)


def _first_peak(row: np.ndarray, share: float = 0.85) -> int:
    """The shortest lag whose peak comes within ``share`` of the highest: the period,
    not a multiple of it (which scores as high when the voice is steady)."""
    best = float(row.max())
    if best <= 0:
        return int(np.argmax(row))
    k = int(np.argmax(row >= share * best))
    while k + 1 < row.size and row[k + 1] > row[k]:
        k += 1
    return k


def phrase_end(samples: np.ndarray, tail_s: float = 2.0) -> PhraseEnd:
    """Pitch and loudness at the end of ``samples``: audio that ends where a pause starts
    (trailing silence is ignored). Only the last ``tail_s`` seconds are looked at."""
    tail = samples[-int(tail_s * SAMPLE_RATE):] if samples.size else samples
    windows = _windows(tail)
    db = loudness_db(windows) if windows.shape[0] else np.zeros(0)
    sounding = np.flatnonzero(db >= QUIET_DB)
    if sounding.size == 0:
        return PhraseEnd(None, None, 0.0, 0.0)
    windows, db = windows[: sounding[-1] + 1], db[: sounding[-1] + 1]
    f0 = pitch_hz(windows)
    voiced = np.flatnonzero(~np.isnan(f0))
    last_n = max(1, int(round(0.2 / HOP_S)))
    loud = db[db >= QUIET_DB]
    energy_end = float(np.mean(db[-last_n:]) - np.median(loud))
    voiced_s = voiced.size * HOP_S
    if voiced.size < 10:
        return PhraseEnd(None, None, round(energy_end, 2), round(voiced_s, 2))
    st = 12 * np.log2(f0[voiced] / np.median(f0[voiced]))
    st = st - np.median(st)
    end_n = max(3, int(round(0.3 * voiced.size)))
    pitch_end = float(np.median(st[-end_n:]))
    recent = voiced[voiced >= voiced[-1] - int(round(0.4 / HOP_S))]
    slope = None
    if recent.size >= 5:
        t = recent * HOP_S
        slope = round(float(np.polyfit(t, st[-recent.size:], 1)[0]), 2)
    return PhraseEnd(round(pitch_end, 2), slope, round(energy_end, 2), round(voiced_s, 2))
