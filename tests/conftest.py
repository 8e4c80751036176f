"""Shared fixtures. Speech is synthesized for real (Piper's offline 'joe' voice, espeak-ng
through pyttsx3 where the system voice is under test) and recognised by the real tiny.en
model wherever recognition matters; nothing else in the audio path is mocked. Commands
whose test is not about recognition run on the recognisers of tests/fakes.py
(``use_transcriber``), and commands run in this process (``invoke``) unless only a
subprocess shows what is tested (``run_cli``)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.hookimpl(tryfirst=True)  # xdist's own hook reads the group markers after this
def pytest_collection_modifyitems(config, items):
    """A test that takes the real model through the ``transcriber`` fixture is slow.

    For ``scripts/test``'s two workers (pytest-xdist, ``--dist loadgroup``): the tests on
    the one virtual sound device run in one worker, one after another (they would hear
    each other), and the tests sharing the transcribed spoken fixtures in one worker (so
    they are transcribed once); the rest are shared out. The sound tests mostly wait for
    real-time audio, so the other worker has the processor meanwhile."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "transcriber" in names:
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("audio_device"):
            item.add_marker(pytest.mark.xdist_group("sound"))
        elif "heard_fixtures" in names:
            item.add_marker(pytest.mark.xdist_group("heard"))


@pytest.fixture(autouse=True)
def _one_worker_for_sound(request):
    """Under two workers, a sound-device test that is not in the "sound" group would
    play into the virtual sink while another does, and fail on garbled speech; fail
    plainly instead (the grouping broke once with a new pytest)."""
    if (request.node.get_closest_marker("audio_device") and os.environ.get("PYTEST_XDIST_WORKER")
            and getattr(request.config.option, "loadgroup", False)
            and not request.node.nodeid.endswith("@sound")):
        pytest.fail("sound-device tests are not grouped in one worker (see pyproject's "
                    "pytest pin)")


@pytest.fixture(autouse=True)
def sessions_dir(tmp_path, monkeypatch) -> Path:
    """Every test gets its own empty data dir and no settings file; nothing reads or
    touches the real user's sessions or settings."""
    d = tmp_path / "sessions"
    monkeypatch.setenv("COACH_SESSIONS_DIR", str(d))
    monkeypatch.setenv("COACH_CONFIG", str(tmp_path / "no-config" / "config.toml"))
    return d


@cache
def _voice():
    from coach.audio.voices import NeuralVoice

    # Zero noise: Piper otherwise adds fresh random noise on every call, so the same
    # fixture sounded different from run to run and recognition results wandered with it.
    return NeuralVoice(noise_scale=0.0, noise_w_scale=0.0)


@cache
def say(text: str) -> np.ndarray:
    """16 kHz int16 speech for ``text`` (cached per test run)."""
    return _voice().synthesize(text)


def pause(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), np.int16)


@pytest.fixture
def prompts_read_as(monkeypatch):
    """``use(module, loader, data)``: ``module``'s cached ``loader`` of a prompts/*.toml file
    reads ``data`` instead, for the rest of the test (its cache cleared now, and again at
    the end so that no other test sees it)."""
    used = []

    def use(module, loader, data: dict) -> None:
        monkeypatch.setattr(module, "load_toml", lambda name: data)
        loader.cache_clear()
        used.append(loader)

    yield use
    for loader in used:
        loader.cache_clear()


@pytest.fixture
def answer_wav(tmp_path) -> Path:
    """A 6-second voiced answer without words (for the fake transcribers) between pauses."""
    from fakes import tone_speech

    f = tmp_path / "answer.wav"
    sf.write(f, np.concatenate([np.zeros(8000, np.int16), tone_speech(6.0),
                                np.zeros(16000 * 4, np.int16)]), 16000)
    return f


@pytest.fixture(scope="session")
def transcriber():
    from coach.speech.whisper import WhisperTranscriber

    t = WhisperTranscriber()
    t.load()
    return t


@pytest.fixture(scope="session")
def heard_fixtures(transcriber):
    """Each spoken STAR fixture (tests/star_fixtures.py) built once, with the loaded model's
    batch transcript of its audio: ``{name: (answer, transcript)}``, shared by the tests
    that compare against it, so each fixture is transcribed once per run."""
    from star_fixtures import FIXTURES, build

    heard = {}
    for name, parts in FIXTURES.items():
        answer = build(parts)
        heard[name] = (answer, transcriber.transcribe(answer.audio))
    return heard


@pytest.fixture(scope="session")
def heard_voices(transcriber):
    """The voices-and-rooms evaluation (tests/asr_fixtures.py) on its small subset
    (``SUBSET_VOICES`` x ``SUBSET_ANSWERS``, clean and in pink noise), run once per test
    session with the loaded model: ``{(voice, condition): Tally}``. Skips when a voice
    cannot be made here."""
    from asr_fixtures import SUBSET_ANSWERS, SUBSET_VOICES, VOICES, evaluate, missing
    from star_fixtures import FIXTURES

    voices = [v for v in VOICES if v.name in SUBSET_VOICES]
    for v in voices:
        if reason := missing(v):
            pytest.skip(reason)
    return evaluate(transcriber, voices, {k: FIXTURES[k] for k in SUBSET_ANSWERS})


def early_batch(name: str, up_to: int) -> bool:
    """Whether ``name`` is one of the labelled batches b1 to b``up_to``, or one of the older
    sets (dev, holdout): the fixed training set of a held-out test, whose cost must not
    grow with every batch added."""
    number = re.fullmatch(r"b(\d+)", name)
    return number is None or int(number.group(1)) <= up_to


@pytest.fixture(scope="session")
def _first_base_sequences():
    from coach.sessions import corrections

    return corrections.base_sequences()[:QUICK_BASE_ANSWERS]


QUICK_BASE_ANSWERS = 200
"""The personal-model tests check how corrections are kept, used and forgotten, not how
good the model is (scripts/eval_personal.py measures that): they train on this many of the
shipped model's training answers instead of all of them (minutes each, and growing)."""


@pytest.fixture
def quick_personal_base(monkeypatch, _first_base_sequences):
    from coach.sessions import corrections

    monkeypatch.setattr(corrections, "base_sequences", lambda: list(_first_base_sequences))
    return _first_base_sequences


def run_cli(*args: str, env: dict | None = None, stdin: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m coach ARGS`` as a user would, capturing output. For what only a new
    process shows (start-up cost, real devices, another user); otherwise use ``invoke``."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "coach", *args], capture_output=True,
                          text=True, env=full_env, input=stdin, timeout=timeout, cwd=ROOT)


@dataclass(frozen=True)
class Invocation:
    """A command's exit code and output: the fields of ``subprocess.CompletedProcess``
    the tests read, so a check works on either."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def invoke(*args: str, env: dict | None = None, stdin: str | None = None) -> Invocation:
    """Run ``coach ARGS`` in this process, through ``coach.cli.app.main`` like the
    ``coach`` script and ``python -m coach``: the same parsing, the same one-line error
    messages and exit codes (main maps typed errors and Click's usage errors and always
    ends in sys.exit). Typer's CliRunner supplies stdin and captures stdout and stderr
    (``env`` is set for the call only). An exception main lets through is a bug: it
    propagates, and what the command printed so far goes to the test's captured stderr.

    Output is what a pipe would get: 80 columns unless ``env`` sets COLUMNS, and no
    colour codes (the consoles pick colours once, when first imported). Usage messages
    name the program ``python -m coach``, as in a subprocess. One difference: an answer
    read from ``stdin`` at a prompt is echoed to stdout, as a terminal would show it."""
    import types

    from typer.testing import CliRunner

    from coach.cli import console
    from coach.cli.app import main

    env = {"COLUMNS": "80", **(env or {})}
    # Rich reads COLUMNS once, when a console is made (at first import): set the width
    # of this call's output here, so it does not depend on which test ran first.
    console.out.width = console.err.width = int(env["COLUMNS"])
    root = logging.getLogger()
    saved = (sys.argv, sys.excepthook, root.handlers[:], root.level, sys.modules["__main__"])
    # Click names the program from sys.argv[0] and __main__.__package__.
    as_module = types.ModuleType("__main__")
    as_module.__package__ = "coach"
    code: object = None
    failure: BaseException | None = None
    with CliRunner().isolation(input=stdin, env=env) as streams:
        sys.argv = [str(ROOT / "coach" / "__main__.py"), *args]
        sys.modules["__main__"] = as_module
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        except BaseException as exc:  # re-raised below, after the output is restored
            failure = exc
        else:
            failure = AssertionError("coach's main() returned instead of exiting")
        finally:
            # The root callback calls logging.basicConfig and Typer sets sys.excepthook:
            # put everything back, so nothing outlives the captured streams.
            sys.argv, sys.excepthook = saved[0], saved[1]
            root.handlers[:] = saved[2]
            root.setLevel(saved[3])
            sys.modules["__main__"] = saved[4]
            sys.stdout.flush()
            sys.stderr.flush()
        out, err = (_ANSI.sub("", s.getvalue().decode("utf-8", "replace")) for s in streams[:2])
    if failure is not None:
        sys.stderr.write(f"coach {' '.join(args)} printed:\n{out}\n{err}")
        raise failure
    if code is None:
        code = 0
    if not isinstance(code, int):  # sys.exit("message"): Python prints it and exits 1
        err, code = err + f"{code}\n", 1
    return Invocation(tuple(args), code, out, err)


@pytest.fixture
def use_transcriber(monkeypatch):
    """``use_transcriber(t)``: every command run by ``invoke`` in this test recognises
    speech with ``t`` (a fake, or the session's loaded model) instead of loading Whisper.
    ``use_transcriber.vocabularies`` lists the vocabulary the commands asked for, per call."""
    import coach.cli.app

    vocabularies: list[tuple[str, ...]] = []

    def make(model=None, vocabulary=()):
        vocabularies.append(tuple(vocabulary))
        return current[0]

    current: list = []

    def install(transcriber):
        current[:] = [transcriber]
        monkeypatch.setattr(coach.cli.app, "make_transcriber", make)
        return transcriber

    install.vocabularies = vocabularies
    return install


def one_line_error(p, code: int, needle: str) -> None:
    """The command failed with exit ``code`` and a single ``coach: ...`` line on stderr
    that contains ``needle``; no traceback."""
    assert p.returncode == code, (p.returncode, p.stdout, p.stderr)
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("coach: ") and needle in lines[0], p.stderr
    assert "Traceback" not in p.stderr


DEVICE_ANSWER = ("When my cache change took down search, I rolled it back within ten "
                 "minutes and then added a canary stage to the release.")
"""The answer the device tests play into the virtual microphone (tests/test_devices.py);
tests/data/audio/busy_core_answer.wav is it, as recorded in a CI run."""


def wer(reference: str, hypothesis: str) -> float:
    import re

    import jiwer

    def norm(s: str) -> str:
        s = s.lower().replace("-", " ")
        return re.sub(r"[^a-z0-9' ]+", " ", s)

    return jiwer.wer(norm(reference), norm(hypothesis))


def pulse_available() -> bool:
    return os.environ.get("COACH_TEST_PULSE") == "1"


needs_pulse = pytest.mark.skipif(
    not pulse_available(),
    reason="needs the virtual PulseAudio device that scripts/test starts")
