"""Evaluate the STAR segmenter on the team's labelled answers.

    .venv/bin/python scripts/eval_segmenter.py [--errors]

Prints word-level accuracy, per-part precision/recall/F1 and a confusion matrix for the
development set, the held-out set, and both. --errors lists mislabelled sentences.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.segment_eval import evaluate, format_scores, load_answers, predict_word_labels  # noqa: E402

DATA = ROOT / "tests" / "data" / "star"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true",
                    help="show mislabelled lines of the development set (never the held-out)")
    args = ap.parse_args()
    sets = {name: load_answers(DATA / f"{name}.txt") for name in ("dev", "holdout")}
    for name, answers in sets.items():
        print(format_scores(name, evaluate(answers), len(answers)), end="\n\n")
    both = sets["dev"] + sets["holdout"]
    print(format_scores("all", evaluate(both), len(both)))
    if args.errors:
        for a in sets["dev"]:
            pred = predict_word_labels(a)
            i = 0
            for part, text in a.lines:
                n = len(text.split())
                got = max(set(pred[i:i + n]), key=pred[i:i + n].count)
                if got != part:
                    print(f"{a.id}: gold {part}, got {got}: {text[:90]}")
                i += n


if __name__ == "__main__":
    main()
