"""Fuzzing the commands that read files the user (or someone else) controls: random and
mutated WAV, FLAC and text answers for ``analyze``, random and mutated ``report.json`` and
``meta.json`` for ``history``, ``show``, ``export`` and ``report --html``. The only
outcomes allowed: success, or one ``coach: ...`` line and a non-zero exit. A traceback
(an exception ``main`` lets through) fails the test, with the input that caused it."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import invoke
from fakes import FakeTranscriber, tone_speech
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.analysis.analyze import analyze_text
from coach.prompts import get_question

EXAMPLES = int(os.environ.get("COACH_FUZZ_EXAMPLES", "20"))
"""Inputs per test: 20 in the fast tier, more in the full suite (``scripts/test`` sets it)."""
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

TEXT = ("When the payments started failing I escalated it to the payments team. "
        "I had to keep refunds flowing. I posted updates every twenty minutes and rolled "
        "back the release. Refunds were back within three hours and we added an alert.")


def allowed(p) -> None:
    """Success, or one ``coach:`` line and a non-zero exit (warnings may precede a success:
    a damaged folder skipped by a listing)."""
    assert "Traceback" not in p.stderr
    if p.returncode == 0:
        return
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("coach: "), p.stderr


def _audio_bytes(fmt: str) -> bytes:
    buf = io.BytesIO()
    samples = np.concatenate([np.zeros(4000, np.int16), tone_speech(1.5)])
    sf.write(buf, samples, 16000, format=fmt)
    return buf.getvalue()


WAV, FLAC = _audio_bytes("WAV"), _audio_bytes("FLAC")


@st.composite
def mutated(draw, original: bytes) -> bytes:
    """``original`` with a few bytes changed, cut short, or with bytes spliced in."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        how = draw(st.sampled_from(["flip", "cut", "insert", "zero-run"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if how == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "cut":
            del data[at:]
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            data[at:at + draw(st.integers(1, 512))] = b"\0" * 16
    return bytes(data)


audio_inputs = st.one_of(st.binary(max_size=2048), mutated(WAV), mutated(FLAC))
text_inputs = st.one_of(st.text(max_size=400), st.binary(max_size=400),
                        mutated(TEXT.encode()))


@pytest.fixture
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(data=audio_inputs, suffix=st.sampled_from([".wav", ".flac", ".mp3", ""]))
def test_analyze_audio_files(work, use_transcriber, data, suffix):
    use_transcriber(FakeTranscriber(TEXT))
    f = work / f"answer{suffix}"
    f.write_bytes(data)
    allowed(invoke("analyze", str(f), "--json"))


@FUZZ
@given(data=text_inputs)
def test_analyze_text_files(work, data):
    f = work / "answer.txt"
    if isinstance(data, str):
        f.write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        f.write_bytes(data)
    allowed(invoke("analyze", "--text", str(f), "--json"))


# Stored sessions: one good session, then its files replaced by random or mutated JSON.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)


def _paths(obj, prefix=()):
    """Every place in a JSON value, as a key path."""
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*prefix, i))


@st.composite
def replaced_somewhere(draw, original):
    """``original`` with one value somewhere inside it replaced, or a key removed."""
    obj = json.loads(json.dumps(original))
    path = draw(st.sampled_from(list(_paths(obj))[1:]))
    parent = obj
    for k in path[:-1]:
        parent = parent[k]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_values)
    return obj


@pytest.fixture(scope="module")
def good_session(tmp_path_factory) -> dict[str, dict]:
    """A real report and meta, as a session stores them."""
    report = analyze_text(TEXT, get_question("fr-outage")).to_json()
    meta = {"schema": "coach.session/1", "kind": "practice", "version": "0.1.0",
            "created": "2026-11-29T05:56:04+00:00",
            "question": {"id": "fr-outage", "text": "Have you ever caused an outage?"},
            "status": "complete", "ended_by": "silence", "duration_s": 12.5}
    return {"report.json": report, "meta.json": meta}


def _store(root: Path, good: dict[str, dict]) -> Path:
    """A fresh store of two good sessions; the newer one's folder is returned."""
    if root.exists():
        shutil.rmtree(root)
    for sid in ("20261129-080000", "20261129-090000"):
        folder = root / sid
        folder.mkdir(parents=True, mode=0o700)
        for name, value in good.items():
            (folder / name).write_text(json.dumps(value), encoding="utf-8")
        sf.write(folder / "answer.wav", tone_speech(1.0), 16000)
    return root / "20261129-090000"


@FUZZ
@given(data=st.data(), which=st.sampled_from(["report.json", "meta.json", "both"]))
def test_reading_damaged_sessions(work, good_session, data, which):
    files = dict(good_session)
    for name in (["report.json", "meta.json"] if which == "both" else [which]):
        files[name] = data.draw(st.one_of(
            replaced_somewhere(good_session[name]), json_values,
            st.text(max_size=40)), label=name)
    root = work / "sessions"
    damaged = _store(root, good_session)
    for name, value in files.items():
        (damaged / name).write_text(value if isinstance(value, str) else json.dumps(value),
                                    encoding="utf-8")
    dirs = ("--sessions-dir", str(root))
    for args in (("history",), ("show", "20261129-09"), ("show", "20261129-09", "--json"),
                 ("export", "--all"), ("export", "--all", "--format", "md"),
                 ("export", "20261129-09", "--format", "md"),
                 ("report", "20261129-09", "-o", str(work / "r.html")),
                 ("progress", "-o", str(work / "p.png"))):
        p = invoke(*args, *dirs)
        allowed(p)
        if args[0] in ("history", "export") and "--all" in args or args == ("history",):
            assert p.returncode == 0, (args, p.stderr)  # a listing skips what it cannot read
            assert "20261129-080000" in p.stdout or args[0] == "export"
