"""scripts/train_checks.py refuses, in one line, what it cannot train (in-process)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _run(*args: str) -> str:
    spec = importlib.util.spec_from_file_location(
        "train_checks", ROOT / "scripts" / "train_checks.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    argv, sys.argv = sys.argv, ["train_checks.py", *args]
    try:
        with pytest.raises(SystemExit) as exc:
            script.main()
    finally:
        sys.argv = argv
    return str(exc.value)


def test_an_unknown_check_or_one_with_nothing_to_learn_is_refused() -> None:
    assert _run("--check", "shows_grit") == (
        "not a learned check: shows_grit (rubric.toml [learning] learned)")
    assert "no answer up to b0 has a line marked" in _run(
        "--check", "quantified_impact", "--through", "0")
    assert _run("--check", "quantified_impact", "--only", "checks") == "2"  # ap.error
    assert _run("--through", "116") == "2"
    # the per-sentence models of the signals are retrained only where signals are measured
    assert _run("--sentence-models", "--check", "quantified_impact") == "2"
    assert _run("--sentence-models", "--only", "replies") == "2"
