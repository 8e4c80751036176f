"""The second readers' files (tests/data/star/audits/) and how scripts/eval_agreement.py
reads them: every answer they name is a labelled one, every check a known one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from coach.analysis.labelled import load_answers
from coach.eval.checks import LABELLED

ROOT = Path(__file__).parents[1]
AUDITS = ROOT / "tests" / "data" / "star" / "audits"


def _script():
    spec = importlib.util.spec_from_file_location(
        "eval_agreement", ROOT / "scripts" / "eval_agreement.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_the_second_readers_check_labels_name_labelled_answers_and_known_checks() -> None:
    second = _script().read_second_checks(AUDITS / "second_reader_checks_b117_b123.txt")
    batches = {aid.split("-")[0] for aid in second}
    assert batches == {f"b{n}" for n in range(117, 124)}
    labelled = {a.id: a for b in batches
                for a in load_answers(ROOT / "tests" / "data" / "star" / f"{b}.txt")}
    assert set(second) == set(labelled)  # every answer of the seven batches, once
    assert all(held <= set(LABELLED) for held in second.values())
    # A real second reading, not a copy of the batch's own labels:
    differ = sum(second[aid] != frozenset(labelled[aid].checks or ()) for aid in second)
    assert 0 < differ < len(second) // 2


def test_a_check_the_labels_do_not_know_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "labels.txt"
    path.write_text("# a comment\nb1-01: shows_recovery\nb1-02: shows_grit\n")
    with pytest.raises(SystemExit) as exc:
        _script().read_second_checks(path)
    assert f"{path}:3:" in str(exc.value)
    path.write_text("b1-01: shows_recovery quantified_impact\nb1-02:\n")
    assert _script().read_second_checks(path) == {
        "b1-01": frozenset({"shows_recovery", "quantified_impact"}), "b1-02": frozenset()}
