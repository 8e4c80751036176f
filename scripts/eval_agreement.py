"""How far a second reader's labels agree with a batch's own, beside the shipped models.

    .venv/bin/python scripts/eval_agreement.py [FILE]
    .venv/bin/python scripts/eval_agreement.py --checks [FILE]

FILE (default tests/data/star/audits/second_reader_b109_b113.txt) holds one line per
labelled line: `<answer id> <line number from 1> <S|T|A|R>`. Prints, per style and overall,
word agreement of the second reader and of the model with the batch's labels, the mean
Situation+Task and action-share errors of each (times at 150 wpm), and the second reader's
confusion against the batch. Two careful readers' agreement is the ceiling the model can be
held to on these answers.

With --checks, FILE (default tests/data/star/audits/second_reader_checks_b117_b123.txt)
holds one line per answer, `<answer id>: <the checks that hold>`, and the script prints, per
check, how often the second reader, and the coach's verdict, agree with the batch's labels
(and the coach with the second reader), and the mean over six checks both ways: the
hidden sets' six (blame among them) and the six of the batch tables (telling people
instead of blame).
"""

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.labelled import LETTER_PART, LabelledAnswer, load_answers  # noqa: E402
from coach.analysis.text import words_from_text  # noqa: E402
from coach.eval.checks import LABELLED, MEASURED, load_signal_labels  # noqa: E402
from coach.eval.segmenter import REGISTERS, predict_word_labels, word_timing  # noqa: E402

DATA = ROOT / "tests" / "data" / "star"
PARTS = [p.value for p in LETTER_PART.values()]


def read_second_reader(path: Path) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = defaultdict(dict)
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) != 3 or fields[2].upper() not in LETTER_PART or not fields[1].isdigit():
            sys.exit(f"{path}:{n}: expected '<answer id> <line number> <S|T|A|R>'")
        labels[fields[0]][int(fields[1])] = LETTER_PART[fields[2].upper()].value
    return labels


def read_second_checks(path: Path) -> dict[str, frozenset[str]]:
    """``{answer id: the checks that hold}`` from "<id>: check check ..." lines; a line
    naming another check ends the script with one line naming it."""
    try:
        return load_signal_labels(path, LABELLED)
    except ValueError as exc:
        sys.exit(f"{exc} (checks: {', '.join(LABELLED)})")


def check_agreement(path: Path) -> None:
    from coach.analysis.analyze import analyze_text

    second = read_second_checks(path)
    batches = {aid.split("-")[0] for aid in second}
    answers = {a.id: a for b in sorted(batches) for a in load_answers(DATA / f"{b}.txt")}
    missing = sorted(set(second) - set(answers))
    if missing:
        sys.exit(f"{path}: no labelled answer {missing[0]}")
    firsts = {aid: frozenset(answers[aid].checks or ()) for aid in second}
    coach = {aid: frozenset(cid for cid, c in analyze_text(answers[aid].text).checks.items()
                            if c.found) for aid in second}
    print(f"{len(second)} answers of {', '.join(sorted(batches))}")
    print(f"  {'check':26s} reader/batch  coach/batch  coach/reader  holding: batch, reader, coach")
    agree: dict[str, Counter[str]] = {"hidden": Counter(), "tables": Counter()}
    Labels = dict[str, frozenset[str]]
    for cid in LABELLED:
        pairs: dict[str, tuple[Labels, Labels]] = {
            "reader": (second, firsts), "coach": (coach, firsts), "both": (coach, second)}
        share = {k: sum((cid in a[aid]) == (cid in b[aid]) for aid in second) / len(second)
                 for k, (a, b) in pairs.items()}
        if cid in MEASURED:
            agree["hidden"].update(share)
        if cid != "blames_others":
            agree["tables"].update(share)
        held = [sum(cid in labels[aid] for aid in second) for labels in (firsts, second, coach)]
        print(f"  {cid:26s} {share['reader']:12.1%} {share['coach']:12.1%} "
              f"{share['both']:13.1%}  {held[0]}, {held[1]}, {held[2]}")
    n = len(MEASURED)
    for key, name in (("hidden", "six: the hidden sets'"),
                      ("tables", "six: blame out, telling in")):
        print(f"  {name:26s} {agree[key]['reader'] / n:12.1%} {agree[key]['coach'] / n:12.1%} "
              f"{agree[key]['both'] / n:13.1%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path)
    ap.add_argument("--checks", action="store_true",
                    help="the file holds a second reader's check labels")
    args = ap.parse_args()
    if args.checks:
        check_agreement(args.file or DATA / "audits" / "second_reader_checks_b117_b123.txt")
        return
    second = read_second_reader(args.file or DATA / "audits" / "second_reader_b109_b113.txt")
    batches = {aid.split("-")[0] for aid in second}
    answers: dict[str, LabelledAnswer] = {
        a.id: a for b in sorted(batches) for a in load_answers(DATA / f"{b}.txt")}
    agree: Counter[tuple[str, str]] = Counter()
    errors: dict[str, list[tuple[float, float]]] = defaultdict(list)
    confusion: Counter[tuple[str, str]] = Counter()
    for aid, by_line in sorted(second.items()):
        answer = answers[aid]
        if sorted(by_line) != list(range(1, len(answer.lines) + 1)):
            sys.exit(f"{aid}: the second reader labelled lines {sorted(by_line)}, "
                     f"the answer has {len(answer.lines)}")
        gold = [p.value for p in answer.word_labels()]
        reader = [by_line[n] for n, (_, text) in enumerate(answer.lines, 1)
                  for _ in text.split()]
        model = predict_word_labels(answer)
        for g, r, m in zip(gold, reader, model, strict=True):
            for key in ("all", answer.register):
                agree[(key, "reader")] += g == r
                agree[(key, "model")] += g == m
                agree[(key, "words")] += 1
            confusion[(g, r)] += 1
        words = words_from_text(answer.text)
        g_st, g_share = word_timing(words, gold)
        for who, labels in (("second reader", reader), ("model", model)):
            st, share = word_timing(words, labels)
            errors[who].append((abs(st - g_st), abs(share - g_share)))
    print(f"{len(second)} answers of {', '.join(sorted(batches))}")
    for key in ("all", *REGISTERS):
        n = agree[(key, "words")]
        if n:
            print(f"{key:9s} {n:5d} words  second reader {agree[(key, 'reader')] / n:6.1%}"
                  f"  model {agree[(key, 'model')] / n:6.1%}")
    for who, errs in errors.items():
        print(f"{who}: Situation+Task off {sum(e[0] for e in errs) / len(errs):.1f} s, "
              f"action share off {sum(e[1] for e in errs) / len(errs) * 100:.1f} points")
    print("batch \\ second reader", *(p[:4] for p in PARTS))
    for g in PARTS:
        print(f"{g:9s}", *(f"{confusion[(g, p)]:5d}" for p in PARTS))


if __name__ == "__main__":
    main()
