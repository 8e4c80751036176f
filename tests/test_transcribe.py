"""Real tiny.en on synthesized speech: accuracy, silence, noise, and no network."""

import socket

import numpy as np
import pytest
from conftest import pause, say, wer

from coach.errors import ModelError, NoSpeechError
from coach.speech.whisper import TranscribeOptions, WhisperTranscriber

pytestmark = pytest.mark.slow  # the real Whisper model throughout

TEXT = ("Last spring I pushed a database migration that locked the orders table. "
        "Checkout failed for twenty minutes. I rolled it back and wrote a runbook.")


def test_transcribes_with_word_timestamps(transcriber):
    audio = np.concatenate([pause(0.5), say(TEXT), pause(1.0)])
    t = transcriber.transcribe(audio)
    assert wer(TEXT, t.text) <= 0.15
    starts = [w.start for w in t.words]
    assert starts == sorted(starts)
    assert all(w.end >= w.start and 0 <= w.probability <= 1 for w in t.words)
    # Speech starts at 0.5 s (plus the voice's own lead-in); word starts are snapped to voicing.
    assert 0.45 < t.words[0].start < 0.8
    assert t.words[-1].end <= audio.size / 16000 + 0.05


def test_silence_is_no_answer_not_thank_you(transcriber):
    with pytest.raises(NoSpeechError):
        transcriber.transcribe(pause(10))


def test_noise_is_no_answer(transcriber):
    rng = np.random.default_rng(7)
    noise = (rng.normal(0, 300, 16000 * 8)).astype(np.int16)
    with pytest.raises(NoSpeechError):
        transcriber.transcribe(noise)


def test_runs_with_network_blocked(monkeypatch):
    """No hub, no download: every socket connection attempt fails the test."""
    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled by test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    t = WhisperTranscriber()  # fresh instance: loads the model with the network blocked
    text = "I rolled the change back and told the on call team what had happened."
    out = t.transcribe(np.concatenate([say(text), pause(0.5)]))
    assert wer(text, out.text) <= 0.2
    assert attempts == []


def test_missing_or_bad_model_dir(tmp_path):
    with pytest.raises(ModelError, match="no model directory"):
        WhisperTranscriber(TranscribeOptions(model_path=tmp_path / "nope"))
    with pytest.raises(ModelError, match="model.bin missing"):
        WhisperTranscriber(TranscribeOptions(model_path=tmp_path))
    (tmp_path / "model.bin").write_bytes(b"garbage")
    t = WhisperTranscriber(TranscribeOptions(model_path=tmp_path))
    with pytest.raises(ModelError, match="cannot load model"):
        t.load()


def test_speech_in_a_loud_fan_comes_through_without_recursion(transcriber):
    """Pink noise at 10 dB SNR (a loud fan): the words still come through (word error rate
    within 15 points of the clean recording), and re-decoding the tail never recurses."""
    text = ("I broke the checkout page with a config change. I rolled it back within ten "
            "minutes and added a test so it cannot happen again.")
    clean = np.concatenate([say(text), pause(1.0)])
    rng = np.random.default_rng(1)
    spectrum = np.fft.rfft(rng.standard_normal(clean.size))
    pink = np.fft.irfft(spectrum / np.sqrt(np.arange(1, spectrum.size + 1)), clean.size)
    signal = clean.astype(float)
    speech_power = np.mean(signal[np.abs(signal) > 300] ** 2)
    noise = pink / np.sqrt(np.mean(pink ** 2)) * np.sqrt(speech_power / 10 ** (10 / 10))
    noisy = np.clip(signal + noise, -32768, 32767).astype(np.int16)
    clean_wer = wer(text, transcriber.transcribe(clean).text)
    noisy_wer = wer(text, transcriber.transcribe(noisy).text)
    assert noisy_wer <= clean_wer + 0.15, (clean_wer, noisy_wer)
