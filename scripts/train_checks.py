"""Train the learned answer-level checks on every hand-labelled answer, and the reply judge.

    .venv/bin/python scripts/train_checks.py [--only checks|replies]

Writes models/check_<id>.crfsuite for each check in rubric.toml's [learning] list (with
models/check_stats.json), models/sentences_<id>.crfsuite for those said_in_sentences (from
the lines marked in tests/data/checks/sentences_<id>.txt), and models/reply_judge.crfsuite
from the reworded follow-up replies (and the replies the team wrote for training,
follow_up_team_written.txt).
scripts/eval_checks.py --cv and scripts/eval_follow_ups.py --cv measure them on batches
they were not trained on. --only replies retrains the reply judge alone.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.reply_model import MODEL_NAME as REPLY_MODEL  # noqa: E402
from coach.analysis.rubric import load_rubric  # noqa: E402
from coach.eval.checks import load_examples, load_sentence_marks, train_all  # noqa: E402
from coach.eval.follow_ups import (  # noqa: E402
    load_rewordings,
    team_replies,
    train_reply_model,
)

DATA = ROOT / "tests" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("checks", "replies"),
                    help="train only the answer-level checks, or only the reply judge")
    args = ap.parse_args()
    if args.only != "replies":
        data = load_examples(DATA / "star", DATA / "checks" / "labelled.txt")
        rubric = load_rubric()
        learned = rubric.learned
        marks = load_sentence_marks(DATA / "checks", rubric.said_in_sentences)
        train_all(data, ROOT / "models", learned, marks=marks)
        print(f"trained {len(learned)} checks on {len(data)} labelled answers -> models/")
    if args.only == "checks":
        return
    replies = [e for p in sorted((DATA / "checks").glob("follow_up_rewordings*.txt"))
               for e in load_rewordings(p)] + team_replies(DATA / "checks")
    train_reply_model(replies, ROOT / "models" / REPLY_MODEL)
    print(f"trained the reply judge on {len(replies)} replies -> models/{REPLY_MODEL}")


if __name__ == "__main__":
    main()
