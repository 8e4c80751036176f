"""The per-sentence model of where a check is said, and the weights joining it with the
answer-level model: fitted weights follow the data and the marked lines are well formed.
(Blame, impact, prevention, recovery and passing it on have one: rubric.toml's
said_in_sentences says what each was measured to give.)"""

import math
import random
from pathlib import Path

import pytest

from coach.analysis.report import Part
from coach.analysis.sentence_model import Stack, fit_stack
from coach.eval.checks import Example, load_examples, load_marks, sentence_rows

DATA = Path(__file__).parent / "data"


def _simulated(weights: tuple[float, float, float], n: int = 3000, seed: int = 3):
    """Answers whose label follows ``weights`` over the logits of two model
    probabilities: (probability pairs, labels)."""
    rng = random.Random(seed)
    pairs, labels = [], []
    for _ in range(n):
        za, zs = rng.gauss(-1.0, 2.0), rng.gauss(-1.0, 2.0)
        z = weights[0] * za + weights[1] * zs + weights[2]
        labels.append(rng.random() < 1 / (1 + math.exp(-z)))
        pairs.append((1 / (1 + math.exp(-za)), 1 / (1 + math.exp(-zs))))
    return pairs, labels


def test_joining_weights_follow_the_evidence():
    pairs, labels = _simulated((0.5, 1.5, -0.5))
    stack = fit_stack(pairs, labels)
    assert stack.sentence > stack.answer > 0
    assert abs(stack.sentence - 1.5) < 0.3 and abs(stack.answer - 0.5) < 0.2
    assert stack.join(0.5, 0.9) > stack.join(0.5, 0.5) > stack.join(0.5, 0.1)


def test_an_uninformative_sentence_model_gets_little_weight():
    pairs, labels = _simulated((1.0, 0.0, 0.0))
    stack = fit_stack(pairs, labels)
    assert abs(stack.sentence) < 0.15 < stack.answer


def test_joined_probability_is_calibrated():
    """Where the joined probability says about 0.8, about 8 in 10 hold."""
    pairs, labels = _simulated((0.8, 0.8, 0.0), n=6000, seed=5)
    stack = fit_stack(pairs, labels)
    band = [y for p, y in zip(pairs, labels, strict=True) if 0.7 <= stack.join(*p) < 0.9]
    assert len(band) > 200
    assert 0.72 <= sum(band) / len(band) <= 0.88


def test_a_runaway_fit_stays_finite():
    """Labels a single model separates perfectly: the weights stay finite."""
    pairs = [(0.9, 0.5)] * 50 + [(0.1, 0.5)] * 150
    labels = [True] * 50 + [False] * 150
    stack = fit_stack(pairs, labels)
    assert all(math.isfinite(v) for v in stack.to_list())
    assert stack.join(0.9, 0.5) > 0.9 and stack.join(0.1, 0.5) < 0.1


def test_stack_round_trips_and_rejects_bad_values():
    stack = Stack(0.4, 0.5, -1.2)
    assert Stack.from_list(stack.to_list()) == stack
    assert Stack.from_list([1, "x", 2]) is None
    assert Stack.from_list({"answer": 1}) is None
    assert Stack.from_list([1, 2]) is None


def test_marks_file_errors_name_the_line(tmp_path):
    path = tmp_path / "sentences_x.txt"
    path.write_text("# comment\nb1-01: 2 3\nb1-02 4\n")
    with pytest.raises(ValueError, match=r"sentences_x.txt:3"):
        load_marks(path)
    path.write_text("b1-01: 0\n")
    with pytest.raises(ValueError, match=r":1"):
        load_marks(path)
    path.write_text("b1-01: 2 3\n\nb1-02: 1\n")
    assert load_marks(path) == {"b1-01": frozenset({2, 3}), "b1-02": frozenset({1})}


def test_sentence_rows_take_marked_lines_and_skip_unmarked_answers():
    lines = ((Part.situation, "The rota was a mess."), (Part.action, "I fixed the order."),
             (Part.result, "Honestly that was on the office, not me."))
    blaming = Example("x-1", "x", "", {"blames_others": True}, lines)
    owning = Example("x-2", "x", "", {"blames_others": False}, lines)
    unmarked = Example("x-3", "x", "", {"blames_others": True}, lines)
    marked_empty = Example("x-4", "x", "", {"blames_others": True}, lines)
    rows = sentence_rows([blaming, owning, unmarked, marked_empty], "blames_others",
                         {"x-1": frozenset({3}), "x-4": frozenset()})
    # An answer that holds it with no line marked ("x-4:" alone, or not listed) is left
    # out: its lines are not examples of not saying it.
    assert set(rows) == {"x-1", "x-2"}
    assert [says for _, says in rows["x-1"]] == [False, False, True]
    assert not any(says for _, says in rows["x-2"])
    with pytest.raises(ValueError, match="x-1 has 3 lines, line 4"):
        sentence_rows([blaming], "blames_others", {"x-1": frozenset({4})})


def test_every_marked_answer_is_labelled_and_every_blaming_answer_is_marked():
    marks = load_marks(DATA / "checks" / "sentences_blames_others.txt")
    data = {e.answer_id: e for e in load_examples(DATA / "star",
                                                  DATA / "checks" / "labelled.txt")}
    for answer_id, lines in marks.items():
        e = data[answer_id]
        assert e.holds["blames_others"], answer_id
        assert max(lines) <= len(e.lines), answer_id
    blaming = {a for a, e in data.items() if e.holds.get("blames_others")}
    assert blaming == set(marks)


@pytest.mark.parametrize("cid, at_least", [
    ("quantified_impact", 250), ("shows_recovery", 250), ("concrete_prevention", 250),
    ("escalates_and_waits", 90), ("proactive_communication", 500)])
def test_every_line_marked_is_in_an_answer_labelled_with_its_check(cid, at_least):
    """The lines marked as saying a size of harm, a repair or a change (b81-b116, sizes
    and repairs also in b117-b143, changes from b125 on), passing it on and waiting, or
    telling people (b81-b143) belong to answers labelled with the check, and each answer's
    lines exist."""
    marks = load_marks(DATA / "checks" / f"sentences_{cid}.txt")
    data = {e.answer_id: e for e in load_examples(DATA / "star",
                                                  DATA / "checks" / "labelled.txt")}
    assert len(marks) > at_least
    for answer_id, lines in marks.items():
        e = data[answer_id]
        assert e.holds[cid], answer_id
        assert not lines or max(lines) <= len(e.lines), answer_id
    assert sum(bool(lines) for lines in marks.values()) > 0.95 * len(marks)


@pytest.mark.parametrize("cid", ["quantified_impact", "shows_recovery"])
def test_every_answer_built_on_a_real_one_with_a_size_or_a_repair_is_marked(cid):
    """b117-b143's answers labelled with a size of harm or a repair all have their lines
    marked (thirty-ninth session), so the per-sentence models learn those signs as people
    tell them, not only as the team's writers did; none of them is left unmarked."""
    from coach.eval.segmenter import batch_number

    marks = load_marks(DATA / "checks" / f"sentences_{cid}.txt")
    holding = {e.answer_id for e in load_examples(DATA / "star",
                                                  DATA / "checks" / "labelled.txt")
               if 117 <= batch_number(e.batch) <= 143 and e.holds.get(cid)}
    assert len(holding) > 300
    assert holding <= {a for a, lines in marks.items() if lines}


def test_a_good_signs_sentence_model_reads_what_did_not_happen_apart():
    """"We nearly lost half the batch" must not read as "we lost half the batch": for a
    good sign's per-sentence model the words under "nearly", "never" or "didn't" are read
    only as denied; a red flag's model (blame, often said as a denial) reads them as said."""
    from coach.analysis import check_model as cm
    from coach.analysis.report import Sentence

    def features(text: str, denials: bool) -> dict[str, float]:
        [f] = cm.said_features_of([Sentence(text, 0.0, 1.0, Part.result, 0, 0)], denials)
        return f

    said, nearly = "We lost half the batch.", "We nearly lost half the batch."
    assert "R:w=lost" in features(said, True) and "R:w=lost" in features(nearly, False)
    denied = features(nearly, True)
    assert "R:w=lost" not in denied and "w=lost" not in denied
    assert denied["neg:w=lost"] == 1.0 and denied["neg:verb=lost"] == 1.0
    assert "neg:w=lost" not in features(said, True)
    # "Nearly" and "almost" before a number or an amount round the size: nothing is denied.
    for rounded in ("Almost forty customers got the wrong bill.",
                    "Nearly half the orders went out late.",
                    "It took almost a week to sort out.", "We were nearly 3 hours late.",
                    "It cost us nearly a grand.", "Almost a fifth of the orders were wrong.",
                    "It took almost a whole week to sort out.",
                    "We lost nearly a year's worth of records.",
                    "The buses ran almost forty-five minutes late.",
                    "Complaints nearly doubled that month."):
        f = features(rounded, True)
        assert not any(k.startswith("neg:") for k in f), rounded
    # "Nobody" denies for everyone ("no one" by its "no"), unless "without" or "unless"
    # follows it: then it tells a habit. After any other denial they leave it a denial: a
    # near miss stays one, and a rule told as "I don't ... without ..." stays read as the
    # prevention and ownership models (not retrained for this reading) learned it.
    for nobody in ("Nobody ever put a checklist in.", "No one ever put a checklist in."):
        f = features(nobody, True)
        assert f["neg:w=checklist"] == 1.0, nobody
        assert "R:w=checklist" not in f and "w=checklist" not in f, nobody
    assert features("Nobody ever put a checklist in.", True)["neg:subj=nobody"] == 1.0
    for habit in ("Now nobody signs off a round without ticking the checklist.",
                  "Nobody gets a dose unless two of us have read the chart."):
        assert not any(k.startswith("neg:") for k in features(habit, True)), habit
    for denied in ("We nearly sent the trays out without the allergy labels.",
                   "I don't pick up a job now without reading the postcode first.",
                   "Now no one gives out a dose unless the chart is signed."):
        assert any(k.startswith("neg:w=") for k in features(denied, True)), denied
    assert "R:w=forty" in features("Almost forty customers got the wrong bill.", True)
    assert features("It was nearly a disaster.", True)["neg:w=disaster"] == 1.0
    assert cm.said_reads_denials("quantified_impact") and cm.said_reads_denials("shows_recovery")
    assert not cm.said_reads_denials("blames_others")
    assert not cm.said_reads_denials("no_such_check")


def test_a_trained_sentence_model_is_loaded_and_joined(tmp_path):
    """Trained on two blame-heavy batches, the per-sentence model and its joining weights
    are written beside the answer model, loaded with it, and the verdict's probability is
    the joined one."""
    from coach.analysis import check_model as cm
    from coach.analysis.checks import run_checks
    from coach.analysis.segment import segment
    from coach.analysis.text import words_from_text
    from coach.eval.checks import train_all

    data = [e for e in load_examples(DATA / "star", DATA / "checks" / "labelled.txt")
            if e.batch in ("b11", "b13")]
    marks = {"blames_others": load_marks(DATA / "checks" / "sentences_blames_others.txt")}
    train_all(data, tmp_path, ("blames_others",), marks=marks)
    assert (tmp_path / "sentences_blames_others.crfsuite").is_file()
    with cm.models_in(tmp_path):
        model = cm.check_model("blames_others")
        assert model is not None and model.said is not None
        said, stack = model.said
        sentences = segment(words_from_text(
            "I ran the stock room. The delivery came in short on a Friday. Honestly that "
            "was the warehouse's fault, they never check the pallets. I rang the shops and "
            "moved stock between them. Nobody ran out, and I now count every pallet."))
        rules = {c: v.found for c, v in run_checks(sentences, rubric=None,
                                                    learned=False).items()}
        p = said.probabilities(cm.said_features_of(sentences))
        assert len(p) == len(sentences)
        assert max(range(len(p)), key=p.__getitem__) == 2
        features = cm.answer_features(sentences, rules)
        pa = model.probability(features)
        verdict = model.judge(sentences, features, (), 0.5)
        assert verdict.probability == pytest.approx(stack.join(pa, max(p)))


WARD_STORY = (
    "I look after the dispensary on a busy ward. One evening I gave a patient the morning "
    "dose of her tablets instead of the evening one, because the two charts looked alike. I "
    "told the nurse in charge straight away, we rang the doctor and watched her closely "
    "overnight, and she was fine. {}")


@pytest.mark.parametrize("change", [
    "Since then the two charts are printed in different colours and a second nurse checks "
    "every evening round.",
    "Afterwards I got a red sticker put on the morning charts, and now two of us sign before "
    "any dose goes out.",
    "We now have a checklist taped to the trolley and nobody signs off a round without "
    "ticking it.",
    "so these days every chart gets read back out loud to a second person before I give "
    "anything",
    "I added a line to the handover sheet so the evening doses are checked against the chart "
    "by two of us.",
])
def test_prevention_is_read_in_the_line_that_tells_the_change(change):
    """The seed's strong reply (alerts added, a checklist improved), reworded in a ward's
    words: the shipped per-sentence model puts the change in its own line(s), and the
    answer is credited with prevention."""
    sentences, p, check = _prevention_in_ward_story(change)
    best = max(range(len(p)), key=p.__getitem__)
    assert p[best] > 0.2 and sentences[best].text.split()[-1] in change.split(), change
    assert max(p[:4]) < 0.1
    assert check.found
    # The verdict quotes the line the change is told in, so the report can show it.
    assert any(sentences[best].text in e.text or e.text in change for e in check.evidence)


@pytest.mark.parametrize("vague", [
    "I just made sure to be more careful next time.",
    "I guess I learned to slow down and pay more attention.",
    "Honestly I would not change anything about how I did it.",
    "It was a good lesson for me about being careful.",
    "We talked about maybe getting a checklist but nothing came of it.",
])
def test_a_vague_promise_is_not_read_as_prevention(vague):
    """The seed's weak replies ("be more careful", "wouldn't change anything") and a change
    only talked about, in the same story: no line reads as a change, and the answer is
    surely not credited with one."""
    _, p, check = _prevention_in_ward_story(vague)
    assert max(p) < 0.1
    assert not check.found and check.confidence > 0.9, vague


@pytest.mark.parametrize("denied", [
    "Nobody ever put a checklist in after that.",
    "Nobody ever bothered with a second check after that.",
])
def test_a_change_nobody_made_is_not_read_as_one(denied):
    """"Nobody" denies for everyone: the line tells that no change was made (before the
    denial reading took "nobody", the first read as a change at 0.79 and the answer was
    surely credited with prevention)."""
    _, p, check = _prevention_in_ward_story(denied)
    assert max(p) < 0.1
    assert not check.found, denied


def _prevention_in_ward_story(ending: str):
    """(the ward story ending in ``ending`` cut into sentences, the probability the shipped
    per-sentence model gives each that it tells a change, the answer's prevention verdict).
    Prevention's per-sentence model reads denials apart."""
    from coach.analysis import check_model as cm
    from coach.analysis.analyze import analyze_text
    from coach.analysis.segment import segment
    from coach.analysis.text import words_from_text

    model = cm.check_model("concrete_prevention")
    assert model is not None and model.said is not None and model.said_denials
    sentences = segment(words_from_text(WARD_STORY.format(ending)))
    p = model.said[0].probabilities(cm.said_features_of(sentences, model.said_denials))
    return sentences, p, analyze_text(WARD_STORY.format(ending)).checks["concrete_prevention"]
