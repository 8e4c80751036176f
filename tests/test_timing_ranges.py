"""The likely ranges of Situation+Task and the Action share, widened to hold the truth on
answers the segmenter never saw (coach/analysis/timing_ranges.py)."""

import json
import math
from dataclasses import replace

import pytest

from coach.analysis.report import Part, Sentence
from coach.analysis.segment import compute_timing, labelled_seconds, part_spans
from coach.analysis.timing_ranges import (
    FILE,
    RangeCalibration,
    RawRange,
    Widening,
    fit_widening,
    held,
    load_range_calibration,
    widen_ranges,
)
from coach.prompts import model_file, timing_rules


def sentence(k: int, part: Part, dist: tuple[float, ...], seconds: float = 9.5) -> Sentence:
    return Sentence(f"s{k}", k * 10.0, k * 10.0 + seconds, part, k, k, max(dist), dist)


SURE = [sentence(0, Part.situation, (1, 0, 0, 0)), sentence(1, Part.task, (0, 1, 0, 0)),
        sentence(2, Part.action, (0, 0, 1, 0)), sentence(3, Part.result, (0, 0, 0, 1))]


def test_a_widening_grows_each_side_by_its_scale_and_floor_and_stays_in_bounds():
    w = Widening(scale=2.0, floor=0.1)
    # 20 s with a range of 18-23 s and a floor of 3 s: 20 - 2 * (2 + 3), 20 + 2 * (3 + 3).
    assert w.apply(20.0, (18.0, 23.0), 3.0, 100.0) == (10.0, 32.0)
    # Never below zero nor above the whole answer, and always around the figure itself.
    assert w.apply(5.0, (4.0, 6.0), 10.0, 30.0) == (0.0, 27.0)
    assert w.apply(29.0, (28.0, 29.5), 10.0, 30.0) == (7.0, 30.0)
    assert w.apply(5.0, (7.0, 8.0), 0.0, 30.0) == (5.0, 11.0)
    # The identity leaves the segmenter's own range as it was.
    assert Widening().apply(20.0, (18.0, 23.0), 0.0, 100.0) == (18.0, 23.0)


def test_sure_sentences_still_get_a_range_but_the_persons_own_parts_do_not():
    """The segmenter is often wrong where it is sure, so a floor widens even a range it
    is certain of; parts the person set (relabel) are taken as given."""
    calibration = RangeCalibration(Widening(1.0, 0.1), Widening(1.0, 0.05))
    t = compute_timing(part_spans(SURE), timing_rules(), False, SURE, calibration)
    labelled = labelled_seconds(SURE)
    assert labelled == pytest.approx(39.5)
    lo, hi = t.situation_task_range_s
    assert lo == pytest.approx(19.75 - 3.95, abs=0.01) and hi == pytest.approx(19.75 + 3.95,
                                                                               abs=0.01)
    a_lo, a_hi = t.action_share_range
    assert a_lo == pytest.approx(t.action_share - 0.05, abs=0.001)
    assert a_hi == pytest.approx(t.action_share + 0.05, abs=0.001)
    given = [replace(s, distribution=()) for s in SURE]
    assert labelled_seconds(given) == 0.0
    t = compute_timing(part_spans(given), timing_rules(), False, given, calibration)
    assert t.situation_task_range_s == (19.75, 19.75)
    assert t.action_share_range == (t.action_share, t.action_share)
    # Half of it corrected by the person: the floor covers only the other half.
    half = given[:2] + SURE[2:]
    st, _ = widen_ranges(19.75, (19.75, 19.75), 0.25, (0.25, 0.25), 39.5,
                         labelled_seconds(half), calibration)
    assert st == pytest.approx((19.75 - 1.975, 19.75 + 1.975), abs=0.01)


def test_a_wider_range_makes_a_close_budget_verdict_unsure_and_says_the_range():
    from coach.analysis.feedback import timing_verdict

    long = [replace(s, start=s.start * 2.4, end=s.end * 2.4) for s in SURE]  # S+T 47.4 s
    narrow = compute_timing(part_spans(long), timing_rules(), False, long, RangeCalibration())
    assert narrow.situation_task_verdict_sure
    assert "within the 50 second budget" in timing_verdict(narrow)
    wide = compute_timing(part_spans(long), timing_rules(), False, long,
                          RangeCalibration(Widening(1.0, 0.1), Widening(1.0, 0.1)))
    assert not wide.situation_task_verdict_sure
    said = timing_verdict(wide)
    lo, hi = (round(x) for x in wide.situation_task_range_s)
    assert "within" not in said and "probably" not in said
    assert f"somewhere from {lo} to {hi} seconds" in said and lo < 50 < hi
    assert "and I can't tell whether it fit the 50 second budget" in said


def _range_read(t, low_high: tuple[float, float], widest: float, unit: str, scale: float,
                said_range: bool) -> tuple[str, str]:
    """(spoken, written) timing verdicts of ``t``, checked for ``low_high`` (in ``unit``
    once times ``scale``): written always, aloud only when at most ``widest`` wide."""
    from coach.analysis.feedback import timing_verdict

    lo, hi = low_high
    assert (hi - lo <= widest) == said_range
    spoken, written = timing_verdict(t, spoken=True), timing_verdict(t)
    told = f"somewhere from {round(lo * scale)} to {round(hi * scale)} {unit}"
    assert told in written and (told in spoken) == said_range
    assert ("that figure is rough" in spoken) != said_range
    return spoken, written


@pytest.mark.parametrize("floor, said_range", [(0.1, True), (0.5, False)])
def test_a_range_too_wide_to_tell_anything_is_not_read_aloud(floor, said_range):
    """Aloud, a range wider than 30 seconds (or 30 points of share) becomes "that figure
    is rough" (b142's reader heard "somewhere from 17 to 83 seconds"); the written report
    keeps it; a narrower range is said either way; the unsure verdict is never announced."""
    from coach.analysis.feedback import SAID_RANGE_MAX_S, SAID_RANGE_MAX_SHARE

    widening = RangeCalibration(Widening(1.0, floor), Widening(1.0, floor))
    long = [replace(s, start=s.start * 2.4, end=s.end * 2.4) for s in SURE]  # S+T 47.4 s
    t = compute_timing(part_spans(long), timing_rules(), False, long, widening)
    assert not t.situation_task_verdict_sure
    for said in _range_read(t, t.situation_task_range_s, SAID_RANGE_MAX_S, "seconds", 1,
                            said_range):
        assert "about 47 seconds" in said and "within" not in said
        assert "and I can't tell whether it fit the 50 second budget" in said
    # An Action share of 67% (8 of 12 sentences), close to the target of 70.
    parts = [Part.situation] * 2 + [Part.action] * 8 + [Part.result] * 2
    shares = [sentence(k, p, tuple(float(p is q) for q in Part)) for k, p in enumerate(parts)]
    t = compute_timing(part_spans(shares), timing_rules(), False, shares, widening)
    assert not t.action_share_verdict_sure
    spoken, written = _range_read(t, t.action_share_range, SAID_RANGE_MAX_SHARE, "percent",
                                  100, said_range)
    assert ("rough too" in spoken) == ("ended, so that figure is rough, and I" in spoken)
    for said in (spoken, written):
        assert f"about {round(t.action_share * 100)} percent" in said
        assert "target of 70 percent" in said


def test_an_unsure_estimate_well_over_the_budget_is_said_as_probably_over():
    """The segmenter under-counts Situation+Task, so an unsure estimate at least 5 s over
    the budget was over in truth nearly nine times in ten (``PROBABLY_OVER_MARGIN_S``):
    said as "probably over", with the range; 4 s over is not."""
    from coach.analysis.feedback import timing_verdict
    from coach.analysis.report import PROBABLY_OVER_MARGIN_S

    wide = RangeCalibration(Widening(1.0, 0.3), Widening(1.0, 0.1))
    for over_s, probably in ((PROBABLY_OVER_MARGIN_S, True), (4.0, False), (-6.0, False)):
        scale = (50 + over_s) / 19.75
        given = [replace(s, start=s.start * scale, end=s.end * scale) for s in SURE]
        t = compute_timing(part_spans(given), timing_rules(), False, given, wide)
        assert not t.situation_task_verdict_sure, t
        said = timing_verdict(t)
        assert t.situation_task_probably_over == probably
        assert ("probably over the 50 second budget" in said) == probably, said
        assert ("can't tell whether it fit the 50 second budget" in said) != probably, said
        lo, hi = (round(x) for x in t.situation_task_range_s)
        assert f"somewhere from {lo} to {hi} seconds" in said


@pytest.mark.parametrize("scale, budget_word, screen", [
    (50.3 / 19.75, "within the 50 second budget", "right on budget"),
    (50.6 / 19.75, "1 over the 50 second budget", "1 s over"),
    (49.4 / 19.75, "within the 50 second budget", "1 s under"),
])
def test_the_budget_verdict_is_the_one_the_shown_seconds_give(scale, budget_word, screen):
    """Spoken, on screen and in the drill the verdict follows the whole seconds the person
    is told: 50.3 s is said as 50 seconds, so it is within a 50-second budget, never
    "0 over"."""
    from rich.console import Console

    from coach.analysis.feedback import timing_verdict
    from coach.cli.render import verdicts
    from coach.practice.drill import DrillResult

    given = [replace(s, start=s.start * scale, end=s.end * scale) for s in SURE]
    t = compute_timing(part_spans(given), timing_rules(), False, given, RangeCalibration())
    said = timing_verdict(t)
    assert budget_word in said and " 0 over" not in said
    console = Console(width=100, record=True)
    console.print(verdicts(t))
    shown = console.export_text()
    assert screen in shown
    assert ("✘" in shown.splitlines()[0]) == (t.seconds_over_budget > 0)
    drill = DrillResult(1, "x", "q", "opening", t.situation_task_s, 50, None, 0.7, None, ())
    assert drill.over_s == t.seconds_over_budget
    assert " 0 over" not in drill.spoken() and " 0 under" not in drill.spoken()


def test_the_share_verdict_is_the_one_the_shown_percent_gives():
    t = compute_timing(part_spans(SURE), timing_rules(), False, SURE, RangeCalibration())
    assert t.meets_share(0.696) and not t.meets_share(0.694)
    # A range that only reaches 69.6% is "70 percent" all through: sure, and met.
    close = replace(t, action_share=0.698, action_share_range=(0.696, 0.70))
    assert close.action_share_verdict_sure and close.meets_share(close.action_share)


def test_the_widening_is_fitted_to_hold_the_asked_share_of_answers():
    # Figures whose errors grow with the answer: an honest 80% range must widen.
    raw = [RawRange(30.0, 28.0, 32.0, 30.0 + (-1) ** k * (k % 10) * 1.5, 60.0, 60.0)
           for k in range(100)]
    own_held, own_width = held(raw, Widening())
    fitted = fit_widening(raw, (0.0, 0.05, 0.1))
    got_held, got_width = held(raw, fitted)
    assert own_held < 0.5 and got_held >= 0.8 and got_width > own_width
    # The narrowest that holds as much: a smaller scale at the same floor holds less.
    assert held(raw, Widening(fitted.scale * 0.9, fitted.floor))[0] < 0.8
    # Nothing to fit on: the segmenter's own ranges.
    assert fit_widening([], (0.0,)) == Widening()


@pytest.mark.parametrize("bad", [
    None, [], "x", {"situation_task": {"scale": 1.2, "floor": 0.1}},
    {"situation_task": {"scale": "2", "floor": 0.1}, "action_share": {"scale": 1, "floor": 0},
     "coverage": 0.8},
    {"situation_task": {"scale": math.nan, "floor": 0.1},
     "action_share": {"scale": 1, "floor": 0}, "coverage": 0.8},
    {"situation_task": {"scale": -1, "floor": 0.1}, "action_share": {"scale": 1, "floor": 0},
     "coverage": 0.8},
    {"situation_task": {"scale": True, "floor": 0.1}, "action_share": {"scale": 1, "floor": 0},
     "coverage": 0.8},
    {"situation_task": {"scale": 1, "floor": 0.1}, "action_share": {"scale": 1, "floor": 0},
     "coverage": 1.5},
])
def test_a_file_that_is_not_a_calibration_is_refused(bad):
    assert RangeCalibration.from_dict(bad) is None


def test_the_shipped_calibration_widens_and_round_trips():
    data = json.loads(model_file(FILE).read_text(encoding="utf-8"))
    shipped = RangeCalibration.from_dict(data)
    assert shipped is not None and shipped == load_range_calibration()
    assert RangeCalibration.from_dict(shipped.to_dict()) == shipped
    # Fitted on answers built on real ones, where the segmenter's own ranges held the truth
    # far less often than they claimed: wider than its own, in both figures.
    assert shipped.situation_task.floor > 0 or shipped.situation_task.scale > 1
    assert shipped.action_share.floor > 0 or shipped.action_share.scale > 1
    t = compute_timing(part_spans(SURE), timing_rules(), False, SURE)
    assert t.situation_task_range_s[0] < 19.75 < t.situation_task_range_s[1]


@pytest.mark.parametrize("floor, corrected, hint", [
    (0.5, False, True), (0.0, False, False), (0.5, True, False)])
def test_the_session_line_says_how_to_set_the_parts_when_the_coach_was_unsure(
        floor, corrected, hint):
    """After a report whose timing verdicts the coach could not be sure of, the terminal
    says how to set the parts (``coach relabel ID``); not when it was sure, nor once the
    person has set them."""
    from rich.console import Console

    from coach.analysis.report import Report, Source, SourceKind
    from coach.cli.render import render_session_line

    long = [replace(s, start=s.start * 2.4, end=s.end * 2.4) for s in SURE]  # S+T 47.4 s
    t = compute_timing(part_spans(long), timing_rules(), False, long,
                       RangeCalibration(Widening(1.0, floor), Widening(1.0, floor)))
    assert t.situation_task_verdict_sure == (floor == 0.0)
    report = Report(None, Source(SourceKind.audio, "a.wav", t.total_s), [], long,
                    timing=t, corrected=corrected)
    from pathlib import Path

    from coach.sessions.store import default_root

    console = Console(width=200, record=True)
    usual = default_root() / "20261207-150000"
    render_session_line(report, "20261207-150000", usual, console)
    shown = console.export_text()
    assert f"Session 20261207-150000: {usual}" in shown
    assert ("coach relabel 20261207-150000\n" in shown) == hint
    # Kept elsewhere: the command names the folder, so it finds the session.
    console = Console(width=200, record=True)
    render_session_line(report, "20261207-150000", Path("/tmp/my sessions/20261207-150000"),
                        console)
    shown = console.export_text()
    assert ("coach relabel 20261207-150000 --sessions-dir '/tmp/my sessions'" in shown) == hint
