"""The vocabulary: the user's own words (settings file and --vocabulary), the question's
key terms and the rubric's keywords, checked and passed to the recogniser; and, with the
real model, that it makes jargon heard without inventing words over noise."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np
import pytest
from conftest import invoke, one_line_error, pause, say
from fakes import FakeTranscriber

from coach.errors import InputError, NoSpeechError
from coach.prompts import Question, get_question, question_terms, questions, rubric_keywords
from coach.speech.vocabulary import (
    MAX_TERM_CHARS,
    MAX_TERMS,
    answer_vocabulary,
    check_term,
    parse_terms,
)

ANSWER_TEXT = ("Our Postgres primary ran out of connections. I had to restore service. "
               "I rolled back the change and added an alert. Latency was normal in an hour.")


def test_a_list_is_split_tidied_and_kept_once():
    assert parse_terms(" Kubernetes,Postgres ,  p99, on-call,, ") == \
        ("Kubernetes", "Postgres", "p99", "on-call")
    assert parse_terms("Postgres, postgres, POSTGRES, charge   nurse") == \
        ("Postgres", "charge nurse")
    assert parse_terms("") == () and parse_terms(" , ") == ()
    assert parse_terms(["SBAR", "10-K"]) == ("SBAR", "10-K")  # the settings file's form
    assert parse_terms("Zürich Ärztekammer, 東京") == ("Zürich Ärztekammer", "東京")


@pytest.mark.parametrize("value,needle", [
    ("a" * (MAX_TERM_CHARS + 1), f"longer than {MAX_TERM_CHARS} characters"),
    ("ok, bell\x07", "control character"),
    ("ok, !!!", "no letter or digit"),
    (", ".join(f"term{i}" for i in range(MAX_TERMS + 1)), f"at most {MAX_TERMS}"),
    (42, "separated by commas"),
    (["ok", 3], "separated by commas"),
])
def test_unusable_lists_are_refused_with_the_reason(value, needle):
    with pytest.raises(InputError, match=needle):
        parse_terms(value)


def test_the_answer_vocabulary_is_own_words_then_question_then_rubric():
    q = get_question("fr-outage")
    terms = answer_vocabulary(q, ("Terraform", "rollback"))
    asked = question_terms("fr-outage")
    assert terms[:2] == ("Terraform", "rollback")
    assert "outage" in asked and terms.index("outage") < terms.index("root cause")
    assert terms.count("rollback") == 1  # the user's spelling, once
    assert set(rubric_keywords()) <= set(terms)
    assert answer_vocabulary(None) == rubric_keywords()


def test_a_question_in_everyday_words_is_listened_to_for_everyday_terms():
    software = answer_vocabulary(get_question("fr-outage"))
    everyday = answer_vocabulary(get_question("fr-outage", everyday=True))
    assert "hotfix" in software and "hotfix" not in everyday
    assert "put it right" in everyday and "put it right" not in software
    # a question read back from a saved session keeps only the words it was asked in
    read_back = Question("fr-outage", get_question("fr-outage", everyday=True).text)
    assert answer_vocabulary(read_back) == everyday
    # a question without an everyday wording is asked one way, listened to one way
    assert answer_vocabulary(get_question("fr-setback", everyday=True)) == \
        answer_vocabulary(get_question("fr-setback"))


def test_every_everyday_wording_has_everyday_terms_without_software_words():
    software = {"outage", "hotfix", "rollback", "production", "postmortem", "incident"}
    for q in questions():
        if q.everyday:
            terms = question_terms(q.id, q.everyday)
            assert terms != question_terms(q.id), q.id
            assert not any(w in software for t in terms for w in t.split()), (q.id, terms)


def test_every_question_has_usable_key_terms_in_both_wordings():
    for q in questions(everyday=True):
        for terms in (question_terms(q.id), question_terms(q.id, q.text)):
            assert terms, q.id
            assert all(check_term(t) == t for t in terms), q.id
    assert all(check_term(t) == t for t in rubric_keywords())
    assert question_terms("no-such-question") == ()


def test_config_stores_checks_shows_and_clears_the_list():
    config = Path(os.environ["COACH_CONFIG"])
    p = invoke("config", "vocabulary", "Kubernetes, Postgres, p99, on-call, Zürich")
    assert p.returncode == 0, p.stderr
    assert "vocabulary = 'Kubernetes, Postgres, p99, on-call, Zürich'" in p.stdout
    assert 'vocabulary = ["Kubernetes", "Postgres", "p99", "on-call", "Zürich"]' in \
        config.read_text(encoding="utf-8")
    assert invoke("config", "voice", "neural").returncode == 0  # other keys keep it
    assert "p99" in invoke("config").stdout
    one_line_error(invoke("config", "vocabulary", "ok, " + "x" * 41), 2,
                   "longer than 40 characters")
    assert "p99" in config.read_text()  # the refused value changed nothing
    assert invoke("config", "vocabulary", "").returncode == 0  # cleared
    assert "vocabulary" not in config.read_text()
    assert "vocabulary = none" in invoke("config").stdout


def test_a_bad_stored_list_names_file_and_key(answer_wav, use_transcriber):
    use_transcriber(FakeTranscriber(ANSWER_TEXT))
    config = Path(os.environ["COACH_CONFIG"])
    config.parent.mkdir(parents=True)
    for stored in ("vocabulary = 5", 'vocabulary = ["ok", "\\u0007"]',
                   f"vocabulary = {[f't{i}' for i in range(MAX_TERMS + 1)]!r}"):
        config.write_text(stored + "\n")
        p = invoke("practice", "--answer", str(answer_wav), "--no-speak", "--no-follow-up",
                   env={"COLUMNS": "1000"})
        one_line_error(p, 2, f"{config}: vocabulary")
        assert "coach config vocabulary" in p.stderr
    assert invoke("config", "vocabulary", "Postgres").returncode == 0  # the fix works


def test_practice_listens_for_stored_and_given_words_then_the_question(answer_wav,
                                                                        use_transcriber):
    use_transcriber(FakeTranscriber(ANSWER_TEXT))
    assert invoke("config", "vocabulary", "Kubernetes, Postgres").returncode == 0
    p = invoke("practice", "--answer", str(answer_wav), "--no-speak", "--no-follow-up",
               "-q", "fr-incident", "--vocabulary", "p99, postgres, on-call")
    assert p.returncode == 0, p.stderr
    (heard,) = use_transcriber.vocabularies
    assert heard == answer_vocabulary(get_question("fr-incident"),
                                      ("Kubernetes", "Postgres", "p99", "on-call"))


def test_analyze_takes_the_option_and_the_question(answer_wav, use_transcriber):
    use_transcriber(FakeTranscriber(ANSWER_TEXT))
    p = invoke("analyze", str(answer_wav), "-q", "fr-outage", "--vocabulary", "Redis",
               "--json")
    assert p.returncode == 0, p.stderr
    assert use_transcriber.vocabularies == [
        answer_vocabulary(get_question("fr-outage"), ("Redis",))]
    assert invoke("analyze", str(answer_wav), "--json").returncode == 0  # no question
    assert use_transcriber.vocabularies[-1] == rubric_keywords()


def test_a_drill_listens_for_each_rounds_question(answer_wav, use_transcriber):
    use_transcriber(FakeTranscriber(ANSWER_TEXT))
    p = invoke("drill", "action", "--rounds", "2", "--new", "-q", "fr-outage",
               "--answer", str(answer_wav), "--answer", str(answer_wav), "--no-speak",
               "--vocabulary", "Kafka")
    assert p.returncode == 0, p.stderr
    first, second = use_transcriber.vocabularies
    assert first == answer_vocabulary(get_question("fr-outage"), ("Kafka",))
    assert second[0] == "Kafka" and second != first


@pytest.mark.parametrize("command", ["practice", "analyze", "drill"])
def test_a_bad_option_is_a_usage_error(command, answer_wav, sessions_dir):
    args = {"practice": ("practice", "--no-speak"), "analyze": ("analyze", str(answer_wav)),
            "drill": ("drill", "action", "--no-speak")}[command]
    p = invoke(*args, "--vocabulary", "fine, " + "y" * 60)
    one_line_error(p, 2, "--vocabulary")
    assert "longer than 40 characters" in p.stderr
    assert not sessions_dir.exists()


def test_stored_and_given_words_together_are_limited(answer_wav, use_transcriber):
    use_transcriber(FakeTranscriber(ANSWER_TEXT))
    assert invoke("config", "vocabulary",
                  ", ".join(f"stored{i}" for i in range(MAX_TERMS - 1))).returncode == 0
    extra = "given1, given2"
    p = invoke("practice", "--answer", str(answer_wav), "--no-speak", "--no-follow-up",
               "--vocabulary", extra, env={"COLUMNS": "1000"})
    one_line_error(p, 2, f"at most {MAX_TERMS}")


# The real model, on Piper's voice. Without the vocabulary tiny.en writes what it hears:
# "the hepper and dose", "latency of posters", "accruals and that's sweet".
JARGON = ("The patient on telemetry developed tachycardia, so I gave the heparin dose. "
          "The p99 latency of Postgres went up after my Terraform change. "
          "We missed the accruals in NetSuite.")
OWN_WORDS = ("heparin", "telemetry", "Postgres", "Terraform", "p99", "NetSuite", "accruals")
HARD = ("heparin", "Postgres", "NetSuite")


def test_jargon_is_heard_with_the_vocabulary_and_noise_alone_stays_silent(transcriber):
    from coach.eval.noise import brown_noise, noise_at_snr_db, pink_noise, to_int16
    from coach.speech.whisper import TranscribeOptions, WhisperTranscriber

    biased = WhisperTranscriber(TranscribeOptions(
        vocabulary=answer_vocabulary(get_question("fr-incident"), OWN_WORDS)))
    biased.load()
    assert biased._model is transcriber._model  # one model, loaded once
    audio = np.concatenate([pause(0.5), say(JARGON), pause(1.0)])

    def heard(t) -> set[str]:
        text = t.transcribe(audio).text
        return {w for w in HARD if w in text}

    plain, with_words = heard(transcriber), heard(biased)
    assert with_words == set(HARD) and len(plain) <= 1, (plain, with_words)

    rng = np.random.default_rng(zlib.crc32(b"vocabulary noise"))
    for noise in (pink_noise(audio.size, rng), brown_noise(audio.size, rng)):
        with pytest.raises(NoSpeechError):
            biased.transcribe(to_int16(noise_at_snr_db(audio, noise, 5.0)))
    with pytest.raises(NoSpeechError):
        biased.transcribe(np.zeros_like(audio))
