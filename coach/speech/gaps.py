"""Where Whisper left out an "um": the stretches of a recording to listen to again.

Whisper cleans hesitations away. A filler-bearing prompt makes it keep them, but decoding
the whole answer a second time doubles the cost, and its prompt only reaches the first
30-second window. The fillers it drops leave traces in the plain transcript, though:
voiced audio that no word covers, or a word stretched over the "um" beside it (a word
after a pause often starts early, one before it ends late). This module finds those
stretches, lays them out with a little context as one short clip, and puts the fillers
heard there back among the words; ``coach.speech.whisper`` decodes the clip once with
the filler prompt. Pure: no model here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from coach.audio.pcm import FRAME_MS, SAMPLE_RATE
from coach.words import Word, bare_word

_FRAME_S = FRAME_MS / 1000


@dataclass(frozen=True)
class GapOptions:
    """Which stretches are listened to again, and how. Defaults measured on the voices
    and rooms of scripts/eval_asr.py."""

    min_gap_s: float = 0.15
    """Voiced audio no word covers is a suspect from this long (an "um" lasts 0.2-0.5 s;
    shorter runs are mostly a word's voiced edge that its timestamps leave out)..."""
    min_gap_beside_word_s: float = 0.3
    """...and from this long when it touches a word (within ``word_margin_s``)."""
    word_margin_s: float = 0.06
    """Audio this close to a word counts as covered by it."""
    min_pause_in_word_s: float = 0.15
    """A word with a silence this long inside it is stretched over something else..."""
    word_base_s: float = 0.45
    word_per_letter_s: float = 0.09
    """...as is a word longer than ``word_base_s`` plus this much per letter."""
    context_s: float = 0.35
    """Audio kept on each side of a stretch no word covers, so the sound is heard among
    words (with less, fragments of the words around it were heard as "uh")..."""
    word_context_s: float = 0.1
    """...and on each side of a stretched word (which brings its own context)."""
    separator_s: float = 0.5
    """Silence between two clips in the decoded audio."""
    beam_size: int = 5
    """Beam search width of the filler decoding."""
    max_clip_audio_s: float = 28.0
    """The clips are decoded in pieces of at most this much audio (one Whisper window)."""
    edge_tolerance_s: float = 0.15
    """A filler heard this close to a stretch still belongs to it."""
    min_filler_gap_s: float = 0.5
    """No filler is added this close to another one (or one the plain pass kept)."""
    word_vetoes: bool = True
    """A stretch of audio no word covered where the clip's decoding hears a word (not a
    filler) in the middle holds a word the plain pass dropped: no filler is put there."""
    max_compression_ratio: float = 2.4
    """What Whisper hears in a segment more repetitive than this (gzip ratio of its
    window's text) is dropped: "hmm, hmm, hmm, ..." loops over several clips..."""
    loop_min_words: int = 3
    """...and the clips are decoded again in halves when the dropped segments held at
    least this many words. A last window of half a second of trailing silence (" .")
    shared a loop's ratio and cost a piece its second decode (on a 170 s answer, 2 s of
    the search's 4)."""
    no_repeat_ngram_size: int = 6
    """The filler decoding never repeats a run of this many tokens: strung-together clips
    of a long answer made Whisper loop ("Um, I went and went and went and ..." to its
    token limit), which lost every filler of the piece and cost a decode of up to 2 s
    and another in halves (which looped again). On a 170 s answer: 7 fillers heard and
    11.7 s without it, 20 and 8.2 s with it; on the quick set of scripts/eval_asr.py the
    same recall and precision within one filler, with the vocabulary and without."""
    min_unheard_clips: int = 2
    """When the decoding of a piece hears no word at all in this many of its clips,
    Whisper strung the fragments into a sentence of its own and its times ran past them
    (a 17-clip piece heard as "...and the calendar, um, I, I proposed, I tested it" with
    four clips in the middle empty, and no filler heard after them): the clips from the
    first empty one on are decoded again, once, as a piece of their own."""
    end_margin_s: float = 0.3
    """A piece's decoding stops at the first segment that ends this close to the end of
    its last clip: Whisper's next window would hold only the silence after it."""
    room_tone_max_spread: float | None = 2.5
    """Between the clips, the room's own quiet sound (its quietest fifth of 30 ms frames,
    looped) in place of digital silence, where that sound is steady: its loudest frame at
    most this many times its quietest (a fan or traffic: 1.4-2.3 at 10-30 dB SNR; other
    people talking: 3.8-4.0). Digital silence between the words (synthesized speech, a
    muted input) or clicks with it between give no tone; a real quiet room's steady hiss is
    taken like a fan's (not measured: the evaluation's voices are digitally silent between
    words). None: always digital silence."""


@dataclass(frozen=True)
class Stretch:
    """Audio to listen to again, in seconds on the recording's timeline."""

    start_s: float
    end_s: float
    word: int | None = None
    """The index of the word stretched over it; None for audio no word covers."""


@dataclass(frozen=True)
class Clip:
    """One piece of the recording in the decoded audio."""

    start_s: float
    """Where it starts in the recording (seconds, the recording's timeline)."""
    end_s: float
    at_s: float
    """Where it starts in the decoded audio."""
    stretches: tuple[Stretch, ...]

    @property
    def end_at_s(self) -> float:
        """Where it ends in the decoded audio."""
        return self.at_s + self.end_s - self.start_s

    def to_recording(self, t_s: float) -> float:
        return self.start_s + (t_s - self.at_s)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, past-last) indices of the runs of True in ``mask``."""
    padded = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _frame(t_s: float) -> int:
    return max(0, int(round(t_s / _FRAME_S)))


def windows_at_pauses(voiced: np.ndarray, max_s: float, min_pause_s: float = 0.3
                      ) -> list[tuple[float, float]]:
    """The recording of ``voiced`` (one VAD decision per frame) cut into pieces of at most
    ``max_s`` seconds, each cut in the middle of a pause of at least ``min_pause_s``: the
    latest in the second half of the piece, else the longest; in talk with no such pause,
    in the longest unvoiced run however short, else (no break at all) at ``max_s``.
    (start, end) in seconds, covering the whole recording (whole frames)."""
    n, max_f = len(voiced), max(1, int(max_s / _FRAME_S))
    min_f = max(1, int(round(min_pause_s / _FRAME_S)))
    pauses = [(a, b) for a, b in _runs(~voiced.astype(bool)) if b - a >= min_f and a > 0
              and b < n]
    cuts, start = [], 0
    while n - start > max_f:
        inside = [(a, b) for a, b in pauses if start < (a + b) // 2 <= start + max_f]
        late = [(a, b) for a, b in inside if (a + b) // 2 > start + max_f // 2]
        if late:
            a, b = late[-1]
        elif inside:
            a, b = max(inside, key=lambda ab: ab[1] - ab[0])
        elif breaths := [(start + a, start + b) for a, b in
                         _runs(~voiced[start:start + max_f].astype(bool))
                         if a > max_f // 2 and b < max_f]:
            a, b = max(breaths, key=lambda ab: ab[1] - ab[0])  # the longest, however short
        else:
            a = b = start + max_f
        start = (a + b) // 2
        cuts.append(start)
    edges = [0, *cuts, n]
    return [(x * _FRAME_S, y * _FRAME_S) for x, y in zip(edges, edges[1:], strict=False)]


def is_stretched(word: Word, voiced: np.ndarray, offset_s: float,
                 options: GapOptions) -> bool:
    """Whether ``word`` seems to cover more than itself: a pause inside it, or far longer
    than its letters take to say."""
    o = options
    letters = sum(ch.isalnum() for ch in word.text)
    if word.end - word.start > o.word_base_s + o.word_per_letter_s * letters:
        return True
    inside = voiced[_frame(word.start - offset_s):_frame(word.end - offset_s)]
    return any(a > 0 and b < inside.size and (b - a) * _FRAME_S >= o.min_pause_in_word_s
               for a, b in _runs(~inside))


def suspect_stretches(words: Sequence[Word], voiced: np.ndarray, offset_s: float,
                      hesitations: Iterable[str], options: GapOptions) -> list[Stretch]:
    """The stretches of a recording (``voiced``: one VAD decision per 30 ms frame; word
    times include ``offset_s``) where Whisper may have dropped a filler, in time order:
    voiced audio no word covers, and words stretched over more than themselves. Words
    that are fillers already are left alone."""
    o = options
    hesitations = frozenset(hesitations)
    covered = np.zeros(voiced.size, dtype=bool)
    near = np.zeros(voiced.size, dtype=bool)
    out: list[Stretch] = []
    for k, w in enumerate(words):
        a, b = _frame(w.start - offset_s), math.ceil((w.end - offset_s) / _FRAME_S)
        covered[a:b] = True
        near[max(0, _frame(w.start - offset_s - o.word_margin_s)):
             math.ceil((w.end - offset_s + o.word_margin_s) / _FRAME_S)] = True
        if bare_word(w.text) not in hesitations and is_stretched(w, voiced, offset_s, o):
            out.append(Stretch(round(w.start - offset_s, 3), round(w.end - offset_s, 3), k))
    for a, b in _runs(voiced & ~covered):
        length_s = (b - a) * _FRAME_S
        touches = bool(near[a:b].any())
        if length_s >= (o.min_gap_beside_word_s if touches else o.min_gap_s):
            out.append(Stretch(round(a * _FRAME_S, 3), round(b * _FRAME_S, 3)))
    return sorted(out, key=lambda s: s.start_s)


def skipped_stretches(words: Sequence[Word], voiced: np.ndarray, offset_s: float,
                      min_voiced_s: float) -> list[tuple[float, float]]:
    """The gaps before the first word, between words and after the last (start and end,
    in seconds of the recording, without ``offset_s``) holding at least ``min_voiced_s``
    of voiced audio: speech Whisper skipped, not a filler or a pause."""
    return unsaid_stretches([(w.start - offset_s, w.end - offset_s) for w in words], voiced,
                            0.0, voiced.size * _FRAME_S, min_voiced_s)


def unsaid_stretches(spans_s: Sequence[tuple[float, float]], voiced: np.ndarray,
                     start_s: float, end_s: float, min_voiced_s: float
                     ) -> list[tuple[float, float]]:
    """The stretches of ``start_s``-``end_s`` that no span of ``spans_s`` (words, in
    order, in seconds of ``voiced``'s audio) covers, before the first, between two or
    after the last, holding at least ``min_voiced_s`` of voiced audio."""
    out = []
    edges = [start_s, *(t for span in spans_s for t in span), end_s]
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if b > a and voiced[_frame(a):_frame(b)].sum() * _FRAME_S >= min_voiced_s:
            out.append((round(a, 3), round(b, 3)))
    return out


def lay_out(stretches: Sequence[Stretch], duration_s: float, options: GapOptions
            ) -> list[list[Clip]]:
    """The stretches with ``context_s`` around them (overlapping ones merged), laid out
    one after the other with ``separator_s`` of silence before each, in pieces of at
    most ``max_clip_audio_s`` (a clip longer than that is a piece of its own)."""
    o = options
    spans: list[tuple[float, float, list[Stretch]]] = []
    for s in stretches:
        context_s = o.context_s if s.word is None else o.word_context_s
        a, b = max(0.0, s.start_s - context_s), min(duration_s, s.end_s + context_s)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], b), [*spans[-1][2], s])
        else:
            spans.append((a, b, [s]))
    pieces: list[list[Clip]] = []
    at = 0.0
    for a, b, ss in spans:
        if not pieces or at + o.separator_s + (b - a) > o.max_clip_audio_s:
            pieces.append([])
            at = 0.0
        at += o.separator_s
        pieces[-1].append(Clip(round(a, 3), round(b, 3), round(at, 3), tuple(ss)))
        at += b - a
    return pieces


def relaid(clips: Sequence[Clip], options: GapOptions) -> list[Clip]:
    """``clips`` laid out again from the start of the decoded audio, their spacing kept."""
    if not clips:
        return []
    shift = clips[0].at_s - options.separator_s
    return [Clip(c.start_s, c.end_s, round(c.at_s - shift, 3), c.stretches) for c in clips]


def split(piece: Sequence[Clip], options: GapOptions) -> tuple[list[Clip], list[Clip]]:
    """``piece`` in two halves, each laid out from the start again (for a piece Whisper
    got stuck repeating itself on)."""
    half = len(piece) // 2
    return relaid(piece[:half], options), relaid(piece[half:], options)


def _clip_of(word: Word, piece: Sequence[Clip], options: GapOptions) -> int | None:
    """The index of the clip of ``piece`` that ``word`` (on the decoded audio's timeline)
    was heard in: the nearest, if within half a separator of it."""
    mid = (word.start + word.end) / 2
    k = min(range(len(piece)), key=lambda i: _distance(mid, piece[i].at_s, piece[i].end_at_s))
    inside = _distance(mid, piece[k].at_s, piece[k].end_at_s) <= options.separator_s / 2
    return k if inside else None


def unheard_from(heard: Sequence[Word], piece: Sequence[Clip], options: GapOptions
                 ) -> int | None:
    """The index of the first clip of ``piece`` in which its decoding (``heard``, on the
    decoded audio's timeline) heard no word, when at least ``min_unheard_clips`` clips
    went unheard, in a row or not; None otherwise. Every clip holds voice (a stretch and
    the words around it), so a decoding that says nothing over several of them lost its
    way there. (Counting only clips in a row found fewer fillers on the six answers of
    scripts/eval_asr.py: Piper at 20 dB with the vocabulary 85% -> 79%, en-us+m3 clean
    without it 94% -> 88%.)"""
    heard_in = {_clip_of(w, piece, options) for w in heard}
    unheard = [k for k in range(len(piece)) if k not in heard_in]
    return unheard[0] if unheard and len(unheard) >= options.min_unheard_clips else None


ROOM_FRAME_S = 0.03
ROOM_FRAME_FILLED = 0.9
"""A frame is the room's only when at least this share of its samples is not zero."""
ROOM_BELOW_VOICE = 1 / 3
"""The room's sound is taken only when its loudest quiet frame is at most this share of
the recording's loud frames (the 80th percentile): else the quietest frames are speech."""


def room_tone(samples: np.ndarray, options: GapOptions) -> np.ndarray | None:
    """The recording's quietest fifth of frames, end to end, when the room's sound is
    steady (``GapOptions.room_tone_max_spread``); else None (digital silence). Only frames
    with sound in nearly every sample count: the recogniser's zero padding, and a frame
    part room and part padding, are not the room."""
    n = int(ROOM_FRAME_S * SAMPLE_RATE)
    k = samples.size // n
    if options.room_tone_max_spread is None or k < 10:
        return None
    frames = samples[:k * n].reshape(k, n)
    flat = frames.astype(np.float32)
    rms = np.sqrt(np.einsum("ij,ij->i", flat, flat) / n)
    live = np.flatnonzero(np.count_nonzero(frames, axis=1) >= ROOM_FRAME_FILLED * n)
    if live.size < 10:
        return None
    quiet = live[np.argsort(rms[live], kind="stable")[:live.size // 5]]
    if rms[quiet[-1]] > options.room_tone_max_spread * rms[quiet[0]]:
        return None  # other voices come and go
    if rms[quiet[-1]] > ROOM_BELOW_VOICE * np.percentile(rms[live], 80):
        return None  # no room to hear: the quietest frames are the voice's own
    return frames[np.sort(quiet)].reshape(-1)


def clip_audio(samples: np.ndarray, piece: Sequence[Clip], options: GapOptions,
               tone: np.ndarray | None = None) -> np.ndarray:
    """The audio of ``piece``: silence (or ``tone``, looped), with each clip of ``samples``
    at its place, and ``separator_s`` of it after the last."""
    last = piece[-1]
    size = int(round((last.end_at_s + options.separator_s) * SAMPLE_RATE))
    out = np.resize(tone, size).astype(samples.dtype) if tone is not None and tone.size \
        else np.zeros(size, samples.dtype)
    for c in piece:
        clip = samples[int(round(c.start_s * SAMPLE_RATE)):int(round(c.end_s * SAMPLE_RATE))]
        at = int(round(c.at_s * SAMPLE_RATE))
        out[at:at + clip.size] = clip[: out.size - at]
    return out


def _distance(t: float, start: float, end: float) -> float:
    return max(start - t, 0.0, t - end)


def place_fillers(heard: Sequence[Word], piece: Sequence[Clip], hesitations: Iterable[str],
                  options: GapOptions) -> list[tuple[Word, Stretch]]:
    """The hesitations among ``heard`` (words of the decoded piece, on its own timeline)
    put on the stretch they were heard on, on the recording's timeline (without offset):
    at most one per stretch, the surest. On audio no word covers, the filler takes the
    stretch's own times (the voicing there is more exact than Whisper's timestamps of a
    short sound, which often start early, in the silence before it); over a stretched
    word, Whisper's times inside the word."""
    hesitations = frozenset(hesitations)
    best: dict[Stretch, Word] = {}
    worded: set[Stretch] = set()
    placed_on: list[tuple[Word, Clip, Stretch]] = []
    for w in heard:
        k = _clip_of(w, piece, options)
        if k is None:
            continue
        clip, mid = piece[k], (w.start + w.end) / 2
        at = clip.to_recording(mid)
        stretch = min(clip.stretches, key=lambda s: _distance(at, s.start_s, s.end_s))
        if bare_word(w.text) in hesitations:
            placed_on.append((w, clip, stretch))
        elif options.word_vetoes and stretch.word is None and \
                stretch.start_s < at < stretch.end_s:
            worded.add(stretch)  # a word Whisper dropped from the plain pass, not an "um"
    for w, clip, stretch in placed_on:
        if stretch in worded:
            continue
        if stretch.word is None:
            start, end = stretch.start_s, stretch.end_s
        else:
            start = min(max(stretch.start_s, clip.to_recording(w.start)), stretch.end_s - 0.05)
            end = max(min(stretch.end_s, clip.to_recording(w.end)), start + 0.05)
        placed = Word(w.text, round(start, 3), round(end, 3), w.probability)
        if stretch not in best or best[stretch].probability < placed.probability:
            best[stretch] = placed
    return [(w, s) for s, w in best.items()]


def add_fillers(words: Sequence[Word], found: Sequence[tuple[Word, Stretch]],
                offset_s: float, hesitations: Iterable[str], options: GapOptions
                ) -> tuple[Word, ...]:
    """``words`` with the fillers ``found`` (recording timeline without ``offset_s``)
    added in time order: none within ``min_filler_gap_s`` of a hesitation already there
    or added before it, and a word stretched over an added filler pulled back off it."""
    hesitations = frozenset(hesitations)
    out = list(words)
    gap = options.min_filler_gap_s
    taken = [(w.start - offset_s, w.end - offset_s) for w in words
             if bare_word(w.text) in hesitations]
    for filler, stretch in sorted(found, key=lambda f: -f[0].probability):
        if any(filler.start < end + gap and start < filler.end + gap for start, end in taken):
            continue
        taken.append((filler.start, filler.end))
        if stretch.word is not None:
            w = out[stretch.word]
            start_s, end_s = w.start - offset_s, w.end - offset_s
            if (filler.start + filler.end) / 2 < (start_s + end_s) / 2:
                start_s = max(start_s, filler.end)
            else:
                end_s = min(end_s, filler.start)
            if end_s - start_s >= 0.05:
                out[stretch.word] = Word(w.text, round(start_s + offset_s, 3),
                                         round(end_s + offset_s, 3), w.probability)
        out.append(Word(filler.text, round(filler.start + offset_s, 3),
                        round(filler.end + offset_s, 3), filler.probability))
    return tuple(sorted(out, key=lambda w: w.start))
