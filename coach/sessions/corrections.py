"""The user's own corrections of STAR parts, and the personal STAR model trained with them.

``coach relabel`` stores each corrected answer, in the labelled-answer format, in
``<sessions>/.corrections/answers.txt`` (owner-only, like the sessions). The personal model
is the shipped one's training data plus these answers, each counted ``PERSONAL_WEIGHT``
times, so the segmenter learns this person's way of telling a story; later analyses use it
when it exists.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from coach.analysis.labelled import (
    LabelledAnswer,
    load_sequences,
    parse_answers,
    to_sequence,
    train,
)
from coach.analysis.report import Report
from coach.prompts import model_file
from coach.sessions.store import SessionStore, atomic_write_bytes

FOLDER = ".corrections"
ANSWERS = "answers.txt"
MODEL = "star_personal.crfsuite"
BASE_SEQUENCES = "star_training.json.gz"
"""The shipped model's training sequences (written by scripts/train_segmenter.py)."""
PERSONAL_WEIGHT = 3
"""Each corrected answer counts this many times among the hundreds of training answers."""


def folder(store: SessionStore) -> Path:
    return store.root / FOLDER


def personal_model(store: SessionStore) -> Path | None:
    """The personal STAR model, when the user has corrected at least one answer."""
    path = folder(store) / MODEL
    return path if path.is_file() else None


def corrections(store: SessionStore) -> list[LabelledAnswer]:
    path = folder(store) / ANSWERS
    if not path.is_file():
        return []
    return parse_answers(path.read_text(encoding="utf-8"), str(path), "user")


def record(store: SessionStore, session_id: str, report: Report) -> list[LabelledAnswer]:
    """Keep ``report``'s sentences and parts as the user's labelled answer for
    ``session_id`` (replacing an earlier correction of it); all corrections after."""
    answer = LabelledAnswer(
        session_id, report.question.id if report.question else "", "user-corrected",
        tuple((s.part, s.text) for s in report.sentences if s.part is not None))
    kept = [a for a in corrections(store) if a.id != session_id] + [answer]
    target = folder(store)
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(target, 0o700)
    atomic_write_bytes(target / ANSWERS, "".join(a.to_text() for a in kept).encode())
    return kept


def forget(store: SessionStore, session_id: str) -> list[LabelledAnswer] | None:
    """Drop the correction of a deleted session: the corrections left, or None when there
    was none of it. With none left, the answers file and the personal model go too (the
    caller retrains it from what is left otherwise)."""
    answers = corrections(store)
    kept = [a for a in answers if a.id != session_id]
    if len(kept) == len(answers):
        return None
    if kept:
        atomic_write_bytes(folder(store) / ANSWERS, "".join(a.to_text() for a in kept).encode())
    else:
        (folder(store) / ANSWERS).unlink(missing_ok=True)
        (folder(store) / MODEL).unlink(missing_ok=True)
    return kept


def base_sequences() -> list[tuple[list[dict[str, float]], list[str]]]:
    """The shipped model's training sequences, which every personal model starts from."""
    return load_sequences(model_file(BASE_SEQUENCES))


def retrain(store: SessionStore, answers: list[LabelledAnswer]) -> Path:
    """Train the personal model from the shipped training data and ``answers``."""
    base = base_sequences()
    own = [(s.features, s.labels) for s in map(to_sequence, answers)]
    target = folder(store) / MODEL
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{MODEL}.", suffix=".tmp")
    os.close(fd)
    try:
        train(base + own * PERSONAL_WEIGHT, Path(tmp))
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target
