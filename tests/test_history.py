"""history, show, export and delete over stored sessions, through the CLI (run in this
process: ``conftest.invoke``)."""

import json
import os
from datetime import datetime

import pytest
from conftest import invoke, one_line_error

from coach.analysis.analyze import analyze_text
from coach.prompts import get_question
from coach.sessions.store import META_NAME, REPORT_NAME, SessionStore

ANSWERS = {
    "fr-outage": "Last year I broke checkout. My task was to fix it. I rolled it back and I "
                 "added a test. As a result errors stopped.",
    "fr-failure": "I escalated it to the payments team and they eventually fixed it.",
}


@pytest.fixture
def stored(sessions_dir):
    store = SessionStore(sessions_dir)
    ids = []
    for n, (qid, text) in enumerate(ANSWERS.items()):
        s = store.create(datetime(2026, 11, 20 + n, 9, 0, 0))
        q = get_question(qid)
        s.write_json(META_NAME, {"kind": "practice", "created": f"2026-11-2{n}T09:00:00",
                                 "question": {"id": q.id, "text": q.text},
                                 "status": "complete"})
        s.write_json(REPORT_NAME, analyze_text(text, q).to_json())
        ids.append(s.id)
    return ids


def test_history_lists_newest_first_and_filters(stored):
    p = invoke("history")
    assert p.returncode == 0, p.stderr
    assert p.stdout.index(stored[1]) < p.stdout.index(stored[0])
    only = invoke("history", "-q", "fr-outage")
    assert stored[0] in only.stdout and stored[1] not in only.stdout
    assert "No sessions" in invoke("history", "--kind", "drill").stdout


def test_history_skips_a_damaged_session(stored, sessions_dir):
    (sessions_dir / stored[0] / META_NAME).write_text("{not json")
    broken = sessions_dir / "20260101-000000"
    broken.mkdir()  # half-deleted: no files at all
    p = invoke("history")
    assert p.returncode == 0
    assert stored[1] in p.stdout and stored[0] not in p.stdout
    assert p.stderr.count("skipped damaged session") == 2


def test_show_by_prefix_and_last(stored):
    p = invoke("show", "last", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["question"]["id"] == "fr-failure"
    # 20261120-090000 and 20261121-090000: "2026112" starts both, "20261120" only the first.
    shared = os.path.commonprefix(stored)
    unique = stored[0][:len(shared) + 1]
    by_prefix = invoke("show", unique, "--json")
    assert by_prefix.returncode == 0, by_prefix.stderr
    assert json.loads(by_prefix.stdout)["question"]["id"] == "fr-outage"
    text = invoke("show", unique)
    assert "Situation + Task" in text.stdout and f"Session {stored[0]}" in text.stdout
    one_line_error(invoke("show", shared), 2, f"'{shared}' matches 2 sessions")
    one_line_error(invoke("show", "1999"), 2, "no session '1999'")


def test_export_json_and_markdown(stored):
    one = json.loads(invoke("export", stored[0]).stdout)
    assert one["id"] == stored[0] and one["report"]["schema"] == "coach.report/1"
    every = json.loads(invoke("export", "--all").stdout)
    assert [e["id"] for e in every] == stored
    md = invoke("export", stored[0], "--format", "md").stdout
    assert md.startswith(f"# Session {stored[0]}") and "## Timing" in md
    bad = invoke("export", "--format", "xml", "--all")
    assert bad.returncode == 2 and "json or md" in bad.stderr


def test_delete_asks_unless_yes(stored, sessions_dir):
    no = invoke("delete", stored[0], stdin="n\n")
    assert no.returncode == 1 and (sessions_dir / stored[0]).exists()
    yes = invoke("delete", stored[0], "--yes")
    assert yes.returncode == 0 and not (sessions_dir / stored[0]).exists()
    assert (sessions_dir / stored[1]).exists()


def test_progress_plot_and_summary(stored, tmp_path):
    png = tmp_path / "p.png"
    p = invoke("progress", "-o", str(png))
    assert p.returncode == 0, p.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "2 sessions" in p.stdout
    assert "Situation+Task:" in p.stdout and "Action share:" in p.stdout
    assert "Red flags: 0 → 2 (worse)" in p.stdout  # the second escalates and waits, no recovery
    one = invoke("progress", "-q", "fr-outage", "-o", str(png))
    assert "1 session for fr-outage" in one.stdout


def test_progress_trends_include_pace_for_spoken_sessions():
    from coach.sessions.history import SessionSummary
    from coach.sessions.progress import trends

    def row(n, wpm):
        return SessionSummary(f"2026112{n}-090000", "", "practice", "fr-outage", "q", 60.0,
                              40.0 - n, 0.5 + n / 10, 2 - n, "complete", wpm)

    names = {t.name: (t, unit) for t, unit in trends([row(1, 190.0), row(2, 150.0)])}
    pace, unit = names["Pace"]
    assert unit == " words a minute"
    assert pace.sentence(unit).startswith("Pace: 190 words a minute → 150 words a minute (better)")


@pytest.mark.parametrize("columns", [80, 120])
def test_history_keeps_ids_and_questions_whole_on_a_narrow_terminal(stored, columns):
    lines = invoke("history", env={"COLUMNS": str(columns)}).stdout.splitlines()
    assert all(len(line.rstrip()) <= columns for line in lines)
    for session_id, qid in zip(stored, ANSWERS, strict=True):
        row = next(line for line in lines if session_id in line)
        assert qid in row, (qid, row)
    assert ("Date" in lines[1]) == (columns >= 100)


def test_a_flag_more_likely_not_there_is_not_counted(sessions_dir):
    """A red flag found under even odds is shown as what the answer "might sound like"; the
    history's flag count and the progress trend built on it leave it out."""
    from dataclasses import replace

    from coach.sessions.history import summarize

    q = get_question("fr-failure")
    report = analyze_text(ANSWERS["fr-failure"], q)
    store = SessionStore(sessions_dir)
    counts = []
    for confidence in (0.4, 0.6):
        checks = {**report.checks, "blames_others": replace(
            report.checks["blames_others"], found=True, confidence=confidence)}
        s = store.create(datetime(2026, 11, 25, 9, 0, int(confidence * 10)))
        s.write_json(META_NAME, {"kind": "practice", "created": "2026-11-25T09:00:00",
                                 "question": {"id": q.id, "text": q.text},
                                 "status": "complete"})
        s.write_json(REPORT_NAME, replace(report, checks=checks).to_json())
        counts.append(summarize(s).red_flags)
    assert counts[0] is not None and counts[1] == counts[0] + 1
