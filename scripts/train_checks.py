"""Train the learned answer-level checks on every hand-labelled answer, and the reply judge.

    .venv/bin/python scripts/train_checks.py [--cv]

Writes models/check_<id>.crfsuite for each check in rubric.toml's [learning] list (with
models/check_stats.json), and models/reply_judge.crfsuite from the reworded follow-up
replies (scripts/eval_follow_ups.py --cv measures that one).
--cv first prints leave-one-batch-out agreement (each batch judged by models trained on
the others), beside the pattern rules' own agreement on the same answers.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.reply_model import MODEL_NAME as REPLY_MODEL  # noqa: E402
from coach.analysis.rubric import load_rubric  # noqa: E402
from coach.eval.checks import (  # noqa: E402
    CheckScores,
    cross_validate,
    examples,
    format_scores,
    load_labels,
    train_all,
)
from coach.eval.follow_ups import load_rewordings, train_reply_model  # noqa: E402
from coach.eval.segmenter import load_answers  # noqa: E402

DATA = ROOT / "tests" / "data"


def labelled() -> list:
    answers = [a for p in sorted((DATA / "star").glob("*.txt")) for a in load_answers(p)]
    return examples(answers, load_labels(DATA / "checks" / "labelled.txt"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", action="store_true", help="print leave-one-batch-out agreement")
    args = ap.parse_args()
    data = labelled()
    if args.cv:
        total, total_rules = CheckScores(), CheckScores()
        for batch, (scores, rules) in cross_validate(data).items():
            print(f"held out {batch}:\n{format_scores(scores, rules=rules)}")
            total.add(scores)
            total_rules.add(rules)
        print(f"all batches, cross-validated ({len(data)} answers):\n"
              f"{format_scores(total, rules=total_rules)}")
    learned = load_rubric().learned
    train_all(data, ROOT / "models", learned)
    print(f"trained {len(learned)} checks on {len(data)} labelled answers -> models/")
    replies = [e for p in sorted((DATA / "checks").glob("follow_up_rewordings*.txt"))
               for e in load_rewordings(p)]
    train_reply_model(replies, ROOT / "models" / REPLY_MODEL)
    print(f"trained the reply judge on {len(replies)} replies -> models/{REPLY_MODEL}")


if __name__ == "__main__":
    main()
