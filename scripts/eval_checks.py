"""Evaluate the rubric checks against people's labels.

    .venv/bin/python scripts/eval_checks.py [--cv [--folds K] [--sweep CHECK]] [--errors]
                                            [--batch NAME ...] [--check CHECK ...]
                                            [--without NAME ...] [--said CHECK ...]

Without --cv: the shipped models on every labelled answer (in-sample: they were trained on
these, so this is a check that the pipeline matches training, not a guide to new answers).
With --cv: leave-one-batch-out agreement, the honest figure, beside the pattern rules' own
agreement (on two cores over 50-odd batches more than two hours for every check); --folds
K instead deals whole batches into K folds (each scored by models trained on the other
folds; K=5 about a tenth of the time). For each check: agreement, how many of the answers
where it holds it found, and how many verdicts were unsure (shown as "possible", never
announced). --sweep CHECK also prints that check's cross-validated agreement and recall at
other thresholds (how rubric.toml's [learning.thresholds] are chosen: on all batches,
never on one).
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.rubric import load_rubric  # noqa: E402
from coach.eval.checks import (  # noqa: E402
    LABELLED,
    CheckScores,
    cross_validate,
    evaluate,
    format_scores,
    load_examples,
    load_sentence_marks,
    threshold_sweep,
)
from coach.eval.segmenter import real_shaped  # noqa: E402

DATA = ROOT / "tests" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", action="store_true", help="leave one batch out")
    ap.add_argument("--folds", type=int, metavar="K",
                    help="with --cv: K folds of whole batches instead of one batch each")
    ap.add_argument("--errors", action="store_true", help="list the disagreements")
    ap.add_argument("--sweep", metavar="CHECK", help="with --cv: this check at other thresholds")
    ap.add_argument("--batch", action="append", metavar="NAME",
                    help="only these batches (score a new batch blind, before training on it)")
    ap.add_argument("--check", action="append", metavar="CHECK", choices=LABELLED,
                    help="only these checks")
    ap.add_argument("--said", action="append", metavar="CHECK", choices=LABELLED, default=[],
                    help="with --cv: also give this check a per-sentence model (from "
                         "tests/data/checks/sentences_CHECK.txt) as if rubric.toml's "
                         "said_in_sentences listed it")
    ap.add_argument("--without", action="append", metavar="NAME",
                    help="leave these batches out (a batch kept for a later held-out test)")
    args = ap.parse_args()
    data = load_examples(DATA / "star", DATA / "checks" / "labelled.txt")
    if args.batch:
        data = [e for e in data if e.batch in args.batch]
        if not data:
            sys.exit(f"no labelled answers in batches {', '.join(args.batch)}")
    if args.without:
        data = [e for e in data if e.batch not in args.without]
    checks = tuple(args.check) if args.check else LABELLED
    if args.folds is not None and (not args.cv or args.folds < 2):
        sys.exit("--folds needs --cv and at least 2 folds")
    if args.cv:
        scores, rules = CheckScores(), CheckScores()
        said = tuple(dict.fromkeys((*load_rubric().said_in_sentences, *args.said)))
        marks = load_sentence_marks(DATA / "checks", said)
        # Each fold's calibration is fitted as training fits the shipped one: on the
        # answers built on real ones, where the team's own answers would flatter.
        for batch, (s, r) in cross_validate(data, checks=checks, marks=marks,
                                            folds=args.folds,
                                            calibrate_on=real_shaped(DATA / "star")).items():
            print(f"held out {batch}:\n{format_scores(s, checks, rules=r)}")
            scores.add(s)
            rules.add(r)
        print(f"all batches, cross-validated ({len(data)} answers):")
        print(format_scores(scores, checks, rules=rules))
        if args.sweep:
            print(f"\n{args.sweep} at other thresholds (cross-validated):")
            for t, s in threshold_sweep(scores.judged, args.sweep,
                                        (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)):
                hit, pos = s.recall(args.sweep)
                print(f"  {t:4.2f}  agreement {s.agreement(args.sweep):6.1%}  found "
                      f"{hit}/{pos}  unsure {s.unsure.get(args.sweep, 0)}")
    else:
        scores = evaluate(data, checks=checks)
        scope = f"batches {', '.join(args.batch)}" if args.batch else "in-sample"
        print(f"shipped models, {len(data)} labelled answers ({scope}):")
        print(format_scores(scores, checks))
    if args.errors:
        for answer_id, cid, labelled, found in scores.disagreements:
            sure = "surely" if (answer_id, cid) in scores.said_surely else "as unsure"
            print(f"{answer_id}: {cid} labelled {labelled}, found {found} ({sure})")


if __name__ == "__main__":
    main()
