"""coach relabel: the person corrects parts; the report, later figures and their own
STAR model follow."""

import stat

import pytest

from coach.analysis.analyze import CoachingOptions, analyze_text, relabel
from coach.analysis.report import Part, Report
from coach.cli.relabel import parse_changes
from coach.errors import InputError
from coach.sessions import corrections
from coach.sessions.store import META_NAME, REPORT_NAME, SessionStore

ANSWER = ("Last spring I ran the night shift at a parcel depot. A sorter jammed at two in the "
          "morning and four hundred parcels missed their trucks. I was the shift lead, so it "
          "was on me to get them out. I cleared the jam and moved two pickers to hand "
          "sorting. I called the drivers back for a second run. Every parcel left by six, and "
          "we now check the sorter belts at the start of each shift.")


def test_parse_changes_ranges_parts_and_bad_input():
    assert parse_changes(["2-3", "result", "1", "t"], 5) == {1: "result", 2: "result", 0: "task"}
    for bad in (["2-3"], ["9", "result"], ["2", "middle"], ["3-1", "task"], ["x", "task"]):
        with pytest.raises(InputError):
            parse_changes(bad, 5)


def test_relabel_recomputes_timing_and_marks_the_report():
    report = analyze_text(ANSWER)
    n = len(report.sentences)
    everything_action = relabel(report, {i: Part.action for i in range(n)})
    assert everything_action.corrected and not report.corrected
    assert everything_action.timing.action_share == pytest.approx(1.0, abs=0.01)
    assert all(s.confidence == 1.0 for s in everything_action.sentences)
    again = Report.from_json(everything_action.to_json())
    assert again.corrected and again.timing == everything_action.timing
    with pytest.raises(InputError):
        relabel(report, {n: Part.task})


def test_a_saved_report_relabelled_keeps_the_untouched_sentences_uncertainty():
    """Correcting one sentence of a saved report changes only that sentence's share of the
    timing: the others keep the segmenter's probabilities (saved with the report)."""
    report = analyze_text(ANSWER)
    saved = Report.from_json(report.to_json())
    k, s = next((i, s) for i, s in enumerate(report.sentences) if s.part is not None)
    same = relabel(saved, {k: s.part})
    in_memory = relabel(report, {k: s.part})
    assert same.timing.action_share == in_memory.timing.action_share
    assert same.timing.situation_task_s == in_memory.timing.situation_task_s
    untouched = [x for i, x in enumerate(same.sentences) if i != k]
    assert all(x.distribution for x in untouched)


def test_corrections_are_kept_privately_and_teach_a_personal_model(tmp_path,
                                                                    quick_personal_base):
    store = SessionStore(tmp_path / "sessions")
    session = store.create()
    report = analyze_text(ANSWER)
    session.write_json(REPORT_NAME, report.to_json())
    fixed = relabel(report, {len(report.sentences) - 1: Part.result})
    kept = corrections.record(store, session.id, fixed)
    assert [a.id for a in kept] == [session.id]
    again = corrections.record(store, session.id, fixed)  # the same answer replaces itself
    assert len(again) == 1 and corrections.corrections(store)[0].lines[-1][0] == Part.result
    answers_file = corrections.folder(store) / corrections.ANSWERS
    assert stat.S_IMODE(answers_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(corrections.folder(store).stat().st_mode) == 0o700
    assert corrections.personal_model(store) is None
    model = corrections.retrain(store, again)
    assert corrections.personal_model(store) == model
    assert store.all() == [session]  # the corrections folder is not a session
    personal = analyze_text(ANSWER, coaching=CoachingOptions(personal_model=model))
    assert personal.timing is not None and len(personal.sentences) == len(report.sentences)


def test_deleting_a_session_forgets_its_correction(tmp_path, sessions_dir, quick_personal_base):
    from conftest import invoke

    store = SessionStore(sessions_dir)
    first, second = store.create(), store.create()
    report = analyze_text(ANSWER)
    for session in (first, second):
        session.write_json(REPORT_NAME, report.to_json())
        kept = corrections.record(store, session.id,
                                  relabel(report, {len(report.sentences) - 1: Part.result}))
    corrections.retrain(store, kept)

    p = invoke("delete", first.id, "--yes")
    assert p.returncode == 0, p.stderr
    assert "no longer teach" in p.stdout
    assert [a.id for a in corrections.corrections(store)] == [second.id]
    assert corrections.personal_model(store) is not None  # retrained from what is left

    assert invoke("delete", second.id, "--yes").returncode == 0
    assert corrections.corrections(store) == []
    assert corrections.personal_model(store) is None
    assert not (corrections.folder(store) / corrections.ANSWERS).exists()


def test_relabel_command_saves_the_correction_and_history_shows_it(sessions_dir,
                                                                   quick_personal_base):
    """``coach relabel ID 5 result``: the numbered sentences are shown, the report is saved
    recomputed and marked corrected, the correction teaches a personal model, and
    ``history`` prints the corrected action share."""
    from conftest import invoke

    store = SessionStore(sessions_dir)
    session = store.create()
    report = analyze_text(ANSWER)
    session.write_json(META_NAME, {"kind": "practice", "created": "2026-11-20T09:00:00",
                                   "question": {"id": "fr-failure", "text": "A failure?"},
                                   "status": "complete"})
    session.write_json(REPORT_NAME, report.to_json())
    n = len(report.sentences)
    assert report.timing.action_share < 0.9  # so "100%" below is the correction's
    everything = [f"1-{n}", "action"]
    p = invoke("relabel", session.id, *everything)
    assert p.returncode == 0, p.stderr
    for k, s in enumerate(report.sentences, 1):
        assert f"{k:>3} " in p.stdout and s.text[:30] in p.stdout.replace("\n", " ")
    assert f"Saved: {n} sentence(s) corrected" in p.stdout
    saved = store.get(session.id).read_report()
    assert saved.corrected and saved.timing.action_share == pytest.approx(1.0, abs=0.01)
    assert corrections.personal_model(store) is not None
    assert [a.id for a in corrections.corrections(store)] == [session.id]
    history = invoke("history")
    assert history.returncode == 0, history.stderr
    assert "100%" in history.stdout

    bad = invoke("relabel", session.id, f"1-{n + 1}", "result")
    assert bad.returncode != 0 and f"1 to {n}" in bad.stderr
    assert store.get(session.id).read_report() == saved  # nothing half-written
