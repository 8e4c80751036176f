"""Which windows Whisper decodes again by sampling, and which filler pieces again in halves
(coach/speech/whisper.py): the decisions, with faster-whisper's model replaced by one that
returns given segments. No model."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from coach.speech.fillers import filler_rules
from coach.speech.gaps import Clip, GapOptions, Stretch, lay_out
from coach.speech.whisper import TranscribeOptions, WhisperTranscriber

FRAME_S = 0.03


def voiced_at(*spans: tuple[float, float], duration_s: float) -> np.ndarray:
    out = np.zeros(int(round(duration_s / FRAME_S)), dtype=bool)
    for a, b in spans:
        out[int(round(a / FRAME_S)):int(round(b / FRAME_S))] = True
    return out


def segment(start: float, end: float, text: str, logprob: float = -0.2,
            compression: float = 1.5, temperature: float = 0.0, seek: int | None = None):
    """A faster-whisper Segment as far as the transcriber reads it: the segments of one
    window share its ``seek`` (default: a window of its own) and its scores."""
    texts = text.split()
    step = (end - start) / max(1, len(texts))
    words = [SimpleNamespace(word=" " + w, start=start + k * step,
                             end=start + (k + 1) * step, probability=0.9)
             for k, w in enumerate(texts)]
    return SimpleNamespace(seek=int(start * 100) if seek is None else seek,
                           start=start, end=end, text=" " + text, words=words,
                           avg_logprob=logprob, compression_ratio=compression,
                           no_speech_prob=0.1, temperature=temperature)


class ScriptedModel:
    """Answers each ``transcribe`` call with the next list of segments (timed from the
    start of the audio it is given) and records how it was called."""

    frames_per_second = 100  # as Whisper's: a 10 ms hop

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[dict] = []

    def transcribe(self, audio, **kwargs):
        self.calls.append({"seconds": audio.size / 16000, **kwargs})
        return iter(self.answers.pop(0)), None


def transcriber(model: ScriptedModel) -> WhisperTranscriber:
    t = WhisperTranscriber(TranscribeOptions())
    t._model = model  # type: ignore[assignment]
    return t


def test_an_unsure_window_holding_speech_is_decoded_again_on_its_own_by_sampling():
    """Whisper decodes every window plainly first; a window whose plain decode is unsure
    (or repeats itself) and holds speech is decoded again, alone, with the sampled retries
    faster-whisper would have made, and its words take the plain ones' place."""
    duration = 60.0
    voiced = voiced_at((0.5, 29.5), (31.0, 55.0), duration_s=duration)
    model = ScriptedModel(
        [segment(0.5, 29.5, "we rolled it back and told the ward"),
         segment(30.0, 55.0, "the the the the the", logprob=-1.4)],
        [segment(1.0, 24.0, "then I rang the pharmacy and checked every chart",
                 temperature=0.4)],
    )
    t = transcriber(model)
    samples = np.zeros(int(duration * 16000), np.int16)
    segments = t._decode(samples, voiced, 100.0, "before")
    assert model.calls[0]["temperature"] == (0.0,)  # plain first, no retries inside
    assert model.calls[0]["initial_prompt"] == "before"
    assert len(model.calls) == 2
    again = model.calls[1]
    assert again["temperature"] == TranscribeOptions().temperatures  # sampled retries
    assert again["seconds"] == 30.51  # the unsure window: from the text before to the end
    assert again["initial_prompt"] is None  # the prompt was the first window's
    texts = [s.text for s in segments]
    assert texts == ["we rolled it back and told the ward",
                     "then I rang the pharmacy and checked every chart"]
    assert segments[1].start == 130.49  # 100 s in, the window from 29.49 s, its text 1 s in


def test_a_window_of_a_fraction_of_a_second_is_not_decoded_again():
    """The last window of a long answer decoded with a vocabulary often holds only the
    speech padding after the last word (0.4 s): Whisper cannot read it, and its five
    sampled retries cost more than the rest of the decoding. It is never asked for: less
    voiced audio is left after the words than any kept segment needs."""
    duration = 27.0
    voiced = voiced_at((0.5, 25.1), duration_s=duration)
    model = ScriptedModel(
        [segment(0.5, 25.0, "and the incident was closed in under four hours"),
         segment(25.0, 25.4, "MUSIC", logprob=-1.5)],
    )
    segments = transcriber(model)._decode(np.zeros(int(duration * 16000), np.int16),
                                          voiced, 0.0, "")
    assert len(model.calls) == 1 and model.calls[0]["temperature"] == (0.0,)  # no retries
    assert [s.text for s in segments] == ["and the incident was closed in under four hours"]


def test_a_filler_piece_is_decoded_again_in_halves_only_when_its_loop_held_words():
    """A filler piece whose decode looped ("I went and I went and ...") is decoded again
    in two halves; a segment of nothing sharing a loop's ratio (" .") is only dropped,
    not worth a second decode."""
    samples = np.zeros(16000 * 12, np.int16)
    rules = filler_rules()

    looped_dot = ScriptedModel([segment(0.0, 1.0, "so um we", 0.0),
                                segment(1.0, 1.4, ".", compression=5.15),
                                segment(1.5, 2.5, "uh I rang")])
    t = transcriber(looped_dot)
    t._fillers_heard(samples, PIECE, rules.prompt, rules.hesitations)
    assert len(looped_dot.calls) == 1

    looped = ScriptedModel([segment(0.0, 2.5, "I went and I went and I went and I went",
                                    compression=3.1)], [], [])
    t = transcriber(looped)
    t._fillers_heard(samples, PIECE, rules.prompt, rules.hesitations)
    assert len(looped.calls) == 3  # the piece, then each half


def test_a_filler_piece_is_decoded_no_further_than_its_last_clip():
    """Whisper decodes a window at a time, as its segments are asked for; once a segment
    reaches the end of the piece's last clip, the next one (a window holding only the
    silence after it, where Whisper hears " . . ." or "you") is never asked for."""
    pulled = []

    def segments():
        for s in (segment(0.0, 1.2, "so um we"), segment(1.8, 2.3, "uh"),
                  segment(2.3, 2.9, "you")):
            pulled.append(s.text.strip())
            yield s

    model = ScriptedModel()
    model.transcribe = lambda audio, **kwargs: (segments(), None)  # type: ignore[method-assign]
    rules = filler_rules()
    heard = transcriber(model)._fillers_heard(np.zeros(16000 * 12, np.int16), PIECE,
                                              rules.prompt, rules.hesitations)
    assert pulled == ["so um we", "uh"]  # 2.3 s: within 0.3 s of the end, 2.5 s
    assert [w.text for w, _ in heard] == ["um", "uh"]


def test_filler_clips_the_decoding_jumped_past_are_decoded_again_on_their_own():
    """Whisper strings a long piece's fragments into a sentence of its own and its times
    run past some clips: two clips heard as nothing are decoded again, from the first of
    them, as a piece of their own laid out from the start; one is not worth it."""
    stretches = [Stretch(2.3, 2.6), Stretch(9.4, 9.7), Stretch(15.4, 15.7),
                 Stretch(20.4, 20.7)]
    piece = lay_out(stretches, 30.0, GapOptions())[0]
    assert [c.at_s for c in piece] == [0.5, 2.0, 3.5, 5.0]
    samples = np.zeros(16000 * 30, np.int16)
    rules = filler_rules()

    jumped = ScriptedModel([segment(0.5, 1.5, "so um we"), segment(2.0, 3.0, "uh rang")],
                           [segment(0.5, 1.5, "and um the"), segment(2.0, 3.0, "uh then")])
    heard = transcriber(jumped)._fillers_heard(samples, piece, rules.prompt,
                                               rules.hesitations)
    assert len(jumped.calls) == 2
    assert jumped.calls[1]["seconds"] == pytest.approx(2 * 1.0 + 2 * 0.5 + 0.5)
    assert sorted((s.start_s, w.text) for w, s in heard) == [
        (2.3, "um"), (9.4, "uh"), (15.4, "um"), (20.4, "uh")]

    one_missed = ScriptedModel([segment(0.5, 1.5, "so um we"), segment(2.0, 3.0, "uh rang"),
                                segment(3.5, 4.5, "and um the")])
    heard = transcriber(one_missed)._fillers_heard(samples, piece, rules.prompt,
                                                   rules.hesitations)
    assert len(one_missed.calls) == 1 and len(heard) == 3

    # two clips heard as nothing, apart: again from the first of them
    apart = ScriptedModel([segment(0.5, 1.5, "so um we"), segment(3.5, 4.5, "and um the")],
                          [segment(0.5, 1.5, "uh rang"), segment(2.0, 3.0, "and um the"),
                           segment(3.5, 4.5, "uh then")])
    heard = transcriber(apart)._fillers_heard(samples, piece, rules.prompt, rules.hesitations)
    assert len(apart.calls) == 2
    assert sorted((s.start_s, w.text) for w, s in heard) == [
        (2.3, "um"), (9.4, "uh"), (15.4, "um"), (20.4, "uh")]

    # a clip heard in the first decoding after the jump is taken from the second only
    after = ScriptedModel([segment(0.5, 1.5, "so um we"), segment(5.0, 6.0, "uh then")],
                          [segment(0.5, 1.5, "rang"), segment(2.0, 3.0, "and"),
                           segment(3.5, 4.5, "uh then")])
    heard = transcriber(after)._fillers_heard(samples, piece, rules.prompt, rules.hesitations)
    assert after.calls[1]["seconds"] == pytest.approx(3 * 1.0 + 3 * 0.5 + 0.5)
    assert sorted((s.start_s, w.text) for w, s in heard) == [(2.3, "um"), (20.4, "uh")]

    # nothing heard from the first clip on: the piece again in two halves
    nothing = ScriptedModel([], [segment(0.5, 1.5, "so um we")],
                            [segment(0.5, 1.5, "and um the")])
    heard = transcriber(nothing)._fillers_heard(samples, piece, rules.prompt,
                                                rules.hesitations)
    assert [round(c["seconds"], 2) for c in nothing.calls] == [6.5, 3.5, 3.5]
    assert sorted((s.start_s, w.text) for w, s in heard) == [(2.3, "um"), (15.4, "um")]


PIECE = [Clip(2.0, 3.0, 0.0, (Stretch(2.3, 2.6),)),
         Clip(9.0, 10.0, 1.5, (Stretch(9.4, 9.7),))]
"""Two clips: 2-3 s of the recording at 0-1 s of the decoded audio, 9-10 s at 1.5-2.5 s."""


def test_a_long_recording_with_a_vocabulary_is_decoded_in_pieces_cut_in_pauses():
    """Behind a vocabulary Whisper reads a window to its end without a break, so a window
    edge anywhere but in a pause splits a word ("rolled it back" heard as "rule. Hold it
    back"): a recording longer than one window is decoded in pieces of at most 25 s cut
    in pauses, one after the other (``batch_pieces=0``; the default decodes them in
    batches, below), each with the last words of the one before as its prompt."""
    duration = 50.0
    voiced = voiced_at((0.5, 20.0), (21.0, 49.0), duration_s=duration)
    model = ScriptedModel([segment(0.5, 20.0, "we rolled it back")],
                          [segment(0.0, 23.0, "and told the ward")],
                          [segment(0.0, 4.5, "by lunch")])
    t = WhisperTranscriber(TranscribeOptions(batch_pieces=0))
    t._model = model  # type: ignore[assignment]
    t._hotwords = "ward, rota."
    padded = np.zeros(int((duration + 1.0) * 16000), np.int16)  # with the 1 s tail pad
    segments = t._decode(padded, voiced, 0.0, "before")
    # the last piece runs to the end of the padding (without it Whisper invents a closing)
    assert [round(c["seconds"], 2) for c in model.calls] == [20.49, 24.99, 5.52]
    assert [c["initial_prompt"] for c in model.calls] == ["before", "we rolled it back",
                                                         "and told the ward"]
    assert [s.text for s in segments] == ["we rolled it back", "and told the ward", "by lunch"]
    assert [round(s.start, 2) for s in segments] == [0.5, 20.49, 45.48]


def fw_segment(start: float, end: float, text: str, logprob: float = -0.2,
               clip_start: float = 0.0):
    """A segment as faster-whisper's batched decoding gives it (its own types: their
    times are moved with ``dataclasses.replace``), heard in a clip starting at
    ``clip_start`` s of the decoded audio: its words timed from that start rounded down
    to a 10 ms frame, as faster-whisper times them."""
    from faster_whisper.transcribe import Segment as FwSegment
    from faster_whisper.transcribe import Word as FwWord

    texts = text.split()
    step = (end - start) / max(1, len(texts))
    seek = int(int(clip_start * 16000) / 16000 * 100)
    early = clip_start - seek / 100
    words = [FwWord(start + k * step - early, start + (k + 1) * step - early, " " + w, 0.9)
             for k, w in enumerate(texts)]
    return FwSegment(0, seek, start, end, " " + text, [], logprob, 1.5, 0.1, words, 0.0)


HEARD = ("so the night the pumps failed I was the charge nurse and I rang the duty manager "
         "straight away then we moved the two sickest patients to the spare bay while "
         "pharmacy sent up the backup kit and by midnight every drip was running again")
"""Words enough for 19 s of speech (not a loop: a loop is unsure)."""


def test_long_recordings_are_decoded_in_batches_and_a_doubtful_piece_as_before(monkeypatch):
    """The pieces of a long recording are decoded together, in batches, each prompted only
    with what was known before it (the vocabulary); a piece heard plainly keeps its words,
    timed in the recording. A piece whose words leave a second and more of speech unsaid
    (Whisper, with no words before it as its prompt, jumps over sentences) is decoded again
    on its own with the words before it as its prompt, as without batching; an unsure one
    again by sampling."""
    import coach.speech.whisper as whisper

    duration = 70.0
    voiced = voiced_at((0.5, 20.0), (21.0, 44.0), (45.0, 69.0), duration_s=duration)
    batches = []

    def clips(model, audio, clips, **options):
        batches.append(([(round(c["start"], 2), round(c["end"], 2)) for c in clips], options))
        # each clip is its piece less its first 0.5 s: the first at 0-19.99 s of the
        # decoded audio, the second at 19.99-43.49 s (20.49-44.49 s of the recording)
        at = [c["start"] for c in clips]
        return [[fw_segment(0.2, 4.5, "and told the")],  # stops 4.5 s in: speech unsaid
                # heard whole: 21.5-43.5 s of the recording
                [fw_segment(20.5, 42.5, HEARD, clip_start=at[1])],
                [fw_segment(43.6, 59.0, "the the the", logprob=-1.6, clip_start=at[2])]]

    monkeypatch.setattr(whisper, "_transcribe_clips", clips)
    # Silero's speech in each piece: all of it but its first half second (so each piece's
    # clip starts elsewhere in the decoded audio than the piece in the recording)
    monkeypatch.setattr(whisper, "_speech_chunks", lambda piece: [
        {"start": 8000, "end": piece.size}])
    model = ScriptedModel([segment(0.5, 19.0, "and told the ward in the morning")],
                          [segment(0.0, 24.0, "and by lunch the rota was fixed",
                                   temperature=0.4)])
    t = transcriber(model)
    t._hotwords = "ward, rota."
    padded = np.zeros(int((duration + 1.0) * 16000), np.int16)
    segments = t._decode(padded, voiced, 100.0, "before")
    assert len(batches) == 1  # every piece in one call...
    pieces, options = batches[0]
    assert pieces == [(0.0, 19.99), (19.99, 43.49), (43.49, 67.98)]
    assert options["initial_prompt"] == " before" and options["hotwords"] == "ward, rota."
    assert options["batch_size"] == TranscribeOptions().batch_pieces
    # ...then the piece that jumped over speech, plainly, after what was said before it...
    assert model.calls[0]["initial_prompt"] == "before"
    assert model.calls[0]["temperature"] == (0.0,)
    assert round(model.calls[0]["seconds"], 2) == 20.49
    # ...and the unsure one by sampling, after the words of the piece heard whole
    assert model.calls[1]["temperature"] == TranscribeOptions().temperatures
    assert model.calls[1]["initial_prompt"] == " ".join(HEARD.split()[-30:])
    assert [s.text for s in segments] == ["and told the ward in the morning", HEARD,
                                          "and by lunch the rota was fixed"]
    assert [round(s.start, 2) for s in segments] == [100.5, 121.5, 144.49]
    assert round(segments[1].end, 2) == 143.5  # the heard piece's times, in the recording


def test_the_last_words_of_a_window_are_kept_and_a_loop_over_silence_is_dropped():
    """Every segment of a window is kept, also after the end of what webrtcvad called
    voiced ("... and then added a" lost "canary stage to the release" when decoding
    stopped there); a window looping over a fraction of a second of speech after it
    (" Thank you very much, thank you very much, ...") is dropped, never kept as heard
    (nor decoded again: there is nothing to hear)."""
    model = ScriptedModel([segment(0.5, 6.8, "and then added a", seek=0),
                           segment(6.8, 7.6, "canary stage", seek=0),
                           segment(7.6, 8.0, "thank you very much " * 8, compression=9.0,
                                   seek=760)])
    voiced = voiced_at((0.5, 7.0), duration_s=9.0)
    heard = transcriber(model)._decode(np.zeros(16000 * 9, np.int16), voiced, 0.0, "")
    assert [s.text for s in heard] == ["and then added a", "canary stage"]
    assert len(model.calls) == 1


def test_a_looping_window_is_judged_whole_and_the_rest_decoded_again_from_it():
    """faster-whisper scores a window's decode as a whole: a loop comes back as many short
    segments sharing one score, each over little speech. The window is judged whole (20 s
    of speech here: decoded again, not dropped piece by piece). Where faster-whisper's next
    window starts depends on how the loop is heard, so everything from where the text
    before it ended is decoded again as faster-whisper would (a plain window after a loop,
    starting where the loop's garbage ended, let "We need to help you out then." through
    over other people's voices); the plain windows after it are never decoded."""
    duration = 60.0
    voiced = voiced_at((0.5, 50.0), duration_s=duration)
    loop = [segment(10.0 + k, 10.5 + k, "I went and", compression=4.0, seek=1000)
            for k in range(10)]
    pulled = []

    def plain():
        for s in (segment(0.5, 10.0, "so we rang the ward", seek=0), *loop,
                  segment(30.0, 50.0, "we need to help you out then", seek=3000),
                  segment(50.0, 52.0, "never asked for", seek=5000)):
            pulled.append(s.text.strip())
            yield s

    again = [segment(0.5, 19.0, "and then I checked every chart", temperature=0.2),
             segment(20.0, 40.0, "and it was back by lunch", temperature=0.2)]
    calls = []

    def transcribe(audio, **kwargs):
        calls.append({"seconds": audio.size / 16000, **kwargs})
        return (plain() if len(calls) == 1 else iter(again)), None

    model = ScriptedModel()
    model.transcribe = transcribe  # type: ignore[method-assign]
    segments = transcriber(model)._decode(np.zeros(int(duration * 16000), np.int16),
                                          voiced, 0.0, "")
    assert len(calls) == 2
    assert round(calls[1]["seconds"], 2) == 50.01  # from 9.99 s (the text before) to the end
    assert calls[1]["temperature"] == TranscribeOptions().temperatures
    assert "never asked for" not in pulled  # one window past the loop, to know it ended
    assert [s.text for s in segments] == ["so we rang the ward", "and then I checked every chart",
                                          "and it was back by lunch"]


def test_a_filler_loop_of_one_word_segments_is_decoded_again_in_halves():
    """A loop of "Um." "Um." "Um." comes back as one-word segments sharing their window's
    ratio: together they hold words, so the piece is decoded again in halves."""
    looped = ScriptedModel([segment(0.1 * k, 0.1 * k + 0.1, "Um.", compression=6.0, seek=0)
                            for k in range(20)], [], [])
    rules = filler_rules()
    transcriber(looped)._fillers_heard(np.zeros(16000 * 12, np.int16), PIECE, rules.prompt,
                                       rules.hesitations)
    assert len(looped.calls) == 3


class _Redo(WhisperTranscriber):
    """A transcriber whose re-decoding of a clip is scripted: it records the clip's start,
    length, prompt and whether it looked for fillers, and hears the given (text, start,
    end, probability) words, timed from the start of the piece (``OFFSET_S`` added, as the
    real one times them from the longer recording's)."""

    def __init__(self, heard: list[tuple[str, float, float, float]]):
        super().__init__(TranscribeOptions())
        self.heard = heard
        self.calls: list[tuple[float, float, str | None, bool]] = []

    def transcribe(self, samples, offset_s=0.0, prompt=None, fillers=True, **_kw):
        from coach.speech.transcript import Transcript
        from coach.words import Word

        self.calls.append((offset_s, samples.size / 16000, prompt, fillers))
        words = tuple(Word(t, a + OFFSET_S, b + OFFSET_S, p) for t, a, b, p in self.heard)
        return Transcript(words, (), samples.size / 16000, "scripted")


OFFSET_S = 60.0
"""The answer is a piece of a longer recording: its words are timed from that one's start
(the scripted words are given from the piece's start, and moved by this)."""


def _words(*spec: tuple[str, float, float, float]):
    from coach.words import Word

    return tuple(Word(t, a + OFFSET_S, b + OFFSET_S, p) for t, a, b, p in spec)


PLAIN = _words(("I", 2.4, 2.6, 0.99), ("rolled", 2.6, 2.9, 0.98), ("it", 2.9, 3.0, 1.0),
               ("back", 3.0, 3.2, 1.0), ("and", 4.0, 4.2, 0.85), ("then", 4.2, 4.4, 0.98),
               ("added", 4.44, 4.62, 1.0), ("a", 4.62, 4.88, 0.99), ("to", 4.88, 5.64, 0.04),
               ("the", 5.64, 5.98, 0.96), ("release.", 5.98, 6.22, 0.99))
REHEARD = [("did", 4.5, 4.66, 0.0), ("a", 4.66, 4.84, 0.75), ("canary", 4.84, 5.2, 0.75),
           ("stage", 5.2, 5.56, 0.99), ("to", 5.62, 5.88, 0.98), ("the", 5.88, 6.04, 0.9),
           ("release.", 6.04, 6.22, 1.0)]


def _speech(*spans_db: tuple[float, float, float], duration_s: float = 7.0) -> np.ndarray:
    """A tone at the given loudness (dB below full scale) over each span."""
    out = np.zeros(int(duration_s * 16000), np.int16)
    for a, b, db in spans_db:
        n = int(b * 16000) - int(a * 16000)
        tone = np.sin(np.arange(n) * 2 * np.pi * 220 / 16000) * 32767 * 10 ** (db / 20)
        out[int(a * 16000):int(a * 16000) + n] = tone.astype(np.int16)
    return out


def test_a_long_unsure_word_over_speech_is_heard_again_with_its_neighbours():
    """ "added a to the release", its "to" stretched over 0.76 s of speech at 0.04: the
    stretch is decoded again from two words before to two after, with the words before as
    the prompt and no filler search, and the words heard between the neighbours' copies
    take its place, in order, within its span (the re-heard "to" starts after its end)."""
    redo = _Redo(REHEARD)
    samples, voiced = _speech((2.4, 6.3, -20)), voiced_at((2.4, 6.3), duration_s=7.0)
    got = redo._redo_stretched(samples, voiced, PLAIN, OFFSET_S)
    assert " ".join(w.text for w in got) == \
        "I rolled it back and then added a canary stage to the release."
    assert [w.start for w in got] == sorted(w.start for w in got)
    assert all(PLAIN[8].start <= w.start <= w.end <= PLAIN[8].end for w in got[8:11])
    (offset_s, seconds, prompt, fillers), = redo.calls
    assert offset_s == pytest.approx(OFFSET_S + 4.34)
    assert seconds == pytest.approx(6.32 - 4.34, abs=1e-3)
    assert prompt == "I rolled it back and then" and fillers is False


def test_a_stretched_first_word_takes_the_callers_prompt_and_its_punctuation_is_kept():
    words = _words(("Okay.", 0.3, 1.4, 0.05), ("Then", 1.5, 1.7, 0.9), ("we", 1.7, 1.9, 0.9))
    redo = _Redo([("So", 0.2, 0.5, 0.8), ("that", 0.5, 0.9, 0.9), ("was", 0.9, 1.4, 0.9),
                  ("then", 1.5, 1.7, 0.9), ("we", 1.7, 1.9, 0.9)])
    got = redo._redo_stretched(_speech((0.3, 2.0, -20)), voiced_at((0.3, 2.0), duration_s=7.0),
                               words, OFFSET_S, prompt="the chunk before")
    assert [w.text for w in got] == ["So", "that", "was.", "Then", "we"]
    assert redo.calls[0][2] == "the chunk before"


def test_a_stretched_word_is_kept_when_nothing_clearer_is_heard_or_it_was_sure():
    samples, voiced = _speech((2.4, 6.3, -20)), voiced_at((2.4, 6.3), duration_s=7.0)
    unsure = _Redo([("a", 4.66, 4.84, 0.75), ("canary", 4.84, 5.2, 0.2),
                    ("stage", 5.2, 5.56, 0.3), ("to", 5.56, 5.88, 0.4), ("the", 5.88, 6.0, 0.9)])
    assert unsure._redo_stretched(samples, voiced, PLAIN, OFFSET_S) == PLAIN
    assert len(unsure.calls) == 1
    same = _Redo([("a", 4.66, 4.84, 0.75), ("to", 4.9, 5.6, 0.9), ("the", 5.88, 6.0, 0.9)])
    assert same._redo_stretched(samples, voiced, PLAIN, OFFSET_S) == PLAIN
    # drawn out surely before a pause, or stretched over silence: not decoded again
    sure = PLAIN[:8] + _words(("to", 4.88, 5.64, 0.9)) + PLAIN[9:]
    over_silence = voiced_at((2.4, 4.9), (5.6, 6.3), duration_s=7.0)
    untouched = _Redo(REHEARD)
    assert untouched._redo_stretched(samples, voiced, sure, OFFSET_S) == sure
    assert untouched._redo_stretched(samples, over_silence, PLAIN, OFFSET_S) == PLAIN
    assert untouched.calls == []


def test_a_stretched_word_over_a_far_quieter_voice_is_left_alone():
    """Under the stretched word another voice in the room, 20 dB quieter than the answer
    (a colleague, a television): it is not decoded, however clearly it would be heard."""
    samples = _speech((2.4, 4.88, -10), (4.88, 5.64, -30), (5.64, 6.3, -10))
    voiced = voiced_at((2.4, 6.3), duration_s=7.0)
    redo = _Redo(REHEARD)
    assert redo._redo_stretched(samples, voiced, PLAIN, OFFSET_S) == PLAIN
    assert redo.calls == []


def test_words_said_faster_than_anyone_speaks_are_invented_when_whisper_is_unsure():
    """A sampled retry over a sliver of speech at the end of an answer gave ten words in
    0.12 s (the closing phrase Whisper invents); an unsure segment with more words than
    six a second of the voiced audio under it, plus one, is dropped. The same words heard
    surely, or an unsure phrase said at a speaking pace, are kept."""
    t = transcriber(ScriptedModel())
    invented = "this is the first time you've seen the first time you've seen it"
    sliver = voiced_at((0.0, 0.18), duration_s=0.3)  # 0.15 s under it: passes as speech
    unsure = segment(0.03, 0.15, invented, logprob=-1.48, temperature=0.4)
    assert t._guarded(unsure, sliver, 0.0) is None
    sure = segment(0.03, 0.15, invented, logprob=-0.3)
    assert t._guarded(sure, sliver, 0.0) is not None  # judged by the other guards alone
    spoken = voiced_at((0.0, 3.0), duration_s=3.5)
    mumbled = segment(0.2, 2.8, "and then we moved it over", logprob=-1.2)
    kept = t._guarded(mumbled, spoken, 10.0)
    assert kept is not None and len(kept.words) == 6 and kept.start == 10.2
    one_word = segment(0.03, 0.15, "okay", logprob=-1.3)
    assert t._guarded(one_word, sliver, 0.0) is not None


def test_each_batched_segment_goes_to_the_clip_it_was_heard_in(monkeypatch):
    """faster-whisper's batched pipeline names each segment by where its clip starts, in
    frames, rounded down (``seek``): a clip starting at 19.995 s has segments at frame
    1999, before the 1999.5 it starts at; they are its own, not the clip's before it."""
    import faster_whisper

    import coach.speech.whisper as whisper

    clips = [{"start": 0.0, "end": 19.995}, {"start": 19.995, "end": 45.513},
             {"start": 45.513, "end": 60.0}]
    asked = {}

    class Pipeline:
        def __init__(self, model):
            asked["model"] = model

        def transcribe(self, audio, **options):
            asked.update(options)
            heard = [(0, "we rang"), (0, "the ward"), (1999, "and they came"),
                     (int(45.513 * 100), "by noon")]
            return iter(SimpleNamespace(seek=seek, text=text) for seek, text in heard), None

    monkeypatch.setattr(faster_whisper, "BatchedInferencePipeline", Pipeline)
    model = SimpleNamespace(frames_per_second=100)
    out = whisper._transcribe_clips(model, np.zeros(16000 * 60, np.float32), clips,
                                    beam_size=5, batch_size=1)
    assert [[s.text for s in clip] for clip in out] == [["we rang", "the ward"],
                                                        ["and they came"], ["by noon"]]
    assert asked["model"] is model and asked["clip_timestamps"] == clips
    assert asked["word_timestamps"] and asked["temperature"] == 0.0
    assert asked["beam_size"] == 5 and asked["batch_size"] == 1


def test_a_batched_piece_that_repeats_itself_is_decoded_again_by_sampling(monkeypatch):
    """A piece heard sure of every token but going round in circles (its text compresses
    more than ``retry_compression_min``) is as unsure as one heard with a low log
    probability: decoded again on its own, by sampling."""
    import coach.speech.whisper as whisper

    loop = "and then we went and then we went " * 6
    monkeypatch.setattr(whisper, "_transcribe_clips", lambda model, audio, clips, **o: [
        [fw_segment(0.2, 19.0, loop, logprob=-0.1)]])
    monkeypatch.setattr(whisper, "_speech_chunks", lambda piece: [
        {"start": 0, "end": piece.size}])
    model = ScriptedModel([segment(0.0, 19.0, "and then we went to the ward", temperature=0.4)])
    t = transcriber(model)
    t._hotwords = "ward."
    voiced = voiced_at((0.5, 19.5), duration_s=20.0)
    segments = t._decode_batched(np.zeros(16000 * 20, np.int16), voiced, 0.0, "",
                                 [(0.0, 20.0)])
    assert len(model.calls) == 1 and model.calls[0]["temperature"] == \
        TranscribeOptions().temperatures
    assert [s.text for s in segments] == ["and then we went to the ward"]


def test_batched_words_are_timed_from_where_their_clip_starts():
    """faster-whisper times a batched clip's segments from the clip's start, but their
    words from that start rounded down to a 10 ms frame (``seek``): a word said 1 s into a
    clip laid at 19.995 s is given at 20.99 s, beside its segment at 20.995 s. Restored
    into the recording, both are at 1 s into their piece."""
    from faster_whisper.transcribe import Segment as FwSegment
    from faster_whisper.transcribe import Word as FwWord

    import coach.speech.whisper as whisper

    words = [FwWord(1.0 + 19.99, 1.4 + 19.99, " we", 0.9),
             FwWord(1.4 + 19.99, 1.9 + 19.99, " rang", 0.9)]
    heard = FwSegment(0, 1999, 1.0 + 19.995, 1.9 + 19.995, " we rang", [], -0.2, 1.5, 0.1,
                      words, 0.0)
    speech = [{"start": 0, "end": 16000 * 10}]
    (restored,) = whisper._restored([heard], 19.995, speech, 100.0, 100)
    assert round(restored.start, 4) == 101.0 and round(restored.end, 4) == 101.9
    assert [(round(w.start, 4), round(w.end, 4)) for w in restored.words] == \
        [(101.0, 101.4), (101.4, 101.9)]


def _two_pieces_heard(monkeypatch, first_heard: list, next_voice_s: float) -> list:
    """A 40 s recording batched as two 20 s pieces, the first heard as ``first_heard``
    (speech in it from 0.5 to 19.9 s), the second as 19 s of speech from 20.5 s (its voice
    starting at ``next_voice_s``)."""
    import coach.speech.whisper as whisper

    monkeypatch.setattr(whisper, "_transcribe_clips", lambda model, audio, clips, **o: [
        first_heard, [fw_segment(20.5, 39.5, HEARD)]])
    monkeypatch.setattr(whisper, "_speech_chunks", lambda piece: [
        {"start": 0, "end": piece.size}])
    t = transcriber(ScriptedModel())
    t._hotwords = "ward."
    voiced = voiced_at((0.5, 19.9), (next_voice_s, 39.5), duration_s=40.0)
    return t._decode_batched(np.zeros(16000 * 40, np.int16), voiced, 0.0, "",
                             [(0.0, 20.0), (20.0, 40.0)])


def test_a_batched_piece_keeps_its_words_inside_it(monkeypatch):
    """Whisper may time a clip's last word past the end of the audio it was given (here
    0.8 s): the word is kept, ending where its piece does, not over the next piece."""
    segments = _two_pieces_heard(monkeypatch, [fw_segment(0.5, 20.8, HEARD)],
                                 next_voice_s=20.5)
    assert [s.text for s in segments] == [HEARD, HEARD]
    first, second = segments
    assert first.end == 20.0 and max(w.end for w in first.words) == 20.0
    assert len(first.words) == len(HEARD.split())  # the last word kept, cut to the piece
    assert min(w.start for w in second.words) >= 20.0


@pytest.mark.parametrize("before_end_s, late", [
    (19.0, [(19.95, 20.9, "that was it")]),  # mostly past the end, after a pause
    (19.0, [(20.05, 20.6, "yeah")]),  # wholly past it
    (19.9, [(19.95, 20.9, "that was it")]),  # touching the segment before, as Whisper's do
    (20.3, [(20.35, 20.9, "that was it")]),  # after a segment itself clamped to the end
    (18.0, [(19.95, 20.5, "yeah"), (20.5, 21.0, "that was it")]),  # two late in a row
])
def test_a_last_segment_timed_past_its_piece_is_moved_back_not_dropped(monkeypatch,
                                                                        before_end_s, late):
    """A short last segment Whisper timed mostly past the end of its piece keeps its words:
    moved back to end with the piece, keeping its length, over the speech it was heard in,
    not squashed onto the end (where there is hardly any speech, so it was dropped as
    invented); when it touches the segment before it (Whisper's segments usually do), or
    that one was itself clamped to the end, it overlaps its tail rather than being lost
    (its words squeezed into the time after the words before it, so the transcript keeps
    its order); two late ones in a row are placed from the last backwards, each keeping
    its words; never into the next piece."""
    segments = _two_pieces_heard(monkeypatch, [fw_segment(0.5, before_end_s, HEARD),
                                               *(fw_segment(*seg) for seg in late)],
                                 next_voice_s=20.3)
    assert [s.text for s in segments] == [HEARD, *(seg[2] for seg in late), HEARD]
    moved = segments[1:-1]
    for got, (start_s, end_s, text) in zip(moved, late, strict=True):
        assert [w.text for w in got.words] == text.split()
        assert round(got.end - got.start, 2) == round(end_s - start_s, 2)
    assert [round(a.end, 2) for a in moved[:-1]] == [round(b.start, 2) for b in moved[1:]]
    starts = [w.start for s in segments for w in s.words]  # said in order, words and all
    assert starts == sorted(starts) and [s.start for s in segments] == sorted(
        s.start for s in segments)
    assert moved[-1].end <= 20.0
    assert min(w.start for w in segments[-1].words) >= 20.0


def test_a_late_segment_moves_back_keeping_its_words_spacing():
    """Moving a late segment back keeps its length, but a last word Whisper stretched over
    the silence after the clip (1.4 s for one letter) is first cut to a length a word could
    take, so it moves back no further than it needs; its words start only once the words
    before them end; a segment mostly inside the piece (once its last word is cut so) is
    only clamped, its earlier words left where they were heard."""
    from faster_whisper.transcribe import Segment as FwSegment
    from faster_whisper.transcribe import Word as FwWord

    import coach.speech.whisper as whisper

    def seg(start_s, end_s, words):
        return FwSegment(0, 0, start_s, end_s, "x", [], -0.2, 1.5, 0.1,
                         [FwWord(a, b, f" {w}", 0.9) for a, b, w in words], 0.0)

    inside, late = whisper._within([
        seg(100.5, 119.6, [(100.5, 119.0, "a"), (119.0, 119.6, "b")]),
        seg(119.8, 120.9, [(119.8, 120.1, "c"), (120.1, 121.6, "d")])], 100.0, 120.0)
    assert [(w.start, w.end) for w in inside.words] == [(100.5, 119.0), (119.0, 119.6)]
    # "d" could take 0.58 s at most, so the segment ends 0.68 s late, not 1.6 s: moved to
    # 119.12-120.0, its words then squeezed in after "b" ends (119.6), in the same order
    assert (round(late.start, 2), round(late.end, 2)) == (119.12, 120.0)
    assert [(round(w.start, 2), round(w.end, 2)) for w in late.words] == [
        (119.6, 119.74), (119.74, 120.0)]
    (clamped,) = whisper._within([seg(110.0, 120.8, [(110.0, 119.5, "e"),
                                                      (119.5, 120.8, "f")])], 100.0, 120.0)
    assert [(w.start, w.end) for w in clamped.words] == [(110.0, 119.5), (119.5, 120.0)]
