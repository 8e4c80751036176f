"""Does the segmenter learn a person's way of telling a story from their corrections?

    .venv/bin/python scripts/eval_personal.py [--corrections 3]

Each labelled batch stands for one speaker (one writer's answers). For each batch: a base
model trained on the other batches only; a personal model trained on the same data plus the
batch's first N answers (the person's corrections, counted as coach relabel counts them);
both then label the batch's remaining answers. Prints word accuracy and Action-share error
before and after, per batch and overall.
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.eval.segmenter import (  # noqa: E402
    Scores,
    evaluate,
    heard,
    load_batches,
    merged,
    to_sequence,
    train,
)
from coach.sessions.corrections import PERSONAL_WEIGHT  # noqa: E402

DATA = ROOT / "tests" / "data" / "star"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corrections", type=int, default=3, help="answers the person corrects")
    args = ap.parse_args()
    k = args.corrections
    batches = {name: [a for a in answers if not heard(a)]
               for name, answers in load_batches(DATA).items()}
    seqs = {name: [to_sequence(a) for a in answers] for name, answers in batches.items()}
    totals: dict[str, list[Scores]] = {"base": [], "personal": []}
    with tempfile.TemporaryDirectory() as tmp:
        for name, answers in batches.items():
            if len(answers) < k + 5:
                continue
            others = [s for other, ss in seqs.items() if other != name for s in ss]
            base, personal = Path(tmp) / "base.crfsuite", Path(tmp) / "personal.crfsuite"
            train(others, base)
            train(others + seqs[name][:k] * PERSONAL_WEIGHT, personal)
            rest = answers[k:]
            b, p = evaluate(rest, base), evaluate(rest, personal)
            print(f"  {name:8s} {len(rest):3d} later answers: accuracy {b.accuracy:6.1%} -> "
                  f"{p.accuracy:6.1%}, action share error {b.share_mae * 100:4.1f} -> "
                  f"{p.share_mae * 100:4.1f} pts")
            totals["base"].append(b)
            totals["personal"].append(p)
    b, p = merged(totals["base"]), merged(totals["personal"])
    print(f"all: after {k} corrected answers, accuracy {b.accuracy:.1%} -> {p.accuracy:.1%}, "
          f"action share error {b.share_mae * 100:.1f} -> {p.share_mae * 100:.1f} pts, "
          f"Situation+Task error {b.st_mae_s:.1f} -> {p.st_mae_s:.1f} s")


if __name__ == "__main__":
    main()
