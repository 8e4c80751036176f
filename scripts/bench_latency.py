"""Benchmark: how fast the coach answers after the last word, streaming versus batch.

    ./scripts/bench_latency.sh [--runs N]

(which starts a private PulseAudio with a null sink "vsink" whose monitor is the default
source, then runs this file). A two-minute answer is synthesized and
played in real time into the virtual microphone while `coach practice` records it. Measured
from the end of the last word:
  (a) until report.json is written;
  (b) until the first audible sample of spoken feedback on the virtual speaker, minus the
      silence timeout that ends the recording (time no system can save).
Streaming and batch run in the same invocation; both are printed with their ratio, and the
peak memory of each coach process. Targets: (b) <= 1.5 s, peak <= 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from loopback import Capture, first_sound, play  # noqa: E402

SILENCE_S = 3.0


def two_minute_answer():
    from star_fixtures import FIXTURES, build

    parts = FIXTURES["long_opening"][:1] + [
        ("task", FIXTURES["long_opening"][1][1]),
        ("action", FIXTURES["balanced"][2][1] + FIXTURES["long_opening"][2][1]),
        ("result", FIXTURES["balanced"][3][1]),
    ]
    return build(parts, lead_s=0.5, tail_s=0.3)


def run_once(mode: str, answer) -> dict:
    sessions = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    env = {**os.environ, "COACH_SESSIONS_DIR": str(sessions)}
    capture = Capture()
    proc = subprocess.Popen(
        [sys.executable, "-m", "coach", "-v", "practice", "-q", "fr-incident", "--no-follow-up",
         "--voice", "system", "--transcribe", mode, "--silence-s", str(SILENCE_S)],
        cwd=ROOT, env=env, text=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    live = threading.Event()
    log_lines: list[str] = []

    def drain() -> None:  # keep reading, or the coach blocks on a full pipe
        assert proc.stderr is not None  # stderr=PIPE
        for line in proc.stderr:
            log_lines.append(line)
            if "microphone is delivering audio" in line:
                live.set()

    threading.Thread(target=drain, daemon=True).start()
    if not live.wait(30):
        proc.kill()
        raise SystemExit("coach never opened the microphone:\n" + "".join(log_lines))
    tail_s = answer.audio.size / 16000 - answer.spans[-1][2]
    play(answer.audio)
    end_wall = time.time()
    end_mark = capture.mark()
    last_word_wall = end_wall - tail_s
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    time.sleep(0.3)
    audio = capture.stop()
    if proc.returncode != 0:
        raise SystemExit(f"coach failed ({mode}):\n" + "".join(log_lines[-20:]))
    (session,) = list(sessions.iterdir())
    report_ready = (session / "report.json").stat().st_mtime - last_word_wall
    start = first_sound(audio, end_mark + int(0.5 * 16000))
    first_audio = (start - end_mark) / 16000 + tail_s if start is not None else float("nan")
    report = json.loads((session / "report.json").read_text())
    return {
        "mode": mode,
        "report_s": report_ready,
        "speech_s": first_audio - SILENCE_S,
        "peak_mb": usage.ru_maxrss / 1024,
        "answer_s": report["timing"]["total_s"],
        "exit": proc.returncode,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    answer = two_minute_answer()
    print(f"answer: {answer.audio.size / 16000:.0f} s of speech audio, "
          f"silence timeout {SILENCE_S:.0f} s, {os.cpu_count()} cores")
    results: dict[str, list[dict]] = {"stream": [], "batch": []}
    for _ in range(args.runs):
        for mode in ("stream", "batch"):
            results[mode].append(run_once(mode, answer))
    print(f"{'':28}{'stream':>10}{'batch':>10}{'ratio':>8}")
    for key, label in (("report_s", "(a) last word -> report"),
                       ("speech_s", "(b) last word -> speech - 3 s"),
                       ("peak_mb", "peak memory (MB)")):
        s = float(np.median([r[key] for r in results["stream"]]))
        b = float(np.median([r[key] for r in results["batch"]]))
        print(f"{label:28}{s:10.2f}{b:10.2f}{s / b:8.2f}")
    codes = {r["exit"] for rs in results.values() for r in rs}
    print(f"exit codes: {sorted(codes)}; targets: (b) <= 1.5 s, peak <= 500 MB")


if __name__ == "__main__":
    main()
