"""A signal told by its rules (honest ownership) may also be found where a per-sentence
model reads it in one sentence (``signals_in_sentences`` in rubric.toml; its comment says
what was measured): owning told as one's own wrong act, or a concrete lesson, in words no
pattern lists. A small model trained here on a handful of sentences, with the signal switched on in
a copy of the rubric, says what the mechanism does."""

from dataclasses import replace
from pathlib import Path

import pytest

from coach.analysis import check_model as cm
from coach.analysis.checks import run_checks
from coach.analysis.report import Sentence
from coach.analysis.rubric import load_rubric
from coach.analysis.segment import segment
from coach.analysis.sentence_model import model_name
from coach.analysis.text import words_from_text
from coach.eval.checks import (
    SEED_STORY,
    load_marks,
    load_sentence_set,
    load_signal_label_sets,
    rule_signals,
    signal_rows,
    train_signal_model,
)
from coach.eval.segmenter import load_answers

DATA = Path(__file__).parent / "data"

OWNING = [
    "I had assumed the old limit still applied and went ahead anyway.",
    "I assumed it would be quiet at lunchtime and went ahead without asking.",
    "I assumed the numbers were fine and went ahead.",
    "Because I assumed nobody would notice, I went ahead on my own.",
]
NOT_OWNING = [
    "The supplier assumed we had the new address.",
    "My manager went ahead with the plan we agreed.",
    "We went ahead with the launch on the Monday.",
    "Everyone assumed it was the weather.",
    "I went to the depot the next morning.",
    "I rang the client to explain what had happened.",
    "The night shift assumed the fridge was fine.",
    "They assumed the old value was safe.",
    # the story's own sentences
    *(s.strip() + "." for s in SEED_STORY.replace("{}", "").split(". ") if s.strip()),
]
# Not among the sentences above; no owning pattern reads it.
UNSEEN = "I assumed the old value was safe and went ahead at the busiest hour."


def _sentence(text: str) -> Sentence:
    return Sentence(text, 0.0, 0.0, None, 0, 0)


RUBRIC = replace(load_rubric(), signals_in_sentences=("honest_ownership",),
                 thresholds={**load_rubric().thresholds, "honest_ownership": 0.5})


def analyze_text(text: str):
    """The checks of a whole answer, with honest ownership's sentence model switched on."""
    class Checked:
        checks = run_checks(segment(words_from_text(text)), rubric=RUBRIC)
    return Checked


@pytest.fixture
def owning_model(tmp_path):
    rows = [(f, says) for texts, says in ((OWNING, True), (NOT_OWNING, False))
            for f in cm.signal_features_of([_sentence(t) for t in texts])]
    train_signal_model(rows, tmp_path / model_name("honest_ownership"))
    with cm.signal_models_in(tmp_path):
        yield


def test_the_shipped_rubric_switches_the_sentence_models_on_and_names_known_signals():
    from coach.analysis.rubric import validate_rubric

    rubric = load_rubric()
    # measured: rubric.toml
    assert rubric.signals_in_sentences == ("honest_ownership", "concrete_reflection")
    assert all(cm.signal_model(cid) is not None for cid in rubric.signals_in_sentences)
    validate_rubric(RUBRIC)
    with pytest.raises(ValueError, match="signals_in_sentences"):
        validate_rubric(replace(rubric, signals_in_sentences=("owning",)))


def test_without_a_model_the_rules_alone_decide(tmp_path):
    with cm.signal_models_in(tmp_path):  # an empty folder: no model
        check = analyze_text(SEED_STORY.format(UNSEEN)).checks["honest_ownership"]
    assert not check.found


def test_a_sentence_the_model_reads_as_owning_is_credited_and_quoted(owning_model):
    check = analyze_text(SEED_STORY.format(UNSEEN)).checks["honest_ownership"]
    assert check.found
    assert [e.text for e in check.evidence] == [UNSEEN]


@pytest.mark.parametrize("text", [
    "The night team assumed the old value was safe.",
    "We went to the site at the busiest hour.",
])
def test_close_words_owning_nothing_are_not_credited(owning_model, text):
    assert not analyze_text(SEED_STORY.format(text)).checks["honest_ownership"].found


def test_a_reply_to_a_follow_up_is_left_to_the_rules(owning_model):
    reply = [_sentence("We looked into it the next day."), _sentence(UNSEEN)]
    assert not run_checks(reply, rubric=RUBRIC)["honest_ownership"].found


def test_a_sentence_quoted_surely_as_blame_is_not_read_as_owning(owning_model):
    """A dig at someone else is blame, whatever its words share with owning (the model
    alone reads this one as owning)."""
    text = SEED_STORY.format(
        "Honestly I assumed the platform team had done their job and went ahead, that one "
        "is on them.")
    checks = analyze_text(text).checks
    assert checks["blames_others"].found and checks["blames_others"].sure
    assert not checks["honest_ownership"].found


def test_sentence_sets_and_marks_are_read_strictly(tmp_path):
    bad = tmp_path / "set.txt"
    bad.write_text("# a comment\nOWNS\tI forgot it.\nMAYBE\tI might have.\n")
    with pytest.raises(ValueError, match="set.txt:3"):
        load_sentence_set(bad)
    good = tmp_path / "good.txt"
    good.write_text("OWNS\tI forgot it.\nNOT\tShe forgot it.\nOTHERS\tHe said I forgot.\n")
    assert load_sentence_set(good) == [("I forgot it.", True), ("She forgot it.", False),
                                       ("He said I forgot.", False)]
    marks = tmp_path / "marks.txt"
    marks.write_text("b1-01: 2 3\nb1-02:\n")
    assert load_marks(marks) == {"b1-01": frozenset({2, 3}), "b1-02": frozenset()}


def test_signal_label_files_say_nothing_of_signals_they_do_not_label(tmp_path):
    """Two files labelling other signals on other answers add up: an answer of the first
    is not called without the second's signals, which nobody asked about it."""
    signals = ("root_cause_identified", "honest_ownership", "names_tradeoff")
    first = tmp_path / "labels_rule_signals.txt"
    first.write_text("# who labelled what\nlabelled: root_cause_identified honest_ownership\n"
                     "b1-01: root_cause_identified\nb1-02:\n")
    second = tmp_path / "labels_rule_signals_more.txt"
    second.write_text("labelled: names_tradeoff\nb2-01: names_tradeoff\nb2-02:\n")
    assert load_signal_label_sets([first, second], signals) == {
        "root_cause_identified": {"b1-01": True, "b1-02": False},
        "honest_ownership": {"b1-01": False, "b1-02": False},
        "names_tradeoff": {"b2-01": True, "b2-02": False}}
    undeclared = tmp_path / "undeclared.txt"
    undeclared.write_text("b3-01: names_tradeoff\n")
    with pytest.raises(ValueError, match="undeclared.txt: the first line"):
        load_signal_label_sets([undeclared], signals)
    stray = tmp_path / "stray.txt"
    stray.write_text("labelled: names_tradeoff\nb3-01: honest_ownership\n")
    with pytest.raises(ValueError, match="stray.txt:2: b3-01: honest_ownership not among"):
        load_signal_label_sets([stray], signals)
    unknown = tmp_path / "unknown.txt"
    unknown.write_text("labelled: names_tradeoff\nb3-01: charm\n")
    with pytest.raises(ValueError, match="unknown.txt:2"):
        load_signal_label_sets([unknown], signals)
    cases = {  # file text -> what the one-line message must say
        "labelled: charm\nb3-01:\n": r"x.txt:1: charm: not a signal told by rules alone",
        "labelled: names_tradeoff\nlabelled: names_tradeoff\n": r"x.txt:2: a second 'labelled:'",
        "# c\nlabelled: names_tradeoff\nb3-01: honest_ownership\n":
            r"x.txt:3: b3-01: honest_ownership not among the signals this file labels",
        "labelled: names_tradeoff\nb3-01: names_tradeoff\nb3-01:\n":
            r"x.txt:3: b3-01 is already labelled for names_tradeoff \(.*x.txt:2\)",
        "labelled: names_tradeoff\n: names_tradeoff\n": r"x.txt:2: cannot parse",
    }
    for text, message in cases.items():
        (tmp_path / "x.txt").write_text(text)
        with pytest.raises(ValueError, match=message):
            load_signal_label_sets([tmp_path / "x.txt"], signals)
    again = tmp_path / "again.txt"  # a second reader's file labelling the same answer
    again.write_text("labelled: names_tradeoff\nb2-01:\n")
    with pytest.raises(ValueError, match=r"again.txt:2: b2-01 is already labelled for "
                                         r"names_tradeoff \(.*more.txt:2\)"):
        load_signal_label_sets([second, again], signals)
    with pytest.raises(ValueError, match="no signal label files"):
        load_signal_label_sets([], signals)


def test_the_shipped_signal_labels_declare_what_they_label():
    """Every labels file is read, and each names the signals it labels (a file without
    its "labelled:" line would stop scripts/train_checks.py)."""
    rubric = load_rubric()
    files = sorted((DATA / "checks").glob("labels_rule_signals*.txt"))
    labels = load_signal_label_sets(files, rule_signals(rubric))  # as the script reads them
    assert len(files) >= 2 and {"root_cause_identified", "concrete_reflection",
                                "names_tradeoff", "cross_team_scope"} <= set(labels)
    assert all(len(held) >= 150 for held in labels.values()), {
        cid: len(held) for cid, held in labels.items()}


def test_signal_rows_label_the_marked_lines_and_refuse_a_line_past_the_end():
    [answer] = [a for a in load_answers(DATA / "star" / "b35.txt") if a.id == "b35-01"]
    rows = signal_rows([answer], {"b35-01": frozenset({2})}, [("I forgot it.", True)])
    assert [says for _, says in rows["b35"]] == [n == 2 for n in range(1, len(answer.lines) + 1)]
    assert [says for _, says in rows["sets"]] == [True]
    with pytest.raises(ValueError, match="b35-01"):
        signal_rows([answer], {"b35-01": frozenset({len(answer.lines) + 1})})


def test_a_signals_record_also_counts_answers_its_marked_lines_label():
    """Answers labelled for one signal alone (by its marked lines) count in its record:
    the same answers said to hold it, or not, move how often a credit is right."""
    from coach.eval.checks import signal_records

    answers = [a for a in load_answers(DATA / "star" / "b35.txt")][:6]
    credited = [a.id for a in answers
                if analyze_text(a.text).checks["honest_ownership"].found]
    assert credited  # b35's first answers own their part in words the rules read
    holds = {"honest_ownership": {a.id: True for a in answers}}
    wrong = {"honest_ownership": {a.id: False for a in answers}}
    right = signal_records(answers, holds)["honest_ownership"]
    not_right = signal_records(answers, wrong)["honest_ownership"]
    assert min(right.precision) > max(not_right.precision)


# The shipped model, end to end. Near misses it once credited (2452f45: "I didn't say it was
# their fault, I just told them what happened" at 0.99), each said several ways: a blame
# denied, a clean record, a calm "I didn't", someone else's omission, not waiting as a good
# thing. Written for this test, in none of the training sets.
SHIPPED_NEAR_MISSES = [
    "I didn't say it was their fault, I just told them what happened.",
    "I never said it was the porter's fault, I only explained the delay to the ward.",
    "I didn't point the finger at anyone, I just laid out the timeline.",
    "I wasn't blaming the agency, I simply went through what happened on the ward.",
    "I never made a single mistake on the till.",
    "Not once in six years did I get a prescription wrong.",
    "I'd never had an error in all my time on that desk.",
    "I didn't panic, I just rang the on-call manager.",
    "I didn't raise my voice, I just kept explaining the refund.",
    "She didn't check the label before it went out.",
    "The night porter never told anyone the lift was broken.",
    "I didn't hang about waiting for sign-off, I pulled the stock straight away.",
    # a second reader's rewordings of the first, with no word of fault
    "I didn't say it was on them, I just told them what happened.",
    "I didn't say they'd messed up, I just gave the facts.",
    "I didn't say the agency had messed up, I just went through the timeline.",
]
# Owning told as something left undone or a plain wrong act, and the seed's "traced it to a
# faulty config change I made" said other ways. (Still missed, measured: "I never told
# anyone the fridge was broken" reads 0.71, "I left the gate open when I went for the van"
# 0.55: tests/data/star/README.md.)
SHIPPED_OWNING = [
    "The config change that broke it was mine.",
    "I didn't double-check the dosage before I handed it over.",
    "I didn't check the second page, I just signed it.",
    "I didn't read the email properly and booked the wrong date.",
    "I assumed it would be quiet and ran the update at lunchtime.",
    "I didn't blame anyone but myself, I'd skipped the check.",
    # a second reader's: owning that close words' exclusions had set aside ("never ... a
    # single" as an omission; "had it" is not "had I")
    "I never checked a single one of the labels before I sent the batch.",
    "I had it in my head that it would be quiet, so I ran the update at lunchtime.",
]


@pytest.mark.parametrize("text", SHIPPED_NEAR_MISSES)
def test_the_shipped_model_credits_no_near_miss_said_another_way(text):
    from coach.analysis.analyze import analyze_text as analyze

    assert not analyze(SEED_STORY.format(text)).checks["honest_ownership"].found, text


@pytest.mark.parametrize("text", SHIPPED_OWNING)
def test_the_shipped_model_credits_owning_said_as_a_plain_act(text):
    from coach.analysis.analyze import analyze_text as analyze

    assert analyze(SEED_STORY.format(text)).checks["honest_ownership"].found, text


def test_a_credit_only_the_model_gives_is_as_sure_as_such_credits_have_been():
    """A sentence no owning rule reads, credited by the model alone, is shown as probable:
    its confidence is the measured share of the model's own finds that were right (under
    the rules' record, and under what a verdict needs to be said aloud)."""
    from coach.analysis.analyze import analyze_text as analyze
    from coach.analysis.report import SURE_CHECK

    record = cm.signal_record("honest_ownership")
    assert record is not None and record.read_precision is not None
    assert 0.5 < record.read_precision < min(record.precision)
    text = SEED_STORY.format("I assumed it would be quiet and ran the update at lunchtime.")
    plain = run_checks(segment(words_from_text(text)), rubric=replace(
        load_rubric(), signals_in_sentences=()))["honest_ownership"]
    check = analyze(text).checks["honest_ownership"]
    assert not plain.found and check.found
    assert check.confidence == pytest.approx(min(record.read_precision, 1.0), abs=1e-3)
    assert check.sure == (record.read_precision >= SURE_CHECK)


def test_a_record_keeps_the_models_own_finds_apart():
    from coach.analysis.check_model import RuleRecord
    from coach.eval.checks import Example, rule_record

    data = [Example(f"a{k}", "b1", "word " * 40, {"honest_ownership": k % 2 == 0})
            for k in range(8)]
    found = {e.answer_id: {"honest_ownership": True} for e in data}
    rules = {e.answer_id: {"honest_ownership": e.answer_id in ("a0", "a2")} for e in data}
    record = rule_record(data, "honest_ownership", found, rules)
    assert record.read_precision == pytest.approx((2 + 1) / (6 + 2))  # a4 a6 of a1-a7 but a2
    assert record.precision[0] > record.read_precision  # the rules' two finds were right
    assert rule_record(data, "honest_ownership", found).read_precision is None
    again = RuleRecord.from_dict(record.to_dict())
    assert again.read_precision == pytest.approx(record.read_precision, abs=1e-3)
    assert RuleRecord.from_dict({**record.to_dict(), "read_precision": "x"}).read_precision is None


def test_a_credit_only_the_model_gives_is_never_sure_without_a_record(monkeypatch):
    """With no record of the model's own finds (a stats file from before them, or none), a
    credit only it gives is still shown as probable, never said aloud."""
    from coach.analysis import checks
    from coach.analysis.analyze import analyze_text as analyze
    from coach.analysis.check_model import RuleRecord
    from coach.analysis.report import SURE_CHECK

    assert checks.UNMEASURED_READ < SURE_CHECK
    text = SEED_STORY.format("I assumed it would be quiet and ran the update at lunchtime.")
    for record in (None, RuleRecord((1.0,) * 5, (0.9,) * 5)):
        monkeypatch.setattr(checks, "signal_record", lambda cid, r=record: r)
        check = analyze(text).checks["honest_ownership"]
        assert check.found and not check.sure, record
    monkeypatch.setattr(checks, "signal_record",
                        lambda cid: RuleRecord((1.0,) * 5, (0.9,) * 5, 0.3))
    assert not analyze(text).checks["honest_ownership"].found  # its own finds mostly wrong


def test_what_a_clause_denies_is_read_apart_from_what_the_sentence_says():
    f = cm.negated_features("I never made a single mistake on the till.")
    assert f["neg:i_verb=made"] and f["neg:clean_record"] and f["neg:w=mistake"]
    assert "neg:then_just" in cm.negated_features(
        "I didn't say it was their fault, I just told them what happened.")
    assert "neg:i_denies_words" in cm.negated_features("I never blamed the porter.")
    assert all(cm.negated_features(t) == {} for t in ("", "\u2014", "I checked it."))
    [denied] = cm.signal_features_of([_sentence("I never made a single mistake.")])
    assert "w=mistake" not in denied and "neg:w=mistake" in denied
    [plain] = cm.signal_features_of([_sentence("The mistake was in the invoice.")])
    assert "w=mistake" in plain


def test_the_marks_kept_apart_name_real_lines_of_b81_to_b99():
    """The owning lines marked in b81-b99 and not yet trained on (their header says why)
    name answers that exist and lines inside them, as the trained marks do."""
    marks = load_marks(DATA / "checks" / "sentences_honest_ownership_b81_b99.txt")
    answers = [a for k in range(81, 100) for a in load_answers(DATA / "star" / f"b{k}.txt")]
    assert set(marks) == {a.id for a in answers} and len(marks) == 570
    rows = signal_rows(answers, marks)  # raises on a line past an answer's end
    assert sum(bool(lines) for lines in marks.values()) == 331  # as its header says
    assert sum(says for rs in rows.values() for _, says in rs) == sum(map(len, marks.values()))


# A concrete lesson (concrete_reflection), read in sentences by its model: the seed's strong
# reply said other ways is credited, its weak replies said other ways are not.
LESSON_STORY = ("I work as a systems engineer on our payments service. Last spring I changed a "
                "database config to speed up our nightly jobs. I did not test it against the "
                "real load. The next morning the checkout pages timed out for about forty "
                "minutes. I rolled the change back myself and checkout recovered. {}")
LESSONS = [
    "I would have added more thorough testing for config changes and involved the database "
    "team earlier to validate assumptions.",
    "Looking back, I'd have tested the config change properly and brought the database team "
    "in earlier to check my assumptions.",
    "If I did it again I would test config changes far more thoroughly and get the database "
    "people involved much earlier.",
    "What I'd do differently is load test every config change first and ask the database "
    "team to check my thinking before it goes live.",
    "Since then I always try a config change on staging under real load and run it past the "
    "database team first.",
]
NO_LESSONS = [
    "",
    "I just made sure to be more careful next time.",
    "I guess I just try to be more careful now.",
    "Honestly I don't think I would change anything.",
    "I'll be more careful in future.",
    "It was a stressful morning but we got through it.",
]


@pytest.mark.parametrize("words, concrete", [(w, True) for w in LESSONS]
                         + [(w, False) for w in NO_LESSONS])
def test_a_concrete_lesson_is_found_however_said_and_a_vague_one_or_none_is_not(words,
                                                                              concrete):
    from coach.analysis.analyze import analyze_text as analyze

    check = analyze(LESSON_STORY.format(words)).checks["concrete_reflection"]
    assert check.found is concrete, words


def test_the_lessons_model_reads_lessons_the_rules_do_not():
    """What the model adds: "What I'd do differently is ..." names a step no lesson pattern
    lists, and only the model credits it, no surer than its credits have been right on
    answers it had not seen (read_precision, measured per held-out batch) nor than the
    signal's record at that length."""
    from coach.analysis.analyze import analyze_text as analyze
    from coach.analysis.report import SURE_CHECK

    text = LESSON_STORY.format(LESSONS[3])
    plain = run_checks(segment(words_from_text(text)), rubric=replace(
        load_rubric(), signals_in_sentences=()))["concrete_reflection"]
    check = analyze(text).checks["concrete_reflection"]
    record = cm.signal_record("concrete_reflection")
    assert not plain.found and check.found and record is not None
    assert check.confidence <= record.read_precision + 1e-3
    assert check.sure == (check.confidence >= SURE_CHECK)
    assert "What I'd do differently" in " ".join(e.text for e in check.evidence)


@pytest.mark.slow
def test_the_blind_lesson_set_is_read_better_than_by_the_rules():
    """tests/data/checks/lesson_or_not.txt (100 sentences a helper wrote from a brief, never
    trained on), each told in the seed's story: the rules alone 62 right (12 of 50 lessons
    credited, none wrongly), with the model 73 (25, 2 wrongly) when first scored."""
    from coach.analysis.analyze import analyze_text as analyze

    rows = load_sentence_set(DATA / "checks" / "lesson_or_not.txt")
    found = [(says, analyze(SEED_STORY.format(t)).checks["concrete_reflection"].found)
             for t, says in rows]
    assert sum(f == says for says, f in found) >= 70
    assert sum(f and not says for says, f in found) <= 3


def test_the_blind_sentence_sets_are_never_learned_from():
    from coach.eval.checks import BLIND_SIGNAL_SETS, SIGNAL_SETS

    for cid, names in BLIND_SIGNAL_SETS.items():
        assert names and all((DATA / "checks" / n).is_file() for n in names), cid
        assert not set(names) & set(SIGNAL_SETS.get(cid, ())), cid


def test_the_rule_told_signals_records_are_measured_on_the_labels_there_are_now():
    # A label file or marked lines added without measuring again would leave the shipped
    # records on fewer answers than the script measures: `scripts/train_checks.py --only
    # signals` rebuilds them. (A rule changed, or a label flipped in place, keeps the count
    # and is not caught here; root cause's stale record was such a rule change.)
    from coach.eval.checks import read_stats, rule_signal_labels
    from coach.eval.segmenter import load_answers
    from coach.prompts import model_file

    labels = rule_signal_labels(DATA / "checks", load_rubric())
    ids = {a.id for p in sorted((DATA / "star").glob("*.txt")) for a in load_answers(p)}
    records = read_stats(model_file("check_stats.json").parent)["rule_signals"]
    assert set(records) == set(labels.holds)
    for cid, held in labels.holds.items():
        assert records[cid].get("measured_on") == len(held.keys() & ids), (
            f"{cid}: measured on {records[cid].get('measured_on')} answers, "
            f"{len(held.keys() & ids)} labelled: run scripts/train_checks.py --only signals")
