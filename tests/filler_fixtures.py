"""Spoken answers with fillers at known times, for measuring filler detection.

Each answer is a list of pieces: plain text, or a filler (marked "~"). Pieces are
synthesized one by one and joined with short gaps, so every filler's time is known. The
plain text also holds look-alikes that are not fillers ("I'd like to", "what kind of").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from star_fixtures import trimmed

GAP_S = 0.25  # people pause around a hesitation; the gap after text pieces too

ANSWERS = [
    ["So", "~um", "last year I was on the payments team.", "~uh",
     "I pushed a config change that broke checkout.", "~you know", "It was my change.",
     "I'd like to say I caught it fast, but", "~um", "I did not."],
    ["My task was to find out", "~like", "why orders were failing.",
     "I looked at the logs and", "~uh", "reproduced it in staging.",
     "What kind of bug was it?", "~er", "A timeout I had set too low."],
    ["I rolled the change back", "~um", "and I tested the fix.", "We were", "~like",
     "losing orders every minute.", "~you know", "I added an alert",
     "and a check to the pipeline.", "~uh", "It has not happened since."],
    ["Honestly", "~um", "I think I should have load tested it.", "I was", "~sort of",
     "in a hurry.", "You know what happened next?", "~uh", "The alert fired a week later",
     "and the check", "~kind of", "saved us."],
    ["We had", "~uh", "a deadline.", "I wanted to look like I had it under control.",
     "~um", "So I did not ask for help.", "~like", "That was the mistake.",
     "Now I ask early."],
]


@dataclass(frozen=True)
class FillerAnswer:
    audio: np.ndarray
    fillers: list[tuple[str, float]]
    """(filler, start time in seconds) for every filler said."""
    reference: str
    """What was said, fillers left out."""


def build_filler_answer(pieces: list[str], lead_s: float = 0.5) -> FillerAnswer:
    chunks = [np.zeros(int(lead_s * 16000), np.int16)]
    t = lead_s
    fillers, words = [], []
    for piece in pieces:
        is_filler = piece.startswith("~")
        text = piece[1:] if is_filler else piece
        audio = trimmed(text + ("," if is_filler else ""))
        if is_filler:
            fillers.append((text, t))
        else:
            words.append(text)
        chunks += [audio, np.zeros(int(GAP_S * 16000), np.int16)]
        t += audio.size / 16000 + GAP_S
    chunks.append(np.zeros(16000, np.int16))
    return FillerAnswer(np.concatenate(chunks), fillers, " ".join(words))
