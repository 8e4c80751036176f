"""Train the learned answer-level checks on every hand-labelled answer, and the reply judge.

    .venv/bin/python scripts/train_checks.py [--only checks|replies|signals] [--sentence-models]
    .venv/bin/python scripts/train_checks.py --check ID [--check ID2] [--through N]
                                             [--real-weight K] [--c1 X]

Writes models/check_<id>.crfsuite for each check in rubric.toml's [learning] list (with
models/check_stats.json: each rule's record, and each model's calibration, fitted on the
verdicts of five models trained without a fifth of the batches each, for the answers built
on real ones (the batches listed in tests/data/star/sources/): how sure a verdict may be;
about 45 minutes on two cores), models/sentences_<id>.crfsuite for those
said_in_sentences (from the lines marked in tests/data/checks/sentences_<id>.txt), and
models/reply_judge.crfsuite from the reworded follow-up replies (and the replies the team
wrote for training, follow_up_team_written.txt). It also measures the signals told by
rules alone (root cause, honest ownership...) on the answers people labelled for them
(tests/data/checks/labels_rule_signals*.txt) and writes how often each verdict was right
into models/check_stats.json: how sure the coach may be of them (--only signals does just
that; it rebuilds the shipped records exactly). The per-sentence models of the signals read
in sentences (honest ownership, a concrete lesson) are retrained only with
--sentence-models.
scripts/eval_checks.py --cv and scripts/eval_follow_ups.py --cv measure them on batches
they were not trained on. --only replies retrains the reply judge alone.
--check retrains only the named checks (their models, per-sentence models and entries in
check_stats.json; the others stay as they are), and --through N only on the batches up to
bN, so the later ones stay unseen for their blind figures (impact and recovery: --check
quantified_impact --check shows_recovery --through 137). --real-weight K copies each answer
built on a real one (the batches listed in tests/data/star/sources/) K times before that
training: the copies go through every step of it (the answer model, the rules' record, the
out-of-fold models the joining weights and the calibration are fitted on) but the shipped
per-sentence model, which sees each answer once. --c1 sets the answer models' L1 penalty
(TrainOptions.c1; the per-sentence models keep theirs). Both are recorded in the check's
entry of check_stats.json ("trained_with"). They were tried for recovery, impact and blame
in the twenty-seventh session and no model trained with them is shipped
(tests/data/star/README.md).
"""

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.reply_model import MODEL_NAME as REPLY_MODEL  # noqa: E402
from coach.analysis.rubric import load_rubric  # noqa: E402
from coach.analysis.sentence_model import model_name as sentence_model_name  # noqa: E402
from coach.eval.checks import (  # noqa: E402
    SIGNAL_SETS,
    TrainOptions,
    load_examples,
    load_sentence_marks,
    load_sentence_set,
    read_stats,
    rule_signal_labels,
    signal_records,
    signal_rows,
    train_all,
    train_signal_model,
    write_stats,
)
from coach.eval.follow_ups import (  # noqa: E402
    load_rewordings,
    team_replies,
    train_reply_model,
)
from coach.eval.segmenter import real_shaped  # noqa: E402

DATA = ROOT / "tests" / "data"


def add_signal_records(rubric, sentence_models: bool = False) -> None:
    """Measure the signals told by rules alone on the answers people labelled for them
    and write their records beside the models (how sure each verdict may be). The records
    are measured by models trained without each batch, from today's code and marks; the
    shipped per-sentence models are retrained only with ``sentence_models``. Honest
    ownership's, retrained on 2026-12-07 from the same marks, came out different from the
    shipped one (the code that reads its sentences has changed since) and worse: it
    credited "I hurt my back badly lifting a patient" and fell under its blind floor. So the
    shipped one stays, and its record (``read_precision``) is that of a model trained by
    today's code, not of the shipped file itself."""
    from coach.analysis.check_model import signal_record
    from coach.eval.segmenter import load_answers

    labels = rule_signal_labels(DATA / "checks", rubric)
    answers = [a for p in sorted((DATA / "star").glob("*.txt")) for a in load_answers(p)]
    rows = {}
    for cid in rubric.signals_in_sentences:
        sets = [row for name in SIGNAL_SETS.get(cid, ())
                for row in load_sentence_set(DATA / "checks" / name)]
        rows[cid] = signal_rows(answers, labels.lines[cid], sets)
        if sentence_models:
            train_signal_model([r for rs in rows[cid].values() for r in rs],
                               ROOT / "models" / sentence_model_name(cid))
            print(f"trained the per-sentence model of {cid} on "
                  f"{sum(map(len, rows[cid].values()))} sentences")
    records = signal_records(answers, labels.holds, rows)
    stats = read_stats(ROOT / "models")
    stats["rule_signals"] = {cid: r.to_dict() for cid, r in records.items()}
    write_stats(ROOT / "models", stats)
    signal_record.cache_clear()
    for cid, r in records.items():
        print(f"{cid}: measured on {r.measured_on} labelled answers")
    print(f"measured {len(records)} rule-told signals")


def retrain_checks(checks: tuple[str, ...], through: int | None, real_weight: int = 1,
                   c1: float | None = None) -> None:
    """Retrain ``checks`` alone (on the batches up to b``through``, each answer built on a
    real one copied ``real_weight`` times, the answer models' L1 penalty ``c1`` when given),
    replacing their models and their entries in check_stats.json and keeping every other
    check's."""
    import shutil
    import tempfile

    from coach.analysis.check_model import model_name as check_model_name
    from coach.eval.segmenter import batch_number

    rubric = load_rubric()
    unknown = sorted(set(checks) - set(rubric.learned))
    if unknown:
        sys.exit(f"not a learned check: {unknown[0]} (rubric.toml [learning] learned)")
    data = [e for e in load_examples(DATA / "star", DATA / "checks" / "labelled.txt")
            if through is None or batch_number(e.batch) <= through]
    for cid in checks:
        if {e.holds[cid] for e in data if cid in e.holds} != {True, False}:
            sys.exit(f"{cid}: the labelled answers up to b{through} do not hold it and lack it "
                     "both, so there is nothing to learn")
    calibrate_on = frozenset(b for b in real_shaped(DATA / "star")
                             if through is None or batch_number(b) <= through)
    answers = len(data)
    data = [e for e in data for _ in range(real_weight if e.batch in calibrate_on else 1)]
    options = TrainOptions() if c1 is None else TrainOptions(c1=c1)
    marks = load_sentence_marks(DATA / "checks",
                                tuple(c for c in rubric.said_in_sentences if c in checks))
    for cid, marked in marks.items():
        if not any(marked.get(e.answer_id) for e in data):
            sys.exit(f"{cid}: no answer up to b{through} has a line marked in "
                     f"tests/data/checks/sentences_{cid}.txt, so its per-sentence model "
                     "has nothing to learn")
    models = ROOT / "models"
    with tempfile.TemporaryDirectory() as tmp:
        train_all(data, Path(tmp), checks, options, marks=marks, calibrate_on=calibrate_on)
        new = read_stats(Path(tmp))
        stats = read_stats(models)
        for cid in checks:
            shutil.copyfile(Path(tmp) / check_model_name(cid), models / check_model_name(cid))
            said = sentence_model_name(cid)
            if (Path(tmp) / said).is_file():
                shutil.copyfile(Path(tmp) / said, models / said)
            else:
                (models / said).unlink(missing_ok=True)
            stats[cid] = new[cid]
            if real_weight != 1 or c1 is not None:
                stats[cid]["trained_with"] = {"real_weight": real_weight, "c1": options.c1}
        write_stats(models, stats)
    copies = f" ({len(data) - answers} copies more)" if len(data) > answers else ""
    print(f"trained {', '.join(checks)} on {answers} labelled answers{copies} -> models/")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=("checks", "replies", "signals"),
                    help="train only the answer-level checks, or only the reply judge, or "
                         "only measure the signals told by rules alone")
    ap.add_argument("--sentence-models", action="store_true",
                    help="also retrain the per-sentence models of the signals read in "
                         "sentences (signals_in_sentences; kept as shipped otherwise)")
    ap.add_argument("--check", action="append", default=[], metavar="ID",
                    help="retrain only this learned check (its entry in check_stats.json "
                         "replaced, the others kept)")
    ap.add_argument("--through", type=int, metavar="N",
                    help="with --check: train on the batches up to bN only")
    ap.add_argument("--real-weight", type=int, metavar="K",
                    help="with --check: copy each answer built on a real one K times")
    ap.add_argument("--c1", type=float, metavar="X",
                    help="with --check: the answer models' L1 penalty (default "
                         "TrainOptions.c1)")
    args = ap.parse_args()
    if args.sentence_models and (args.check or args.only in ("checks", "replies")):
        ap.error("--sentence-models goes with --only signals or a full training")
    if args.check:
        if args.only:
            ap.error("--check trains the checks it names; leave out --only")
        if args.real_weight is not None and args.real_weight < 1:
            ap.error("--real-weight is a count of 1 or more")
        if args.c1 is not None and not (math.isfinite(args.c1) and args.c1 >= 0):
            ap.error("--c1 is a penalty of 0 or more")
        retrain_checks(tuple(args.check), args.through, args.real_weight or 1, args.c1)
        return
    if args.through is not None or args.real_weight is not None or args.c1 is not None:
        ap.error("--through, --real-weight and --c1 go with --check")
    if args.only == "signals":
        add_signal_records(load_rubric(), args.sentence_models)
        return
    if args.only != "replies":
        data = load_examples(DATA / "star", DATA / "checks" / "labelled.txt")
        rubric = load_rubric()
        learned = rubric.learned
        marks = load_sentence_marks(DATA / "checks", rubric.said_in_sentences)
        # How sure a verdict may be is fitted on the answers built on real ones (the
        # batches with a list of their sources), where the team's own data would flatter.
        train_all(data, ROOT / "models", learned, marks=marks,
                  calibrate_on=real_shaped(DATA / "star"))
        print(f"trained {len(learned)} checks on {len(data)} labelled answers -> models/")
        add_signal_records(rubric, args.sentence_models)
    if args.only == "checks":
        return
    replies = [e for p in sorted((DATA / "checks").glob("follow_up_rewordings*.txt"))
               for e in load_rewordings(p)] + team_replies(DATA / "checks")
    train_reply_model(replies, ROOT / "models" / REPLY_MODEL)
    print(f"trained the reply judge on {len(replies)} replies -> models/{REPLY_MODEL}")


if __name__ == "__main__":
    main()
