"""Train the STAR segmenter (a linear-chain CRF) on every labelled batch.

    .venv/bin/python scripts/train_segmenter.py [--cv]

Writes models/star_segmenter.crfsuite (deterministic: same data, same file). --cv first
prints the leave-one-batch-out figures (each batch scored by a model trained on the others).
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.eval.segmenter import (  # noqa: E402
    cross_validate,
    format_scores,
    load_answers,
    to_sequence,
    train,
)

DATA = ROOT / "tests" / "data" / "star"
OUT = ROOT / "models" / "star_segmenter.crfsuite"


def batches() -> dict[str, list]:
    return {p.stem: load_answers(p) for p in sorted(DATA.glob("*.txt"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", action="store_true", help="print leave-one-batch-out figures")
    args = ap.parse_args()
    data = batches()
    if args.cv:
        with tempfile.TemporaryDirectory() as tmp:
            for name, scores in cross_validate(data, Path(tmp)).items():
                print(format_scores(f"held out {name}", scores, len(data[name])), end="\n\n")
    sequences = [to_sequence(a) for answers in data.values() for a in answers]
    train(sequences, OUT)
    print(f"trained on {len(sequences)} answers in {len(data)} batches -> "
          f"{OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
