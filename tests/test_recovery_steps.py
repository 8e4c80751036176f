"""A recovery told as a plain list of steps, with no word for "fixing" or "recovering".

The learned recovery check can miss such a story (its words are unlike the ones it learned
from). Then the coach must not say the opposite of what the person just said: no "no
recovery" as the biggest concern, no advice to describe the recovery, no follow-up asking
for it. Each story is told several ways, in different jobs.
"""

import re

import pytest

from coach.analysis.analyze import analyze_text
from coach.analysis.checks import OVERRULED_CAP, choose_follow_up, decide_learned
from coach.analysis.feedback import top_missing_signal, top_red_flag
from coach.analysis.report import SURE_CHECK
from coach.analysis.rubric import load_rubric

RUBRIC = load_rubric()

STEPS = (
    # A parcel depot, the same night told three ways.
    "So this was at the depot last winter. I was running the early shift and the sorter "
    "jammed right at half four, which is the worst time because the vans leave at six. My "
    "job was to get every parcel out on time. Honestly I panicked for a minute. Then I "
    "cleared the jam myself with the maintenance guy on the phone. I called the drivers back "
    "in and had them hand sort the big route cages. I moved two people from returns onto the "
    "belt. Every parcel left by six and not one route went out late.",
    "The belt stopped at four thirty, an hour and a half before the vans go, and I was the "
    "shift lead, so getting the parcels out was down to me. I got the maintenance engineer "
    "on speaker and pulled the jam out myself. I brought the drivers back from the canteen "
    "to sort their own cages by hand. I took two pickers off returns and put them on the "
    "line. By six every van was loaded, no late routes.",
    # Told as one run-on, joined with commas (it used to be cut into four sentences, too
    # few for the learned check, with the steps counted per sentence).
    "um so picture it, it's half four and the sorter just dies, and vans go at six, "
    "right. and I'm the one running the floor so it's on me. so I climb in and pull the "
    "jammed tote out with maintenance talking me through it on the phone, I grab the "
    "drivers, they hand sort their own cages, I pull two people off returns onto the "
    "belt. and every van was out by six, not a single late route.",
    # A restaurant kitchen.
    "It was a Saturday at the restaurant and the walk-in fridge died an hour before "
    "service. I was the sous chef on that night, so the food was my responsibility. I moved "
    "the fish and the dairy into the bar fridges. I rang our supplier and got ice delivered "
    "within thirty minutes. I rewrote the menu with the head waiter so we dropped the two "
    "dishes we could not keep cold. We served ninety covers and threw nothing away.",
    # A hospital ward.
    "On a night shift the drug cupboard's electronic lock failed and nobody could get the "
    "midnight medicines out. I was in charge of the ward that night. I phoned the site "
    "manager for the override key. I had the other nurse check which patients had "
    "time-critical doses and I rang the pharmacy for those. I wrote every delay in the notes "
    "as it happened. Every time-critical dose was given within twenty minutes of its time.",
)


@pytest.mark.parametrize("text", STEPS, ids=lambda t: t[:30])
def test_a_recovery_told_as_steps_is_never_contradicted(text):
    report = analyze_text(text)
    checks = report.checks
    recovery = checks["shows_recovery"]
    assert recovery.found or not recovery.sure, "a told recovery called surely missing"
    assert top_red_flag(checks) != "no_recovery"
    assert top_missing_signal(checks) != "shows_recovery"
    follow = choose_follow_up(checks)
    assert follow is None or follow[1] != "shows_recovery", follow
    spoken = report.feedback.spoken.lower()
    assert "no recovery" not in spoken and "describe the recovery" not in spoken, spoken
    # The level estimate does not list it as surely missing either.
    reason = report.assessment.level_reason
    title = re.escape(RUBRIC.checks["shows_recovery"].title.lower())
    needs = reason.partition("would also need:")[2].partition("said more plainly")[0]
    assert re.search(title, needs) is None, reason


def test_a_flag_resting_on_unsure_verdicts_is_no_surer_than_they_are():
    """"No recovery" holds only when recovery, prevention and reflection are all missing:
    its confidence is that of all three at once, never more than the least sure one."""
    for text in STEPS:
        checks = analyze_text(text).checks
        flag = checks["no_recovery"]
        if flag.found:
            absent = [checks[c] for c in ("shows_recovery", "concrete_prevention",
                                          "concrete_reflection")]
            assert all(not c.found for c in absent)
            assert flag.confidence <= min(c.confidence for c in absent) + 1e-9


def test_a_story_with_no_recovery_at_all_is_told_so_as_surely_as_the_calibration_allows():
    """A failure told with no repair, no change and no lesson: "No recovery or learning" is
    found, and said aloud only as surely as recovery's "missing" is (its calibration): the
    model of b1-b98 put this story near 0.82 (shown as possible), the model of b1-b137 with
    its per-sentence model near 0.88 (said). On b138-b144, which neither saw, it is the
    spoken concern in 12 answers instead of 5, 2 of them labelled with a recovery or a
    change (1 before). Either way the advice never presumes the failure was the speaker's
    own change to make."""
    from coach.analysis.report import SURE_MISSING

    report = analyze_text(
        "I once shipped a feature that nobody used. We spent two months on it. The "
        "research said users wanted it. It was taken out in the spring. That was that.")
    flag = report.checks["no_recovery"]
    recovery = report.checks["shows_recovery"]
    assert not recovery.found
    assert flag.found and flag.confidence >= SURE_CHECK
    assert flag.confidence <= recovery.confidence + 1e-9
    assert flag.sure is (flag.confidence >= SURE_MISSING)
    spoken = report.feedback.spoken
    if flag.sure:
        assert top_red_flag(report.checks) == "no_recovery"
        assert "The biggest concern: no recovery or learning." in spoken
        assert "Next time: After the failure, spend most of your time" in spoken
    else:
        assert top_red_flag(report.checks) is None
        assert "Next time: Name what changed so it cannot happen again" in spoken
    assert "the change you made" not in spoken  # the failure may not have been theirs
    assert "Good:" not in spoken


def test_a_learned_missing_against_the_rules_own_finding_is_never_sure():
    signal = "shows_recovery"  # a signal the rule cannot keep on its own
    assert signal not in RUBRIC.rule_counts
    found, confidence = decide_learned(RUBRIC, signal, 0.02, 0.5, True, 0.9)
    assert not found and confidence == OVERRULED_CAP < SURE_CHECK
    # With no rule finding, the model's sure "missing" stays sure.
    assert decide_learned(RUBRIC, signal, 0.02, 0.5, False, 0.9) == (False, 0.98)
    # A rule that counts on its own keeps its hit, as sure as it has been right.
    kept = RUBRIC.rule_counts[0]
    assert decide_learned(RUBRIC, kept, 0.02, 0.5, True, 0.9) == (True, 0.9)


def test_no_recovery_quotes_nothing_as_its_evidence():
    """A flag saying something is missing has no sentence to show: the scene it rests on,
    quoted, read as if it were the fault ("During my year as an au pair...", b130-24)."""
    from rich.console import Console

    from coach.analysis.report import Check, CheckKind, Evidence
    from coach.cli.render import coaching_panel

    report = analyze_text(
        "I once shipped a feature that nobody used. We spent two months on it. The "
        "research said users wanted it. It was taken out in the spring. That was that.")
    flag = report.checks["no_recovery"]
    assert flag.found and flag.evidence and flag.quotes == ()
    console = Console(record=True, width=200)
    console.print(coaching_panel(report))
    shown = console.export_text()
    assert "No recovery or learning" in shown
    assert not any(f'"{e.text}"' in shown for e in flag.evidence), shown
    assert not any(e.text in report.feedback.written for e in flag.evidence)
    # A flag that points at what was said still quotes it.
    said = (Evidence("Honestly that one's on QA.", 3.0, 5.0),)
    blame = Check(CheckKind.red_flag, True, said, "why", "advice")
    assert blame.quotes == said
