"""Audio in and out of files. Inside the app there is one format: 16 kHz mono int16."""

from __future__ import annotations

import logging
import os
import wave
from pathlib import Path

import numpy as np

from coach.errors import AudioFormatError, InputError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
FRAME_MS = 30
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000
MAX_AUDIO_S = 20 * 60
"""The longest recording read from a file: 20 minutes (38 MB decoded). Decoding stops
there, so memory does not grow with the file."""


def check_readable(path: Path) -> Path:
    """Raise InputError unless ``path`` is an existing, readable, regular file."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    return path


def load_audio(path: Path, max_s: float = MAX_AUDIO_S) -> np.ndarray:
    """Decode any audio file (wav, flac, mp3, m4a, ...) to 16 kHz mono int16.

    Stereo is mixed down and any sample rate is resampled. A file longer than ``max_s``
    is refused (AudioFormatError) as soon as decoding passes that length.
    """
    import av

    path = check_readable(path)
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    if path.stat().st_size == 0:
        raise AudioFormatError(f"{path}: file is empty")
    chunks: list[np.ndarray] = []
    max_samples = int(max_s * SAMPLE_RATE)
    decoded = 0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioFormatError(f"{path}: holds no audio stream")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
                    decoded += chunks[-1].size
                if decoded > max_samples:
                    limit = f"{max_s / 60:g} minutes" if max_s >= 60 else f"{max_s:g} s"
                    raise AudioFormatError(
                        f"{path}: longer than {limit}, the longest answer the coach takes; "
                        "cut it to the answer first")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except AudioFormatError:
        raise
    except (av.error.FFmpegError, ValueError, UnicodeDecodeError) as exc:
        kind = exc.__class__.__name__
        raise AudioFormatError(f"{path}: not a readable audio file ({kind})") from exc
    samples = np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)
    if samples.size == 0:
        raise AudioFormatError(f"{path}: contains no audio samples")
    log.debug("loaded %s: %.2f s", path, samples.size / SAMPLE_RATE)
    return samples


def resample(samples: np.ndarray, rate: int, to_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Resample mono int16 ``samples`` from ``rate`` to ``to_rate``."""
    if rate == to_rate or samples.size == 0:
        return samples.astype(np.int16)
    import av

    frame = av.AudioFrame.from_ndarray(
        samples.astype(np.int16).reshape(1, -1), format="s16", layout="mono"
    )
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=to_rate)
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.int16) if out else np.zeros(0, np.int16)


def to_float(samples: np.ndarray) -> np.ndarray:
    """int16 samples to float32 in [-1, 1], the form Whisper takes."""
    return samples.astype(np.float32) / 32768.0


def duration_s(samples: np.ndarray) -> float:
    return samples.size / SAMPLE_RATE


class WavWriter:
    """Appends 16 kHz mono int16 blocks to a WAV file that is valid after every block.

    The header is patched after each write and the file flushed, so a crash or
    Ctrl-C leaves a playable file holding everything written so far.
    """

    def __init__(self, path: Path, mode: int = 0o600):
        self.path = Path(path)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        self._file = os.fdopen(fd, "wb")  # noqa: SIM115 - kept open while recording
        self._wav = wave.open(self._file, "wb")  # noqa: SIM115
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(SAMPLE_RATE)
        self._wav.writeframes(b"")  # header now on disk
        self._file.flush()
        self.samples_written = 0

    def write(self, block: np.ndarray) -> None:
        """Append ``block``; on OSError (disk full) the file keeps its last valid state."""
        self._wav.writeframes(np.ascontiguousarray(block, dtype=np.int16).tobytes())
        self._file.flush()
        self.samples_written += block.size

    def close(self) -> None:
        if self._file.closed:
            return
        try:
            self._wav.close()  # patches the header; leaves our file object open
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self._file.close()

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    """Write a whole mono int16 WAV file (owner-only) in one go."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f, wave.open(f, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(samples, dtype=np.int16).tobytes())
