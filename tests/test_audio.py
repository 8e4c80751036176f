"""Decoding any file to 16 kHz mono, and the WAV writer that is valid at every moment."""

import subprocess
import wave

import numpy as np
import pytest
import soundfile as sf
from conftest import say

from coach.audio.pcm import SAMPLE_RATE, WavWriter, load_audio, resample
from coach.errors import AudioFormatError, InputError


def test_any_rate_and_stereo_are_converted(tmp_path):
    mono = say("Situation and task in under fifty seconds.")
    at_44k = resample(mono, SAMPLE_RATE, 44_100)
    stereo = np.stack([at_44k, at_44k], axis=1)
    path = tmp_path / "stereo44k.flac"
    sf.write(path, stereo, 44_100)
    out = load_audio(path)
    assert out.dtype == np.int16
    assert abs(out.size - mono.size) < SAMPLE_RATE * 0.05
    # Same signal back: strongly correlated with the original.
    n = min(out.size, mono.size)
    corr = np.corrcoef(out[:n].astype(float), mono[:n].astype(float))[0, 1]
    assert corr > 0.9


@pytest.mark.parametrize("ext,args", [("mp3", ["-c:a", "libmp3lame"]),
                                      ("m4a", ["-c:a", "aac"])])
def test_compressed_formats(tmp_path, ext, args):
    wav = tmp_path / "a.wav"
    sf.write(wav, say("I rolled it back."), SAMPLE_RATE)
    out = tmp_path / f"a.{ext}"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(wav), "-ar", "22050", *args,
                    str(out)], check=True)
    samples = load_audio(out)
    assert 0.8 * sf.info(wav).duration < samples.size / SAMPLE_RATE < 1.3 * sf.info(wav).duration


def test_bad_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_audio(tmp_path / "missing.wav")
    with pytest.raises(InputError, match="is a directory"):
        load_audio(tmp_path)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioFormatError, match="empty"):
        load_audio(empty)
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio at all\n" * 50)
    with pytest.raises(AudioFormatError, match="not a readable audio file"):
        load_audio(text)


def test_writer_file_is_valid_after_every_block(tmp_path):
    path = tmp_path / "rec.wav"
    block = (np.sin(np.arange(480) / 5) * 8000).astype(np.int16)
    w = WavWriter(path)
    assert (path.stat().st_mode & 0o777) == 0o600
    for n in range(1, 4):
        w.write(block)
        # Read while the writer is still open, as after a crash.
        with wave.open(str(path)) as r:
            assert r.getnframes() == n * 480
            assert r.getframerate() == SAMPLE_RATE
    w.close()
    assert np.array_equal(load_audio(path), np.tile(block, 3))


def test_lost_frames_finds_a_clipped_start_and_passes_an_intact_copy():
    """The audio-intact check of the device tests: a copy played late, quieter and with
    a little noise is intact, and so is one with a 15 ms click; the same with its first
    150 ms of sound gone (the clipped first word a user heard), or 50 ms lost in the
    middle, is not heard whole."""
    from loopback import heard_whole, lost_frames

    rng = np.random.default_rng(1)
    t = np.arange(int(1.5 * 16000)) / 16000
    word = (np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) * 8000)
    spoken = np.concatenate([np.zeros(1600), word, np.zeros(1600)]).astype(np.int16)

    def played(audio, delay_s=0.37):
        out = np.concatenate([np.zeros(int(delay_s * 16000)), audio * 0.6, np.zeros(4000)])
        return (out + rng.normal(0, 30, out.size)).astype(np.int16)

    assert lost_frames(spoken, played(spoken)) == []
    clipped = spoken.copy()
    clipped[1600:1600 + 2400] = 0
    lost = lost_frames(spoken, played(clipped))
    assert len(lost) >= 12 and min(lost) <= 11 and not heard_whole(lost)
    gap = spoken.copy()
    gap[12000:12800] = 0
    lost = lost_frames(spoken, played(gap))
    assert 4 <= len(lost) <= 6 and not heard_whole(lost)
    click = spoken.copy()
    click[12000:12240] = 0  # 15 ms: a click, not a lost syllable
    assert heard_whole(lost_frames(spoken, played(click)))
