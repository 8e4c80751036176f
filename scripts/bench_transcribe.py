"""Benchmark: real-time factor and peak memory of the default model on a ~100 s answer.

    .venv/bin/python scripts/bench_transcribe.py [--model DIR] [--voice neural|system]

The answer is synthesized offline (Piper by default), then transcribed once to warm up
and once measured. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.audio.pcm import load_audio, write_wav  # noqa: E402
from coach.speech.whisper import TranscribeOptions, WhisperTranscriber  # noqa: E402

SENTENCES = [
    "Two years ago I was the tech lead for the checkout service at an online retailer.",
    "We handled about forty thousand orders a day, and I owned the database layer.",
    "I decided to switch our connection pool to a new library to cut latency.",
    "I tested it in staging, but I did not test it under peak load.",
    "On a Friday evening the pool exhausted its connections and checkout failed.",
    "My task was to stop the bleeding and then make sure it could never happen again.",
    "First I declared an incident and alerted the on call team and our product manager.",
    "I posted status updates every thirty minutes in the incident channel.",
    "I analyzed the logs and saw connection wait times climbing right after my deploy.",
    "I rolled the change back, which restored checkout within twelve minutes.",
    "Then I reproduced the failure in staging with a load test at twice our peak traffic.",
    "The root cause was a default timeout in the new library that I had not overridden.",
    "I wrote a fix, added a load test to the release pipeline, and redeployed on Monday.",
    "I also added an alert on connection pool saturation so we would see it coming.",
    "I wrote the postmortem and walked two other teams through it.",
    "As a result, we lost about eight thousand dollars in orders instead of a whole evening.",
    "Since then the load test has caught two similar problems before they reached customers.",
    "What I learned is that a change to shared infrastructure needs a test at real load.",
]


def synthesize(voice_name: str, path: str) -> None:
    """Runs in a child process so the voice's memory does not count in the figures."""
    from coach.audio.voices import make_voice

    voice = make_voice(voice_name)
    gap = np.zeros(int(1.0 * 16000), np.int16)
    write_wav(Path(path), np.concatenate([x for s in SENTENCES
                                          for x in (voice.synthesize(s), gap)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--voice", default="neural", choices=["neural", "system"])
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wav = str(Path(tmp) / "answer.wav")
        child = multiprocessing.get_context("spawn").Process(target=synthesize,
                                                              args=(args.voice, wav))
        child.start()
        child.join()
        audio = load_audio(Path(wav))
    audio_s = audio.size / 16000

    t0 = time.perf_counter()
    tr = WhisperTranscriber(TranscribeOptions(model_path=args.model))
    tr.load()
    load_s = time.perf_counter() - t0
    tr.transcribe(audio[: 16000 * 10])  # warm-up
    t0 = time.perf_counter()
    out = tr.transcribe(audio)
    took = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model            {tr.model_name}")
    print(f"audio            {audio_s:.1f} s ({args.voice} voice)")
    print(f"model load       {load_s:.2f} s")
    print(f"transcription    {took:.2f} s")
    print(f"real-time factor {took / audio_s:.3f}x")
    print(f"peak memory      {peak_mb:.0f} MB (transcribing process)")
    print(f"words            {len(out.words)}")


if __name__ == "__main__":
    main()
