"""How the coach judges replies to its follow-up questions, on reworded seed replies.

    .venv/bin/python scripts/eval_follow_ups.py [--errors]

Data: tests/data/checks/follow_up_rewordings*.txt, the seed's four weak and four strong
follow-up replies each reworded by another hand, plus replies that do not answer the
question at all. A reply is judged right when the coach's judgement (strong, weak, or
not an answer to the question) is the one the writer intended. With --cv, each file is
judged by a reply model trained on the other files only (the honest figure); without, by
the shipped model.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.eval.follow_ups import cross_validate, judge_all, load_rewordings  # noqa: E402

DATA = ROOT / "tests" / "data" / "checks"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list the replies judged wrong")
    ap.add_argument("--cv", action="store_true", help="leave one file out")
    ap.add_argument("files", nargs="*", type=Path,
                    help="rewording files (default: every follow_up_rewordings*.txt)")
    args = ap.parse_args()
    files = args.files or sorted(DATA.glob("follow_up_rewordings*.txt"))
    entries = [e for f in files for e in load_rewordings(f)]
    if args.cv:
        folds = cross_validate(entries)
        for batch, judged in folds.items():
            right = sum(j.right for j in judged)
            print(f"held out {batch}: {right} of {len(judged)} judged right")
        results = [j for judged in folds.values() for j in judged]
    else:
        results = judge_all(entries)
    for kind in ("weak", "strong", "offtopic"):
        rows = [r for r in results if r.entry.expect == kind]
        right = sum(r.right for r in rows)
        print(f"{kind:9s} {right:3d} of {len(rows):3d} judged right")
    right = sum(r.right for r in results)
    print(f"{'all':9s} {right:3d} of {len(results):3d} ({right / len(results):.0%})")
    if args.errors:
        for r in results:
            if not r.right:
                print(f"{r.entry.id}: expected {r.entry.expect}, judged {r.judgement}\n"
                      f"    {r.entry.reply}\n    -> {r.verdict}")


if __name__ == "__main__":
    main()
