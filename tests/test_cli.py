"""The CLI as a user runs it: exit codes, one-line errors, no tracebacks."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import soundfile as sf
from conftest import ROOT, run_cli, say

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
    assert v.returncode == 0 and v.stdout.startswith("coach 0.")


def test_questions_lists_the_eight_variants():
    p = run_cli("questions")
    assert p.returncode == 0
    for qid in ("fr-incident", "fr-failure", "fr-outage", "fr-customer-mistake",
                "fr-outside-team", "fr-incomplete-info", "fr-setback", "fr-pressure"):
        assert qid in p.stdout
    assert "Failure and Resilience" in p.stdout


def one_line_error(p: subprocess.CompletedProcess, code: int, needle: str) -> None:
    assert p.returncode == code, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("coach: ") and needle in lines[0]
    assert "Traceback" not in p.stderr


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "good.wav"
    sf.write(good, say("I rolled it back."), 16000)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("hello " * 200)
    corrupt = tmp_path / "corrupt.wav"
    data = bytearray(good.read_bytes())
    data[:44] = b"RIFX" + bytes(40)  # header destroyed, samples intact
    corrupt.write_bytes(bytes(data))
    zero = tmp_path / "zero.wav"
    sf.write(zero, say("x")[:0], 16000)  # a valid header with no samples
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
    one_line_error(run_cli("analyze", str(path)), code, needle)


def test_unreadable_file(files):
    """Root reads any file, so the check runs the CLI as an unprivileged user when we are root."""
    d = Path(tempfile.mkdtemp(prefix="coach-perm-"))
    try:
        os.chmod(d, 0o755)
        f = d / "secret.wav"
        shutil.copy(files["good"], f)
        os.chmod(f, 0o000)
        cmd = [sys.executable, "-m", "coach", "analyze", str(f)]
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                pytest.skip("running as root without setpriv")
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        env = {**os.environ, "COACH_SESSIONS_DIR": str(d / "s"), "HOME": str(d)}
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        one_line_error(p, 2, "permission denied")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_unknown_question_and_missing_model(files):
    one_line_error(run_cli("practice", "--question", "nope", "--answer", str(files["good"])),
                   2, "unknown question id 'nope'")
    one_line_error(run_cli("analyze", str(files["good"]), "--model", str(files["dir"] / "m")),
                   5, "no model directory")


def test_no_microphone_is_one_clear_line(tmp_path):
    env = {"PULSE_SERVER": "unix:/nonexistent/socket",
           "XDG_RUNTIME_DIR": str(tmp_path)}
    p = run_cli("practice", "--no-speak", "-q", "fr-outage", env=env)
    one_line_error(p, 4, "no microphone")
    assert "--answer FILE" in p.stderr


def test_analyze_text_any_input(tmp_path):
    cases = {
        "empty": "",
        "unicode": "Je suis désolé — I broke prod 🚒. I fixed it. “Quotes” and ‘apostrophes’.",
        "long": "I rolled back the change and wrote a runbook. " * 3000,
        "no_punct": "so um basically we had this outage and i uh rolled it back and then "
                    "we added alerts and it never happened again",
    }
    for name, text in cases.items():
        f = tmp_path / f"{name}.txt"
        f.write_text(text, encoding="utf-8")
        p = run_cli("analyze", "--text", str(f), "--json")
        assert p.returncode == 0, (name, p.stderr)
        report = json.loads(p.stdout)
        assert report["schema"] == "coach.report/1"
        assert report["source"]["kind"] == "text"
        assert len(report["words"]) == len(text.split())
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 10)
    one_line_error(run_cli("analyze", "--text", str(binary)), 2, "not UTF-8")
