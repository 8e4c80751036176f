"""Background noise for measuring recognition in noisy rooms, in pure numpy.

Every generator returns float64 samples with unit power (mean square 1) and draws only
from the ``rng`` it is given, so a seed gives the same noise every time. ``mix_at_snr_db``
scales a noise to a signal-to-noise ratio against the power of the speech's voiced part and
adds it. Nothing here synthesizes or reads audio: babble is made from speech the caller
passes in (``scripts/eval_noise.py`` and the tests render it with espeak-ng).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SAMPLE_RATE_HZ = 16_000
FRAME_MS = 30
"""The frame of the voiced-part measure, the same as the app's VAD frame."""


def _unit_power(x: np.ndarray) -> np.ndarray:
    power = float(np.mean(x ** 2)) if x.size else 0.0
    return x / np.sqrt(power) if power > 0 else x


def pink_noise(n_samples: int, rng: np.random.Generator) -> np.ndarray:
    """``n_samples`` of 1/f noise (a fan, an air conditioner), unit power. The noisy
    answers of scripts/make_heard_data.py depend on exactly these draws: keep them."""
    spectrum = np.fft.rfft(rng.standard_normal(n_samples))
    f = np.fft.rfftfreq(n_samples)
    f[0] = f[1] if n_samples > 2 else 1.0
    noise = np.fft.irfft(spectrum / np.sqrt(f), n_samples)
    return noise / np.sqrt(np.mean(noise ** 2))


def brown_noise(n_samples: int, rng: np.random.Generator, corner_hz: float = 20.0,
                sample_rate_hz: int = SAMPLE_RATE_HZ) -> np.ndarray:
    """``n_samples`` of 1/f^2 noise (rumble: traffic, a train, a washing machine), unit
    power. Flat below ``corner_hz``: a pure 1/f^2 spectrum puts nearly all its power in an
    inaudible drift a microphone would not pass, which would make any SNR meaningless."""
    spectrum = np.fft.rfft(rng.standard_normal(n_samples))
    f_hz = np.fft.rfftfreq(n_samples, d=1.0 / sample_rate_hz)
    noise = np.fft.irfft(spectrum / np.maximum(f_hz, corner_hz), n_samples)
    return _unit_power(noise)


def babble_noise(voices: Sequence[np.ndarray], n_samples: int, rng: np.random.Generator
                 ) -> np.ndarray:
    """Several other people talking at once: each of ``voices`` (speech samples, one
    talker each) is looped from a random starting point to ``n_samples``, brought to the
    same power as the others, and all are summed; unit power. Four or more voices make the
    murmur of a busy café; one or two stay intelligible, which is a different test."""
    if not voices:
        raise ValueError("babble needs at least one voice")
    total = np.zeros(n_samples)
    for voice in voices:
        x = np.asarray(voice, dtype=np.float64)
        if not x.size:
            raise ValueError("babble voice with no samples")
        start = int(rng.integers(0, x.size))
        looped = np.resize(np.roll(x, -start), n_samples)
        total += _unit_power(looped)
    return _unit_power(total)


def keyboard_click_noise(n_samples: int, rng: np.random.Generator,
                         keys_per_s: float = 5.0, sample_rate_hz: int = SAMPLE_RATE_HZ
                         ) -> np.ndarray:
    """Someone typing near the microphone: each key a sharp click (a few ms of broadband
    noise decaying in 4-12 ms) and, 60-120 ms later, a softer release click; keys come in
    bursts at about ``keys_per_s`` with short pauses between words, each key a little
    louder or softer than the last. Silence between keys; unit power over the whole."""
    out = np.zeros(n_samples)
    mean_gap_s = 1.0 / keys_per_s
    t_s = float(rng.uniform(0, mean_gap_s))
    while True:
        start = int(t_s * sample_rate_hz)
        if start >= n_samples:
            break
        level = float(rng.uniform(0.5, 1.0))
        for gain, decay_ms in ((level, rng.uniform(4, 12)),
                               (level * rng.uniform(0.2, 0.5), rng.uniform(3, 8))):
            length = int(sample_rate_hz * 5 * decay_ms / 1000)
            envelope = np.exp(-np.arange(length) / (sample_rate_hz * decay_ms / 1000))
            # A click is bright: difference white noise to tilt it towards high frequencies.
            burst = np.diff(rng.standard_normal(length + 1)) * envelope * gain
            end = min(n_samples, start + length)
            out[start:end] += burst[: end - start]
            start += int(rng.uniform(0.06, 0.12) * sample_rate_hz)
            if start >= n_samples:
                break
        # Typing rhythm: keys a gamma-distributed gap apart, a longer pause now and then.
        gap_s = float(rng.gamma(4.0, mean_gap_s / 4.0))
        if rng.random() < 0.15:
            gap_s += float(rng.uniform(0.3, 1.2))
        t_s += gap_s
    return _unit_power(out)


def voiced_frames(speech: np.ndarray, floor_db: float = 35.0,
                  frame_ms: int = FRAME_MS, sample_rate_hz: int = SAMPLE_RATE_HZ
                  ) -> np.ndarray:
    """One bool per ``frame_ms`` frame: within ``floor_db`` of the loudest frame's power
    (and not digital silence). A plain energy gate, good enough on clean speech, which is
    what a noise level is set against."""
    frame = sample_rate_hz * frame_ms // 1000
    n = speech.size // frame
    if n == 0:
        return np.zeros(0, dtype=bool)
    x = speech[: n * frame].astype(np.float64).reshape(n, frame)
    power = np.mean(x ** 2, axis=1)
    loudest = float(power.max())
    if loudest == 0:
        return np.zeros(n, dtype=bool)
    return np.asarray(power > max(loudest * 10 ** (-floor_db / 10), 1.0), dtype=bool)


def voiced_power(speech: np.ndarray, voiced: np.ndarray | None = None,
                 frame_ms: int = FRAME_MS, sample_rate_hz: int = SAMPLE_RATE_HZ) -> float:
    """Mean square of the voiced frames of ``speech`` (``voiced``, one bool per frame, or
    ``voiced_frames``); of the whole signal when no frame is voiced."""
    x = speech.astype(np.float64)
    if voiced is None:
        voiced = voiced_frames(speech, frame_ms=frame_ms, sample_rate_hz=sample_rate_hz)
    mask = np.repeat(np.asarray(voiced, dtype=bool), sample_rate_hz * frame_ms // 1000)
    part = x[: mask.size][mask[: x.size]] if mask.any() else x
    return float(np.mean(part ** 2)) if part.size else 0.0


def noise_at_snr_db(speech: np.ndarray, noise: np.ndarray, snr_db: float,
                    voiced: np.ndarray | None = None) -> np.ndarray:
    """The first ``speech.size`` samples of ``noise`` (float), scaled to ``snr_db`` below
    the power of the voiced part of ``speech`` (see ``voiced_power``); ``noise`` is scaled
    from its own power, so any level will do. Alone, it is the noise-only recording of a
    room as loud as the mix."""
    if noise.size < speech.size:
        raise ValueError(f"noise of {noise.size} samples for speech of {speech.size}")
    n = noise[: speech.size].astype(np.float64)
    noise_power = float(np.mean(n ** 2)) if n.size else 0.0
    if noise_power == 0:
        return n
    return n * np.sqrt(voiced_power(speech, voiced) / noise_power / 10 ** (snr_db / 10))


def to_int16(x: np.ndarray) -> np.ndarray:
    """Float samples rounded and clipped to int16."""
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def mix_at_snr_db(speech: np.ndarray, noise: np.ndarray, snr_db: float,
                  voiced: np.ndarray | None = None) -> np.ndarray:
    """``speech`` (int16) with ``noise`` added at ``snr_db`` below the power of its voiced
    part, over the whole recording, pauses included (``noise_at_snr_db``); int16, clipped."""
    return to_int16(speech.astype(np.float64) + noise_at_snr_db(speech, noise, snr_db, voiced))
