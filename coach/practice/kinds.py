"""The kinds of timed run (a light module: the CLI imports it for its option types)."""

from enum import StrEnum


class DrillKind(StrEnum):
    opening = "opening"
    """Only Situation and Task, against the 50-second budget."""
    action = "action"
    """A whole answer, judged on the Action's share."""
