"""Smart turn-taking's judge: hears the transcript so far at each pause, and how the last
phrase sounded, and tells the recorder whether the answer sounds finished.

It sits between the seams: the recorder hands it every kept frame (``feed``), the
streaming transcriber hands it everything said so far whenever that is transcribed
during a pause (``heard``, on the transcriber's worker thread), and it posts a verdict to
the recorder's ``VerdictBox``. The decision itself stays in the pure
``coach.audio.turn.TurnDetector``.

The verdict: the learned text model's probability (``coach.analysis.turn_model``) against
its two cross-validated thresholds ("sounds finished", "may be finished"); a last phrase
whose pitch rises at the end (a question, the held-up "so what I did was, ...") holds
either back, when ``use_prosody`` is on. The pitch is a veto only: it was not learned
(there is no labelled audio of finished and unfinished answers to learn it from).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

from coach.analysis.turn_model import TurnModel
from coach.audio.pcm import FRAME_MS
from coach.audio.prosody import PhraseEnd, phrase_end
from coach.audio.turn import Verdict, VerdictBox
from coach.speech.stream import HeardSoFar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Judged:
    """One verdict and what it rested on (kept for the log and the benchmark)."""

    verdict: Verdict
    words: int
    text_probability: float
    phrase: PhraseEnd


class TurnJudge:
    """Judges the answer so far at pauses; thread-safe between ``feed`` and ``heard``."""

    def __init__(self, box: VerdictBox, model: TurnModel, use_prosody: bool = True,
                 keep_s: float = 30.0):
        """``keep_s``: the audio kept for the pitch of the last phrase, enough to outlast
        a slow transcription of it."""
        self.box = box
        self.model = model
        self.use_prosody = use_prosody
        self._frames: deque[np.ndarray] = deque(maxlen=int(keep_s * 1000 / FRAME_MS))
        self._fed = 0
        self._lock = threading.Lock()
        self.judged: list[Judged] = []

    def feed(self, frame: np.ndarray, is_speech: bool) -> None:
        """The recorder's next kept frame (frames numbered from 0, as the transcriber's)."""
        with self._lock:
            self._frames.append(frame)
            self._fed += 1

    def _audio_upto(self, frame: int) -> np.ndarray:
        """The kept audio up to and including ``frame``."""
        with self._lock:
            first = self._fed - len(self._frames)
            upto = frame - first + 1
            frames = list(self._frames)[:max(0, upto)]
        return np.concatenate(frames) if frames else np.zeros(0, np.int16)

    def heard(self, so_far: HeardSoFar) -> None:
        """Judge the answer so far and post the verdict."""
        finished, p = self.model.finished(so_far.words) if so_far.words else (False, 0.0)
        phrase = phrase_end(self._audio_upto(so_far.upto_frame))
        maybe = self.model.maybe(p)
        if self.use_prosody and phrase.rises:
            finished = maybe = False
        verdict = Verdict(so_far.upto_frame, finished, round(p, 3), maybe and not finished)
        self.judged.append(Judged(verdict, len(so_far.words), p, phrase))
        log.info("end of turn? p=%.2f pitch end %s st, loudness end %.1f dB -> %s", p,
                 phrase.pitch_end_st, phrase.energy_end_db,
                 "finished" if finished else "may be finished" if maybe else "goes on")
        self.box.post(verdict)
