"""End to end on a synthesized spoken answer, with the real tiny.en model.

``practice`` from a file runs as a real subprocess, model load included; the other
commands run in this process (``conftest.invoke``) on the session's loaded model, or on the
fake recogniser where no words are expected."""

import json

import numpy as np
import pytest
import soundfile as sf
from conftest import invoke, pause, run_cli, say, wer
from fakes import FakeTranscriber

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


@pytest.mark.slow  # the real Whisper model, loaded by the subprocess
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
    # The default turn-taking listens smart, with 8 s as its longest pause.
    assert meta["settings"]["turn_taking"] == "smart"
    assert meta["settings"]["silence_ms"] == 8000
    saved = json.loads((session / "report.json").read_text())
    assert saved == report
    tr = json.loads((session / "transcript.json").read_text())
    assert all({"text", "start", "end", "probability"} <= set(w) for w in tr["words"])
    # The kept recording is the answer: same length give or take the trimmed lead-in.
    kept = sf.info(session / "answer.wav")
    assert kept.samplerate == 16000 and kept.channels == 1
    assert abs(kept.duration - sf.info(answer_file).duration) < 1.0


def test_analyze_prints_a_report_and_saves_nothing(answer_file, sessions_dir, transcriber,
                                                 use_transcriber):
    use_transcriber(transcriber)
    p = invoke("analyze", str(answer_file))
    assert p.returncode == 0, p.stderr
    assert "Situation + Task" in p.stdout and "Action share" in p.stdout
    assert not sessions_dir.exists()
    j = invoke("analyze", str(answer_file), "--json")
    assert j.returncode == 0, j.stderr
    report = json.loads(j.stdout)
    assert wer(ANSWER, " ".join(w["text"] for w in report["words"])) <= 0.15
    assert report["source"]["duration_s"] == pytest.approx(sf.info(answer_file).duration, 0.05)


def test_practice_on_silence_says_no_answer_heard(tmp_path, sessions_dir, use_transcriber):
    f = tmp_path / "quiet.wav"
    sf.write(f, pause(25), 16000)
    # The recorder gives up before any audio reaches the recogniser (Whisper invents
    # "thank you" from silence).
    fake = use_transcriber(FakeTranscriber("thank you"))
    p = invoke("practice", "--answer", str(f), "--no-speak", "-q", "fr-outage")
    assert p.returncode == 3, p.stderr
    assert "no answer heard" in p.stderr
    assert "thank you" not in (p.stdout + p.stderr).lower()
    assert fake.calls == []
    assert not any(sessions_dir.glob("*"))  # no session left behind


WEAK_ANSWER = ("So at my last job I was working on the checkout service. I made a change to how "
               "we cached prices, and after it went out some customers saw the wrong prices. "
               "We needed to get it fixed quickly. I escalated it to the payments team and they "
               "eventually fixed it.")
STRONG_REPLY = ("I analyzed the logs, reproduced the error in staging, and traced it to a faulty "
                "config change I made. I then rolled back the change and tested the fix "
                "thoroughly before redeploying.")


def test_feedback_audio_and_follow_up_from_files(tmp_path, sessions_dir, transcriber,
                                                use_transcriber):
    use_transcriber(transcriber)
    answer = tmp_path / "answer.wav"
    reply = tmp_path / "reply.wav"
    sf.write(answer, np.concatenate([pause(0.8), say(WEAK_ANSWER), pause(1.0)]), 16000)
    sf.write(reply, np.concatenate([pause(0.8), say(STRONG_REPLY), pause(1.0)]), 16000)
    feedback = tmp_path / "feedback.wav"
    p = invoke("practice", "--answer", str(answer), "--follow-up-answer", str(reply),
                "--no-speak", "--feedback-audio", str(feedback), "-q", "fr-incident",
                "--level", "senior", "--company", "amazon", "--json")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    checks = report["checks"]
    assert checks["escalates_and_waits"]["found"]
    assert checks["escalates_and_waits"]["evidence"][0]["start"] > 0
    assert checks["single_team_scope"]["found"]  # Senior target: the seed's pitfall
    assert report["assessment"]["company"] == "amazon"
    f = report["follow_up"]
    assert f["gap"] == "escalates_and_waits"
    assert "yourself" in f["question"]  # what they did themselves after passing it on
    assert wer(STRONG_REPLY, f["reply"]) <= 0.15
    assert not f["checks"]["escalates_and_waits"]["found"]
    assert f["checks"]["root_cause_identified"]["found"]
    assert report["feedback"]["spoken"] and "FOLLOW-UP" in report["feedback"]["written"]

    # The spoken feedback, written to a file, says the Situation+Task seconds out loud.
    from coach.audio.pcm import load_audio

    st = round(report["timing"]["situation_task_s"])
    audio = load_audio(feedback)
    assert audio.size / 16000 <= 45
    heard = transcriber.transcribe(np.concatenate([audio, pause(0.5)])).text.lower()
    assert "situation and task took" in heard.replace(",", "")
    assert str(st) in heard, (st, heard)
    (session,) = list(sessions_dir.iterdir())
    assert (session / "follow_up.wav").exists()
    assert ((session / "follow_up.wav").stat().st_mode & 0o777) == 0o600
