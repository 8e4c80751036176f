"""The CLI as a user runs it: exit codes, one-line errors, no tracebacks.

Most commands run in this process (``conftest.invoke``: the same ``main`` and error
handling as ``python -m coach``); a real subprocess where only one shows the behaviour
(start-up imports, another user's permissions, no sound server)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import soundfile as sf
from conftest import ROOT, invoke, one_line_error, run_cli
from fakes import tone_speech

from coach import __version__

HEAVY = ("faster_whisper", "ctranslate2", "sounddevice", "av", "webrtcvad")


def test_help_is_light_and_version_works():
    code = ("import sys; sys.argv=['coach','--help']\n"
            "from coach.cli.app import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print('HEAVY', [m for m in {HEAVY!r} if m in sys.modules])")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "practice" in p.stdout and "analyze" in p.stdout
    assert "HEAVY []" in p.stdout
    v = run_cli("--version")
    assert v.returncode == 0 and v.stdout == f"coach {__version__}\n"


def test_questions_lists_the_eight_variants():
    p = invoke("questions")
    assert p.returncode == 0
    for qid in ("fr-incident", "fr-failure", "fr-outage", "fr-customer-mistake",
                "fr-outside-team", "fr-incomplete-info", "fr-setback", "fr-pressure"):
        assert qid in p.stdout
    assert "Failure and Resilience" in p.stdout


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "good.wav"
    sf.write(good, tone_speech(1.5), 16000)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("hello " * 200)
    corrupt = tmp_path / "corrupt.wav"
    data = bytearray(good.read_bytes())
    data[:44] = b"RIFX" + bytes(40)  # header destroyed, samples intact
    corrupt.write_bytes(bytes(data))
    zero = tmp_path / "zero.wav"
    sf.write(zero, tone_speech(1.0)[:0], 16000)  # a valid header with no samples
    return {"good": good, "empty": empty, "text": text, "corrupt": corrupt, "zero": zero,
            "dir": tmp_path}


@pytest.mark.parametrize("name,code,needle", [
    ("missing", 2, "no such file"),
    ("dir", 2, "is a directory"),
    ("empty", 2, "file is empty"),
    ("text", 2, "not a readable audio file"),
    ("corrupt", 2, "not a readable audio file"),
    ("zero", 2, "no audio samples"),
])
def test_analyze_bad_audio(files, name, code, needle):
    path = files.get(name, files["dir"] / "missing.wav")
    one_line_error(invoke("analyze", str(path)), code, needle)


def test_unreadable_file(files):
    """Root reads any file, so as root the CLI runs as an unprivileged user (a subprocess)."""
    d = Path(tempfile.mkdtemp(prefix="coach-perm-"))
    try:
        os.chmod(d, 0o755)
        f = d / "secret.wav"
        shutil.copy(files["good"], f)
        os.chmod(f, 0o000)
        if os.geteuid() != 0:
            one_line_error(invoke("analyze", str(f)), 2, "permission denied")
            return
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv")
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
               sys.executable, "-m", "coach", "analyze", str(f)]
        env = {**os.environ, "COACH_SESSIONS_DIR": str(d / "s"), "HOME": str(d),
               "COACH_CONFIG": str(d / "config.toml")}
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        one_line_error(p, 2, "permission denied")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_unknown_question_and_missing_model(files):
    one_line_error(invoke("practice", "--question", "nope", "--answer", str(files["good"])),
                   2, "unknown question id 'nope'")
    one_line_error(invoke("analyze", str(files["good"]), "--model", str(files["dir"] / "m")),
                   5, "no model directory")


def test_no_microphone_is_one_clear_line(tmp_path):
    """A subprocess: PortAudio is set up once per process (when sounddevice is first
    imported), so the unreachable sound server has to be in place before it starts."""
    env = {"PULSE_SERVER": "unix:/nonexistent/socket",
           "XDG_RUNTIME_DIR": str(tmp_path)}
    p = run_cli("practice", "--no-speak", "-q", "fr-outage", env=env)
    one_line_error(p, 4, "no microphone")
    assert "--answer FILE" in p.stderr


def test_analyze_text_any_input(tmp_path):
    cases = {
        "unicode": "Je suis désolé — I broke prod 🚒. I fixed it. “Quotes” and ‘apostrophes’.",
        "long": "I rolled back the change and wrote a runbook. " * 2000,  # 94 KB
        "no_punct": "so um basically we had this outage and i uh rolled it back and then "
                    "we added alerts and it never happened again",
    }
    for name, text in cases.items():
        f = tmp_path / f"{name}.txt"
        f.write_text(text, encoding="utf-8")
        p = invoke("analyze", "--text", str(f), "--json")
        assert p.returncode == 0, (name, p.stderr)
        report = json.loads(p.stdout)
        assert report["schema"] == "coach.report/1"
        assert report["source"]["kind"] == "text"
        assert len(report["words"]) == len(text.split())
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 10)
    one_line_error(invoke("analyze", "--text", str(binary)), 2, "not UTF-8")


def test_text_without_words_is_no_answer_like_silent_audio(tmp_path):
    """Empty text, punctuation or emoji only: exit 3, as a recording without speech."""
    for name, text in {"empty": "", "blank": " \n\t ", "punct": "... ?! --", "emoji": "🚒 🔥"
                       }.items():
        f = tmp_path / f"{name}.txt"
        f.write_text(text, encoding="utf-8")
        one_line_error(invoke("analyze", "--text", str(f)), 3, "no words")


def test_text_input_limits(tmp_path):
    """Text must be a regular file of at most 100 KB: larger files and devices are refused
    before they are read (``/dev/zero`` once grew to 24 GB)."""
    big = tmp_path / "big.txt"
    big.write_text("word " * 30_000, encoding="utf-8")
    one_line_error(invoke("analyze", "--text", str(big)), 2, "too long for an answer")
    one_line_error(invoke("analyze", "--text", "/dev/zero"), 2, "not a regular file")
    one_line_error(invoke("analyze", "--text", str(tmp_path)), 2, "is a directory")
