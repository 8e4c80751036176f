"""The rubric is data: every id it names is checked when it loads, and every check in it
is computed (a new pattern check needs no code)."""

import re
from dataclasses import replace

import pytest

from coach.analysis.analyze import CoachingOptions, analyze_text
from coach.analysis.checks import run_checks
from coach.analysis.report import SURE_CHECK, CheckKind, Report
from coach.analysis.rubric import (
    CheckSpec,
    FollowUpRule,
    check_company,
    check_level,
    load_rubric,
    validate_rubric,
)
from coach.errors import InputError

RUBRIC = load_rubric()


@pytest.mark.parametrize("change,where", [
    (lambda r: replace(r, follow_ups=r.follow_ups + (FollowUpRule("!no_such", "Q?", "x"),)),
     "follow_ups"),
    (lambda r: replace(r, signal_priority=r.signal_priority + ("typo_signal",)),
     "signal_priority"),
    (lambda r: replace(r, learned=r.learned + ("blame_others",)), "learning.learned"),
    (lambda r: replace(r, praise_priority=r.praise_priority + ("root_cause",)),
     "praise_priority"),
    (lambda r: replace(r, praise_priority=("blames_others",) + r.praise_priority),
     "praise_priority must name every signal"),
    (lambda r: replace(r, praise_priority=r.praise_priority[1:]),
     "praise_priority must name every signal"),
    (lambda r: replace(r, not_praised_beside={"blames_others": frozenset({"team_only"})}),
     "not_praised_beside.blames_others must be a signal"),
    (lambda r: replace(r, not_praised_beside={"shows_recovery": frozenset({"root_cause"})}),
     "not_praised_beside"),
    (lambda r: replace(r, levels=(replace(r.levels[0], needs=("root_cause",)),)), "levels"),
])
def test_an_unknown_check_id_fails_loudly(change, where):
    validate_rubric(RUBRIC)  # the shipped rubric is valid
    with pytest.raises(ValueError, match=where):
        validate_rubric(change(RUBRIC))


@pytest.mark.parametrize("key, value", [
    ("praise_priority", "concrete_prevention"),
    ("praise_priority", ["concrete_prevention", 3]),
])
def test_a_list_of_ids_that_is_not_one_fails_loudly(key, value, prompts_read_as):
    """A string where a list belongs would be read letter by letter."""
    import coach.analysis.rubric as rubric_module
    from coach.prompts import load_toml

    d = load_toml("rubric.toml")
    prompts_read_as(rubric_module, rubric_module.load_rubric,
                    {**d, "feedback": {**d["feedback"], key: value}})
    with pytest.raises(ValueError, match=f"feedback.{key} must be a list of check ids"):
        rubric_module.load_rubric()


def test_only_one_follow_up_may_be_the_fallback_and_on_a_signal():
    assert [r.when for r in RUBRIC.follow_ups if r.fallback] == ["!concrete_reflection"]
    second = FollowUpRule("!shows_recovery", "Q?", "shows_recovery", fallback=True)
    on_flag = FollowUpRule("escalates_and_waits", "Q?", "shows_recovery", fallback=True)
    rest = tuple(replace(r, fallback=False, question_if_perhaps_told="", answered_by=(),
                         instead=()) for r in RUBRIC.follow_ups)
    with pytest.raises(ValueError, match="fallback"):
        validate_rubric(replace(RUBRIC, follow_ups=RUBRIC.follow_ups + (second,)))
    with pytest.raises(ValueError, match="fallback"):
        validate_rubric(replace(RUBRIC, follow_ups=rest + (on_flag,)))
    validate_rubric(replace(RUBRIC, follow_ups=rest))  # none is fine
    # the other wording for a lesson perhaps told belongs to the fallback alone
    lone = replace(rest[0], question_if_perhaps_told="Q again?")
    with pytest.raises(ValueError, match="question_if_perhaps_told"):
        validate_rubric(replace(RUBRIC, follow_ups=(lone,) + rest[1:]))
    # and so do the signals that answer it and the follow-ups asked in its place
    lone = replace(rest[0], answered_by=("concrete_prevention",), instead=("shows_recovery",))
    with pytest.raises(ValueError, match="answered_by"):
        validate_rubric(replace(RUBRIC, follow_ups=(lone,) + rest[1:]))


@pytest.mark.parametrize("answered_by, instead", [
    (("concrete_prevention",), ()),                     # one without the other
    ((), ("shows_recovery",)),
    (("no_such_check",), ("shows_recovery",)),           # not a check
    (("vague_prevention",), ("shows_recovery",)),        # a red flag
    (("concrete_prevention",), ("escalates_and_waits",)),  # a follow-up asked on a flag
    (("concrete_prevention",), ("concrete_reflection",)),  # the fallback itself
    (("shows_recovery",), ("shows_recovery",)),          # answered by what it asks
    (("concrete_prevention",), ("shows_recovery", "shows_recovery")),  # twice
])
def test_a_fallbacks_stand_ins_are_follow_ups_asked_on_a_missing_signal(answered_by, instead):
    follow_ups = tuple(replace(r, answered_by=answered_by, instead=instead) if r.fallback else r
                       for r in RUBRIC.follow_ups)
    with pytest.raises(ValueError, match="answered_by"):
        validate_rubric(replace(RUBRIC, follow_ups=follow_ups))


def test_faint_words_go_together_and_only_on_a_learned_red_flag():
    """``faint_why`` and ``faint_advice`` (a flag found under even odds) come as a pair, and
    only a learned red flag, the only kind found under even odds, may have them."""
    from coach.analysis.rubric import _faint_words

    assert _faint_words({"faint_why": "w", "faint_advice": "a"}, "x") == ("w", "a")
    assert _faint_words({}, "x") is None
    with pytest.raises(ValueError, match="faint_advice"):
        _faint_words({"faint_why": "w"}, "blames_others")
    blame = RUBRIC.checks["blames_others"]
    assert blame.faint_words is not None
    on_signal = replace(RUBRIC.checks["shows_recovery"], faint_words=blame.faint_words)
    with pytest.raises(ValueError, match="learned red flag"):
        validate_rubric(replace(RUBRIC, checks={**RUBRIC.checks, "shows_recovery": on_signal}))
    on_rule_flag = replace(RUBRIC.checks["no_recovery"], faint_words=blame.faint_words)
    with pytest.raises(ValueError, match="learned red flag"):
        validate_rubric(replace(RUBRIC, checks={**RUBRIC.checks, "no_recovery": on_rule_flag}))


def test_a_check_without_patterns_or_rule_fails():
    bare = CheckSpec("made_up", "Made up", CheckKind.signal, ("action",), False, (), (),
                     "why", "advice")
    with pytest.raises(ValueError, match="made_up"):
        validate_rubric(replace(RUBRIC, checks={**RUBRIC.checks, "made_up": bare}))


def test_a_new_pattern_check_in_the_data_is_computed_without_code():
    import re

    spec = CheckSpec("mentions_canary", "Canary", CheckKind.signal, ("action", "result"),
                     False, (re.compile(r"\bcanary\b"),), (), "why", "advice",
                     praise="You staged it before it reached everyone.")
    rubric = replace(RUBRIC, checks={**RUBRIC.checks, "mentions_canary": spec})
    validate_rubric(rubric)
    sentences = analyze_text("I broke the deploy. I rolled it back. I added a canary stage. "
                             "It has caught two bad deploys since.").sentences
    checks = run_checks(sentences, rubric=rubric, learned=False)
    assert checks["mentions_canary"].found and set(checks) == set(rubric.checks)


def test_levels_and_companies_come_from_the_rubric():
    assert check_level("senior") == "Senior"
    assert check_company("Amazon") == "amazon"
    with pytest.raises(InputError, match="SDE1, SDE2, Senior, Principal"):
        check_level("staff")
    assert [lv.id for lv in RUBRIC.levels if lv.cross_team_required] == ["Senior", "Principal"]


def test_every_level_has_a_plain_name_and_its_code_only_beside_a_chosen_target():
    """A nurse or a teacher is told "entry level", not a software grade ("SDE1"); the code
    is shown only beside a target level the person chose by it."""
    rubric = load_rubric()
    for level in rubric.levels:
        assert level.plain and not any(ch.isdigit() for ch in level.plain), level
        assert rubric.level_label(level.id) == level.plain
        assert rubric.level_label(level.id, with_code=True) == f"{level.plain} ({level.id})"
    assert rubric.level_label("unknown") == "unknown"
    text = "I restarted the oven myself and told the manager straight away."
    shown = _shown(analyze_text(text))
    assert "SDE" not in shown
    assert ("Level this story shows (this one story, not how experienced you are): entry "
            "level") in shown
    targeted = _shown(analyze_text(text, coaching=CoachingOptions(target_level="SDE2")))
    assert "target mid level (SDE2)" in targeted


def test_signals_not_surely_missing_are_listed_apart_from_the_missing_ones():
    """The terminal lists a signal the coach leans to missing but is not sure of apart
    from the surely missing ones, as the HTML page and the written report do."""
    report = analyze_text("The fryer caught fire at lunch. I put it out with the blanket.")
    doubtful = [RUBRIC.checks[cid].title for cid, c in report.checks.items()
                if c.kind is CheckKind.signal and not c.found and not c.sure]
    missing = [RUBRIC.checks[cid].title for cid, c in report.checks.items()
               if c.kind is CheckKind.signal and not c.found and c.sure]
    assert doubtful and missing
    lines = _shown(report).splitlines()
    missing_line = next(x for x in lines if "· Missing: " in x)
    doubt_line = next(x for x in lines if "? Not sure they are missing" in x)
    assert all(t in missing_line for t in missing)
    assert all(t in doubt_line and t not in missing_line for t in doubtful)
    assert "(not sure)" not in missing_line


def _shown(report: Report) -> str:
    """The coaching panel as the terminal shows it."""
    from rich.console import Console

    from coach.cli.render import coaching_panel

    console = Console(record=True, width=400)
    console.print(coaching_panel(report))
    return console.export_text()


SOFTWARE_WORDS = re.compile(
    r"\b(downtime|error rates?|deploy\w*|roll(ed)? back|logs?|production|incident|outage|"
    r"bugs?|code|services?|silos?|scope|proactive\w*|stakeholders?|sprint|users?|routing|"
    r"firefighting|long-term ownership|competency|"
    r"my change|the change I made|lives now|\$\d)", re.IGNORECASE)
"""Words a nurse, a tailor or a driver would not use of their own work, or software's
examples ("my change caused it", "where it lives now", "$8K a week")."""


def test_what_the_coach_says_of_every_check_and_level_is_in_everyday_words():
    """A check's title, advice and reason, and a level's plain name and summary, are read
    to people of every trade: they hold no software or office words (b130's second
    reading: "my change caused it" said to a tailor, "minutes of downtime" for one shirt).
    The seed's own examples stay in the company lenses, where the seed puts them."""
    said = [(f"{cid}.{field}", getattr(spec, field)) for cid, spec in RUBRIC.checks.items()
            for field in ("title", "advice", "why", "advice_if_partly", "praise")]
    said += [(f"{lv.id}.{field}", getattr(lv, field)) for lv in RUBRIC.levels
             for field in ("plain", "summary")]
    found = [(where, m.group(0)) for where, text in said if (m := SOFTWARE_WORDS.search(text))]
    assert not found, found
    assert SOFTWARE_WORDS.search("Put numbers on it: minutes of downtime, error rate")


def test_a_signal_credited_by_an_unknown_evidence_group_fails():
    spec = replace(RUBRIC.checks["honest_ownership"], also_group=("blames_others", "made_up"))
    with pytest.raises(ValueError, match="blames_others.made_up"):
        validate_rubric(replace(RUBRIC, checks={**RUBRIC.checks, "honest_ownership": spec}))


def test_evidence_that_undoes_unknown_groups_fails():
    from coach.analysis import rubric as rubric_module

    good = {"groups": {"telling": ["told"], "told_late": ["told .* after"]},
            "pooled": ["telling"], "undone_by": "told_late", "undoes": ["telling"]}
    assert rubric_module._evidence({"x": good})["x"].undoes == ("telling",)
    with pytest.raises(ValueError, match="undone_by"):
        rubric_module._evidence({"x": {**good, "undone_by": "made_up"}})
    with pytest.raises(ValueError, match="not pooled"):
        rubric_module._evidence({"x": {**good, "undoes": ["told_late"]}})
    assert not rubric_module._evidence({"x": {**good, "undone_rules_out": False}})["x"].rules_out
    with pytest.raises(ValueError, match="true or false"):
        rubric_module._evidence({"x": {**good, "undone_rules_out": "false"}})


def test_evidence_made_of_a_checks_own_patterns_and_undone_by_sentence():
    from coach.analysis import rubric as rubric_module
    from coach.analysis.evidence import free_sentences, only_undone

    checks = {"x": {"patterns": [r"\badded an? (alert|check)\b"]}}
    spec = {"groups": {"nothing_came": [r"\bnothing came of it\b"]}, "patterns_group": "change",
            "pooled": ["change"], "undone_by": ["nothing_came"], "undoes": ["change"],
            "sentence_voided_by": ["nothing_came"]}
    groups = rubric_module._evidence({"x": spec}, checks)["x"]
    assert groups.names == ("nothing_came", "change")
    # Undone in its own sentence, said after the change, and across a run-on cut in two...
    assert only_undone(["I added an alert on the queue, but nothing came of it."], groups)
    assert only_undone(["I added an alert on the queue, and", "nothing came of it."], groups)
    assert free_sentences(["I added an alert,", "but nothing came of it.", "I added a check."],
                          groups) == [False, False, True]
    # ...not in the next sentence, nor where another change still stands.
    assert not only_undone(["I added an alert on the queue.", "Nothing came of it."], groups)
    assert not only_undone(["I added a check.", "I added an alert, but nothing came of it."],
                           groups)
    with pytest.raises(ValueError, match="sentence_voided_by"):
        rubric_module._evidence({"x": {**spec, "sentence_voided_by": ["made_up"]}}, checks)
    with pytest.raises(ValueError, match="patterns_group"):
        rubric_module._evidence({"x": spec})


def test_a_check_that_asks_its_own_question_needs_the_replies_it_counts():
    spec = replace(RUBRIC.checks["denies_change"], reply_patterns=())
    with pytest.raises(ValueError, match="asks needs reply_patterns"):
        validate_rubric(replace(RUBRIC, checks={**RUBRIC.checks, "denies_change": spec}))


def test_every_signal_is_praised_in_a_sentence_of_its_own():
    """What is said when an answer shows a signal is a sentence to the person ("You owned
    your part plainly."), not the check's title read out as a label ("Good: clear
    individual role."), which b131's second reading heard in 29 of 30 answers."""
    for cid, spec in RUBRIC.checks.items():
        if spec.kind is CheckKind.signal:
            assert spec.praise.startswith("You ") and spec.praise.endswith("."), cid
            assert spec.title.lower() not in spec.praise.lower(), cid
    spec = replace(RUBRIC.checks["honest_ownership"], praise="")
    with pytest.raises(ValueError, match="has no praise"):
        validate_rubric(replace(RUBRIC, checks={**RUBRIC.checks, "honest_ownership": spec}))


def test_blame_is_said_surely_only_at_its_own_higher_bar():
    # A blame found 0.75-0.8 likely was right about half the time on answers built on real
    # ones (rubric.toml): it is shown as "possibly", while other checks keep SURE_CHECK.
    assert RUBRIC.checks["blames_others"].sure_found == 0.8
    assert RUBRIC.checks["escalates_and_waits"].sure_found == SURE_CHECK
    answer = analyze_text("The supplier sent the wrong parts and it was honestly their fault. "
                          "I reordered them and we shipped a day late.")
    blame = answer.checks["blames_others"]
    assert not replace(blame, found=True, confidence=0.78).sure
    assert replace(blame, found=True, confidence=0.82).sure
    assert replace(answer.checks["escalates_and_waits"], found=True, confidence=0.78).sure
    # the bar is kept with the saved report, and a damaged one is read as the default
    data = answer.to_json()
    assert Report.from_json(data).checks["blames_others"].sure_found == 0.8
    data["checks"]["blames_others"]["sure_found"] = 0.1
    assert Report.from_json(data).checks["blames_others"].sure_found == SURE_CHECK


def test_a_recovery_is_praised_aloud_only_at_its_own_higher_bar():
    # A recovery found 0.75-0.8 likely was right 33 times in 54 on b99-b140 (rubric.toml),
    # and by the model of b1-b137 one found 0.8-0.85 likely 5 times in 9 on b138-b144:
    # shown as probable, never praised aloud; from 0.85 it is a verdict.
    from coach.analysis.feedback import make_feedback

    assert RUBRIC.checks["shows_recovery"].sure_found == 0.85
    answer = analyze_text("The walk-in fridge died on a Friday night and I was the chef on. "
                          "I moved the stock into the bar fridges and rang the engineer. "
                          "By the morning it was cold again and we lost nothing.")
    recovery = answer.checks["shows_recovery"]
    checks = {cid: replace(c, found=False, confidence=0.5) for cid, c in answer.checks.items()}
    for confidence, praised in ((0.78, False), (0.82, False), (0.85, True), (0.9, True)):
        found = replace(recovery, found=True, confidence=confidence)
        assert found.sure is praised
        feedback = make_feedback(replace(answer, checks={**checks, "shows_recovery": found}))
        assert (RUBRIC.checks["shows_recovery"].praise in feedback.spoken) is praised
        # held back, it is still shown, as probable
        assert ("Probably: Recovery shown" in feedback.written) is not praised, feedback.written
    assert Report.from_json(answer.to_json()).checks["shows_recovery"].sure_found == 0.85


@pytest.mark.parametrize("value", [0.5, 1.5, "high", True])
def test_a_bar_for_found_verdicts_outside_sure_check_to_one_fails(value):
    from coach.analysis.rubric import _sure_found

    assert _sure_found({"sure_found": 0.9}, "x") == 0.9
    with pytest.raises(ValueError, match="checks.x: sure_found"):
        _sure_found({"sure_found": value}, "x")
