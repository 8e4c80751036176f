"""Fit how the STAR model's probabilities are shifted to the answers people tell.

    .venv/bin/python scripts/fit_part_prior.py [--fit b117-b124] [--check b125-b132]

The shipped STAR model is trained on b1-b116 (models/README.md), so the batches after it
are answers it never saw. On the --fit batches (written and as heard), each weight for the
Action part in --grid is tried (the other parts keep 1.0; see
coach/analysis/part_prior.py), and the one under which Situation+Task is neither over-
nor under-counted on average (its mean signed error nearest zero: the budget is the first
figure the coach says, and an over-count makes it say "over" of answers that were not) is
written to models/star_part_prior.json. Printed for every weight: words right,
the Action share's and Situation+Task's mean error (signed); then the same on the --check
batches, never used for the fit, beside the model's own reading and beside each sentence
taking its most likely part with no weight (the decoding alone). Run it again after
retraining the STAR model: the weights name the model they were fitted for, and any other
reads its own way. About two minutes.
"""

import argparse
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.part_prior import FILE, PartPrior, model_fingerprint  # noqa: E402
from coach.analysis.report import PARTS, Part  # noqa: E402
from coach.analysis.segment import MODEL_FILE, load_model  # noqa: E402
from coach.eval.segmenter import Scores, batch_number, evaluate, load_batches  # noqa: E402
from coach.prompts import model_file  # noqa: E402

DATA = ROOT / "tests" / "data" / "star"
OUT = ROOT / "models" / FILE
GRID = tuple(round(0.3 + 0.05 * k, 2) for k in range(15))
"""Action weights tried: 0.3 to 1.0."""


def batch_range(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"b(\d+)-b(\d+)", text)
    if not m or int(m.group(1)) > int(m.group(2)):
        raise argparse.ArgumentTypeError(f"{text!r}: give batches as bFIRST-bLAST")
    return int(m.group(1)), int(m.group(2))


def prior_for(action_weight: float, fitted_on: str) -> PartPrior:
    """The weights for the shipped STAR model, which they are fitted for: a retrained model
    reads its own way until they are fitted again."""
    return PartPrior(tuple(action_weight if p is Part.action else 1.0 for p in PARTS),
                     fitted_on, model_fingerprint(model_file(MODEL_FILE)))


def line(name: str, s: Scores) -> str:
    mean = sum(s.share_errors) / len(s.share_errors) * 100
    st_mean = sum(s.st_errors_s) / len(s.st_errors_s)
    return (f"{name:>16}  words {s.accuracy:6.1%}  share off {s.share_mae * 100:5.2f} "
            f"({mean:+5.2f})  S+T off {s.st_mae_s:5.2f} s ({st_mean:+5.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fit", type=batch_range, default=(117, 124),
                    help="batches to fit on, never seen by the STAR model (default b117-b124)")
    ap.add_argument("--check", type=batch_range, default=None,
                    help="batches to check the fit on (default: every later one)")
    args = ap.parse_args()
    batches = load_batches(DATA)
    first, last = args.fit
    check_first, check_last = args.check or (last + 1, 10**6)
    if check_first <= last and check_last >= first:
        ap.error("the --check batches must not overlap the --fit batches")
    fit = [a for n, more in batches.items() if first <= batch_number(n) <= last for a in more]
    check = [a for n, more in batches.items() if check_first <= batch_number(n) <= check_last
             for a in more]
    if not fit:
        ap.error(f"no batches b{first}-b{last} in {DATA}")
    fitted_on = f"b{first}-b{last}, written and heard ({len(fit)} answers)"
    own = replace(load_model(), prior=None)
    print(f"fit on {fitted_on}:")
    print(line("model's own", evaluate(fit, model=own)))
    best: tuple[float, float] | None = None
    for w in GRID:
        scores = evaluate(fit, model=replace(own, prior=prior_for(w, fitted_on)))
        print(line(f"action x{w:.2f}", scores), flush=True)
        bias = abs(sum(scores.st_errors_s) / len(scores.st_errors_s))
        if best is None or bias < best[0]:
            best = (bias, w)
    assert best is not None
    prior = prior_for(best[1], fitted_on)
    if check:
        print(f"\ncheck on the {len(check)} answers of b{check_first}-"
              f"b{min(check_last, max(batch_number(n) for n in batches))}, not fitted on:")
        print(line("model's own", evaluate(check, model=own)))
        print(line("no weight", evaluate(check, model=replace(own, prior=prior_for(1.0, "")))))
        print(line(f"action x{best[1]:.2f}", evaluate(check, model=replace(own, prior=prior))))
    OUT.write_text(json.dumps(prior.to_dict(), indent=1) + "\n", encoding="utf-8")
    print(f"-> {OUT.relative_to(ROOT)}: {prior.to_dict()}")


if __name__ == "__main__":
    main()
