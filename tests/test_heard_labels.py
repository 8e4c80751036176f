"""The answers as heard carry the written answers' labels (coach.eval.heard)."""

from pathlib import Path

import pytest

from coach.analysis.report import Part
from coach.eval.heard import carry_labels, part_lines, transfer_labels
from coach.eval.segmenter import load_answers

DATA = Path(__file__).parent / "data" / "star"
S, T, A, R = Part.situation, Part.task, Part.action, Part.result


def test_a_misheard_word_takes_the_part_of_the_word_it_replaced() -> None:
    source = "We lost the cache. I was on call. I flushed it.".split()
    gold = [S] * 4 + [T] * 4 + [A] * 3
    heard = "We lost the cash. I was on call, I flushed it.".split()
    assert transfer_labels(source, gold, heard) == gold


def test_an_inserted_word_takes_its_neighbours_part() -> None:
    source = "It broke. I fixed it.".split()
    gold = [S, S, A, A, A]
    # "um" after a full stop goes with the next word; "and" mid-sentence with the one before.
    assert transfer_labels(source, gold, "It broke. um I fixed it.".split()) == [S, S, A, A, A, A]
    assert transfer_labels(source, gold, "It broke and I fixed it.".split()) == [S, S, S, A, A, A]


def test_nothing_aligned_gives_the_first_part_throughout() -> None:
    assert transfer_labels(["Hello."], [T], ["Music", "playing"]) == [T, T]


def test_lines_break_where_the_part_changes_or_a_sentence_ends() -> None:
    words = "It broke. Then it broke again I fixed it.".split()
    labels = [S, S, S, S, S, S, A, A, A]
    assert part_lines(words, labels) == ((S, "It broke."), (S, "Then it broke again"),
                                         (A, "I fixed it."))


def _pairs() -> list[tuple[str, str]]:
    return [(p.stem, p.name) for p in sorted((DATA / "heard").glob("*.txt"))]


@pytest.mark.parametrize(("batch", "name"), _pairs())
def test_every_heard_answer_carries_its_written_labels(batch: str, name: str) -> None:
    """A written label corrected without ``scripts/relabel_heard.py`` fails here."""
    written = {a.id: a for a in load_answers(DATA / f"{batch}.txt")}
    for heard in load_answers(DATA / "heard" / name):
        source = written[heard.id.removesuffix("-heard")]
        assert carry_labels(source, heard).lines == heard.lines, heard.id


def test_relabel_script_carries_a_corrected_label_and_keeps_the_rest() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "relabel_heard", Path(__file__).parents[1] / "scripts" / "relabel_heard.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    written = load_answers_text("## x-1\nquestion: q\nstyle: spoken\n"
                                "S: It broke at two.\nT: I was on call.\nA: I fixed it.\n")
    block = ("## x-1-heard\nquestion: q\nstyle: spoken heard en-us+m3 clean\nchecks: a b\n"
             "S: It broke at two. I was on call.\nA: I fixed it.\n\n")
    assert script.relabel_block(block, written) == (
        "## x-1-heard\nquestion: q\nstyle: spoken heard en-us+m3 clean\nchecks: a b\n"
        "S: It broke at two.\nT: I was on call.\nA: I fixed it.\n\n")
    assert script.relabel_block("## other\nS: text\n", written) == "## other\nS: text\n"


def load_answers_text(text: str) -> dict:
    from coach.analysis.labelled import parse_answers

    return {a.id: a for a in parse_answers(text)}
