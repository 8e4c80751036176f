"""Bad numbers, bad settings, hostile session folders, full disks: one clear line and a
non-zero exit, or the work goes on and says what it could not keep. Nothing here loads
the model (the recogniser is the fake one)."""

import errno
import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import invoke, one_line_error
from fakes import FakeTranscriber

ANSWER_TEXT = ("The payments job failed on a Friday. I had to get refunds out by Monday. "
               "I rolled back the release and rebuilt the queue. "
               "All refunds went out on time and we added an alert.")


def practice(answer: Path, *extra: str):
    """A practice run on ``answer``; wide output, so a path is never wrapped."""
    return invoke("practice", "--answer", str(answer), "--no-speak", "--no-follow-up",
                  "-q", "fr-outage", *extra, env={"COLUMNS": "1000"})


@pytest.mark.parametrize("args,needle", [
    (("practice", "--max-s", "inf"), "--max-s"),
    (("practice", "--max-s", "nan"), "--max-s"),
    (("practice", "--max-s", "1e9"), "--max-s"),
    (("practice", "--silence-s", "inf"), "--silence-s"),
    (("practice", "--silence-s", "-1"), "--silence-s"),
    (("drill", "opening", "--silence-s", "nan"), "--silence-s"),
    (("replay", "last", "--from", "inf"), "--from"),
    (("history", "--bogus"), "No such option"),
    (("drill", "sideways"), "sideways"),
])
def test_bad_options_are_one_line_and_create_nothing(args, needle, sessions_dir):
    p = invoke(*args)
    one_line_error(p, 2, needle)
    assert "--help" in p.stderr  # where to look next
    assert not sessions_dir.exists()  # no orphan session


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0.1", "1e400", "forever"])
def test_config_refuses_bad_numbers(value, tmp_path):
    one_line_error(invoke("config", "silence_s", "--", value), 2, "silence_s must be a number")


def test_a_bad_value_in_the_settings_file_names_file_and_key_and_can_be_fixed(answer_wav):
    config = Path(os.environ["COACH_CONFIG"])
    config.parent.mkdir(parents=True)
    config.write_text('silence_s = "inf"\nvoice = "system"\n')
    p = practice(answer_wav)
    one_line_error(p, 2, f"{config}: silence_s must be")
    assert "coach config silence_s" in p.stderr
    assert invoke("config", "silence_s", "2.5").returncode == 0  # the fix works
    assert "silence_s = 2.5" in config.read_text()
    config.write_text("volume = 11\n")
    one_line_error(practice(answer_wav), 2, f"{config}: unknown setting 'volume'")


def test_device_names_with_quotes_are_saved_as_valid_settings():
    assert invoke("config", "device", 'Mic "USB" \\ 2').returncode == 0
    p = invoke("config")
    assert p.returncode == 0 and "Mic \"USB\" \\\\ 2" in p.stdout.replace("'", "")


def test_history_filters_and_folders_are_checked(tmp_path):
    one_line_error(invoke("history", "-q", "no-such-question"), 2, "unknown question id")
    one_line_error(invoke("progress", "-q", "no-such-question"), 2, "unknown question id")
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    one_line_error(invoke("history", "--sessions-dir", str(a_file)), 2, "not a folder")
    one_line_error(invoke("practice", "--sessions-dir", str(a_file), "--no-speak"), 2,
                   "not a folder")


def test_an_unwritable_store_is_refused_before_the_question(answer_wav, tmp_path,
                                                             use_transcriber):
    use_transcriber(FakeTranscriber(ANSWER_TEXT))
    # /proc takes no new folders, even from root (a read-only folder does, for root).
    p = practice(answer_wav, "--sessions-dir", "/proc/coach-sessions")
    one_line_error(p, 2, "/proc/coach-sessions: cannot create sessions folder")
    assert "Question" not in p.stderr + p.stdout
    if os.geteuid() != 0:
        store = tmp_path / "ro"
        store.mkdir(mode=0o500)
        one_line_error(practice(answer_wav, "--sessions-dir", str(store)), 2, "not writable")


def test_parent_folders_are_owner_only_whatever_the_umask(answer_wav, tmp_path,
                                                          use_transcriber):
    use_transcriber(FakeTranscriber(ANSWER_TEXT))
    old = os.umask(0)
    try:
        store = tmp_path / "a" / "b" / "sessions"
        assert practice(answer_wav, "--sessions-dir", str(store)).returncode == 0
        config = tmp_path / "c" / "d" / "config.toml"
        assert invoke("config", "voice", "system", env={"COACH_CONFIG": str(config)}
                      ).returncode == 0
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", store, *store.iterdir(),
                   tmp_path / "c", config.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for f in (config, *next(store.iterdir()).iterdir()):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_symlinks_are_not_followed_out_of_the_store(answer_wav, tmp_path, sessions_dir,
                                                    use_transcriber):
    use_transcriber(FakeTranscriber(ANSWER_TEXT))
    assert practice(answer_wav).returncode == 0
    (session,) = sessions_dir.iterdir()
    # A folder elsewhere, linked into the store as if it were a session.
    outside = tmp_path / "outside"
    outside.mkdir()
    for f in session.iterdir():
        (outside / f.name).write_bytes(f.read_bytes())
    (sessions_dir / "29990101-000000").symlink_to(outside)
    p = invoke("history")
    assert p.returncode == 0 and "29990101" not in p.stdout
    one_line_error(invoke("report", "29990101"), 2, "no session")
    assert not (outside / "report.html").exists()
    # A session's recording replaced by a link to another file: never embedded or played.
    secret = tmp_path / "secret.wav"
    secret.write_bytes((session / "answer.wav").read_bytes())
    (session / "answer.wav").unlink()
    (session / "answer.wav").symlink_to(secret)
    p = invoke("report", session.name, "-o", str(tmp_path / "r.html"))
    assert p.returncode == 0, p.stderr
    page = (tmp_path / "r.html").read_text()
    assert "base64" not in page and "recording not available" in page
    one_line_error(invoke("replay", session.name), 2, "no recording to play")


def test_long_audio_is_refused_without_decoding_it_all(tmp_path):
    from coach.audio.pcm import load_audio
    from coach.errors import AudioFormatError

    f = tmp_path / "long.flac"
    sf.write(f, np.zeros(16000 * 30, np.int16), 16000)
    assert load_audio(f, max_s=31).size == 16000 * 30
    with pytest.raises(AudioFormatError, match="longer than 29 s"):
        load_audio(f, max_s=30 - 1)
    one_line_error(invoke("analyze", "/dev/zero"), 2, "not a regular file")


def test_a_full_disk_after_recording_still_shows_the_analysis(answer_wav, sessions_dir,
                                                              use_transcriber, monkeypatch):
    """The disk fills up once the answer is recorded: the results are still printed, the
    warning names the file that could not be saved, and the exit is 0."""
    from coach.sessions.store import Session

    def full(self, report):
        raise OSError(errno.ENOSPC, "No space left on device",
                      str(self.path / "report.json"))

    monkeypatch.setattr(Session, "write_report", full)
    use_transcriber(FakeTranscriber(ANSWER_TEXT))
    p = practice(answer_wav, "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["sentences"][0]["text"] == "The payments job failed on a Friday."
    (session,) = sessions_dir.iterdir()
    assert f"could not save {session / 'report.json'} (No space left on device)" in p.stderr
    assert (session / "answer.wav").stat().st_size > 16000  # the recording is kept
