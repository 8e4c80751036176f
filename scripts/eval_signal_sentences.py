"""Measure a per-sentence model for a signal told by its rules (honest ownership), on
answers and sentences it was not trained on, against the rules alone.

    .venv/bin/python scripts/eval_signal_sentences.py [--check honest_ownership]
        [--thresholds 0.6 0.75 0.8] [--blind tests/data/checks/owning_or_not_3.txt ...]
        [--train-through N]

Each batch with marked lines (tests/data/checks/sentences_<check>.txt) is judged by a model
trained on every other batch and the sentence sets scripts/train_checks.py names (each set
judged by a model trained without it, told as one sentence of the seed's story); an answer
holds the signal where a line of it is marked. Each blind set (--blind) is judged by a model
trained on everything and never trained on. Prints, per threshold, how many verdicts are
right with the rules alone and with the model switched on (the rules' finding stands; where
they find nothing a sentence at the threshold credits it), and owning credited rightly and
wrongly. About two minutes.
"""

import argparse
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.check_model import signal_models_in  # noqa: E402
from coach.analysis.checks import run_checks  # noqa: E402
from coach.analysis.rubric import load_rubric  # noqa: E402
from coach.analysis.segment import segment  # noqa: E402
from coach.analysis.sentence_model import model_name  # noqa: E402
from coach.analysis.text import words_from_text  # noqa: E402
from coach.eval.checks import (  # noqa: E402
    BLIND_SIGNAL_SETS,
    SEED_STORY,
    SIGNAL_SETS,
    load_marks,
    load_sentence_set,
    signal_rows,
    train_signal_model,
)
from coach.eval.segmenter import batch_number, load_answers  # noqa: E402

DATA = ROOT / "tests" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", default="honest_ownership")
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.6, 0.75, 0.8])
    ap.add_argument("--blind", type=Path, nargs="*", default=None,
                    help="blind sentence sets (default: the signal's in BLIND_SIGNAL_SETS)")
    ap.add_argument("--train-through", type=int, default=None,
                    help="judge only the batches after bN, each by a model trained on the "
                         "marked batches up to bN (and the sentence sets): a blind check of "
                         "batches marked for it but never trained on")
    args = ap.parse_args()
    cid = args.check
    rubric = load_rubric()
    answers = [a for p in sorted((DATA / "star").glob("*.txt")) for a in load_answers(p)]
    marks = load_marks(DATA / "checks" / f"sentences_{cid}.txt")
    if args.blind is None:
        args.blind = [DATA / "checks" / name for name in BLIND_SIGNAL_SETS.get(cid, ())]
    sets = {name: load_sentence_set(DATA / "checks" / name)
            for name in SIGNAL_SETS.get(cid, ())}
    groups = signal_rows(answers, marks)
    groups.update({name: signal_rows([], {}, rows)["sets"] for name, rows in sets.items()})
    cases: dict[str, list[tuple[str, bool]]] = {}  # held out group -> (text, holds)
    for a in answers:
        if a.id in marks:
            cases.setdefault(a.batch, []).append((a.text, bool(marks[a.id])))
    for name, rows in sets.items():
        cases[name] = [(SEED_STORY.format(t), says) for t, says in rows]
    for blind in args.blind:
        cases[f"blind {blind.name}"] = [(SEED_STORY.format(t), says)
                                        for t, says in load_sentence_set(blind)]
    verdicts: dict[str, list[tuple[bool, bool, dict[float, bool]]]] = {}
    batches = {a.batch for a in answers}
    through = args.train_through

    def later(group: str) -> bool:
        """A batch after bN (``--train-through``): judged, never trained on."""
        return through is not None and group in batches and batch_number(group) > through

    if through is not None:  # the later batches and the blind sets, by one model
        cases = {g: v for g, v in cases.items() if later(g) or g.startswith("blind ")}
    # Each held-out group by a model trained without it; with --train-through one model.
    runs = {"later": list(cases)} if through is not None else {g: [g] for g in cases}
    for held_out in runs.values():
        with tempfile.TemporaryDirectory() as tmp, signal_models_in(Path(tmp)):
            train_signal_model([r for g, rs in groups.items()
                                if g not in held_out and not later(g) for r in rs],
                               Path(tmp) / model_name(cid))
            for held in held_out:
                for text, holds in cases[held]:
                    sentences = segment(words_from_text(text))
                    rules = run_checks(sentences,
                                       rubric=replace(rubric, signals_in_sentences=()))
                    on = {t: run_checks(sentences, rubric=replace(
                        rubric, signals_in_sentences=(cid,),
                        thresholds={**rubric.thresholds, cid: t}))[cid].found
                        for t in args.thresholds}
                    verdicts.setdefault(held, []).append((holds, rules[cid].found, on))
    kinds = {"answers": [g for g in verdicts if g in batches],
             **{g: [g] for g in verdicts if g not in batches}}
    for kind, names in kinds.items():
        judged = [v for g in names for v in verdicts[g]]
        print(f"{kind} ({len(judged)}, {sum(h for h, _, _ in judged)} holding it)")
        _line("rules alone", Counter((h, r) for h, r, _ in judged))
        for t in args.thresholds:
            _line(f"with the model at {t}", Counter((h, on[t]) for h, _, on in judged))


def _line(label: str, c: Counter) -> None:
    print(f"  {label:24s} right {c[True, True] + c[False, False]:4d}  "
          f"credited {c[True, True]:4d} rightly, {c[False, True]:3d} wrongly")


if __name__ == "__main__":
    main()
