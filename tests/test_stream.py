"""Transcription while recording: chunks cut at pauses, same quality and timeline as batch."""

import pytest
from conftest import wer
from star_fixtures import FIXTURES, build

from coach.analysis import build_report
from coach.record import FileMicrophone, Recorder
from coach.report import Source
from coach.stream import ChunkedTranscriber


@pytest.mark.parametrize("name", ["long_opening", "balanced", "spoken"])
def test_streamed_transcript_matches_batch(name, transcriber):
    answer = build(FIXTURES[name])
    truth = " ".join(s for _, sentences in FIXTURES[name] for s in sentences)
    chunker = ChunkedTranscriber(transcriber)
    rec = Recorder(FileMicrophone(answer.audio), end_on_silence=False,
                   on_frame=chunker.feed).record_to_memory()
    streamed = chunker.finish()
    batch = transcriber.transcribe(rec.samples)
    if name == "long_opening":
        assert chunker.chunks_sent >= 3
    assert wer(truth, streamed.text) <= wer(truth, batch.text) + 0.01, (streamed.text,
                                                                          batch.text)
    starts = [w.start for w in streamed.words]
    assert starts == sorted(starts)
    # Same timeline: the whole pipeline's timing from streamed words matches the truth.
    true_st, true_share = answer.truth()
    shift = rec.speech_start_s - answer.lead_s  # the recorder trims leading silence
    report = build_report(list(streamed.words), Source("audio", None, rec.duration_s), None,
                          estimated=False)
    assert abs(report.timing.situation_task_s - true_st) <= 2.0
    assert abs(report.timing.action_share - true_share) <= 0.05
    assert abs(streamed.words[0].start - (answer.spans[0][1] + shift)) < 0.3
