"""The practice session's parts: speaking sentence by sentence, settings, streaming flag."""

import json
import time

import numpy as np
from conftest import invoke
from fakes import QuietUI

from coach.audio.voices import SystemVoice
from coach.practice.run import Mouth, split_sentences


class CollectingSpeaker:
    """A Speaker that keeps what it is given, with the time (stands in for a sound card
    where the test is about order and timing, not sound)."""

    def __init__(self):
        self.played: list[tuple[float, np.ndarray]] = []

    def play(self, samples):
        self.played.append((time.monotonic(), samples))
        # A quarter of real playback time: the next sentence is still being rendered
        # meanwhile (order and overlap are what is tested, not the clock).
        time.sleep(samples.size / 16000 / 4)


def test_feedback_is_spoken_sentence_by_sentence():
    text = ("Situation and Task took 62 seconds, 12 over the 50 second budget. Action was "
            "48 percent of the answer; the target is 70 percent. The biggest concern: "
            "escalating and waiting. Next time: say what you personally did after escalating.")
    assert len(split_sentences(text)) == 4
    speaker = CollectingSpeaker()
    t0 = time.monotonic()
    Mouth(SystemVoice(), speaker, QuietUI()).say(text)
    assert len(speaker.played) == 4
    first_at = speaker.played[0][0] - t0
    total_audio_s = sum(s.size for _, s in speaker.played) / 16000
    # The first sentence starts long before the whole text could have been played.
    assert first_at < 1.5
    assert first_at < total_audio_s / 3
    assert all(s.size > 16000 * 0.5 for _, s in speaker.played)


def test_config_sets_and_validates(tmp_path):
    env = {"COACH_CONFIG": str(tmp_path / "c" / "config.toml")}
    p = invoke("config", "voice", "neural", env=env)
    assert p.returncode == 0 and "voice = 'neural'" in p.stdout
    assert ((tmp_path / "c" / "config.toml").stat().st_mode & 0o777) == 0o600
    bad = invoke("config", "voice", "robot", env=env)
    assert bad.returncode == 2 and "voice must be one of" in bad.stderr
    assert "voice = 'neural'" in invoke("config", env=env).stdout
    listed = invoke("config", env=env).stdout
    assert "None" not in listed  # what "not set" means, in words
    assert "silence_s = not set (8 s with smart turn-taking, 3 s with fixed)" in listed
    assert "silence_s = 5.0" in invoke("config", "silence_s", "5", env=env).stdout
    (tmp_path / "c" / "config.toml").write_text("voice = [broken")
    broken = invoke("config", env=env)
    assert broken.returncode == 2 and "not a valid settings file" in broken.stderr


SOFTWARE_WORDS = ("production", "incident", "outage", "technical", "deploy", "system down",
                  "impacted")


def test_questions_can_be_asked_in_everyday_words(tmp_path):
    """A nurse or a driver may ask for the questions without software words: 'coach config
    wording everyday'. Every question then reads so, and the report is titled with it."""
    from coach.prompts import get_question, questions

    plain = questions(everyday=True)
    assert [q.id for q in plain] == [q.id for q in questions()]
    for q in plain:
        assert not any(w in q.text.lower() for w in SOFTWARE_WORDS), q
    as_asked = {q.id: q.text for q in questions()}
    assert "production incident" in as_asked["fr-incident"]
    outage = get_question("fr-outage", everyday=True)
    assert outage.text != as_asked["fr-outage"] and outage.text.endswith("?")
    env = {"COACH_CONFIG": str(tmp_path / "config.toml")}
    bad = invoke("config", "wording", "plain", env=env)
    assert bad.returncode == 2 and "wording must be one of as-asked, everyday" in bad.stderr
    assert invoke("config", "wording", "everyday", env=env).returncode == 0
    answer = tmp_path / "answer.txt"
    answer.write_text("I was the shift lead. I switched the till system over on a Saturday "
                      "and every till froze. I rang the supplier and switched back. We lost "
                      "an hour of sales. Now I only switch on a Monday.")
    p = invoke("analyze", str(answer), "--text", "-q", "fr-outage", "--json", env=env)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["question"]["text"] == outage.text
    listed = " ".join(invoke("questions", env=env).stdout.split())
    assert "everyday: Have you ever caused something people rely on" in listed
    assert "Questions are asked everyday" in listed
    assert "wording: everyday" in " ".join(invoke("config", "--help").stdout.split())
    # A typed answer checked without a question does not need the settings at all.
    (tmp_path / "config.toml").write_text("wording = [broken")
    assert invoke("analyze", str(answer), "--text", env=env).returncode == 0
    assert invoke("analyze", str(answer), "--text", "-q", "fr-outage", env=env).returncode == 2
