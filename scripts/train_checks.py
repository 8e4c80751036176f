"""Train the learned answer-level checks on every hand-labelled answer, and the reply judge.

    .venv/bin/python scripts/train_checks.py

Writes models/check_<id>.crfsuite for each check in rubric.toml's [learning] list (with
models/check_stats.json), and models/reply_judge.crfsuite from the reworded follow-up
replies. scripts/eval_checks.py --cv and scripts/eval_follow_ups.py --cv measure them on
batches they were not trained on.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.reply_model import MODEL_NAME as REPLY_MODEL  # noqa: E402
from coach.analysis.rubric import load_rubric  # noqa: E402
from coach.eval.checks import load_examples, train_all  # noqa: E402
from coach.eval.follow_ups import load_rewordings, train_reply_model  # noqa: E402

DATA = ROOT / "tests" / "data"


def main() -> None:
    data = load_examples(DATA / "star", DATA / "checks" / "labelled.txt")
    learned = load_rubric().learned
    train_all(data, ROOT / "models", learned)
    print(f"trained {len(learned)} checks on {len(data)} labelled answers -> models/")
    replies = [e for p in sorted((DATA / "checks").glob("follow_up_rewordings*.txt"))
               for e in load_rewordings(p)]
    train_reply_model(replies, ROOT / "models" / REPLY_MODEL)
    print(f"trained the reply judge on {len(replies)} replies -> models/{REPLY_MODEL}")


if __name__ == "__main__":
    main()
