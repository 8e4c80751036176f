"""The kinds of stored session (a light module: the CLI imports it for its option types)."""

from enum import StrEnum


class SessionKind(StrEnum):
    practice = "practice"
    drill = "drill"
