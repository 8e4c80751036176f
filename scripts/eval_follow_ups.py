"""How the coach judges replies to its follow-up questions, on reworded seed replies.

    .venv/bin/python scripts/eval_follow_ups.py [--cv] [--errors] [FILE ...]

Data: tests/data/checks/follow_up_rewordings*.txt, the seed's four weak and four strong
follow-up replies each reworded by another hand, plus replies that do not answer the
question at all. A reply is judged right when the coach's judgement (strong, weak, or
not an answer to the question) is the one the writer intended. With --cv, each file is
judged by a reply model trained on the other files only (the honest figure), plus the
replies the team wrote for training (follow_up_team_written.txt, never scored); without,
by the shipped model. "unsure" counts the replies where the coach said it was not sure
instead of announcing its verdict (its best guess is still what is scored).
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.eval.follow_ups import (  # noqa: E402
    TEAM_WRITTEN,
    ReplyTraining,
    cross_validate,
    judge_all,
    load_rewordings,
    team_replies,
)

DATA = ROOT / "tests" / "data" / "checks"


def _line(name: str, rows: list) -> str:
    right = sum(r.right for r in rows)
    kinds = ", ".join(f"{k} {sum(r.right for r in rows if r.entry.expect == k)}/"
                      f"{sum(r.entry.expect == k for r in rows)}"
                      for k in ("weak", "strong", "offtopic"))
    unsure = sum(not r.sure for r in rows)
    sure_wrong = sum(r.sure and not r.right for r in rows)
    return (f"{name}: {right} of {len(rows)} ({right / len(rows):.0%}) judged right "
            f"({kinds}); unsure {unsure}, wrong and sure {sure_wrong}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list the replies judged wrong")
    ap.add_argument("--cv", action="store_true", help="leave one file out")
    ap.add_argument("--no-words", action="store_true",
                    help="CV: train without the reply's words (cues and rules only)")
    ap.add_argument("--no-team", action="store_true",
                    help=f"CV: train without the team's own replies ({TEAM_WRITTEN})")
    ap.add_argument("--c1", type=float, default=ReplyTraining.c1, help="CV: L1 penalty")
    ap.add_argument("--c2", type=float, default=ReplyTraining.c2, help="CV: L2 penalty")
    ap.add_argument("files", nargs="*", type=Path,
                    help="rewording files (default: every follow_up_rewordings*.txt)")
    args = ap.parse_args()
    files = args.files or sorted(DATA.glob("follow_up_rewordings*.txt"))
    entries = [e for f in files for e in load_rewordings(f)]
    if args.cv:
        options = ReplyTraining(c1=args.c1, c2=args.c2, with_words=not args.no_words)
        extra = [] if args.no_team else team_replies(DATA)
        folds = cross_validate(entries, options, extra)
        for batch, judged in folds.items():
            print(_line(f"held out {batch}", judged))
        results = [j for judged in folds.values() for j in judged]
    else:
        results = judge_all(entries)
    print(_line("all", results))
    if args.errors:
        for r in results:
            if not r.right:
                print(f"{r.entry.batch} {r.entry.id}: expected {r.entry.expect}, judged "
                      f"{r.judgement}{'' if r.sure else ' (unsure)'}\n"
                      f"    {r.entry.reply}\n    -> {r.verdict}")


if __name__ == "__main__":
    main()
