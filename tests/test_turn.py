"""Smart turn-taking: the detector's state machine, the pitch and loudness of a phrase's
end, the learned "sounds finished" text model, and the whole loop (recorder, streaming
transcriber, judge) on a recording served as a microphone, with the scripted recogniser."""

import math
from dataclasses import replace

import numpy as np
import pytest
from fakes import QuietUI, ScriptedTranscriber, timed_words, tone_speech

from coach.analysis.turn_model import turn_model
from coach.audio.pcm import FRAME_MS, SAMPLE_RATE
from coach.audio.prosody import phrase_end
from coach.audio.record import EndReason, FileMicrophone, Recorder
from coach.audio.turn import TurnDetector, TurnOptions, Verdict, VerdictBox
from coach.audio.vad import Endpointer, EndpointOptions, EventKind
from coach.practice.turn import TurnJudge
from coach.speech.stream import ChunkedTranscriber, HeardSoFar
from coach.words import Word

UPPER = EndpointOptions(silence_ms=8000, no_speech_timeout_s=100)


def frames(*runs: tuple[bool, float]) -> list[bool]:
    """Frame decisions from (voiced, seconds) runs."""
    return [v for voiced, s in runs for v in [voiced] * round(s * 1000 / FRAME_MS)]


def run(detector: TurnDetector, decisions: list[bool],
        verdicts: dict[int, Verdict] | None = None) -> list:
    """Push decisions; hand over ``verdicts[i]`` just before frame i. Events with kinds."""
    events = []
    for i, d in enumerate(decisions):
        if verdicts and i in verdicts:
            detector.hear(verdicts[i])
        if (e := detector.push(d)) is not None:
            events.append(e)
    return events


# --- the state machine --------------------------------------------------------------

def test_without_verdicts_it_is_the_fixed_endpointer():
    decisions = frames((False, 1), (True, 3), (False, 2), (True, 2), (False, 9))
    for options in (UPPER, EndpointOptions(silence_ms=3000)):
        ep = Endpointer(options)
        expected = [e for d in decisions if (e := ep.push(d)) is not None]
        assert [e.kind for e in expected] == [EventKind.START, EventKind.END]
        assert run(TurnDetector(options), decisions) == expected
    ends = run(TurnDetector(UPPER), decisions)
    assert ends[-1].frame == round(8 / 0.03)  # the first silent frame after the speech


def test_a_finished_verdict_ends_the_answer_after_the_grace_moment():
    decisions = frames((False, 1), (True, 3), (False, 10))
    last_voiced = round(4 / 0.03) - 1
    at = last_voiced + 30  # the verdict arrives 0.9 s into the pause
    detector = TurnDetector(UPPER, TurnOptions(grace_ms=300, min_pause_ms=600))
    events = run(detector, decisions, {at: Verdict(last_voiced, True, 0.9)})
    assert [e.kind for e in events] == [EventKind.START, EventKind.END]
    assert events[-1].frame == last_voiced + 1  # the answer ends where the silence began
    assert detector._frame == at - 1 + 300 // FRAME_MS  # decided after the grace moment
    assert detector.verdicts_heard == 1


def test_the_grace_moment_shows_and_speaking_again_resumes_the_answer():
    decisions = frames((False, 1), (True, 3), (False, 1.0), (True, 2), (False, 10))
    last_voiced = round(4 / 0.03) - 1
    detector = TurnDetector(UPPER, TurnOptions(grace_ms=600))
    shown = []
    events = []
    for i, d in enumerate(decisions):
        if i == last_voiced + 27:
            assert detector.hear(Verdict(last_voiced, True, 0.8))
        if (e := detector.push(d)) is not None:
            events.append(e)
        shown.append(detector.sounds_finished)
    # "sounds finished" from the verdict until the person spoke again, then never again.
    first_on = shown.index(True)
    resumed = 33 + 100 + 33  # frames: 1 s silent, 3 s voiced, 1 s silent
    assert first_on == last_voiced + 27 and all(shown[first_on:resumed])
    assert not any(shown[resumed:])
    # Nothing judged the second pause: the answer ended at the 8-second limit.
    assert events[-1].kind is EventKind.END
    assert events[-1].frame == round(7 / 0.03)


def test_stale_and_unfinished_verdicts_do_not_end_the_answer():
    decisions = frames((False, 1), (True, 3), (False, 10))
    last_voiced = round(4 / 0.03) - 1
    detector = TurnDetector(UPPER)
    events = run(detector, decisions, {
        last_voiced + 30: Verdict(last_voiced - 5, True, 0.99),  # about an older pause
        last_voiced + 31: Verdict(last_voiced, False, 0.1),  # "goes on"
    })
    assert detector.verdicts_heard == 1
    assert events[-1].frame == last_voiced + 1
    assert events[-1].kind is EventKind.END
    # ...at the upper bound: 8 s of silence after the last voiced frame.
    assert not detector.sounds_finished


def test_a_maybe_finished_verdict_ends_after_five_seconds_not_the_limit():
    decisions = frames((False, 1), (True, 3), (False, 10))
    last_voiced = round(4 / 0.03) - 1
    detector = TurnDetector(UPPER, TurnOptions(grace_ms=300, unsure_pause_ms=5000))
    shown = []
    events = []
    for i, d in enumerate(decisions):
        if i == last_voiced + 30:
            assert detector.hear(Verdict(last_voiced, False, 0.05, maybe=True))
        if (e := detector.push(d)) is not None:
            events.append(e)
        shown.append(detector.sounds_finished)
    assert events[-1].kind is EventKind.END and events[-1].frame == last_voiced + 1
    assert detector._frame == last_voiced + 5000 // FRAME_MS
    # "sounds finished" only in the grace moment before the end.
    assert shown.index(True) == last_voiced + 5000 // FRAME_MS - 300 // FRAME_MS
    # With a silence limit of 5 s or less, "may be finished" changes nothing.
    short = TurnDetector(EndpointOptions(silence_ms=4000, no_speech_timeout_s=100))
    events = run(short, decisions, {last_voiced + 30: Verdict(last_voiced, False, 0.05,
                                                              maybe=True)})
    assert short._frame == last_voiced + math.ceil(4000 / FRAME_MS)  # the limit, as ever


def test_a_verdict_during_speech_is_refused():
    detector = TurnDetector(UPPER)
    run(detector, frames((True, 2)))
    assert not detector.hear(Verdict(detector.last_voiced, True, 1.0))


def test_finished_verdict_never_ends_before_the_minimum_pause():
    decisions = frames((True, 2), (False, 5))
    last_voiced = round(2 / 0.03) - 1
    detector = TurnDetector(UPPER, TurnOptions(grace_ms=0, min_pause_ms=900))
    run(detector, decisions, {last_voiced + 2: Verdict(last_voiced, True, 0.9)})
    assert detector._frame == last_voiced + 900 // FRAME_MS


# --- pitch and loudness --------------------------------------------------------------

def glide(f0_start: float, f0_end: float, seconds: float = 1.2, fade: bool = False
          ) -> np.ndarray:
    """A voiced-like signal whose pitch glides from f0_start to f0_end."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    f0 = f0_start * (f0_end / f0_start) ** (t / seconds)
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    sig = sum(np.sin(k * phase) / k for k in range(1, 6))
    amp = np.linspace(1.0, 0.25, t.size) if fade else np.ones(t.size)
    return (sig * amp * 5000).astype(np.int16)


def test_falling_fading_phrase_end_falls():
    end = phrase_end(np.concatenate([glide(180, 110, fade=True), np.zeros(8000, np.int16)]))
    assert end.pitch_end_st is not None and end.pitch_end_st < -2
    assert end.pitch_slope_st_s is not None and end.pitch_slope_st_s < 0
    assert end.energy_end_db < -4
    assert end.falls and not end.rises


def test_rising_phrase_end_rises_and_level_one_does_neither():
    up = phrase_end(glide(110, 180))
    assert up.rises and not up.falls
    assert up.pitch_end_st is not None and up.pitch_end_st > 2
    level = phrase_end(glide(140, 141))
    assert not level.rises and not level.falls
    assert level.pitch_end_st is not None and abs(level.pitch_end_st) < 0.5


def test_silence_or_noise_gives_no_pitch():
    assert phrase_end(np.zeros(16000, np.int16)).pitch_end_st is None
    noise = (np.random.default_rng(0).normal(0, 2000, 16000)).astype(np.int16)
    assert phrase_end(noise).pitch_end_st is None


# --- the text model ------------------------------------------------------------------

def words(text: str) -> list[Word]:
    return list(timed_words(text, 0.0, 0.4))


OPENING = ("I was the charge nurse on a surgical ward one night and we were two nurses "
           "short. A patient's blood pressure started dropping after his operation.")
ACTION = ("I called the on-call doctor straight away and stayed with him. Then I moved "
          "the other patients' checks to my colleague.")
RESULT = ("He made a full recovery. Since then every patient after surgery is checked every "
          "fifteen minutes for the first two hours, and we have not missed one since.")


@pytest.fixture(scope="module")
def model():
    m = turn_model()
    assert m is not None, "models/turn_end.crfsuite missing: run scripts/train_turn_model.py"
    return m


def test_a_finished_answer_sounds_finished(model):
    finished, p = model.finished(words(f"{OPENING} {ACTION} {RESULT}"))
    assert finished, p


@pytest.mark.parametrize("so_far", [
    OPENING,  # after the Situation
    f"{OPENING} {ACTION}",  # between Action and Result
    f"{OPENING} So what I did was",  # mid-sentence
    f"{OPENING} {ACTION} And then um",  # a filler
    f"{OPENING} {ACTION} He made a full recovery and",
])
def test_a_pause_in_the_middle_does_not_sound_finished(model, so_far):
    finished, p = model.finished(words(so_far))
    assert not finished, (so_far, p)


def test_it_reads_parts_with_the_star_model_it_was_trained_with(model):
    """The shipped STAR model is retrained more often than this one: the model keeps the
    copy its features were computed with (``turn_model.STAR_FILE``)."""
    from coach.analysis.turn_model import STAR_FILE

    assert model.tagger_path is not None and model.tagger_path.name == STAR_FILE
    assert model.tagger_path.is_file()


def test_final_punctuation_makes_no_difference(model):
    a = model.probability(words(f"{OPENING} So what I did was"))
    b = model.probability(words(f"{OPENING} So what I did was."))
    assert a == b


# --- the whole loop, on a recording served as a microphone ---------------------------

class SettlingMicrophone(FileMicrophone):
    """Serves a recording block by block, letting the streaming transcriber finish its
    work before each block: verdicts reach the recorder at the next block, whatever the
    speed of the machine."""

    def __init__(self, samples: np.ndarray, chunker: ChunkedTranscriber | None):
        super().__init__(samples)
        self.chunker = chunker

    def read(self, timeout_s: float) -> np.ndarray | None:
        assert self.chunker is None or self.chunker.settle(30)
        return super().read(timeout_s)


FIRST = f"{OPENING} So what I did was"
SECOND = f"{ACTION} {RESULT}"


def spoken(parts: list[tuple[str, float]], lead_s: float = 0.6
           ) -> tuple[np.ndarray, tuple[Word, ...], list[float]]:
    """(audio, timed words, end of each part in seconds): each part's words said over a
    stretch of tone speech at 0.3 s a word, ending in a falling, fading glide (so the
    pitch never holds a verdict back: what was said decides), then its pause."""
    audio, said, ends = [np.zeros(int(lead_s * SAMPLE_RATE), np.int16)], [], []
    t = lead_s
    for text, pause_s in parts:
        n = len(text.split())
        audio += [tone_speech(n * 0.3), glide(160, 110, 0.6, fade=True)]
        said += timed_words(text, t, 0.3)
        t += n * 0.3 + 0.6
        ends.append(t)
        audio.append(np.zeros(int(pause_s * SAMPLE_RATE), np.int16))
        t += pause_s
    return np.concatenate(audio), tuple(said), ends


def record(audio: np.ndarray, said: tuple[Word, ...], smart: bool, model):
    transcriber = ScriptedTranscriber((audio, said))
    box = VerdictBox()
    judge = TurnJudge(box, model)
    chunker = ChunkedTranscriber(transcriber, on_heard=judge.heard if smart else None)

    def on_frame(frame: np.ndarray, is_speech: bool) -> None:
        judge.feed(frame, is_speech)
        chunker.feed(frame, is_speech)

    statuses = []
    options = UPPER if smart else EndpointOptions(no_speech_timeout_s=100)
    recorder = Recorder(SettlingMicrophone(audio, chunker), options, on_frame=on_frame,
                        on_status=statuses.append, turn=TurnOptions() if smart else None,
                        verdicts=box if smart else None)
    rec = recorder.record_to_memory()
    return rec, chunker.finish(), judge, statuses


def test_thinking_pause_is_waited_out_and_the_finished_answer_ends_soon(model):
    audio, said, ends = spoken([(FIRST, 4.0), (SECOND, 10.0)])
    rec, transcript, judge, statuses = record(audio, said, True, model)
    assert rec.ended_by is EndReason.SILENCE
    # Not cut in the 4-second pause: the second part was recorded and transcribed...
    assert transcript.words[-1].text.startswith("since")
    # ...and the end came within 1.5 s of the last word, well before the 8-second limit.
    # The recording starts its pre-roll before the first word (at 0.6 s in the audio).
    tail_s = (0.6 - rec.speech_start_s + rec.duration_s) - ends[-1]
    assert 0.6 <= tail_s <= 1.5, (tail_s, [j.verdict for j in judge.judged])
    assert any(not j.verdict.finished for j in judge.judged)  # the pause was judged
    assert judge.judged[-1].verdict.finished
    assert any(s.sounds_finished for s in statuses)


def test_fixed_turn_taking_cuts_the_same_answer_at_the_thinking_pause(model):
    audio, said, ends = spoken([(FIRST, 4.0), (SECOND, 10.0)])
    rec, transcript, _, statuses = record(audio, said, False, model)
    assert rec.ended_by is EndReason.SILENCE
    assert transcript.words[-1].text == "was"  # cut after "so what I did was"
    assert not any(s.sounds_finished for s in statuses)


def test_heard_so_far_covers_every_word_and_goes_stale_with_new_speech():
    audio, said, _ = spoken([("I rolled the release back myself.", 1.2),
                             ("Then I wrote the missing test.", 1.5)])
    heard: list[HeardSoFar] = []
    chunker = ChunkedTranscriber(ScriptedTranscriber((audio, said)), on_heard=heard.append)
    Recorder(SettlingMicrophone(audio, chunker), end_on_silence=False,
             on_frame=chunker.feed).record_to_memory()
    chunker.finish()
    assert [len(h.words) for h in heard] == [6, 12]
    assert heard[0].upto_frame < heard[1].upto_frame


def test_the_words_are_judged_before_the_hesitations_and_again_if_these_change_them():
    """A recogniser that tells its words early (before its slower filler search) has
    them judged at once; when the hesitations then add words, the answer so far is told
    again, so the judge sees the "um" at the end too."""
    audio, said, _ = spoken([("I rolled the release back myself.", 1.2)])

    class Hesitant(ScriptedTranscriber):
        def transcribe(self, samples, offset_s=0.0, prompt=None, on_words=None):
            plain = super().transcribe(samples, offset_s, prompt)
            if on_words is not None:
                on_words(plain.words)
            last = plain.words[-1]
            um = Word("um", last.end + 0.1, last.end + 0.3, 0.9)
            return replace(plain, words=plain.words + (um,))

    heard: list[HeardSoFar] = []
    chunker = ChunkedTranscriber(Hesitant((audio, said)), on_heard=heard.append)
    Recorder(SettlingMicrophone(audio, chunker), end_on_silence=False,
             on_frame=chunker.feed).record_to_memory()
    transcript = chunker.finish()
    assert [[w.text for w in h.words][-1] for h in heard] == ["myself.", "um"]
    assert heard[0].upto_frame == heard[1].upto_frame
    assert transcript.words[-1].text == "um"


def test_an_early_transcription_the_speaker_talks_past_skips_its_hesitation_search():
    """The speaker going on makes an early transcription stale: once its words are in, the
    recogniser is told to stop there (no filler search, nothing judged), so the single
    worker is free sooner for the transcription of the real end. One still valid when its
    words come is judged and finished."""
    import threading

    from coach.audio.pcm import FRAME_SAMPLES
    from coach.speech.stream import ChunkOptions

    asked: list[bool | None] = []
    started, go = threading.Event(), threading.Event()

    class Waiting:
        model_name = "waiting"

        def load(self) -> None: ...

        def transcribe(self, samples, offset_s=0.0, prompt=None, on_words=None):
            from coach.speech.transcript import Transcript
            started.set()
            go.wait(5)
            words = (Word("done.", offset_s, offset_s + 0.3),)
            asked.append(on_words(words) if on_words else None)
            return Transcript(words, (), samples.size / SAMPLE_RATE, "waiting")

    frame = np.zeros(FRAME_SAMPLES, np.int16)
    options = ChunkOptions(early_pause_ms=300)
    for goes_on in (True, False):
        started.clear()
        go.clear()
        heard: list[HeardSoFar] = []
        chunker = ChunkedTranscriber(Waiting(), options, on_heard=heard.append)
        for is_speech in [True] * 20 + [False] * 10:
            chunker.feed(frame, is_speech)
        assert chunker.early_started == 1 and started.wait(5)
        if goes_on:
            chunker.feed(frame, True)
        go.set()
        assert chunker.settle(5)
        assert asked[-1] is (not goes_on)
        assert len(heard) == (0 if goes_on else 1)


def test_an_early_transcription_the_speaker_talks_past_becomes_a_chunk_when_long_enough():
    """A pause that was not the end: the early transcription of everything before it is
    long enough to be a chunk, so it is kept as one (its words once, in order, on the
    recording's timeline) and not done again; one too short is dropped and its audio
    goes on in the next chunk. Either way the transcript is every word, once."""
    from coach.speech.stream import ChunkOptions

    first = "I rolled the release back myself and paged the owner."
    second = "Then I wrote the missing test."
    audio, said, _ = spoken([(first, 1.2), (second, 1.5)])
    for min_chunk_s, promoted in ((2.0, True), (30.0, False)):
        transcriber = ScriptedTranscriber((audio, said))
        chunker = ChunkedTranscriber(transcriber, ChunkOptions(min_chunk_s=min_chunk_s,
                                                               early_pause_ms=600))
        Recorder(SettlingMicrophone(audio, chunker), end_on_silence=False,
                 on_frame=chunker.feed).record_to_memory()
        out = chunker.finish()
        assert [w.text for w in out.words] == [w.text for w in said], (min_chunk_s, out.text)
        assert [w.start for w in out.words] == pytest.approx([w.start for w in said],
                                                              abs=0.05)
        assert chunker.early_started == 2 and chunker.early_used
        assert chunker.chunks_sent == (1 if promoted else 0)
        # Promoted: the second call hears only the second sentence (and a little pause).
        assert len(transcriber.calls) == 2
        second_call_s = transcriber.calls[1][0] / SAMPLE_RATE
        assert (second_call_s < 4.5) is promoted, second_call_s


# --- the practice session and the command line ----------------------------------------

def test_practice_session_ends_a_finished_answer_early_and_notes_the_mode(model, tmp_path):
    import json

    from coach.audio.turn import TurnTaking
    from coach.practice.run import Mouth, PracticeRun, PracticeSettings
    from coach.prompts import get_question
    from coach.sessions.files import SessionKind
    from coach.sessions.store import SessionStore

    audio, said, ends = spoken([(FIRST, 4.0), (SECOND, 10.0)])
    mic_holder = []

    class Run(PracticeRun):
        def _listener(self, settings, mode, endpoint):
            listener = super()._listener(settings, mode, endpoint)
            mic_holder[0].chunker = listener.chunker
            return listener

    mic = SettlingMicrophone(audio, None)
    mic_holder.append(mic)
    ui = QuietUI()
    settings = PracticeSettings(UPPER, end_on_silence=True, input_name="test",
                                output_name="none", voice="none",
                                turn_taking=TurnTaking.smart)
    run = Run(SessionStore(tmp_path / "s"), ScriptedTranscriber((audio, said)),
              Mouth(None, None, ui), ui)
    session, meta, report, transcript = run.capture(get_question("fr-incident"), mic,
                                                    settings, SessionKind.practice)
    assert transcript.words[-1].text.startswith("since")
    assert meta.duration_s is not None and meta.duration_s < ends[-1] + 2.0
    assert any(s.sounds_finished for s in ui.statuses)
    stored = json.loads((session.path / "meta.json").read_text())
    assert stored["settings"]["turn_taking"] == "smart"


def test_turn_taking_setting_and_option_are_checked():
    from conftest import invoke, one_line_error

    assert invoke("config", "turn_taking", "fixed").returncode == 0
    assert "turn_taking = 'fixed'" in invoke("config").stdout
    one_line_error(invoke("config", "turn_taking", "sometimes"), 2,
                   "turn_taking must be one of smart, fixed")
    p = invoke("practice", "--turn-taking", "sometimes", "--no-speak")
    assert p.returncode == 2 and "--turn-taking" in p.stderr


@pytest.mark.parametrize("spec", ["en-us+m3", "en-gb+f3", "en-gb-scotland+m2", "en-us+f4"])
def test_a_finished_sentence_does_not_rise(spec):
    """A closing sentence said by espeak-ng ends with its pitch down, not up: the pitch
    never holds back the verdict on a finished answer."""
    from asr_fixtures import EvalVoice, missing, speaker
    from star_fixtures import trimmed

    voice = EvalVoice(f"espeak {spec}", "espeak", spec)
    if missing(voice):
        pytest.skip(missing(voice))
    done = phrase_end(trimmed("Since then we check it every week, and it has not happened "
                              "again.", speaker(voice)))
    assert not done.rises and done.pitch_end_st is not None and done.pitch_end_st < 0


def test_judge_posts_verdicts_and_a_rising_pitch_holds_them_back(model):
    text = words(f"{OPENING} {ACTION} {RESULT}")
    for audio, finished in ((glide(160, 110, fade=True), True), (glide(110, 180), False)):
        box = VerdictBox()
        judge = TurnJudge(box, model)
        n = audio.size // 480
        for k in range(n):
            judge.feed(audio[k * 480:(k + 1) * 480], True)
        judge.heard(HeardSoFar(tuple(text), n - 1))
        (verdict,) = box.take()
        assert verdict.upto_frame == n - 1 and verdict.probability >= model.threshold
        assert verdict.finished is finished and (verdict.maybe is False)
    assert box.take() == []


def test_the_line_before_recording_says_how_each_recording_ends(monkeypatch):
    """The answer listens the smart way, the follow-up reply after a fixed silence: the
    line shown before each says which."""
    import io

    from rich.console import Console

    from coach.cli import app, console

    buffer = io.StringIO()
    monkeypatch.setattr(console, "err", Console(file=buffer, width=300))
    ui = console.ConsoleUI(False, ending=app._ending("smart", 8.0),
                           reply_ending=app._ending("fixed", 3.0))
    ui.listening()
    ui.stopped(None)
    ui.listening(reply=True)
    ui.stopped(None)
    answer_line, reply_line = [line for line in buffer.getvalue().splitlines()
                               if line.startswith("Answer when ready")]
    assert "think for up to 8 seconds" in answer_line
    assert "a pause of 3 seconds ends the answer" in reply_line
