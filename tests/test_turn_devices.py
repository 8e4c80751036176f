"""Smart turn-taking on the virtual sound device (scripts/test's PulseAudio null sink): a
thinking pause in the middle is waited out, and a finished answer ends well before the
silence limit. Measured in the recording's own audio frames, not in wall-clock time."""

import threading
import time

import numpy as np
import pytest
from conftest import needs_pulse, say
from star_fixtures import trimmed
from turn_fixtures import TurnAnswer, speak_answer

from coach.audio.pcm import FRAME_MS
from coach.audio.record import EndReason, Recorder
from coach.audio.turn import SMART_SILENCE_S, TurnOptions, VerdictBox
from coach.audio.vad import EndpointOptions, classify_frames

pytestmark = [needs_pulse, pytest.mark.audio_device, pytest.mark.slow]

PAUSED = TurnAnswer("nurse-pause", "nurse", (
    "I was the nurse in charge on a surgical ward one night, and I found that a patient "
    "had been given his insulin twice. [3.5 situation] I checked his blood sugar and "
    "called the doctor straight away. He was fine within the hour. Since then we sign for "
    "insulin the moment it is given, and we have not missed a dose since."))
FINISHED = TurnAnswer("deploy-done", "software", (
    "When my cache change took down search, I rolled it back within ten minutes. Since "
    "then every cache change goes through a canary stage first, and we have not had an "
    "outage since."))

# A recording that ends this soon after the last word was ended by a "finished" verdict:
# an unsure one ends it after ``unsure_pause_ms`` (5 s), none at the 8 s silence limit.
# How soon within that depends on how busy the machine is: the verdict waits for the
# recogniser (4.02 s for the paused answer in one CI run of c1b77a3, with the whole suite
# in parallel; 1.5-2.5 s when idle). Both answers are held to it (4.0 s before).
ENDED_BY_VERDICT_S = TurnOptions().unsure_pause_ms / 1000 - 0.3


def silent_runs_s(samples: np.ndarray) -> tuple[list[float], float]:
    """(lengths of the silences between voiced stretches, silence after the last one)."""
    voiced = classify_frames(samples)
    runs, n, seen = [], 0, False
    for v in voiced:
        if v:
            if seen and n:
                runs.append(n * FRAME_MS / 1000)
            seen, n = True, 0
        else:
            n += 1
    return runs, (len(voiced) - (max(i for i, v in enumerate(voiced) if v) + 1)) * FRAME_MS / 1000


def record_live(audio: np.ndarray, transcriber, tmp_path):
    """Play ``audio`` into the virtual microphone while the smart recorder listens."""
    from loopback import play

    from coach.analysis.turn_model import turn_model
    from coach.audio.devices import SoundDeviceMicrophone
    from coach.practice.turn import TurnJudge
    from coach.speech.stream import ChunkedTranscriber

    model = turn_model()
    assert model is not None
    box = VerdictBox()
    judge = TurnJudge(box, model)
    chunker = ChunkedTranscriber(transcriber, on_heard=judge.heard)

    def on_frame(frame, is_speech):
        judge.feed(frame, is_speech)
        chunker.feed(frame, is_speech)

    mic = SoundDeviceMicrophone()
    recorder = Recorder(mic, EndpointOptions(silence_ms=int(SMART_SILENCE_S * 1000)),
                        on_frame=on_frame, turn=TurnOptions(), verdicts=box)
    out: dict = {}
    thread = threading.Thread(target=lambda: out.update(rec=recorder.record(
        tmp_path / f"a-{time.monotonic_ns()}.wav")), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10  # the first stream of a process starts late
    while not mic.first_block and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mic.first_block, "the microphone delivered no audio within 10 s"
    play(audio)
    thread.join(SMART_SILENCE_S + 15)
    assert not thread.is_alive(), "the recording did not end"
    return out["rec"], chunker.finish(), judge


def test_thinking_pause_is_waited_out_and_finished_answers_end_early(tmp_path, transcriber):
    paused = speak_answer(PAUSED, say, trimmed, lead_s=0.3, tail_s=0.2)
    rec, transcript, judge = record_live(paused.audio, transcriber, tmp_path)
    verdicts = [(j.verdict.finished, round(j.text_probability, 2)) for j in judge.judged]
    assert rec.ended_by is EndReason.SILENCE
    gaps, tail_s = silent_runs_s(rec.samples)
    # the 3.5 s pause is inside the recording (unless audio was lost: overflows say so)
    assert max(gaps) >= 3.0, (gaps, verdicts, f"input overflows {rec.input_overflows}")
    assert "since" in transcript.text.lower()[-30:], transcript.text  # the last words
    assert tail_s < ENDED_BY_VERDICT_S, (tail_s, verdicts)

    finished = speak_answer(FINISHED, say, trimmed, lead_s=0.3, tail_s=0.2)
    rec, transcript, judge = record_live(finished.audio, transcriber, tmp_path)
    verdicts = [(j.verdict.finished, round(j.text_probability, 2)) for j in judge.judged]
    assert rec.ended_by is EndReason.SILENCE
    _, tail_s = silent_runs_s(rec.samples)
    assert tail_s < ENDED_BY_VERDICT_S, (tail_s, verdicts)
    assert judge.judged and judge.judged[-1].verdict.finished, verdicts
