"""Carry the written answers' STAR labels to their copies as heard, after a correction.

    .venv/bin/python scripts/relabel_heard.py [BATCH ...]

The answers of ``tests/data/star/heard/<batch>.txt`` were labelled when they were made
(``scripts/make_heard_data.py``) from the written answers' parts. When a written answer's
labels are corrected later, this cuts and labels its heard copy anew the same way
(``coach.eval.heard.carry_labels``), with no need to speak and transcribe it again: the
heard words, the question, the style and the checks stay as they are. Without arguments,
every batch. Prints how many heard answers changed.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.analysis.labelled import PART_LETTER, LabelledAnswer, parse_answers  # noqa: E402
from coach.eval.heard import carry_labels  # noqa: E402
from coach.eval.segmenter import load_answers  # noqa: E402

DATA = ROOT / "tests" / "data" / "star"
LABELS = ("S:", "T:", "A:", "R:")


def relabel_block(block: str, written: dict[str, LabelledAnswer]) -> str:
    """One ``## <id>-heard`` block of a heard file, its labelled lines made anew."""
    heard = parse_answers(block)
    if len(heard) != 1 or not heard[0].id.endswith("-heard"):
        return block
    source = written.get(heard[0].id.removesuffix("-heard"))
    if source is None:
        return block
    carried = carry_labels(source, heard[0])
    head = [line for line in block.splitlines() if line.strip()[:2] not in LABELS]
    while head and not head[-1].strip():
        head.pop()
    body = [f"{PART_LETTER[part]}: {text}" for part, text in carried.lines]
    tail = "\n" * (len(block) - len(block.rstrip("\n")))
    return "\n".join(head + body) + tail


def main() -> None:
    batches = sys.argv[1:] or sorted(p.stem for p in (DATA / "heard").glob("*.txt"))
    changed = 0
    for batch in batches:
        path = DATA / "heard" / f"{batch}.txt"
        if not path.exists() or not (DATA / f"{batch}.txt").exists():
            sys.exit(f"relabel_heard: no batch {batch!r} in {DATA} and its heard/ folder")
        text = path.read_text(encoding="utf-8")
        blocks = re.split(r"(?m)^(?=## )", text)
        try:
            written = {a.id: a for a in load_answers(DATA / f"{batch}.txt")}
            new = [relabel_block(b, written) for b in blocks]
        except ValueError as exc:  # a line that is not in the labelled format
            sys.exit(f"relabel_heard: {exc}")
        changed += sum(old != b for old, b in zip(blocks, new, strict=True))
        out = "".join(new)
        if out != text:  # whole or not at all
            tmp = path.with_suffix(".tmp")
            tmp.write_text(out, encoding="utf-8")
            tmp.replace(path)
    print(f"{changed} heard answers relabelled")


if __name__ == "__main__":
    main()
