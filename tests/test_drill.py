"""Timing drills from recordings (the microphone path is the one practice uses)."""

import json

import numpy as np
import pytest
import soundfile as sf
from conftest import run_cli
from star_fixtures import FIXTURES, build

from coach.practice.drill import DrillResult, summarize


def write(path, parts):
    answer = build(parts)
    sf.write(path, answer.audio, 16000)
    return answer


@pytest.mark.slow
def test_opening_drill_rounds_table_and_sessions(tmp_path, sessions_dir):
    short = write(tmp_path / "short.wav", FIXTURES["balanced"][:2])
    long = write(tmp_path / "long.wav", FIXTURES["long_opening"][:2])
    p = run_cli("drill", "opening", "--rounds", "2", "--answer", str(tmp_path / "long.wav"),
                "--answer", str(tmp_path / "short.wav"), "--no-speak", "-q", "fr-incident")
    assert p.returncode == 0, p.stderr
    long_st, short_st = long.truth()[0], short.truth()[0]
    assert "Round 1" in p.stdout and "Round 2" in p.stdout
    assert "over" in p.stdout and "within budget" in p.stdout
    assert f"Best {short_st:.0f} s" in p.stdout or f"Best {short_st + 1:.0f} s" in p.stdout \
        or f"Best {short_st - 1:.0f} s" in p.stdout
    assert "trend -" in p.stdout  # the second round was much shorter
    metas = [json.loads((d / "meta.json").read_text()) for d in sorted(sessions_dir.iterdir())]
    assert [m["kind"] for m in metas] == ["drill", "drill"]
    assert [m["drill"] for m in metas] == ["opening", "opening"]
    h = run_cli("history", "--kind", "drill")
    assert h.stdout.count("drill") >= 2
    assert long_st > 75


@pytest.mark.slow
def test_action_drill_reports_share_start_and_what_to_cut(tmp_path, sessions_dir):
    answer = write(tmp_path / "a.wav", FIXTURES["long_opening"])
    p = run_cli("drill", "action", "--answer", str(tmp_path / "a.wav"), "--no-speak",
                "-q", "fr-incident")
    assert p.returncode == 0, p.stderr
    _, share = answer.truth()
    assert f"Action {share * 100:.0f}%" in p.stdout or \
        f"Action {share * 100 + 1:.0f}%" in p.stdout or f"Action {share * 100 - 1:.0f}%" in p.stdout
    assert "began at" in p.stdout
    assert "✂ Cut or shorten" in p.stdout


def test_too_few_answer_files_is_one_line(tmp_path):
    f = tmp_path / "a.wav"
    sf.write(f, np.zeros(16000, np.int16), 16000)
    p = run_cli("drill", "opening", "--rounds", "3", "--answer", str(f), "--no-speak")
    assert p.returncode == 2 and "3 rounds need 3 --answer files" in p.stderr


def test_summary_best_average_trend():
    def r(n, st):
        return DrillResult(n, "x", "q", "opening", st, 50, None, 0.7, None, ())

    s = summarize([r(1, 70.0), r(2, 60.0), r(3, 50.0)])
    assert (s.best, s.average, s.trend) == (50.0, 60.0, -10.0)
