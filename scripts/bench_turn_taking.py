"""Benchmark: when does the coach take its turn? Smart end-of-turn detection against fixed
silence, on answers with thinking pauses at known places.

    nice -n 10 .venv/bin/python scripts/bench_turn_taking.py [--answers N] [--voices ...]

Each answer of tests/turn_fixtures.py (22, varied jobs, pauses of 2-5 s after the
Situation, between Action steps, after "so what I did was" and after an "um") is
synthesized now, sentence by sentence, in one of several voices (espeak-ng variants and
Piper), and served as a live microphone to the real practice pipeline: recorder, streaming
Whisper tiny.en, the end-of-turn judge, the report and the spoken feedback's first
sentence (espeak-ng through the system voice).

Time is simulated honestly. The microphone serves 30 ms frames on a simulated clock and,
before each, waits for the recogniser to finish what it was given; each recogniser call's
real duration is measured and its result (and the judge's verdict, whose time is measured
too) only reaches the recorder that many frames later on the simulated clock, with the
calls queued one after another as in the app's single worker. After the recording ends,
everything else (the last transcription if the early one was not valid, the analysis, the
session files, synthesizing the first sentence of feedback) runs for real and its wall
time is added. Not included: the sound card's output latency (~0.1-0.3 s; see
scripts/bench_latency.sh for a measurement on a virtual device).

Printed per mode: median and worst time from the end of the last word to the first
synthesized feedback audio, and how many answers were cut at a thinking pause.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from asr_fixtures import VOICES, EvalVoice, missing, speaker  # noqa: E402
from star_fixtures import trimmed  # noqa: E402
from turn_fixtures import ANSWERS, TurnAnswer, speak_answer  # noqa: E402

from coach.audio.pcm import FRAME_MS, FRAME_SAMPLES  # noqa: E402
from coach.audio.record import FileMicrophone, Recording  # noqa: E402
from coach.audio.turn import (  # noqa: E402
    FIXED_SILENCE_S,
    SMART_SILENCE_S,
    TurnOptions,
    TurnTaking,
    Verdict,
    VerdictBox,
)
from coach.audio.vad import EndpointOptions  # noqa: E402
from coach.errors import NoSpeechError  # noqa: E402
from coach.prompts import get_question  # noqa: E402
from coach.sessions.files import SessionKind  # noqa: E402
from coach.speech.transcript import Transcriber, Transcript  # noqa: E402

FRAME_S = FRAME_MS / 1000
DEFAULT_VOICES = ("espeak en-gb+f3", "espeak en-us+m3", "espeak en-gb-scotland+m2",
                  "espeak en-us+f4", "piper joe (default noise)")


class Clock:
    """Frames served so far: the simulated time."""

    def __init__(self) -> None:
        self.frames = 0


class SimTranscriber:
    """The real recogniser, its calls timed and placed on the simulated clock one after
    another (the app's single worker)."""

    def __init__(self, real: Transcriber, clock: Clock):
        self.real = real
        self.clock = clock
        self.model_name = real.model_name
        self.busy_until = 0
        self.last_finish = 0
        self.last_return = 0.0
        self.calls: list[tuple[float, float]] = []
        """(seconds of audio, seconds it took) per call."""

    def load(self) -> None:
        self.real.load()

    def transcribe(self, samples: np.ndarray, offset_s: float = 0.0,
                   prompt: str | None = None, on_words=None) -> Transcript:
        start = max(self.clock.frames, self.busy_until)
        t0 = time.perf_counter()

        def returned() -> None:  # what the call has given so far reaches the clock now
            self.last_return = time.perf_counter()
            self.last_finish = start + math.ceil((self.last_return - t0) / FRAME_S)

        def early_words(words) -> bool | None:
            returned()
            return on_words(words)  # False: the caller wants no filler search

        try:
            return self.real.transcribe(samples, offset_s=offset_s, prompt=prompt,
                                        on_words=early_words if on_words else None)
        finally:
            returned()
            self.calls.append((samples.size / 16000, self.last_return - t0))
            self.busy_until = self.last_finish


class DelayedBox(VerdictBox):
    """Verdicts reach the recorder when the simulated clock has caught up with them."""

    def __init__(self, clock: Clock, transcriber: SimTranscriber):
        super().__init__()
        self.clock = clock
        self.transcriber = transcriber
        self.pending: list[tuple[int, Verdict]] = []
        self.delays_s: list[float] = []

    def post(self, verdict: Verdict) -> None:
        judging = time.perf_counter() - self.transcriber.last_return
        release = self.transcriber.last_finish + math.ceil(judging / FRAME_S)
        self.pending.append((release, verdict))

    def take(self) -> list[Verdict]:
        ready = [v for r, v in self.pending if r <= self.clock.frames]
        self.pending = [(r, v) for r, v in self.pending if r > self.clock.frames]
        return ready


class SimMicrophone(FileMicrophone):
    """A recording served one frame at a time on the simulated clock; the recogniser's
    work is finished (in wall time) before each frame, its cost counted on the clock."""

    def __init__(self, samples: np.ndarray, clock: Clock):
        super().__init__(samples, block=FRAME_SAMPLES)
        self.clock = clock
        self.chunker = None

    def read(self, timeout_s: float) -> np.ndarray | None:
        if self.chunker is not None:
            self.chunker.settle(120)
        block = super().read(timeout_s)
        self.clock.frames += 1
        return block


class TimingSpeaker:
    """Plays nothing; notes when the first feedback audio was ready to play."""

    def __init__(self) -> None:
        self.first: float | None = None

    def play(self, samples: np.ndarray) -> None:
        if self.first is None:
            self.first = time.perf_counter()


class QuietUI:
    def __init__(self) -> None:
        self.stopped_at: float | None = None
        self.frames_at_stop = 0
        self.clock: Clock | None = None
        self.sounded_finished = 0

    def question(self, question) -> None: ...
    def warn(self, message: str) -> None:
        print(f"    warning: {message}")
    def listening(self, reply: bool = False) -> None: ...
    def status(self, status) -> None:
        self.sounded_finished += status.sounds_finished
    def stopped(self, recording: Recording | None) -> None:
        self.stopped_at = time.perf_counter()
        self.frames_at_stop = self.clock.frames if self.clock else 0
    def confirm_partial(self) -> bool:
        return True

    @contextmanager
    def busy(self, message: str):
        yield

    def report(self, report, session) -> None: ...
    def follow_up(self, question: str) -> None: ...
    def reply(self, report) -> None: ...


@dataclass(frozen=True)
class Outcome:
    answer: str
    voice: str
    mode: str
    latency_s: float | None
    """Last word -> first feedback audio; None when the answer was cut."""
    cut_at: str | None
    """The kind of thinking pause where the answer was cut."""
    decide_s: float
    """Last word -> end of the recording (simulated)."""
    after_s: float
    """End of the recording -> first feedback audio (wall)."""
    early_used: bool
    longest_call: tuple[float, float]
    """The slowest recogniser call: (seconds of audio, seconds it took)."""
    last_verdict: str
    """What the judge said at the final pause (smart mode)."""
    busy_s: float
    """The recogniser's time over all calls (the work done while the person speaks)."""
    spoken_s: float
    """The answer's length."""


def run_one(answer: TurnAnswer, voice: EvalVoice, mode: TurnTaking, real: Transcriber,
            spoken, sessions: Path, turn: TurnOptions) -> Outcome:
    from coach.audio.voices import SystemVoice
    from coach.practice.run import Mouth, PracticeRun, PracticeSettings
    from coach.sessions.store import SessionStore

    clock = Clock()
    transcriber = SimTranscriber(real, clock)
    mic = SimMicrophone(spoken.audio, clock)
    ui = QuietUI()
    ui.clock = clock
    speaker = TimingSpeaker()
    mouth = Mouth(SystemVoice(), speaker, ui)
    box_holder: list[DelayedBox] = []
    judges: list = []

    class BenchRun(PracticeRun):
        def _listener(self, settings, turn_mode, endpoint):
            listener = super()._listener(settings, turn_mode, endpoint)
            mic.chunker = listener.chunker
            judges.append(listener.judge)
            return listener

        def _verdict_box(self) -> VerdictBox:
            box_holder.append(DelayedBox(clock, transcriber))
            return box_holder[-1]

    silence_s = SMART_SILENCE_S if mode is TurnTaking.smart else FIXED_SILENCE_S
    settings = PracticeSettings(
        EndpointOptions(silence_ms=int(silence_s * 1000), no_speech_timeout_s=60),
        end_on_silence=True, input_name="bench", output_name="bench", voice="system",
        turn_taking=mode, turn=turn)
    run = BenchRun(SessionStore(sessions), transcriber, mouth, ui)
    question = get_question("fr-incident")
    captured = run.capture(question, mic, settings, SessionKind.practice)
    assert captured is not None
    _, _, report, _ = captured
    mouth.say(report.feedback.spoken)
    end_s = ui.frames_at_stop * FRAME_S
    backlog_s = max(0, transcriber.busy_until - ui.frames_at_stop) * FRAME_S
    after_s = (speaker.first or time.perf_counter()) - (ui.stopped_at or 0.0)
    cut = next((kind for kind, start, stop in spoken.pauses if start <= end_s <= stop + 0.5),
               None)
    if end_s < spoken.last_word_end_s:
        cut = cut or "speech"
    decide_s = end_s - spoken.last_word_end_s
    latency = None if cut else decide_s + backlog_s + after_s
    early = mic.chunker.early_used if mic.chunker is not None else False
    longest = max(transcriber.calls, key=lambda c: c[1], default=(0.0, 0.0))
    judge = judges[0] if judges else None
    final = "-"
    if judge is not None and judge.judged:
        j = judge.judged[-1]
        kind = "finished" if j.verdict.finished else "maybe" if j.verdict.maybe else \
            "goes on"
        veto = " (pitch rose)" if j.phrase.rises else ""
        final = f"p={j.text_probability:.2f} {kind}{veto}"
    busy = sum(took for _, took in transcriber.calls)
    return Outcome(answer.name, voice.name, mode.value, latency, cut, decide_s, after_s,
                   early, longest, final, busy, spoken.last_word_end_s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--answers", type=int, default=len(ANSWERS))
    ap.add_argument("--voices", nargs="*", default=list(DEFAULT_VOICES))
    ap.add_argument("--modes", nargs="*", default=["smart", "fixed"])
    defaults = TurnOptions()
    ap.add_argument("--judge-pause-ms", type=int, default=defaults.judge_pause_ms,
                    help="the pause at which the answer so far is judged (default %(default)s)")
    ap.add_argument("--grace-ms", type=int, default=defaults.grace_ms,
                    help="listening on after 'sounds finished' (default %(default)s)")
    args = ap.parse_args()
    turn = TurnOptions(judge_pause_ms=args.judge_pause_ms, grace_ms=args.grace_ms)
    from coach.speech.whisper import WhisperTranscriber

    voices = [v for v in VOICES if v.name in args.voices]
    usable = [v for v in voices if missing(v) is None]
    for v in voices:
        if v not in usable:
            print(f"skipping {v.name}: {missing(v)}")
    real = WhisperTranscriber()
    real.load()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="coach-turn-bench-") as tmp:
        for k, answer in enumerate(ANSWERS[:args.answers]):
            voice = usable[k % len(usable)]
            spoken = speak_answer(answer, speaker(voice), trimmed)
            for mode in args.modes:
                try:
                    o = run_one(answer, voice, TurnTaking(mode), real, spoken, Path(tmp), turn)
                except NoSpeechError as exc:
                    print(f"  {answer.name} / {mode}: {exc}")
                    continue
                outcomes.append(o)
                what = f"cut at the {o.cut_at} pause" if o.cut_at else \
                    f"feedback {o.latency_s:.2f} s after the last word"
                print(f"  {answer.name:22} {voice.name:26} {mode:6} {what} (ended "
                      f"{o.decide_s:+.2f} s, then {o.after_s:.2f} s; early transcript "
                      f"{'used' if o.early_used else 'not used'}; slowest recogniser call "
                      f"{o.longest_call[1]:.2f} s for {o.longest_call[0]:.0f} s of audio; "
                      f"last verdict {o.last_verdict})", flush=True)
    n_pauses = sum(len(TurnAnswer.segments(a)) - 1 for a in ANSWERS[:args.answers])
    print(f"\n{len({o.answer for o in outcomes})} answers, {n_pauses} thinking pauses of 2-5 s, "
          f"voices: {', '.join(v.name for v in usable)}")
    print(f"{'mode':8}{'median s':>10}{'worst s':>10}{'cut':>8}  (last word -> first "
          "feedback audio, answers not cut)")
    for mode in args.modes:
        mine = [o for o in outcomes if o.mode == mode]
        kept = [o.latency_s for o in mine if o.latency_s is not None]
        cut = [o for o in mine if o.cut_at]
        med = statistics.median(kept) if kept else float("nan")
        worst = max(kept) if kept else float("nan")
        limit = SMART_SILENCE_S if mode == "smart" else FIXED_SILENCE_S
        busy = sum(o.busy_s for o in mine) / max(sum(o.spoken_s for o in mine), 1e-9)
        print(f"{mode:8}{med:10.2f}{worst:10.2f}{len(cut):5d}/{len(mine)}  "
              f"(silence limit {limit:g} s; recogniser busy {busy:.2f} s per second "
              "of answer)")
        if cut:
            kinds: dict[str, int] = {}
            for o in cut:
                kinds[o.cut_at or "?"] = kinds.get(o.cut_at or "?", 0) + 1
            print("        cut at: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    print(f"judged at a {turn.judge_pause_ms} ms pause, {turn.grace_ms} ms grace")
    print("targets (smart): none cut; median <= 1.5 s")


if __name__ == "__main__":
    main()
