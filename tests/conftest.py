"""Shared fixtures. Speech is synthesized for real (Piper's offline 'joe' voice, espeak-ng
through pyttsx3 where the system voice is under test) and recognised by the real tiny.en
model; nothing in the audio path is mocked."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def pytest_collection_modifyitems(config, items):
    """A test that takes the real model through the ``transcriber`` fixture is slow."""
    for item in items:
        if "transcriber" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def sessions_dir(tmp_path, monkeypatch) -> Path:
    """Every test gets its own empty data dir; nothing touches the real user's sessions."""
    d = tmp_path / "sessions"
    monkeypatch.setenv("COACH_SESSIONS_DIR", str(d))
    return d


@cache
def _voice():
    from coach.audio.voices import NeuralVoice

    # Zero noise: Piper otherwise adds fresh random noise on every call, so the same
    # fixture sounded different from run to run and recognition results wandered with it.
    return NeuralVoice(noise_scale=0.0, noise_w_scale=0.0)


@cache
def say(text: str) -> np.ndarray:
    """16 kHz int16 speech for ``text`` (cached per test run)."""
    return _voice().synthesize(text)


def pause(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), np.int16)


@pytest.fixture(scope="session")
def transcriber():
    from coach.speech.whisper import WhisperTranscriber

    t = WhisperTranscriber()
    t.load()
    return t


def run_cli(*args: str, env: dict | None = None, stdin: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m coach ARGS`` as a user would, capturing output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "coach", *args], capture_output=True,
                          text=True, env=full_env, input=stdin, timeout=timeout, cwd=ROOT)


def wer(reference: str, hypothesis: str) -> float:
    import re

    import jiwer

    def norm(s: str) -> str:
        s = s.lower().replace("-", " ")
        return re.sub(r"[^a-z0-9' ]+", " ", s)

    return jiwer.wer(norm(reference), norm(hypothesis))


def pulse_available() -> bool:
    return os.environ.get("COACH_TEST_PULSE") == "1"


needs_pulse = pytest.mark.skipif(
    not pulse_available(),
    reason="needs the virtual PulseAudio device that scripts/test starts")
