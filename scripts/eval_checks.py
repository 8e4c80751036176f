"""Evaluate the rubric checks against hand labels.

    .venv/bin/python scripts/eval_checks.py [--errors]

For the six checks whose agreement with people is the target (at least 85%), prints the
share of hand-labelled answers (tests/data/checks/labelled.txt, answers from
tests/data/star/) on which the coach agrees. --errors lists the disagreements.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.eval.checks import evaluate, format_scores, load_labels  # noqa: E402
from coach.eval.segmenter import load_answers  # noqa: E402

DATA = ROOT / "tests" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list the disagreements")
    args = ap.parse_args()
    answers = {a.id: a for name in ("dev", "holdout")
               for a in load_answers(DATA / "star" / f"{name}.txt")}
    scores = evaluate(answers, load_labels(DATA / "checks" / "labelled.txt"))
    print(format_scores(scores))
    if args.errors:
        for d in scores.disagreements:
            print(f"{d.answer_id}: {d.check_id} labelled {d.labelled}, found {d.found}")


if __name__ == "__main__":
    main()
