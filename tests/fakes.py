"""A real fake recogniser: implements the Transcriber protocol without a model.

It "hears" a script of words laid over the voiced stretches of the audio (webrtcvad on
the real samples), so timing, endpointing, chunking, sessions and reports run on the same
code as with Whisper, in milliseconds. Tests that are about recognition use the real model.

``FakeTranscriber`` lays the whole script over whatever audio one call gets, so it suits
audio transcribed in one piece. ``ScriptedTranscriber`` knows each word's time in the
answer recordings and hears the words inside whatever part of them it is given, so streamed
chunks, early transcriptions and a batch pass all agree, as with a real recogniser.

``QuietUI`` is a fake of the practice and drill UI: every call does nothing, except that
statuses, drill results and warnings are kept for the test to read.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np

from coach.audio.pcm import FRAME_MS, SAMPLE_RATE
from coach.audio.vad import classify_frames
from coach.errors import NoSpeechError
from coach.speech.transcript import Segment, Transcript
from coach.words import Word, join_words


class _Recorded:
    """What both fakes share: the protocol's name and load(), and a log of the calls."""

    model_name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[int, float, str | None]] = []
        self.loaded = False

    def load(self) -> None:
        self.loaded = True


class FakeTranscriber(_Recorded):
    """Lays ``script`` (or, for each later call, the next script in ``scripts``) over the
    voiced audio, in proportion to each voiced stretch's length."""

    def __init__(self, *scripts: str):
        super().__init__()
        self.scripts = list(scripts)

    def transcribe(self, samples: np.ndarray, offset_s: float = 0.0,
                   prompt: str | None = None, on_words=None) -> Transcript:
        self.calls.append((samples.size, offset_s, prompt))
        script = self.scripts[0] if len(self.scripts) == 1 else self.scripts.pop(0)
        voiced = np.array(classify_frames(samples), dtype=bool)
        runs = _runs(voiced)
        tokens = script.split()
        if not runs or not tokens:
            raise NoSpeechError("no answer heard: the recording holds no speech")
        total = sum(b - a for a, b in runs)
        words: list[Word] = []
        k = 0
        for n, (a, b) in enumerate(runs):
            share = len(tokens) - k if n == len(runs) - 1 else round(len(tokens) * (b - a) / total)
            chunk = tokens[k:k + share]
            k += len(chunk)
            step = (b - a) * FRAME_MS / 1000 / max(len(chunk), 1)
            t0 = a * FRAME_MS / 1000 + offset_s
            words += [Word(t, round(t0 + i * step, 3), round(t0 + (i + 1) * step - 0.02, 3))
                      for i, t in enumerate(chunk)]
        return Transcript(tuple(words), (Segment(script, words[0].start, words[-1].end,
                                                 tuple(words)),),
                          samples.size / SAMPLE_RATE, self.model_name)


def _runs(voiced: np.ndarray, min_gap: int = 10) -> list[tuple[int, int]]:
    """Voiced frame runs [a, b), gaps shorter than ``min_gap`` frames bridged."""
    idx = np.flatnonzero(voiced)
    if idx.size == 0:
        return []
    runs = [[int(idx[0]), int(idx[0]) + 1]]
    for i in idx[1:]:
        if i - runs[-1][1] < min_gap:
            runs[-1][1] = int(i) + 1
        else:
            runs.append([int(i), int(i) + 1])
    return [(a, b) for a, b in runs]


def tone_speech(seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A voiced-sounding signal (harmonics with a syllable rhythm) that webrtcvad takes
    for speech: stands in for speech where the words come from the fake recogniser."""
    t = np.arange(int(seconds * rate)) / rate
    f0 = 140 + 20 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    sig = sum(np.sin(k * phase) / k for k in range(1, 8))
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t) ** 2
    return (sig * envelope * 4000).astype(np.int16)


class ScriptedTranscriber(_Recorded):
    """Hears the planned words of known recordings.

    ``answers`` are (samples, words) pairs: a recording and its words, timed on the
    recording's own timeline. Each call finds where the audio it is given sits in one of
    the recordings, sample for sample (the recorder keeps the file's samples, and chunks
    are slices of the recording), and returns the words whose middle lies inside it, on
    the caller's timeline (``offset_s`` added). Silence or no words: NoSpeechError, as
    Whisper. Audio from none of the recordings fails the test.
    """

    def __init__(self, *answers: tuple[np.ndarray, tuple[Word, ...]]):
        super().__init__()
        self.answers = [(np.asarray(samples, np.int16), tuple(words))
                        for samples, words in answers]

    def transcribe(self, samples: np.ndarray, offset_s: float = 0.0,
                   prompt: str | None = None, on_words=None) -> Transcript:
        self.calls.append((samples.size, offset_s, prompt))
        loud = np.flatnonzero(samples)
        if loud.size == 0:
            raise NoSpeechError("no answer heard: the recording holds no speech")
        found = self._locate(samples, int(loud[0]))
        if found is None:
            raise AssertionError(f"the fake recogniser was given {samples.size} samples "
                                 "that are in none of its recordings")
        words_in, at = found
        t0, t1 = at / SAMPLE_RATE, (at + samples.size) / SAMPLE_RATE
        shift = offset_s - t0
        words = tuple(Word(w.text, round(w.start + shift, 3), round(w.end + shift, 3),
                           w.probability)
                      for w in words_in if t0 <= (w.start + w.end) / 2 < t1)
        if not words:
            raise NoSpeechError("no answer heard: no words could be recognised")
        return Transcript(words, (Segment(join_words(words), words[0].start, words[-1].end,
                                          words),),
                          samples.size / SAMPLE_RATE, self.model_name)

    def _locate(self, samples: np.ndarray, k: int) -> tuple[tuple[Word, ...], int] | None:
        """(the recording's words, where ``samples`` starts in it); ``samples[k]`` is the
        first non-zero sample (a cheap first filter)."""
        n = samples.size
        for audio, words in self.answers:
            if audio.size < n:
                continue
            hits = np.flatnonzero(audio[k:audio.size - n + k + 1] == samples[k])
            for at in hits:
                probe = slice(at + k, at + k + 480)
                if np.array_equal(audio[probe], samples[k:k + 480]) and \
                        np.array_equal(audio[at:at + n], samples):
                    return words, int(at)
        return None


def timed_words(text: str, start_s: float, word_s: float) -> tuple[Word, ...]:
    """``text`` said at a steady ``word_s`` seconds a word from ``start_s``."""
    return tuple(Word(t, round(start_s + i * word_s, 3), round(start_s + (i + 1) * word_s, 3))
                 for i, t in enumerate(text.split()))


class QuietUI:
    """Every UI call a practice run or drill makes, doing nothing; keeps what tests read."""

    def __init__(self):
        self.statuses = []
        self.results = []
        self.warning = None

    def __getattr__(self, name):
        return lambda *args, **kwargs: None

    def busy(self, message):
        return nullcontext()

    def confirm_partial(self):
        return True

    def status(self, status):
        self.statuses.append(status)

    def drill_result(self, result):
        self.results.append(result)

    def warn(self, message):
        self.warning = message
