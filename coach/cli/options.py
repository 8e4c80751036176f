"""Command-line options shared by several commands."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class VoiceName(StrEnum):
    system = "system"
    neural = "neural"


class TurnTakingName(StrEnum):
    """``coach.audio.turn.TurnTaking`` for the command line (without importing audio)."""

    smart = "smart"
    fixed = "fixed"


TurnTakingOpt = Annotated[TurnTakingName | None, typer.Option(
    "--turn-taking",
    help="How the answer ends by itself. smart: soon after an answer that sounds finished, "
         "while a thinking pause may last up to --silence-s (default 8 s); fixed: after "
         "--silence-s of silence (default 3 s), whatever was said. Default from 'coach "
         "config', else smart.")]


SessionsDir = Annotated[Path | None, typer.Option(
    "--sessions-dir", help="Where sessions are stored (default: your user data folder).")]
ModelDir = Annotated[Path | None, typer.Option(
    "--model", help="A local CTranslate2 Whisper model folder (default: embedded tiny.en).")]
QuestionId = Annotated[str | None, typer.Option(
    "--question", "-q", help="Question id (see 'coach questions'); random when omitted.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
Level = Annotated[str | None, typer.Option(
    "--level", help="Target level: SDE1, SDE2, Senior or Principal.")]
CompanyOpt = Annotated[str | None, typer.Option(
    "--company", help="Add a company's emphasis: amazon, google, meta or microsoft.")]
FeedbackAudio = Annotated[str | None, typer.Option(
    "--feedback-audio", help="Also write the spoken feedback to this WAV file.")]
SessionId = Annotated[str, typer.Argument(metavar="ID", help="Session id, prefix or 'last'.")]


def writable_path(path: str | None) -> Path | None:
    """Check up front that an output file can be written, so no work is lost at the end."""
    from coach.errors import InputError

    if path is None:
        return None
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a file name")
    if not p.parent.exists() or not os.access(p.parent, os.W_OK):
        raise InputError(f"{p.parent}: folder does not exist or is not writable")
    return p


def seconds_between(low_s: float, high_s: float) -> Callable[[float | None], float | None]:
    """An option callback: the value must be a finite number of seconds in [low_s, high_s]
    (Click's own range check lets ``inf`` and ``nan`` through)."""

    def check(value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and low_s <= value <= high_s):
            raise typer.BadParameter(f"{value} is not a number of seconds from {low_s:g} "
                                     f"to {high_s:g}")
        return value

    return check


SILENCE_RANGE_S = (0.5, 30.0)
"""The silence that ends an answer: from half a second to half a minute."""
MAX_ANSWER_RANGE_S = (5.0, 3600.0)
"""The longest answer --max-s sets: from 5 seconds to an hour."""
SilenceSeconds = Annotated[float | None, typer.Option(
    "--silence-s", callback=seconds_between(*SILENCE_RANGE_S),
    help="Silence that ends the answer, in seconds (0.5 to 30); with smart turn-taking "
         "the longest pause before the answer ends anyway [default: 8 smart, 3 fixed].")]


def check_vocabulary(value: str | None) -> str | None:
    """An option callback: ``--vocabulary`` must be a usable list of terms."""
    from coach.errors import InputError
    from coach.speech.vocabulary import parse_terms

    if value is not None:
        try:
            parse_terms(value, "--vocabulary")
        except InputError as exc:
            raise typer.BadParameter(str(exc).removeprefix("--vocabulary: ")) from None
    return value


VocabularyOpt = Annotated[str | None, typer.Option(
    "--vocabulary", callback=check_vocabulary, metavar="TERMS",
    help="Words to listen for, separated by commas (\"Kubernetes, p99, on-call\"): added "
         "to 'coach config vocabulary' and the question's key terms.")]
