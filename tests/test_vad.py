"""Endpointing over stored per-frame decisions (regression) and hand-made sequences."""

from conftest import DATA, pause, say

from coach.audio.vad import (
    Endpointer,
    EndpointOptions,
    EventKind,
    classify_frames,
    endpoint,
    speech_s,
)


def stored() -> list[bool]:
    return [c == "1" for c in (DATA / "vad_answer.decisions").read_text().strip()]


def test_stored_answer_starts_at_speech_and_survives_thinking_pause():
    events = list(endpoint(stored()))
    assert [e.kind for e in events] == [EventKind.START, EventKind.END]
    start, end = events
    assert start.frame == 28  # first voiced frame, 0.84 s
    # The 1.5 s pause between the two sentences does not end the answer; the end is the
    # first frame of the final silence.
    assert end.frame == 278
    assert abs(end.time_s - 8.34) < 0.01


def test_shorter_silence_setting_ends_at_the_thinking_pause():
    events = list(endpoint(stored(), EndpointOptions(silence_ms=1200)))
    assert events[-1].kind is EventKind.END
    assert events[-1].frame == 117


def test_nobody_speaks_gives_no_speech_after_timeout():
    events = list(endpoint([False] * 2000, EndpointOptions(no_speech_timeout_s=5)))
    assert [e.kind for e in events] == [EventKind.NO_SPEECH]
    assert abs(events[0].time_s - (5 - 0.03)) < 0.031


def test_isolated_clicks_do_not_start_an_answer():
    clicks = ([False] * 20 + [True, True] + [False] * 20) * 10
    events = list(endpoint(clicks, EndpointOptions(no_speech_timeout_s=100)))
    assert events == []


def test_max_length_caps_the_answer():
    events = list(endpoint([True] * 1000, EndpointOptions(max_s=6)))
    assert [e.kind for e in events] == [EventKind.START, EventKind.MAX_LENGTH]
    assert events[-1].frame == 199


def test_reset_makes_the_endpointer_reusable():
    ep = Endpointer()
    first = [e for d in stored() if (e := ep.push(d))]
    assert ep.push(True) is None  # finished: ignores further input
    ep.reset()
    second = [e for d in stored() if (e := ep.push(d))]
    assert first == second


def test_webrtcvad_decisions_on_real_speech_and_silence():
    speech = say("I traced the outage to a faulty config change I made.")
    decisions = classify_frames(pause(1.0))
    assert not any(decisions)
    assert speech_s(speech) > 1.5
    assert speech_s(pause(2.0)) == 0
