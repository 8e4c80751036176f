"""What a recogniser returns, and the small protocol every recogniser implements.

Practice, streaming, drills and ``analyze`` are typed against ``Transcriber``, so the real
Whisper model and the fake one the fast tests use run the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np

from coach.words import Word, join_words

TRANSCRIPT_SCHEMA = "coach.transcript/1"

OnWords = Callable[[tuple[Word, ...]], bool | None]
"""Told the recognised words early, before the transcript is complete. Returning False
says the rest is no longer wanted (the audio went stale: the person spoke again), and the
transcriber then returns those words as they are, without the slower additions."""


@dataclass(frozen=True)
class Segment:
    """One of Whisper's own segments (diagnostics: how sure it was that this was speech)."""

    text: str
    start: float
    end: float
    words: tuple[Word, ...]
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0


@dataclass(frozen=True)
class Transcript:
    words: tuple[Word, ...]
    """The final transcript: what every later stage uses."""
    segments: tuple[Segment, ...]
    """Whisper's first pass, kept for diagnostics (no_speech_prob, avg_logprob). After a
    re-decoded tail or merged fillers its words can differ from ``words``."""
    duration_s: float
    model: str

    @property
    def text(self) -> str:
        return join_words(self.words)

    def to_json(self) -> dict[str, Any]:
        """The stored form (``transcript.json``, schema coach.transcript/1)."""
        return {
            "schema": TRANSCRIPT_SCHEMA, "model": self.model,
            "duration_s": round(self.duration_s, 2), "text": self.text,
            "words": [asdict(w) for w in self.words],
            "segments": [{"text": s.text, "start": round(s.start, 3), "end": round(s.end, 3),
                          "no_speech_prob": round(s.no_speech_prob, 4),
                          "avg_logprob": round(s.avg_logprob, 4)} for s in self.segments],
        }


    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcript:
        """Read back ``to_json``'s form; KeyError, TypeError or ValueError on a wrong shape.
        (Segments keep their diagnostics; their words are not stored.)"""
        if not isinstance(data, dict) or data.get("schema") != TRANSCRIPT_SCHEMA:
            raise ValueError("not a coach transcript")
        words = tuple(Word(str(w["text"]), float(w["start"]), float(w["end"]),
                           float(w.get("probability", 1.0))) for w in data["words"])
        segments = tuple(Segment(str(s["text"]), float(s["start"]), float(s["end"]), (),
                                 float(s.get("no_speech_prob", 0.0)),
                                 float(s.get("avg_logprob", 0.0)))
                         for s in data.get("segments", []))
        return cls(words, segments, float(data["duration_s"]), str(data["model"]))


class Transcriber(Protocol):
    """Speech to words. ``WhisperTranscriber`` is the real one; tests have a fake."""

    @property
    def model_name(self) -> str:
        """What to record in a session's metadata as the model used."""
        ...

    def load(self) -> None:
        """Load the model now (it is otherwise loaded on first use); may raise ModelError."""

    def transcribe(self, samples: np.ndarray, offset_s: float = 0.0,
                   prompt: str | None = None, on_words: OnWords | None = None
                   ) -> Transcript:
        """Words of 16 kHz int16 ``samples``; raises NoSpeechError when nothing was said.

        ``offset_s`` is added to every timestamp (a chunk of a longer recording);
        ``prompt`` is text said just before, for continuity; ``on_words``, if given, may be
        called once with the recognised words as soon as they are known, before slower
        additions (the hesitations), so a caller in a hurry can act on them; if it returns
        False the transcript is those words, without the additions.
        """
        ...
