"""Refit how sure each check may be, on the shipped model's own verdicts for answers it never saw.

    .venv/bin/python scripts/calibrate_checks.py [--only CHECK ...] [--hold-out b117 ...]
                                                 [--min-answers 300]

scripts/train_checks.py fits each check's calibration (sigmoid(slope * logit(p) + bias),
coach/analysis/calibration.py) on the verdicts of five fold models, each trained without
a fifth of the batches: models like the shipped one, not the shipped one. Once more
batches built on real answers have been written after a model was trained (its
"trained_through" in models/check_stats.json), the shipped model's own verdicts on them
say directly how often it is right. This script fits the calibration on those verdicts
(whole answers of the batches with a sources list, after trained_through, less the
--hold-out batches), for each check with at least --min-answers of them, and writes it
into models/check_stats.json with the batches it was fitted on ("calibrated_on"). Only how
sure a verdict is changes; the verdicts themselves do not.

Printed: for each check, the answers, the old and the new calibration; then, on the
held-out batches, the verdicts said surely and wrongly and those said as unsure, with the
old calibrations and with the new ones. Under ten minutes on one core.
"""

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.calibration import fit_calibration  # noqa: E402
from coach.analysis.check_model import STATS_FILE  # noqa: E402
from coach.eval.checks import (  # noqa: E402
    CALIBRATED_ON,
    LABELLED,
    TRAINED_THROUGH,
    evaluate,
    load_examples,
    own_probabilities,
    write_stats,
)
from coach.eval.segmenter import batch_number, real_shaped  # noqa: E402

DATA = ROOT / "tests" / "data"
MODELS = ROOT / "models"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hold-out", nargs="*", default=[], metavar="BATCH",
                    help="batches kept out of the fit, to score it on")
    ap.add_argument("--only", nargs="*", choices=LABELLED, default=list(LABELLED),
                    metavar="CHECK", help="refit only these checks (default: all)")
    ap.add_argument("--min-answers", type=int, default=300,
                    help="fewer unseen answers than this leave a check's calibration as it is")
    args = ap.parse_args()
    data = load_examples(DATA / "star", DATA / "checks" / "labelled.txt")
    real = real_shaped(DATA / "star")
    held = set(args.hold_out)
    unknown = held - {e.batch for e in data}
    if unknown:
        sys.exit(f"error: no labelled batch named {', '.join(sorted(unknown))}")
    stats_path = MODELS / STATS_FILE
    stats = json.loads(stats_path.read_text())
    for cid in args.only:
        mine = stats.get(cid, {})
        through = mine.get(TRAINED_THROUGH)
        if not isinstance(through, int):
            print(f"{cid}: no '{TRAINED_THROUGH}' in {STATS_FILE}; left as it is")
            continue
        unseen = [e for e in data if e.batch in real and e.batch not in held
                  and batch_number(e.batch) > through]
        rows = own_probabilities(unseen, cid)
        if len(rows) < args.min_answers:
            print(f"{cid}: {len(rows)} unseen answers (b{through + 1} on), fewer than "
                  f"{args.min_answers}; left as it is")
            continue
        fitted = fit_calibration([p for p, _ in rows], [y for _, y in rows])
        if fitted is None:
            print(f"{cid}: no calibration fits {len(rows)} unseen answers; left as it is")
            continue
        numbers = sorted({batch_number(e.batch) for e in unseen if cid in e.holds})
        print(f"{cid}: {len(rows)} answers of b{numbers[0]}-b{numbers[-1]} "
              f"({sum(y for _, y in rows)} holding it), calibration "
              f"{mine.get('calibration')} -> {fitted.to_list()}")
        mine["calibration"] = fitted.to_list()
        mine[CALIBRATED_ON] = [numbers[0], numbers[-1]]
    if held:
        scored = [e for e in data if e.batch in held]
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "models"
            shutil.copytree(MODELS, folder)
            write_stats(folder, stats)
            before, after = evaluate(scored), evaluate(scored, folder)
        print(f"held out ({', '.join(sorted(held))}, {len(scored)} answers): "
              "verdicts surely wrong / said as unsure, before -> after")
        for cid in LABELLED:
            if before.answers.get(cid):
                print(f"  {cid:26s} {before.surely_wrong(cid):3d} / {before.unsure.get(cid, 0):3d}"
                      f"  ->  {after.surely_wrong(cid):3d} / {after.unsure.get(cid, 0):3d}")
        wrong = [sum(s.surely_wrong(c) for c in LABELLED) for s in (before, after)]
        unsure = [sum(s.unsure.values()) for s in (before, after)]
        print(f"  {'all':26s} {wrong[0]:3d} / {unsure[0]:3d}  ->  {wrong[1]:3d} / {unsure[1]:3d}")
    write_stats(MODELS, stats)
    print(f"wrote {stats_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
