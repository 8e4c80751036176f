"""The user's settings file (TOML): defaults for options they would otherwise repeat.

    voice = "neural"        # or "system"
    device = "USB"          # microphone: index or part of its name
    output_device = "2"
    turn_taking = "smart"   # or "fixed": end only after silence_s of silence
    silence_s = 8.0         # the silence that ends the answer (smart: the upper bound)
    vocabulary = ["Kubernetes", "Postgres", "p99", "on-call"]   # words to listen for
    wording = "everyday"    # questions in words for any job; or "as-asked" (the default)

Command-line options win over the file (``--vocabulary`` adds to the file's list).
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TypedDict

from coach.cli.options import SILENCE_RANGE_S
from coach.errors import InputError
from coach.sessions.store import atomic_write_bytes, make_private_dirs

VOICES = ("system", "neural")
TURN_TAKING = ("smart", "fixed")
WORDINGS = ("as-asked", "everyday")



@dataclass(frozen=True)
class Config:
    voice: str = "system"
    device: str | None = None
    output_device: str | None = None
    silence_s: float | None = None
    """None: the default of the turn-taking mode (smart 8 s, fixed 3 s)."""
    turn_taking: str = "smart"
    vocabulary: tuple[str, ...] = ()
    """The user's own terms for the recogniser to listen for (coach.speech.vocabulary):
    ``coach config vocabulary "Kubernetes, Postgres, p99, on-call"``; stored as a list."""
    wording: str = "as-asked"
    """How the questions are worded: as the interviewers of the rubric ask them ("caused a
    production incident"), or "everyday", in words for any job (``Question.everyday``)."""

    @property
    def everyday(self) -> bool:
        return self.wording == "everyday"


def config_path() -> Path:
    if env := os.environ.get("COACH_CONFIG"):
        return Path(env)
    import platformdirs

    return platformdirs.user_config_path("coach", appauthor=False) / "config.toml"


class _Settings(TypedDict, total=False):
    """Config's fields as keyword arguments (the checked values of a settings file)."""

    voice: str
    device: str | None
    output_device: str | None
    silence_s: float
    turn_taking: str
    vocabulary: tuple[str, ...]
    wording: str


def _validate(key: str, value) -> _Settings:
    """``key = value`` checked and converted, as keyword arguments for Config."""
    if key == "voice":
        if value not in VOICES:
            raise InputError(f"voice must be one of {', '.join(VOICES)}, not {value!r}")
        return {"voice": str(value)}
    if key == "turn_taking":
        if value not in TURN_TAKING:
            raise InputError(f"turn_taking must be one of {', '.join(TURN_TAKING)}, "
                             f"not {value!r}")
        return {"turn_taking": str(value)}
    if key == "wording":
        if value not in WORDINGS:
            raise InputError(f"wording must be one of {', '.join(WORDINGS)}, not {value!r}")
        return {"wording": str(value)}
    if key == "silence_s":
        low, high = SILENCE_RANGE_S
        try:
            seconds = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            seconds = math.nan
        if not (math.isfinite(seconds) and low <= seconds <= high):
            raise InputError(f"silence_s must be a number of seconds from {low:g} to {high:g}, "
                             f"not {value!r}")
        return {"silence_s": seconds}
    if key in ("device", "output_device"):
        if isinstance(value, bool) or not isinstance(value, str | int | None):
            raise InputError(f"{key} must be a device index or part of its name, not {value!r}")
        name = None if value is None else str(value)
        return {"device": name} if key == "device" else {"output_device": name}
    if key == "vocabulary":  # comma-separated text from 'coach config', a list in the file
        from coach.speech.vocabulary import parse_terms

        return {"vocabulary": parse_terms(value)}
    names = ", ".join(f.name for f in fields(Config))
    raise InputError(f"unknown setting {key!r} (known: {names})")


def load_config(path: Path | None = None, replacing: str | None = None) -> Config:
    """The settings in ``path`` (default: ``config_path()``), each checked; a bad one is
    an InputError naming the file and the key. ``replacing``: a key about to be set anew,
    whose stored value is not checked (so a bad value can be fixed with ``coach config``)."""
    path = path or config_path()
    try:
        if not path.exists():
            return Config()
    except OSError as exc:  # a folder on the way that this user may not enter
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid settings file ({exc})") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    settings: _Settings = {}
    for key, value in data.items():
        if key == replacing:
            continue
        try:
            settings.update(_validate(key, value))
        except InputError as exc:  # name the file: every later run reads it
            known = key in {f.name for f in fields(Config)}
            fix = f"fix it with 'coach config {key} VALUE' or edit" if known else "edit"
            raise InputError(f"{path}: {exc}; {fix} the file") from None
    return Config(**settings)


def save_setting(key: str, value: str, path: Path | None = None) -> Config:
    """Set one key in the settings file (written atomically, owner-only)."""
    path = path or config_path()
    current = load_config(path, replacing=key)
    values = {f.name: getattr(current, f.name) for f in fields(Config)}
    values.update(_validate(key, value))
    make_private_dirs(path.parent)
    # A JSON string is a valid TOML basic string (quotes, backslashes and control characters
    # escaped; other characters as they are: TOML has no escapes for UTF-16 surrogates), and
    # a JSON list of strings a valid TOML array.
    lines = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items()
             if v is not None and v != ()]
    atomic_write_bytes(path, ("\n".join(lines) + "\n").encode())
    return Config(**values)
