"""The typed contents of a session's files, each type owning its JSON form.

``meta.json`` is a ``SessionMeta`` (schema coach.session/1); ``report.json`` is a
``coach.analysis.report.Report`` (schema coach.report/1). Stored files are untrusted input: a
file that is not JSON, or JSON of the wrong shape or types, raises ``DamagedSession`` and
nothing else. ``coach.sessions.store.Session`` reads and writes the files with these types.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, TypeVar

from coach.analysis.report import SCHEMA as REPORT_SCHEMA
from coach.analysis.report import Report
from coach.errors import InputError
from coach.prompts import Question
from coach.sessions.kinds import SessionKind

SESSION_SCHEMA = "coach.session/1"

Scalar = str | int | float | bool | None
"""A value in the plain settings maps (endpoint and coaching options)."""

class DamagedSession(InputError):
    """A stored session file is missing, unreadable, not JSON, or JSON of the wrong shape.

    ``problem`` says what is wrong; ``file`` and ``session_id`` say where, once known.
    """

    def __init__(self, problem: str, file: str | None = None, session_id: str | None = None):
        self.problem = problem
        self.file = file
        self.session_id = session_id
        super().__init__(self._text())

    def _text(self) -> str:
        where = [f"session {self.session_id}"] if self.session_id else []
        where += [self.file] if self.file else []
        return ": ".join([*where, self.problem])

    def at(self, session_id: str, file: str) -> DamagedSession:
        """The same problem, told with the session and file it was found in."""
        return DamagedSession(self.problem, file, session_id)

class SessionStatus(StrEnum):
    """Where a session got to. While recording, then how the recording ended (the values of
    ``coach.audio.record.EndReason``), then ``complete`` or ``no_speech`` after
    transcription. A session left at ``recording`` was killed mid-run."""

    recording = "recording"
    complete = "complete"
    no_speech = "no_speech"
    silence = "silence"
    enter = "enter"
    max_length = "max_length"
    end_of_input = "end_of_input"
    interrupted = "interrupted"
    device_error = "device_error"
    disk_full = "disk_full"

END_REASONS = frozenset({SessionStatus.silence, SessionStatus.enter, SessionStatus.max_length,
                         SessionStatus.end_of_input, SessionStatus.interrupted,
                         SessionStatus.device_error, SessionStatus.disk_full})
"""The statuses that say how a recording ended (the only values ``ended_by`` takes)."""

@dataclass(frozen=True, kw_only=True)
class SessionMeta:
    """``meta.json``: what was asked, when, with which model, devices and settings, and how
    far the session got.

    Fields that every coach has written but that a hand-made file may lack (version,
    model, devices, voice, settings) are None when absent, and then left out of the JSON
    form again; ``kind``, ``created``, ``question`` and ``status`` are required.
    """

    kind: SessionKind
    created: str
    """Local start time, ISO 8601 (as written: ``2026-11-29T09:14:03+01:00``)."""
    question: Question | None
    status: SessionStatus
    version: str | None = None
    """The coach version that recorded it."""
    model: str | None = None
    input_device: str | None = None
    output_device: str | None = None
    voice: str | None = None
    endpoint: dict[str, Scalar] | None = None
    """The endpointing options (``coach.audio.vad.EndpointOptions``; JSON key ``settings``)."""
    coaching: dict[str, Scalar] | None = None
    """Target level and company (``coach.analysis.analyze.CoachingOptions``)."""
    drill: str | None = None
    """For drills: which one (a ``coach.practice.kinds.DrillKind`` value)."""
    round: int | None = None
    """For drills: the round, from 1."""
    ended_by: SessionStatus | None = None
    """How the recording ended (one of ``END_REASONS``), once it has."""
    duration_s: float | None = None
    """Length of the kept recording, once it has ended."""
    input_overflows: int | None = None
    """Moments of the answer the microphone lost because the computer was too busy
    (PortAudio input overflows; 0 from a file), once the recording has ended. None in
    files written before it was kept."""

    def __post_init__(self) -> None:
        if self.ended_by is not None and self.ended_by not in END_REASONS:
            raise ValueError(f"ended_by is a recording end reason, not {self.ended_by!r}")
        for name, values in (("endpoint", self.endpoint), ("coaching", self.coaching)):
            bad = [k for k, v in (values or {}).items()
                   if v is not None and not isinstance(v, str | int | float | bool)]
            if bad:
                raise ValueError(f"{name} holds only plain values, not {', '.join(bad)}")

    @property
    def incomplete(self) -> bool:
        """The run stopped while recording (killed or crashed) and never got further."""
        return self.status == SessionStatus.recording

    def to_json(self) -> dict[str, Any]:
        """The stored form: the keys, values and key order coach has always written (a
        field that is None is left out, except ``question``)."""
        out = {
            "schema": SESSION_SCHEMA, "kind": self.kind.value, "version": self.version,
            "created": self.created,
            "question": self.question.to_json() if self.question else None,
            "model": self.model, "input_device": self.input_device,
            "output_device": self.output_device, "voice": self.voice,
            "settings": dict(self.endpoint) if self.endpoint is not None else None,
            "coaching": dict(self.coaching) if self.coaching is not None else None,
            "drill": self.drill, "round": self.round, "status": self.status.value,
            "ended_by": self.ended_by.value if self.ended_by else None,
            "duration_s": self.duration_s, "input_overflows": self.input_overflows,
        }
        return {k: v for k, v in out.items() if v is not None or k == "question"}

    @classmethod
    def from_json(cls, data: object) -> SessionMeta:
        """A ``SessionMeta`` from parsed ``meta.json``; DamagedSession when it has the wrong
        shape or types. Unknown keys are ignored (fields are only ever added); an optional
        key that is null counts as absent."""
        d = _object(data, "the file")
        schema = d.get("schema", SESSION_SCHEMA)
        if schema != SESSION_SCHEMA:
            raise DamagedSession(f"schema is {schema!r}, not {SESSION_SCHEMA!r}")
        kind = _enum(_required(d, "kind"), SessionKind, "kind")
        created = _str(_required(d, "created"), "created")
        try:
            datetime.fromisoformat(created)
        except ValueError:
            raise DamagedSession(f"created is not an ISO 8601 time: {created!r}") from None
        q = _required(d, "question")
        question = None
        if q is not None:
            qd = _object(q, "question")
            question = Question(_str(_required(qd, "id", "question.id"), "question.id"),
                                _str(_required(qd, "text", "question.text"), "question.text"))
        status = _enum(_required(d, "status"), SessionStatus, "status")
        ended_by = _optional(d, "ended_by", lambda v, k: _enum(v, SessionStatus, k))
        if ended_by is not None and ended_by not in END_REASONS:
            raise DamagedSession(f"ended_by is not a recording end reason: {ended_by.value!r}")
        drill = _optional(d, "drill", _str)
        round_no = _optional(d, "round", _int)
        if kind == SessionKind.drill and (drill is None or round_no is None):
            raise DamagedSession("a drill session needs 'drill' and 'round'")
        if round_no is not None and round_no < 1:
            raise DamagedSession(f"round must be 1 or more, not {round_no}")
        duration_s = _optional(d, "duration_s", _number)
        if duration_s is not None and duration_s < 0:
            raise DamagedSession(f"duration_s is negative: {duration_s}")
        input_overflows = _optional(d, "input_overflows", _int)
        if input_overflows is not None and input_overflows < 0:
            raise DamagedSession(f"input_overflows is negative: {input_overflows}")
        return cls(
            kind=kind, created=created, question=question, status=status,
            version=_optional(d, "version", _str), model=_optional(d, "model", _str),
            input_device=_optional(d, "input_device", _str),
            output_device=_optional(d, "output_device", _str),
            voice=_optional(d, "voice", _str),
            endpoint=_optional(d, "settings", _scalars),
            coaching=_optional(d, "coaching", _scalars),
            drill=drill, round=round_no, ended_by=ended_by, duration_s=duration_s,
            input_overflows=input_overflows)

def report_from_json(data: object) -> Report:
    """A ``Report`` from parsed ``report.json`` (``Report.from_json``, which trusts its
    input, with the shape and every value's type checked): DamagedSession when wrong."""
    d = _object(data, "the file")
    schema = _required(d, "schema")
    if schema != REPORT_SCHEMA:
        raise DamagedSession(f"schema is {schema!r}, not {REPORT_SCHEMA!r}")
    try:
        report = Report.from_json(d)
    except KeyError as exc:
        raise DamagedSession(f"not a report: missing key {exc}") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise DamagedSession(f"not a report: {exc}") from exc
    check_types(report)
    return report

# --- checking untrusted JSON -------------------------------------------------------------

T = TypeVar("T")
E = TypeVar("E", bound=Enum)

def _kind_of(value: object) -> str:
    """How a JSON value is named in messages."""
    names = {type(None): "null", bool: "a boolean", int: "a number", float: "a number",
             str: "a string", list: "a list", tuple: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)

def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DamagedSession(f"{what} is {_kind_of(value)}, not an object")
    return value

def _required(d: dict[str, Any], key: str, what: str | None = None) -> object:
    if key not in d:
        raise DamagedSession(f"missing key {what or key!r}")
    return d[key]

def _optional(d: dict[str, Any], key: str, check: Callable[[object, str], T]) -> T | None:
    """``check(value, key)``, or None when the key is absent or null."""
    value = d.get(key)
    return None if value is None else check(value, key)

def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise DamagedSession(f"{what} is {_kind_of(value)}, not a string")
    return value

def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value):
        raise DamagedSession(f"{what} is {_kind_of(value)}, not a finite number")
    return value

def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DamagedSession(f"{what} is {_kind_of(value)}, not a whole number")
    return value

def _enum(value: object, enum: type[E], what: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(str(e.value) for e in enum)
        raise DamagedSession(f"{what} is {value!r}, not one of {allowed}") from None

def _scalars(value: object, what: str) -> dict[str, Scalar]:
    """An object of plain values (the settings maps)."""
    m = _object(value, what)
    for k, v in m.items():
        if v is not None and not isinstance(v, str | int | float | bool):
            raise DamagedSession(f"{what}.{k} is {_kind_of(v)}, not a plain value")
    return dict(m)

def check_types(obj: Any, where: str = "report") -> None:
    """Check that a dataclass built from untrusted JSON (``Report.from_json`` takes values as
    they come) holds the types its annotations say, all the way down: DamagedSession
    naming the first value that does not."""
    hints = _hints(type(obj))
    for f in fields(obj):
        _check(getattr(obj, f.name), hints[f.name], f"{where}.{f.name}")

_HINTS: dict[type, dict[str, Any]] = {}

def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]

def _check(value: object, hint: Any, where: str) -> None:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        if value is None and len(options) < len(args):
            return
        if len(options) == 1:  # X | None: X's own message, however deep
            _check(value, options[0], where)
            return
        for option in options:
            try:
                _check(value, option, where)
                return
            except DamagedSession:
                pass
        raise DamagedSession(f"{where} is {_kind_of(value)}, not {hint}")
    if hint is type(None):
        ok = value is None
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint in (str, bool) or (isinstance(hint, type) and issubclass(hint, Enum)):
        ok = isinstance(value, hint)
    elif origin is tuple:
        if not isinstance(value, tuple):
            raise DamagedSession(f"{where} is {_kind_of(value)}, not a list")
        if len(args) == 2 and args[1] is Ellipsis:
            for n, item in enumerate(value):
                _check(item, args[0], f"{where}[{n}]")
        elif len(args) != len(value):
            raise DamagedSession(f"{where} has {len(value)} items, not {len(args)}")
        else:
            for n, (item, h) in enumerate(zip(value, args, strict=True)):
                _check(item, h, f"{where}[{n}]")
        return
    elif origin is list:
        if not isinstance(value, list):
            raise DamagedSession(f"{where} is {_kind_of(value)}, not a list")
        for n, item in enumerate(value):
            _check(item, args[0], f"{where}[{n}]")
        return
    elif origin is dict:
        if not isinstance(value, dict):
            raise DamagedSession(f"{where} is {_kind_of(value)}, not an object")
        for k, item in value.items():
            _check(k, args[0], f"{where} key")
            _check(item, args[1], f"{where}.{k}")
        return
    elif isinstance(hint, type) and is_dataclass(hint):
        if not isinstance(value, hint):
            raise DamagedSession(f"{where} is {_kind_of(value)}, not an object")
        check_types(value, where)
        return
    else:
        raise TypeError(f"{where}: cannot check values of type {hint!r}")
    if not ok:
        raise DamagedSession(f"{where} is {_kind_of(value)}, not {_wanted(hint)}")

def _wanted(hint: Any) -> str:
    if isinstance(hint, type) and issubclass(hint, Enum):
        return "one of " + ", ".join(str(e.value) for e in hint)
    return {float: "a finite number", int: "a whole number", str: "a string",
            bool: "true or false", type(None): "null"}.get(hint, str(hint))
