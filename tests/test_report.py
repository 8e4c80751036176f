"""The report's JSON form (schema coach.report/1) and its round trip."""

from coach.analysis.analyze import analyze_text
from coach.analysis.report import Report
from coach.prompts import get_question
from coach.words import Word, join_words

TEXT = ("Last year I broke checkout with a config change. My task was to fix it fast. "
        "I rolled it back, and I added a config test. As a result, errors stopped.")


def test_schema_fields_are_all_there():
    data = analyze_text(TEXT, get_question("fr-incident")).to_json()
    assert data["schema"] == "coach.report/1"
    assert {"schema", "question", "source", "words", "sentences", "timing", "checks",
            "feedback"} <= set(data)
    assert data["question"] == {"id": "fr-incident", "text": get_question("fr-incident").text}
    assert data["source"]["kind"] == "text"
    assert set(data["words"][0]) == {"text", "start", "end", "probability"}
    assert set(data["sentences"][0]) == {"text", "start", "end", "part", "confidence",
                                         "distribution"}
    assert {"total_s", "situation_s", "task_s", "action_s", "result_s", "situation_task_s",
            "situation_task_budget_s", "situation_task_over_s", "action_share",
            "action_share_target", "action_start_s", "estimated", "situation_task_range_s",
            "action_share_range"} == set(data["timing"])
    assert set(data["feedback"]) == {"spoken", "written"}


def test_round_trip():
    report = analyze_text(TEXT, get_question("fr-outage"))
    data = report.to_json()
    again = Report.from_json(data)
    assert again.to_json() == data
    assert [(s.first_word, s.last_word) for s in again.sentences] == \
        [(s.first_word, s.last_word) for s in report.sentences]
    # The part probabilities come back (the timing is recomputed from them on a
    # correction); unusable saved ones are dropped, never trusted.
    assert [s.distribution for s in again.sentences] == \
        [s.distribution for s in report.sentences] and report.sentences[0].distribution
    for bad in ([0.5, 0.5], [2, -1, 0, 0], ["a", 0, 0, 0], [0, 0, 0, 0], True, None):
        data["sentences"][0]["distribution"] = bad
        assert Report.from_json(data).sentences[0].distribution == ()


def test_join_words_glues_punctuation_tokens():
    words = [Word(t, 0, 0) for t in ["about", "2", ",000", "clinics", "and", "the", "team", "'s",
                                      "work", "went", "up", "5", "%", "."]]
    assert join_words(words) == "about 2,000 clinics and the team's work went up 5%."
