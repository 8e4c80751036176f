"""The user's settings file (TOML): defaults for options they would otherwise repeat.

    voice = "neural"        # or "system"
    device = "USB"          # microphone: index or part of its name
    output_device = "2"
    silence_s = 3.0

Command-line options win over the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TypedDict

from coach.errors import InputError
from coach.sessions.store import atomic_write_bytes

VOICES = ("system", "neural")


@dataclass(frozen=True)
class Config:
    voice: str = "system"
    device: str | None = None
    output_device: str | None = None
    silence_s: float = 3.0


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


def _validate(key: str, value) -> _Settings:
    """``key = value`` checked and converted, as keyword arguments for Config."""
    if key == "voice":
        if value not in VOICES:
            raise InputError(f"voice must be one of {', '.join(VOICES)}, not {value!r}")
        return {"voice": str(value)}
    if key == "silence_s":
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            raise InputError(f"silence_s must be a number of seconds, not {value!r}") from None
        if seconds < 0.5:
            raise InputError("silence_s must be at least 0.5")
        return {"silence_s": seconds}
    if key == "device":
        return {"device": None if value is None else str(value)}
    if key == "output_device":
        return {"output_device": None if value is None else str(value)}
    names = ", ".join(f.name for f in fields(Config))
    raise InputError(f"unknown setting {key!r} (known: {names})")


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid settings file ({exc})") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    settings: _Settings = {}
    for key, value in data.items():
        settings.update(_validate(key, value))
    return Config(**settings)


def save_setting(key: str, value: str, path: Path | None = None) -> Config:
    """Set one key in the settings file (written atomically, owner-only)."""
    path = path or config_path()
    current = load_config(path)
    values = {f.name: getattr(current, f.name) for f in fields(Config)}
    values.update(_validate(key, value))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = [f"{k} = {v!r}".replace("'", '"') for k, v in values.items() if v is not None]
    atomic_write_bytes(path, ("\n".join(lines) + "\n").encode())
    return Config(**values)
