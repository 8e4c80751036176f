"""End to end on a synthesized spoken answer, with the real tiny.en model."""

import json

import numpy as np
import pytest
import soundfile as sf
from conftest import pause, run_cli, say, wer

ANSWER = (
    "Last year I was the on call engineer for our checkout service. "
    "I had pushed a config change that lowered the database connection timeout. "
    "My task was to find out why payments were failing and stop the damage. "
    "I analyzed the logs, reproduced the error in staging, and traced it to my change. "
    "I rolled the change back and tested the fix before redeploying. "
    "As a result, errors dropped to zero within an hour, and I added config validation "
    "to the deploy checklist."
)


@pytest.fixture(scope="module")
def answer_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("answer") / "answer.flac"
    sf.write(path, np.concatenate([pause(1.0), say(ANSWER), pause(1.5)]), 16000)
    return path


def test_practice_from_file_saves_a_complete_private_session(answer_file, sessions_dir):
    p = run_cli("practice", "--answer", str(answer_file), "--no-speak", "-q", "fr-incident",
                "--json")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    assert report["schema"] == "coach.report/1"
    assert report["question"]["id"] == "fr-incident"
    assert report["source"]["kind"] == "audio"
    transcript = " ".join(w["text"] for w in report["words"])
    assert wer(ANSWER, transcript) <= 0.15

    (session,) = list(sessions_dir.iterdir())
    assert (session.stat().st_mode & 0o777) == 0o700
    names = sorted(f.name for f in session.iterdir())
    assert names == ["answer.wav", "meta.json", "report.json", "transcript.json"]
    for f in session.iterdir():
        assert (f.stat().st_mode & 0o777) == 0o600, f
    meta = json.loads((session / "meta.json").read_text())
    assert meta["status"] == "complete"
    assert meta["question"]["id"] == "fr-incident"
    assert meta["model"].startswith("tiny.en")
    assert meta["input_device"].startswith("file:")
    assert meta["settings"]["silence_ms"] == 3000
    saved = json.loads((session / "report.json").read_text())
    assert saved == report
    tr = json.loads((session / "transcript.json").read_text())
    assert all({"text", "start", "end", "probability"} <= set(w) for w in tr["words"])
    # The kept recording is the answer: same length give or take the trimmed lead-in.
    kept = sf.info(session / "answer.wav")
    assert kept.samplerate == 16000 and kept.channels == 1
    assert abs(kept.duration - sf.info(answer_file).duration) < 1.0


def test_analyze_prints_a_report_and_saves_nothing(answer_file, sessions_dir):
    p = run_cli("analyze", str(answer_file))
    assert p.returncode == 0, p.stderr
    assert "Situation + Task" in p.stdout and "Action share" in p.stdout
    assert not sessions_dir.exists()
    j = run_cli("analyze", str(answer_file), "--json")
    report = json.loads(j.stdout)
    assert wer(ANSWER, " ".join(w["text"] for w in report["words"])) <= 0.15
    assert report["source"]["duration_s"] == pytest.approx(sf.info(answer_file).duration, 0.05)


def test_practice_on_silence_says_no_answer_heard(tmp_path, sessions_dir):
    f = tmp_path / "quiet.wav"
    sf.write(f, pause(25), 16000)
    p = run_cli("practice", "--answer", str(f), "--no-speak", "-q", "fr-outage")
    assert p.returncode == 3
    assert "no answer heard" in p.stderr
    assert "thank you" not in (p.stdout + p.stderr).lower()
    assert not sessions_dir.exists() or not any(sessions_dir.iterdir())
