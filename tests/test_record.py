"""The recording loop on real synthesized speech, fed through a file-backed microphone."""

import wave

import numpy as np
import pytest
from conftest import pause, say

from coach.audio.record import EndReason, FileMicrophone, Recorder
from coach.audio.vad import EndpointOptions
from coach.errors import DeviceError, NoSpeechError

ANSWER = [say("I noticed the error rate climbing after my deploy."), pause(1.2),
          say("So I rolled the change back and paged the on-call engineer.")]


def answer_with(lead_s: float, tail_s: float) -> np.ndarray:
    return np.concatenate([pause(lead_s), *ANSWER, pause(tail_s)])


def test_keeps_pre_roll_and_ends_after_silence(tmp_path):
    audio = answer_with(2.0, 6.0)
    rec = Recorder(FileMicrophone(audio)).record(tmp_path / "a.wav")
    assert rec.ended_by is EndReason.SILENCE
    assert rec.speech_start_s >= 0.5  # at least half a second before the first speech
    # Leading silence beyond the pre-roll is dropped; the tail holds the 3 s of silence.
    speech = sum(a.size for a in ANSWER) / 16000
    assert speech + 0.5 + 2.5 < rec.duration_s < speech + 1.2 + 3.5
    with wave.open(str(rec.path)) as w:
        assert w.getnframes() == rec.samples.size


def test_thinking_pause_shorter_than_setting_does_not_end(tmp_path):
    audio = np.concatenate([pause(1), ANSWER[0], pause(2.5), ANSWER[2], pause(4)])
    rec = Recorder(FileMicrophone(audio)).record(tmp_path / "a.wav")
    assert rec.duration_s > (ANSWER[0].size + ANSWER[2].size) / 16000 + 2.5


def test_file_input_keeps_everything_when_not_ending_on_silence(tmp_path):
    audio = np.concatenate([pause(1), ANSWER[0], pause(5), ANSWER[2], pause(0.5)])
    rec = Recorder(FileMicrophone(audio), end_on_silence=False).record(tmp_path / "a.wav")
    assert rec.ended_by is EndReason.END_OF_INPUT
    assert rec.duration_s > (ANSWER[0].size + ANSWER[2].size) / 16000 + 5


def test_silence_only_is_no_answer(tmp_path):
    with pytest.raises(NoSpeechError, match="no answer heard"):
        Recorder(FileMicrophone(pause(25))).record(tmp_path / "a.wav")
    assert not (tmp_path / "a.wav").exists()


def test_max_length(tmp_path):
    audio = answer_with(0.5, 0.0)
    rec = Recorder(FileMicrophone(audio), EndpointOptions(max_s=4)).record(tmp_path / "a.wav")
    assert rec.ended_by is EndReason.MAX_LENGTH
    assert rec.duration_s <= 4.0


class FailingMic(FileMicrophone):
    """Delivers real audio, then fails the way the given exception says."""

    def __init__(self, samples, fail_after_blocks: int, exc: BaseException):
        super().__init__(samples)
        self.left = fail_after_blocks
        self.exc = exc

    def read(self, timeout_s):
        self.left -= 1
        if self.left < 0:
            raise self.exc
        return super().read(timeout_s)


@pytest.mark.parametrize("exc,reason", [
    (KeyboardInterrupt(), EndReason.INTERRUPTED),
    (DeviceError("the microphone stopped delivering audio"), EndReason.DEVICE_ERROR),
])
def test_interrupt_or_device_loss_keeps_a_valid_file(tmp_path, exc, reason):
    audio = answer_with(0.5, 3.0)
    mic = FailingMic(audio, fail_after_blocks=40, exc=exc)  # 40 blocks = 4.8 s
    rec = Recorder(mic).record(tmp_path / "a.wav")
    assert rec.ended_by is reason
    with wave.open(str(tmp_path / "a.wav")) as w:
        frames = w.getnframes()
    assert frames == rec.samples.size
    assert 3.5 < frames / 16000 < 4.9


class OverflowingMic(FileMicrophone):
    """Reports input overflows the way a busy sound device does (counted while open)."""

    def read(self, timeout_s):
        if self._pos == self.block * 10:
            self.overflows += 2
        return super().read(timeout_s)


def test_input_overflows_reach_the_recording(tmp_path):
    audio = answer_with(0.5, 4.0)
    assert Recorder(FileMicrophone(audio)).record(tmp_path / "a.wav").input_overflows == 0
    rec = Recorder(OverflowingMic(audio)).record(tmp_path / "b.wav")
    assert rec.ended_by is EndReason.SILENCE and rec.input_overflows == 2


def test_status_and_fifty_second_mark(tmp_path):
    seen, marks = [], []
    audio = answer_with(1.0, 4.0)
    rec = Recorder(FileMicrophone(audio), on_status=seen.append, on_mark=lambda: marks.append(1),
                   mark_s=3.0).record(tmp_path / "a.wav")
    assert rec.ended_by is EndReason.SILENCE
    assert marks == [1]
    assert seen[0].answer_s is None  # waiting before the speech
    assert any(s.answer_s and s.answer_s > 3 for s in seen)
    assert all(b.waited_s >= a.waited_s for a, b in zip(seen, seen[1:], strict=False))


def test_full_disk_keeps_a_valid_file_and_analyses_the_whole_answer(tmp_path, sessions_dir,
                                                                      use_transcriber):
    """A real write failure: while the command runs, this process may not write files over
    400 kB (RLIMIT_FSIZE; Python ignores SIGXFSZ, so the write raises OSError), so the file
    fills up after about 12 s. Recording goes on in memory: the whole answer is analysed,
    the file keeps what fitted, and the warning names the file."""
    import json
    import resource

    import soundfile as sf
    from conftest import invoke
    from fakes import FakeTranscriber

    f = tmp_path / "long.wav"
    sf.write(f, np.concatenate([pause(0.5)] + ANSWER * 4 + [pause(1.0)]), 16000)
    use_transcriber(FakeTranscriber("I noticed the error rate climbing after my deploy. "
                                    "So I rolled the change back and paged the on-call "
                                    "engineer."))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, hard))
    try:
        p = invoke("practice", "--answer", str(f), "--no-speak", "--no-follow-up", "--json",
                   "-q", "fr-outage", env={"COLUMNS": "1000"})
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert p.returncode == 0, p.stderr
    assert "could not be saved in full" in p.stderr
    assert "Traceback" not in p.stderr
    (session,) = list(sessions_dir.iterdir())
    assert f"{session / 'answer.wav'}: File too large" in p.stderr
    with wave.open(str(session / "answer.wav")) as w:
        seconds = w.getnframes() / 16000
    assert 10 < seconds < 12.6
    meta = json.loads((session / "meta.json").read_text())
    assert meta["status"] == "complete"
    analysed_s = json.loads(p.stdout)["source"]["duration_s"]
    assert analysed_s > seconds + 5  # the whole answer, not only what the file holds
    assert meta["duration_s"] == pytest.approx(analysed_s, abs=0.05)


class CapturedMic(FileMicrophone):
    """A live microphone whose callback has already queued the whole answer when Enter is
    pressed: ``read`` serves the queued blocks at once, then has nothing more (None)."""

    def __init__(self, samples, stop):
        super().__init__(samples)
        self.stop = stop

    def read(self, timeout_s):
        if self._pos >= self.samples.size:
            return None
        block = super().read(timeout_s)
        if self._pos >= self.samples.size - 16000 * 1.5:  # Enter, with 1.5 s still queued
            self.stop.set()
        return block


def test_enter_keeps_what_was_already_captured(tmp_path):
    import threading

    stop = threading.Event()
    audio = answer_with(0.5, 0.3)
    rec = Recorder(CapturedMic(audio, stop), stop=stop).record(tmp_path / "a.wav")
    assert rec.ended_by is EndReason.ENTER
    # Everything from the pre-roll on is kept, not only what was read before Enter.
    assert rec.duration_s > audio.size / 16000 - 0.5
    with wave.open(str(rec.path)) as w:
        assert w.getnframes() == rec.samples.size
