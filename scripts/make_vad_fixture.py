"""Regenerate tests/data/vad_answer.decisions: webrtcvad's per-frame decisions on a
synthesized answer (0.8 s lead-in, two sentences with a 1.5 s thinking pause between,
then 4 s of silence). The endpointing tests replay these stored decisions."""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from coach.audio.vad import classify_frames  # noqa: E402
from coach.audio.voices import NeuralVoice  # noqa: E402


def main() -> None:
    # No options; --help explains and stops instead of overwriting the stored decisions.
    argparse.ArgumentParser(description=__doc__).parse_args()
    voice = NeuralVoice()
    gap = lambda s: np.zeros(int(s * 16000), np.int16)  # noqa: E731
    audio = np.concatenate([
        gap(0.8), voice.synthesize("I rolled back the config change within ten minutes."),
        gap(1.5), voice.synthesize("Then I added a validation step to the deploy pipeline."),
        gap(4.0),
    ])
    bits = "".join("1" if d else "0" for d in classify_frames(audio))
    out = Path(__file__).resolve().parent.parent / "tests" / "data" / "vad_answer.decisions"
    out.write_text(bits + "\n")
    print(f"{len(bits)} frames, {bits.count('1')} voiced -> {out}")


if __name__ == "__main__":
    main()
