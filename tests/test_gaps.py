"""Finding where Whisper dropped an "um", and putting the fillers heard there back
(coach/speech/gaps.py): pure logic, no model."""

from __future__ import annotations

import numpy as np
import pytest

from coach.speech.fillers import filler_rules
from coach.speech.gaps import (
    Clip,
    GapOptions,
    Stretch,
    add_fillers,
    clip_audio,
    is_stretched,
    lay_out,
    place_fillers,
    skipped_stretches,
    split,
    suspect_stretches,
    unsaid_stretches,
    windows_at_pauses,
)
from coach.words import Word

HESITATIONS = filler_rules().hesitations
OPTIONS = GapOptions()


def voiced_at(*spans: tuple[float, float], duration_s: float = 10.0) -> np.ndarray:
    """One VAD decision per 30 ms frame: voiced inside ``spans`` (seconds)."""
    out = np.zeros(int(round(duration_s / 0.03)), dtype=bool)
    for a, b in spans:
        out[int(round(a / 0.03)):int(round(b / 0.03))] = True
    return out


def test_voiced_audio_no_word_covers_is_a_suspect_unless_it_is_a_words_edge():
    words = [Word("I", 1.0, 1.2), Word("rolled", 2.0, 2.4), Word("back.", 2.4, 2.8),
             Word("It", 4.3, 4.5), Word("worked.", 4.5, 5.0)]
    # an "um" at 1.5-1.8 s between words; 0.12 s of voicing right after "back." and
    # 0.27 s right before "It" (words' edges their timestamps left out); 0.27 s alone
    voiced = voiced_at((1.0, 1.2), (1.5, 1.8), (2.0, 2.92), (4.03, 5.0), (6.0, 6.27))
    got = suspect_stretches(words, voiced, 0.0, HESITATIONS, OPTIONS)
    assert got == [Stretch(1.5, 1.8), Stretch(6.0, 6.27)]
    # the same with the recording starting 100 s into the answer (a streamed chunk)
    shifted = [Word(w.text, w.start + 100, w.end + 100) for w in words]
    assert suspect_stretches(shifted, voiced, 100.0, HESITATIONS, OPTIONS) == got
    # nothing suspect when the words cover the voicing
    assert suspect_stretches(words, voiced_at((1.0, 1.2), (2.0, 2.8)), 0.0, HESITATIONS,
                             OPTIONS) == []


def test_a_word_stretched_over_a_pause_or_far_too_long_is_a_suspect():
    voiced = voiced_at((1.0, 1.35), (1.6, 1.75))  # "um" 1.0-1.35, pause, "I" 1.6-1.75
    stretched = Word("I", 1.0, 1.75)  # Whisper started "I" at the "um"
    assert is_stretched(stretched, voiced, 0.0, OPTIONS)
    assert not is_stretched(Word("I", 1.6, 1.75), voiced, 0.0, OPTIONS)
    assert is_stretched(Word("a", 3.0, 4.9), voiced_at((3.0, 4.9)), 0.0, OPTIONS)
    assert not is_stretched(Word("thoroughly", 3.0, 3.7), voiced_at((3.0, 3.7)), 0.0, OPTIONS)
    got = suspect_stretches([stretched], voiced, 0.0, HESITATIONS, OPTIONS)
    assert got == [Stretch(1.0, 1.75, 0)]
    # a filler the plain pass kept is not looked at again
    assert suspect_stretches([Word("Um,", 1.0, 1.75)], voiced, 0.0, HESITATIONS,
                             OPTIONS) == []


def test_clips_take_context_merge_when_they_overlap_and_fill_one_window_at_most():
    o = GapOptions(context_s=0.3, word_context_s=0.1, separator_s=0.5, max_clip_audio_s=4.0)
    stretches = [Stretch(1.0, 1.4), Stretch(1.8, 2.1), Stretch(5.0, 5.6, 3),
                 Stretch(9.0, 11.5)]
    pieces = lay_out(stretches, 12.0, o)
    first = pieces[0]
    # 0.7-2.4 (two stretches merged), then the stretched word with its shorter context
    assert [(c.start_s, c.end_s, c.at_s) for c in first] == [(0.7, 2.4, 0.5),
                                                              (4.9, 5.7, 2.7)]
    assert first[0].stretches == (Stretch(1.0, 1.4), Stretch(1.8, 2.1))
    # the last clip would pass 4 s of audio: a piece of its own
    assert [(c.start_s, c.end_s, c.at_s) for c in pieces[1]] == [(8.7, 11.8, 0.5)]
    assert lay_out([], 12.0, o) == []
    # clipped at the ends of the recording
    assert lay_out([Stretch(0.1, 0.3)], 0.5, o)[0][0].start_s == 0.0


def test_clip_audio_puts_each_clip_at_its_place_between_silences():
    samples = np.arange(16000 * 4, dtype=np.int16) % 1000 + 1
    piece = [Clip(1.0, 1.5, 0.5, ()), Clip(3.0, 3.25, 1.5, ())]
    audio = clip_audio(samples, piece, GapOptions(separator_s=0.5))
    assert audio.size == int((1.5 + 0.25 + 0.5) * 16000)
    assert not audio[:8000].any() and not audio[16000:24000].any() and \
        not audio[-8000:].any()
    assert np.array_equal(audio[8000:16000], samples[16000:24000])
    assert np.array_equal(audio[24000:28000], samples[48000:52000])


def test_clip_audio_lays_the_clips_in_room_tone_when_given():
    samples = np.arange(16000 * 4, dtype=np.int16) % 1000 + 1
    piece = [Clip(1.0, 1.5, 0.5, ()), Clip(3.0, 3.25, 1.5, ())]
    tone = np.array([7, -7, 5], dtype=np.int16)
    audio = clip_audio(samples, piece, GapOptions(separator_s=0.5), tone)
    assert audio.size == int((1.5 + 0.25 + 0.5) * 16000) and audio.dtype == np.int16
    assert np.array_equal(audio[:8000], np.resize(tone, 8000))  # looped from the start
    assert set(audio[16000:24000].tolist()) == {7, -7, 5} and set(audio[-8000:]) == {7, -7, 5}
    assert np.array_equal(audio[8000:16000], samples[16000:24000])
    assert np.array_equal(audio[24000:28000], samples[48000:52000])


def _room(noise: np.ndarray, seconds: float = 6.0) -> np.ndarray:
    """Two seconds of loud "speech" (noise 20 dB up) in the middle of ``noise``."""
    rng = np.random.default_rng(3)
    n = int(seconds * 16000)
    voice = np.zeros(n)
    voice[n // 3: 2 * n // 3] = rng.normal(0, 3000, 2 * n // 3 - n // 3)
    return np.clip(voice + noise[:n], -32768, 32767).astype(np.int16)


def test_room_tone_is_the_rooms_own_steady_sound_or_nothing():
    """The filler decoding's clips are laid in the room's own sound where it is steady (a
    fan: what digital silence between them would cut off and on at every edge), never
    where it comes and goes (other people talking, clicks with silence between), nor in a
    quiet room; the recogniser's zero padding at the end is not the room."""
    from coach.eval.noise import pink_noise
    from coach.speech.gaps import ROOM_FRAME_S, room_tone

    n = 16000 * 6
    rng = np.random.default_rng(1)
    fan = pink_noise(n, rng) * 300
    steady = _room(fan)
    tone = room_tone(steady, GapOptions())
    frame = int(ROOM_FRAME_S * 16000)
    assert tone is not None and tone.size == (steady.size // frame) // 5 * frame
    assert np.sqrt(np.mean(tone.astype(float) ** 2)) < 2 * np.sqrt(np.mean(fan ** 2))
    for cut in (0, 10, 40, 470):  # a last frame part room, part padding: still the room
        padded = np.concatenate([steady[:steady.size - cut], np.zeros(16000, np.int16)])
        assert room_tone(padded, GapOptions()) is not None, cut
        assert room_tone(np.concatenate([np.zeros(cut, np.int16), padded]),
                         GapOptions()) is not None, cut
    # Talk in the room: noise whose loudness rises and falls, syllable by syllable.
    envelope = 0.05 + np.abs(np.sin(2 * np.pi * 3 * np.arange(n) / 16000))
    assert room_tone(_room(pink_noise(n, rng) * 300 * envelope), GapOptions()) is None
    # A quiet room, and clicks with silence between them: no tone.
    assert room_tone(_room(np.zeros(n)), GapOptions()) is None
    for every in (1000, 2000, 3000, 4000):
        clicks = np.zeros(n)
        clicks[::every] = 5000
        assert room_tone(_room(clicks), GapOptions()) is None, every
    assert room_tone(steady, GapOptions(room_tone_max_spread=None)) is None


def test_a_filler_heard_in_a_clip_goes_back_to_its_stretch():
    gap, word = Stretch(4.0, 4.4), Stretch(7.0, 7.8, 5)
    piece = [Clip(3.65, 4.75, 0.5, (gap,)), Clip(6.9, 7.9, 2.1, (word,))]
    heard = [Word("So", 0.6, 0.75, 0.9),
             Word("um,", 0.7, 1.3, 0.6),     # Whisper's times start early: the gap's own
             Word("uh,", 2.25, 2.5, 0.5),    # on the stretched word: Whisper's times
             Word("hmm", 8.0, 8.3, 0.9)]     # far from any clip: ignored
    got = place_fillers(heard, piece, HESITATIONS, OPTIONS)
    assert got == [(Word("um,", 4.0, 4.4, 0.6), gap), (Word("uh,", 7.05, 7.3, 0.5), word)]


def test_one_filler_per_stretch_and_none_where_a_dropped_word_was_heard():
    gap = Stretch(4.0, 4.4)
    piece = [Clip(3.65, 4.75, 0.5, (gap,))]
    twice = [Word("um,", 0.85, 1.0, 0.3), Word("uh,", 0.9, 1.1, 0.7)]
    assert place_fillers(twice, piece, HESITATIONS, OPTIONS) == [
        (Word("uh,", 4.0, 4.4, 0.7), gap)]
    # "uh, if": the gap held the word "if" the plain pass dropped
    dropped = [Word("uh,", 0.6, 0.8, 0.7), Word("if", 0.9, 1.1, 0.8)]
    assert place_fillers(dropped, piece, HESITATIONS, OPTIONS) == []
    assert place_fillers(dropped, piece, HESITATIONS, GapOptions(word_vetoes=False)) != []


def test_fillers_are_added_once_and_a_stretched_word_gives_their_time_back():
    words = (Word("It", 1.0, 1.2), Word("Um,", 2.0, 2.3), Word("I", 3.0, 3.9),
             Word("fixed", 3.9, 4.3))
    found = [(Word("um,", 2.4, 2.6, 0.4), Stretch(2.4, 2.6)),       # beside the kept "Um,"
             (Word("uh,", 3.0, 3.4, 0.8), Stretch(3.0, 3.9, 2)),    # over the start of "I"
             (Word("uh", 3.3, 3.5, 0.2), Stretch(3.3, 3.5))]        # the same one again
    got = add_fillers(words, found, 0.0, HESITATIONS, OPTIONS)
    assert [(w.text, w.start, w.end) for w in got] == [
        ("It", 1.0, 1.2), ("Um,", 2.0, 2.3), ("uh,", 3.0, 3.4), ("I", 3.4, 3.9),
        ("fixed", 3.9, 4.3)]
    # on a streamed chunk's timeline
    shifted = tuple(Word(w.text, w.start + 50, w.end + 50) for w in words)
    got = add_fillers(shifted, found[1:2], 50.0, HESITATIONS, OPTIONS)
    assert [(w.text, w.start, w.end) for w in got][2:4] == [("uh,", 53.0, 53.4),
                                                             ("I", 53.4, 53.9)]
    assert add_fillers(words, [], 0.0, HESITATIONS, OPTIONS) == words


@pytest.mark.parametrize("n", [2, 3, 5])
def test_a_piece_splits_in_two_laid_out_from_the_start(n):
    o = GapOptions(separator_s=0.5)
    piece = lay_out([Stretch(2.0 * k + 1, 2.0 * k + 1.3) for k in range(n)], 30.0, o)[0]
    first, second = split(piece, o)
    assert first + second != piece and len(first) + len(second) == n
    for half in (first, second):
        assert half[0].at_s == 0.5
        assert [c.start_s for c in half] == sorted(c.start_s for c in half)
    assert [c.start_s for c in first + second] == [c.start_s for c in piece]


def test_a_video_sign_off_is_cut_however_polite():
    """Over other people's voices Whisper signs off like a video ("Thank you so much for
    watching"); the answer's own words before it stay."""
    from coach.speech.whisper import _drop_invented_closing

    def words(text):
        return tuple(Word(t, i * 0.3, i * 0.3 + 0.25, 0.9) for i, t in enumerate(text.split()))

    for closing in ("Thank you for watching.", "Thank you so much for watching and I'll see",
                    "Thanks very much for listening.", "See you in the next video."):
        kept = _drop_invented_closing(words(f"and it has not happened since. {closing}"))
        assert " ".join(w.text for w in kept) == "and it has not happened since."
    answer = words("I thanked the team so much for listening to the night staff.")
    assert _drop_invented_closing(answer) == answer


def test_seconds_of_speech_no_word_covers_are_skipped_speech_but_an_um_or_a_pause_is_not():
    """Whisper jumped over speech: before the first word, between words, after the last.
    An "um" (under a second) or a silent thinking pause is not that."""
    words = (Word("so", 4.0, 4.2), Word("I", 4.3, 4.4), Word("rang", 5.2, 5.5),
             Word("them", 5.6, 5.8), Word("back", 9.5, 9.8))
    # Speech from the start to the first word, an "um" at 4.5-5.1, a 3.6 s pause, and
    # speech again after the last word.
    voiced = voiced_at((0.0, 4.0), (4.0, 4.4), (4.5, 5.1), (5.2, 5.8), (9.5, 13.5),
                       duration_s=14.0)
    end_s = voiced.size * 0.03
    assert skipped_stretches(words, voiced, 0.0, 3.0) == [(0.0, 4.0), (9.8, end_s)]
    # The same words as times of a chunk that starts 60 s into the recording.
    later = tuple(Word(w.text, w.start + 60, w.end + 60) for w in words)
    assert skipped_stretches(later, voiced, 60.0, 3.0) == [(0.0, 4.0), (9.8, end_s)]
    # Nothing skipped when the words cover the speech.
    assert skipped_stretches(words, voiced_at((4.0, 5.8), (9.5, 9.8)), 0.0, 3.0) == []
    # Within one piece of the recording only (5-12 s): the stretch after the last word.
    spans = [(w.start, w.end) for w in words if w.start >= 5.0]
    assert unsaid_stretches(spans, voiced, 5.0, 12.0, 2.0) == [(9.8, 12.0)]
    assert unsaid_stretches(spans, voiced, 5.0, 11.0, 2.0) == []  # 1.2 s left: a few words


def test_a_long_recording_is_cut_in_pauses_into_pieces_of_one_window_at_most():
    """Long recordings decoded with a vocabulary are cut into pieces of at most 25 s, in
    the middle of a pause: the latest one in the second half of the piece, else the
    longest, else (talk without any pause) at 25 s."""
    voiced = voiced_at((0.0, 9.9), (10.5, 19.7), (20.6, 24.0), (24.4, 38.0),
                       (38.5, 70.0), duration_s=70.0)
    got = windows_at_pauses(voiced, 25.0)
    assert [round(a, 2) for a, _ in got] == [0.0, 24.18, 38.25, 63.24]  # 63.24: no pause
    assert got[-1][1] == pytest.approx(70.0, abs=0.03)
    assert all(b - a <= 25.0 for a, b in got)
    assert all(not voiced[int(round(a / 0.03))] for a, _ in got[1:3])  # cut in silence
    # a short recording, or one that fits, is one piece
    assert windows_at_pauses(voiced_at((1.0, 20.0), duration_s=24.0), 25.0) == [(0.0, 24.0)]
    # only the second half's pause counts as late: the first half's longer one is not used
    voiced = voiced_at((0.0, 5.0), (7.0, 20.0), (20.4, 40.0), duration_s=40.0)
    assert round(windows_at_pauses(voiced, 25.0)[1][0], 1) == 20.2


@pytest.mark.parametrize("samples", [
    np.zeros(0, np.int16), np.zeros(100, np.int16), np.zeros(16000 * 3, np.int16),
    np.full(16000 * 3, 32767, np.int16), np.ones(16000 * 3, np.int16),
], ids=["empty", "shorter than ten frames", "all zero", "full scale", "one level"])
def test_room_tone_on_odd_recordings_is_digital_silence(samples):
    """Nothing to take the room from (too short, no sound, one level throughout: no
    quieter room under a voice): digital silence, never an error."""
    from coach.speech.gaps import room_tone

    assert room_tone(samples, GapOptions()) is None
