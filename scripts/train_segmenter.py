"""Train the STAR segmenter (a linear-chain CRF) on every labelled batch.

    .venv/bin/python scripts/train_segmenter.py [--through b116]

Writes models/clause_cuts.crfsuite (where run-ons are cut into clauses, learned from the
labelled lines), then models/star_segmenter.crfsuite (deterministic: same data, same file), and
models/star_training.json.gz, the same training data as features, which a user's personal
model (coach relabel) is trained on together with their corrections. Trains on the
written answers of tests/data/star/ and on the same answers as heard by the recogniser
(tests/data/star/heard/). scripts/eval_segmenter.py prints the cross-validated figures.
With --through, only the batches up to that one (and the named sets without a number) are
trained on, so the later ones stay unseen for the blind figures and tests.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.clauses import MODEL_FILE as CLAUSE_FILE  # noqa: E402
from coach.analysis.labelled import save_sequences  # noqa: E402
from coach.eval.segmenter import (  # noqa: E402
    batch_number,
    load_batches,
    to_sequence,
    train,
    train_clauses,
)
from coach.sessions.corrections import BASE_SEQUENCES  # noqa: E402

DATA = ROOT / "tests" / "data" / "star"
OUT = ROOT / "models" / "star_segmenter.crfsuite"
CLAUSES = ROOT / "models" / CLAUSE_FILE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--through", metavar="BATCH",
                        help="train only on the batches up to this one (e.g. b116)")
    args = parser.parse_args()
    data = load_batches(DATA)
    if args.through:
        if args.through not in data:
            sys.exit(f"train_segmenter: no batch {args.through} in {DATA}")
        last = batch_number(args.through)
        data = {name: more for name, more in data.items() if batch_number(name) <= last}
    answers = [a for more in data.values() for a in more]
    # First where run-ons are cut into clauses, then the parts of the sentences so cut.
    train_clauses(answers, CLAUSES)
    sequences = [to_sequence(a) for a in answers]
    train(sequences, OUT)
    save_sequences(sequences, ROOT / "models" / BASE_SEQUENCES)
    print(f"trained on {len(sequences)} answers in {len(data)} batches -> "
          f"{CLAUSES.relative_to(ROOT)}, {OUT.relative_to(ROOT)} (and its training "
          "sequences, for personal models)")


if __name__ == "__main__":
    main()
