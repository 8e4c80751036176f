"""Evaluate filler detection on answers synthesized with fillers at known times.

    .venv/bin/python scripts/eval_fillers.py

Prints filler precision and recall with the filler search (the default: the stretches
where the plain words left room for an "um", decoded again with a filler-bearing prompt;
see coach/speech/gaps.py) and with Whisper's default clean-up, and the word error rate of
the non-filler words for both (targets: precision and recall at least 80%; WER no more
than one point worse). scripts/eval_asr.py measures the same across voices and noise.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import jiwer  # noqa: E402
from filler_fixtures import ANSWERS, build_filler_answer  # noqa: E402

from coach.eval.fillers import FillerScore, score, without_fillers  # noqa: E402
from coach.speech.whisper import TranscribeOptions, WhisperTranscriber  # noqa: E402


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9' ]+", " ", s.lower().replace("-", " "))).strip()


def evaluate() -> dict:
    answers = [build_filler_answer(pieces) for pieces in ANSWERS]
    out = {}
    for name, keep in (("with filler prompt", True), ("Whisper default", False)):
        tr = WhisperTranscriber(TranscribeOptions(keep_fillers=keep))
        total = FillerScore(0, 0, 0)
        refs, hyps = [], []
        for a in answers:
            words = list(tr.transcribe(a.audio).words)
            total = total + score(words, a.fillers)
            refs.append(norm(a.reference))
            hyps.append(norm(without_fillers(words)))
        out[name] = (total, jiwer.wer(refs, hyps))
    return out


def main() -> None:
    results = evaluate()
    print(f"{'':22}{'precision':>10}{'recall':>8}{'WER (no fillers)':>18}")
    for name, (s, wer) in results.items():
        print(f"{name:22}{s.precision * 100:9.1f}%{s.recall * 100:7.1f}%{wer * 100:17.1f}%")
    s, _ = results["with filler prompt"]
    print(f"fillers said: {s.said}, detected: {s.detected}, matched: {s.true_positives}")


if __name__ == "__main__":
    main()
