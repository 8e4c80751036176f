"""Evaluate the STAR segmenter on the labelled answers in tests/data/star/.

    .venv/bin/python scripts/eval_segmenter.py [--errors BATCH] [--no-cv] [--folds N]
    .venv/bin/python scripts/eval_segmenter.py --blind BATCH

For each batch (one file: answers written together by one hand) and for all of them:
word-level accuracy, the Action-share error and the Situation+Task error in seconds per
answer (times at 150 wpm), per-part precision/recall/F1 and a confusion matrix.
Two figures per batch: cross-validated (a model trained on the other batches only: the
honest guide to unseen answers) and, for reference, the shipped model's (trained on all,
so in-sample). --errors lists the mislabelled lines of one batch under cross-validation.
--folds 5 holds out batches five groups at a time (batch number modulo 5): five pairs of
models instead of one per batch, about fifteen minutes on two cores instead of two hours.
--blind BATCH scores a new batch with the shipped model only, before anything is trained on
it, in the groups its first score is logged by in tests/data/star/README.md (written, per
register, heard): a line each.
"""

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.eval.segmenter import (  # noqa: E402
    blind_groups,
    cross_validate,
    evaluate,
    format_blind_row,
    format_scores,
    heard,
    load_batches,
    merged,
    predict_word_labels,
    to_sequence,
    train,
)

DATA = ROOT / "tests" / "data" / "star"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", metavar="BATCH", help="list mislabelled lines of one batch")
    ap.add_argument("--no-cv", action="store_true", help="only the shipped model's figures")
    ap.add_argument("--folds", type=int, metavar="N",
                    help="hold out batches N groups at a time (default: one batch at a time)")
    ap.add_argument("--blind", metavar="BATCH",
                    help="score a new batch with the shipped model only (its first score)")
    args = ap.parse_args()
    if args.folds is not None and args.folds < 2:
        ap.error("--folds needs at least 2 (one to score, the rest to train on)")
    batches = load_batches(DATA)
    if args.blind:
        if args.blind not in batches:
            ap.error(f"no batch {args.blind!r} in {DATA}")
        print(f"{args.blind}, scored by the shipped model:")
        for name, group in blind_groups(batches[args.blind]):
            print(format_blind_row(name, evaluate(group), len(group)))
        return
    shipped = {name: evaluate([a for a in answers if not heard(a)])
               for name, answers in batches.items()}
    print("Shipped model (trained on all batches: in-sample, for reference)")
    for name, s in shipped.items():
        print(f"  {name:10s} {s.accuracy * 100:5.1f}%  action share MAE "
              f"{s.share_mae * 100:4.1f} pts  S+T MAE {s.st_mae_s:4.1f} s")
    if args.no_cv:
        return
    with tempfile.TemporaryDirectory() as tmp:
        cv = cross_validate(batches, Path(tmp), folds=args.folds)
        how = f"the other {args.folds - 1} of {args.folds} folds" if args.folds else "the others"
        print(f"\nCross-validated: each batch scored by a model trained on {how}")
        print("  batch      written answers                            as heard (Whisper)")
        for name, (w, h) in cv.items():
            line = (f"  {name:10s} {w.accuracy * 100:5.1f}%  share MAE {w.share_mae * 100:4.1f} pts"
                    f"  S+T MAE {w.st_mae_s:4.1f} s")
            if h.st_errors_s:
                line += f"    {h.accuracy * 100:5.1f}%  share MAE {h.share_mae * 100:4.1f} pts"
            print(line)
        written = merged([w for w, _ in cv.values()])
        spoken = merged([h for _, h in cv.values()])
        print()
        print(format_scores("all written answers, cross-validated", written,
                            len(written.st_errors_s)))
        if spoken.st_errors_s:
            print()
            print(format_scores("all answers as heard, cross-validated", spoken,
                                len(spoken.st_errors_s)))
        if args.errors:
            others = [to_sequence(a) for name, answers in batches.items()
                      if name != args.errors for a in answers]
            path = Path(tmp) / "errors.crfsuite"
            train(others, path)
            for a in batches[args.errors]:
                pred = predict_word_labels(a, path)
                i = 0
                for part, text in a.lines:
                    n = len(text.split())
                    got = Counter(pred[i:i + n]).most_common(1)[0][0]
                    if got != part:
                        print(f"{a.id}: gold {part}, got {got}: {text[:90]}")
                    i += n


if __name__ == "__main__":
    main()
