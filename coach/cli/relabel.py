"""``coach relabel``: correct which STAR part a sentence belongs to.

The report is recomputed with the person's parts and saved (marked as corrected), so
``history``, ``progress`` and drills use the corrected figures; the correction is kept as
the person's own labelled example and their personal STAR model is retrained with it.
"""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer

from coach.cli.console import err, out
from coach.cli.options import SessionId, SessionsDir

_PART_NAMES = {"s": "situation", "situation": "situation", "t": "task", "task": "task",
               "a": "action", "action": "action", "r": "result", "result": "result"}
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


def parse_changes(tokens: list[str], n_sentences: int) -> dict[int, str]:
    """``["9-12", "result", "3", "task"]`` -> ``{8: "result", ..., 2: "task"}`` (0-based).
    Raises InputError with one line on anything else."""
    from coach.errors import InputError

    if len(tokens) % 2:
        raise InputError("changes come in pairs: sentence numbers and a part, e.g. '9-12 result'")
    out: dict[int, str] = {}
    for rng, name in zip(tokens[::2], tokens[1::2], strict=True):
        m = _RANGE.match(rng)
        part = _PART_NAMES.get(name.lower())
        if not m or part is None:
            raise InputError(f"cannot read {rng} {name!r}: use e.g. '9-12 result' or '3 task'")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        if not 1 <= first <= last <= n_sentences:
            raise InputError(f"sentences {rng}: the answer has sentences 1 to {n_sentences}")
        out.update({i - 1: part for i in range(first, last + 1)})
    return out


def relabel(
    session_id: SessionId,
    changes: Annotated[list[str] | None, typer.Argument(
        metavar="[N[-M] PART]...",
        help="Sentence numbers and their part, e.g. 9-12 result 3 task. Without them, "
             "the numbered sentences are shown and the changes are read one per line.")
    ] = None,
    sessions_dir: SessionsDir = None,
) -> None:
    """Correct the STAR part of some sentences; the report is recomputed and saved."""
    from rich.markup import escape

    from coach.analysis.analyze import relabel as recompute
    from coach.analysis.report import Part
    from coach.cli.render import LETTERS, verdicts
    from coach.errors import InputError
    from coach.sessions import corrections
    from coach.sessions.store import SessionStore

    store = SessionStore(sessions_dir)
    session = store.get(session_id)
    if not session.has_report:
        raise InputError(f"{session.id}: no report to correct (the answer was never analysed)")
    report = session.read_report()
    if not report.sentences:
        raise InputError(f"{session.id}: the report has no sentences")
    for n, s in enumerate(report.sentences, 1):
        mark = "?" if s.uncertain else " "
        out.print(f"{n:>3} {LETTERS.get(s.part or '', '?')}{mark} [{s.start:5.1f} s] "
                  f"{escape(s.text)}", highlight=False)
    tokens = list(changes or [])
    if not tokens:
        if not sys.stdin.isatty():
            tokens = sys.stdin.read().split()
        else:
            out.print("Changes, one per line (e.g. '9-12 result'); an empty line ends:")
            while line := input("> ").strip():
                tokens += line.split()
    if not tokens:
        out.print("No changes.")
        return
    parts = {i: Part(p) for i, p in parse_changes(tokens, len(report.sentences)).items()}
    new = recompute(report, parts)
    session.write_report(new)
    kept = corrections.record(store, session.id, new)
    with err.status("Teaching your personal STAR model your corrections…"):
        corrections.retrain(store, kept)
    out.print(f"Saved: {len(parts)} sentence(s) corrected; {len(kept)} corrected "
              "answer(s) now teach the segmenter your way of telling a story.")
    if new.timing:
        out.print(verdicts(new.timing))
