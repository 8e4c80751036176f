"""Fit how wide the report's likely ranges must be to hold the truth on unseen answers.

    .venv/bin/python scripts/calibrate_timing.py [--folds N] [--coverage 0.8]

The answers built on real ones (the batches with a sources list in
tests/data/star/sources/, written and as heard) are dealt into N folds of whole batches
(default 3); each fold is segmented by a clause model and a STAR model trained on every
other batch (the other folds and all the team's own batches), and its Situation+Task
seconds and Action share ranges, before widening, are kept beside the truth. The widening
of coach/analysis/timing_ranges.py is fitted on them all and written to
models/timing_ranges.json. Printed: how often the segmenter's own ranges held the truth,
how often the widened ones do, and, as an honest check of the fit itself, each fold's
figure when the widening is fitted on the other folds only. About ten minutes a fold on two
cores.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.timing_ranges import (  # noqa: E402
    FILE,
    RangeCalibration,
    RawRange,
    fit_widening,
    held,
)
from coach.eval.segmenter import (  # noqa: E402
    evaluate,
    fold_of,
    held_out_model,
    load_batches,
    real_shaped,
    to_sequence,
    train,
)

DATA = ROOT / "tests" / "data" / "star"
OUT = ROOT / "models" / FILE
ST_FLOORS = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3)
"""Floors tried for Situation+Task: seconds per labelled second of the answer."""
SHARE_FLOORS = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15)
"""Floors tried for the Action share: a share of the answer, per labelled share."""


def fit(raw: list[tuple[RawRange, RawRange]], coverage: float) -> RangeCalibration:
    return RangeCalibration(fit_widening([r for r, _ in raw], ST_FLOORS, coverage),
                            fit_widening([r for _, r in raw], SHARE_FLOORS, coverage),
                            coverage)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folds", type=int, default=3, help="folds of whole batches (default 3)")
    ap.add_argument("--coverage", type=float, default=0.8,
                    help="share of unseen answers the ranges should hold (default 0.8)")
    args = ap.parse_args()
    if args.folds < 2 or not 0.5 <= args.coverage < 1.0:
        ap.error("--folds needs at least 2, --coverage 0.5 to 0.99")
    batches = load_batches(DATA)
    held_batches = sorted(real_shaped(DATA) & set(batches))
    if len(held_batches) < args.folds:
        ap.error(f"only {len(held_batches)} batches have sources in {DATA / 'sources'}")
    folds: dict[int, list[str]] = {}
    for name in held_batches:
        folds.setdefault(fold_of(name, args.folds), []).append(name)
    raw: dict[int, list[tuple[RawRange, RawRange]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for key, names in sorted(folds.items()):
            rest = [a for other, more in batches.items() if other not in names for a in more]
            model = held_out_model(rest, Path(tmp) / f"clauses-{key}.crfsuite")
            path = Path(tmp) / f"star-{key}.crfsuite"
            train([to_sequence(a, model) for a in rest], path)
            scores = evaluate([a for n in names for a in batches[n]], path, model)
            raw[key] = scores.raw_ranges
            print(f"fold {key} ({', '.join(names)}): {len(scores.raw_ranges)} answers",
                  flush=True)
    everything = [r for more in raw.values() for r in more]
    print(f"\n{len(everything)} answers built on real ones, each segmented by models that "
          "had not seen its batch:")
    own = RangeCalibration()
    for key, more in sorted(raw.items()):
        others = fit([r for k, m in raw.items() if k != key for r in m], args.coverage)
        st_in, st_w = held([r for r, _ in more], others.situation_task)
        sh_in, sh_w = held([r for _, r in more], others.action_share)
        print(f"  fold {key}, widening fitted on the other folds: Situation+Task held "
              f"{st_in:.0%} (width {st_w:.1f} s), Action share {sh_in:.0%} "
              f"(width {sh_w * 100:.1f} points)")
    calibration = fit(everything, args.coverage)
    for name, c in (("the segmenter's own ranges", own), ("widened (all folds)", calibration)):
        st_in, st_w = held([r for r, _ in everything], c.situation_task)
        sh_in, sh_w = held([r for _, r in everything], c.action_share)
        print(f"  {name}: Situation+Task held {st_in:.0%} (mean width {st_w:.1f} s), "
              f"Action share {sh_in:.0%} (mean width {sh_w * 100:.1f} points)")
    OUT.write_text(json.dumps(calibration.to_dict(), indent=1) + "\n", encoding="utf-8")
    print(f"-> {OUT.relative_to(ROOT)}: {calibration.to_dict()}")


if __name__ == "__main__":
    main()
