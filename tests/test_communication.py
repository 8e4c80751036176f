"""When the affected people were told: the seed's weak reply ("an email to the team after
the fix was deployed") against its strong one ("immediately alerted ... status updates
every 30 minutes"), each reworded the way other people say it, inside whole answers from
two jobs. Telling early is never said to be missing and is credited in most wordings;
telling only once it was over is never credited (the b19, b20 and b22 blind batches found
late telling credited as early)."""

import pytest

from coach.analysis.analyze import analyze_text

PHARMACY = (
    "I was the pharmacist on the late shift at a busy high street chemist. "
    "I checked a prescription for a care home and missed that the strength on the label "
    "was ten times the dose on the chart. {telling} "
    "I pulled the tray back before the evening round, "
    "counted every tablet against the chart and relabelled the whole lot myself. "
    "I went through the other six trays from that care home the same way. "
    "Nobody got a wrong dose in the end. "
    "Now every care home tray gets a second check by another pharmacist before it leaves.")

WAREHOUSE = (
    "So I run the goods-in team at a food warehouse, nights. "
    "I switched off the chiller alarm for a sensor fault and forgot to switch it back on. "
    "The chiller failed at two in the morning and nobody heard a thing. {telling} "
    "I moved the chilled pallets into the spare chiller, "
    "probed every pallet and binned the ones over eight degrees, "
    "and got the engineer out to fix the compressor. "
    "We lost about four hundred pounds of yoghurt. "
    "Since then alarms can only be muted for an hour and then they come back on their own.")

EARLY = (
    "I rang the care home manager straight away to tell her.",
    "Before I touched anything I phoned the home and told the nurse in charge, and I kept "
    "her posted every hour until it was sorted.",
    "The minute I saw it I let my area manager know, and I updated her again as I went.",
    "First thing I did was get on the phone to the client so they heard it from me before "
    "anyone else noticed.",
)
LATE = (
    "I sent an email to my manager once it was all fixed.",
    "I only told the client the next morning, after everything was back to normal.",
    "I didn't mention it to anyone until it was over, then I wrote it up for my boss.",
    "Afterwards, when it was all sorted, I let my supervisor know what had happened.",
)


def told_in(said: str) -> bool:
    """Whether a clause of ``said`` still tells someone (not undone by a late telling, a
    wish or someone else doing it)."""
    from coach.analysis.evidence import still_pooled
    from coach.analysis.rubric import load_rubric

    return still_pooled(said, load_rubric().evidence["proactive_communication"])


def communication_check(story: str, telling: str):
    return analyze_text(story.format(telling=telling)).checks["proactive_communication"]


def communicated(story: str, telling: str) -> tuple[bool, bool]:
    check = communication_check(story, telling)
    return check.found, check.sure


in_both_stories = pytest.mark.parametrize("story", [PHARMACY, WAREHOUSE],
                                          ids=["pharmacy", "warehouse"])


@in_both_stories
@pytest.mark.parametrize("telling", EARLY)
def test_telling_people_early_is_never_said_to_be_missing(story, telling):
    """Whatever the wording, the coach never tells someone who rang people straight away
    that they should have (a "missing" it is not sure of is not announced, so neither the
    advice nor the follow-up question asks for it)."""
    found, sure = communicated(story, telling)
    assert found or not sure, telling


# Owning up to the person affected in so many words, not with "told" and a time word
# (b121-19, scored blind: "went and found her and showed her exactly what I'd done before I
# touched anything else" was called surely without a telling).
OWNED_UP = (
    "I went and found the nurse in charge and showed her exactly what I'd done.",
    "I walked the manager through what I had done, there and then.",
    "I stopped and showed the home's manager how I'd got it wrong.",
)


@in_both_stories
@pytest.mark.parametrize("telling", OWNED_UP)
def test_owning_up_to_the_person_affected_is_never_said_to_be_missing(story, telling):
    """Found, or held back by the doubt pattern itself (at most as sure as a doubted
    "missing"; without it some of these are under the bar a "missing" needs anyway)."""
    from coach.analysis.checks import DOUBTED_MISSING

    check = communication_check(story, telling)
    assert check.found or check.confidence <= DOUBTED_MISSING, (telling, check.confidence)


def test_telling_people_early_is_credited_in_most_words():
    """Credited in at least 7 of the 8 (story, wording) pairs (all 8 today). "The minute I
    saw it I let my area manager know" is cut at "I let" by the segmenter; the rules read a
    piece cut out of a run-on together with the piece before it, so the timing is still
    seen (before that it was missed, and once said to be surely missing)."""
    credited = [(story[:12], telling) for story in (PHARMACY, WAREHOUSE) for telling in EARLY
                if communicated(story, telling)[0]]
    assert len(credited) >= 7, credited


@in_both_stories
@pytest.mark.parametrize("telling", LATE)
def test_telling_people_only_afterwards_is_never_credited(story, telling):
    found, _ = communicated(story, telling)
    assert not found, telling


def test_a_telling_put_after_the_fix_is_never_the_signal_whatever_the_model_says():
    """The seed's weak reply ("an email to the team after the fix was deployed"): when every
    telling in an answer is put after the fix in its own clause, the check cannot hold,
    even where the model's words weigh for it or the rule fires; it is then unsure, so
    nothing is said aloud about it. A telling said early elsewhere still counts."""
    from coach.analysis.checks import decide_learned
    from coach.analysis.evidence import only_undone
    from coach.analysis.report import SURE_CHECK
    from coach.analysis.rubric import load_rubric

    rubric = load_rubric()
    spec = rubric.evidence["proactive_communication"]
    late = ["I fixed the labels.", "I sent an email to my manager once it was all fixed."]
    assert only_undone(late, spec)
    assert only_undone(["I only told the client at the Monday meeting."], spec)
    assert not only_undone(late + ["Before that I had rung the home straight away."], spec)
    assert not only_undone(["I rang the manager and told her."], spec)
    assert not only_undone(["I fixed the labels."], spec)  # no telling at all: not this
    found, confidence = decide_learned(rubric, "proactive_communication", 0.99, 0.5, True,
                                       0.95, undone=True)
    assert not found and confidence < SURE_CHECK


@pytest.mark.parametrize("telling, credited", [
    # Told early in one clause, and again once it was over in another: still early.
    ("When I saw it I rang the care home manager, and I emailed my own manager once it "
     "was all fixed.", True),
    ("I messaged the home within minutes and told my manager when it was all sorted.", True),
    # Only after the fix, however it is put.
    ("I sent an email to my manager once it was all fixed.", False),
    ("The next morning I rang the care home to explain what had happened.", False),
])
def test_early_and_late_telling_in_one_answer(telling, credited):
    """Through the whole pipeline (segmenter, evidence, model): a late telling beside an
    early one does not undo the early one; late tellings alone are never credited."""
    check = analyze_text(PHARMACY.format(telling=telling)).checks["proactive_communication"]
    assert check.found == credited or (credited and not check.sure), telling


def test_the_cross_validation_reads_the_same_undone_mark_the_model_is_given():
    """coach/eval/checks.py finds an undone answer by the feature's name: the name the
    model's features carry."""
    from coach.analysis.check_model import answer_features
    from coach.analysis.evidence import only_undone_feature
    from coach.analysis.rubric import load_rubric

    spec = load_rubric().evidence["proactive_communication"]
    report = analyze_text(PHARMACY.format(telling=LATE[0]))
    rules = {cid: c.found for cid, c in report.checks.items()}
    features = answer_features(list(report.sentences), rules)
    assert features.get(only_undone_feature("ev:proactive_communication", spec)) == 1.0
    # ...and a telling still said (``still_said``) by the count of sentences that say it.
    from coach.analysis.evidence import still_said_feature

    name = still_said_feature("ev:proactive_communication")
    assert not features.get(name)
    plain = analyze_text(PHARMACY.format(telling=PLAIN[0]))
    rules = {cid: c.found for cid, c in plain.checks.items()}
    assert answer_features(list(plain.sentences), rules).get(name, 0.0) > 0


@pytest.mark.parametrize("said, still_told", [
    # The telling put after the fix by a clause of its own just before it.
    ("Afterwards, when it was all sorted, I let my supervisor know what had happened.", False),
    ("The next morning, I rang the client.", False),
    ("once it was all sorted i let my supervisor know", False),
    # Telling early, however the clauses fall.
    ("Straight away, I rang the home.", True),
    ("I rang the home when I saw it, and I emailed my manager once it was fixed.", True),
    ("When I saw the label, I rang the care home manager.", True),
    # A clause of not telling, or of worry, is no lead-in: the telling after it is early.
    ("Nobody else knew, so I rang my manager.", True),
    ("The night shift hadn't told anyone, so I rang the family.", True),
    ("I didn't want to worry her, but I rang her daughter.", True),
])
def test_a_telling_led_into_by_when_it_was_over_is_put_after_the_fix(said, still_told):
    assert told_in(said) is still_told



@pytest.mark.parametrize("said", [
    "As soon as we got back to the school I phoned his dad.",
    "I called their boss from the car park.",
    "I told his mum at pick-up, before she heard it from anyone else.",
    "I rang your team first and then the supplier.",
])
def test_a_telling_is_read_whoever_is_told(said):
    """A telling is read whatever the word before the person told: "his dad", "their
    boss" (b102: "I phoned his dad" was not read as telling anyone)."""
    assert told_in(said), said

WISHED = (
    "I should have rung the care home straight away, but I wanted to fix it first.",
    "In hindsight I should've just told my manager the minute I saw it.",
    "Honestly I wish I'd phoned the home right away instead of sorting it on my own.",
    "I'd have called my manager immediately if I had my time again.",
    "Looking back, they should have been told straight away.",
)
BY_OTHERS = (
    "My supervisor rang the home straight away and kept them posted every hour.",
    "The duty manager told everyone first thing, before anyone asked.",
    "She phoned the families right away while I got on with it.",
    "Our area manager kept the client updated throughout.",
)


@in_both_stories
@pytest.mark.parametrize("telling", WISHED)
def test_a_telling_only_wished_for_is_never_credited(story, telling):
    """b63 and b66, scored blind: "I should have just told her straight away" was credited
    as the speaker telling people early (surely). A wish is no telling: never credited."""
    found, _ = communicated(story, telling)
    assert not found, telling


@in_both_stories
@pytest.mark.parametrize("telling", BY_OTHERS)
def test_someone_elses_telling_is_never_credited_as_the_speakers(story, telling):
    """b66: "the incident manager kept stakeholders updated" credited surely. Someone
    else's telling, named at the start of its clause, is not the speaker's."""
    found, _ = communicated(story, telling)
    assert not found, telling


@pytest.mark.parametrize("said, still_told", [
    # A wish undoes the whole clause, its "straight away" too, and the clause after it.
    ("I should have just told her straight away though.", False),
    ("I wish I'd rung the family straight away.", False),
    ("In hindsight I should have told them, straight away, before anyone asked.", False),
    # Someone else's telling, named at the start of its clause, likewise.
    ("The incident manager kept stakeholders updated throughout.", False),
    ("My supervisor rang the family first thing.", False),
    ("And she phoned the families right away while I got on with it.", False),
    # The speaker's own telling beside someone else's, or after being told to, still counts.
    ("My manager told me to ring the client, so I rang her straight away.", True),
    ("I rang my manager and she told the client.", True),
    ("I rang the home straight away, and my supervisor kept the family posted.", True),
    # Shorthand with no "I" is the writer's own note, not someone else's telling.
    ("texted chef straight away w/ temps + photo", True),
    ("The minute I saw it I let my area manager know.", True),
])
def test_whether_a_telling_happened_is_read_clause_by_clause(said, still_told):
    assert told_in(said) is still_told


def test_the_speakers_own_telling_after_a_wish_is_still_credited():
    assert not told_in("I should have told them first thing, before anyone asked.")
    assert told_in("I should have told them sooner, but I did ring the home, and I kept the "
                   "families posted every hour.")


PLAIN = (
    # A telling with no word of when: the coach cannot know it was early, nor that it was not.
    "I phoned every parent that morning to let them know.",
    "I rang round the parents so they knew.",
    "I texted the whole team to tell them the van would be late.",
    "I let the office know and carried on with the round.",
    "I rang around all the families that afternoon.",
)


@pytest.mark.parametrize("telling", PLAIN)
@pytest.mark.parametrize("story", [PHARMACY, WAREHOUSE, "{telling}"],
                         ids=["pharmacy", "warehouse", "alone"])
def test_a_telling_said_without_when_is_never_said_surely_missing(story, telling):
    """A telling with no word of when (b143-09, "rang round the parents so they knew", was
    read surely missing, so the spoken advice asked who they told and how soon): on its
    own (the rules alone) or in a whole answer (the model), it may be found or left unsure,
    never said to be missing; and the follow-up does not ask who was told."""
    report = analyze_text(story.format(telling=telling))
    check = report.checks["proactive_communication"]
    assert check.found or not check.sure, (telling, check.confidence)
    assert report.follow_up is None or report.follow_up.gap != "proactive_communication"


@pytest.mark.parametrize("said", [
    "I sent an email to my manager once it was all fixed.",  # told only afterwards
    "I moved the pallets into the spare chiller.",  # nobody told at all
    "I should have rung them straight away.",  # only wished for
])
def test_no_telling_or_only_a_late_one_is_still_said_surely_missing(said):
    """...while an answer that tells nobody, or only once it was over, or only wishes it
    had, is still surely without it, on its own (the rules' record for short answers)."""
    check = analyze_text(said).checks["proactive_communication"]
    assert not check.found and check.sure, (said, check.confidence)


def test_a_signal_still_said_is_not_surely_missing_whatever_the_model_says():
    from coach.analysis.checks import OVERRULED_CAP, decide_learned
    from coach.analysis.evidence import still_said
    from coach.analysis.rubric import load_rubric

    rubric = load_rubric()
    spec = rubric.evidence["proactive_communication"]
    assert still_said(["I rang round the parents so they knew."], spec)
    assert not still_said(["I emailed my manager once it was all fixed."], spec)
    assert not still_said(["I moved the pallets."], spec)
    for said, cap in ((False, 0.97), (True, OVERRULED_CAP)):
        found, confidence = decide_learned(rubric, "proactive_communication", 0.03, 0.5,
                                           False, 0.9, belief=0.03, said=said)
        assert not found and confidence == pytest.approx(cap), said


def test_a_short_answer_is_decided_the_same_in_the_coach_and_in_its_evaluation():
    """The evaluation's ``decide`` and the coach's rules-only path share
    ``rule_only_decision``: a signal still said is capped, a red flag never is, and an
    answer saying it only in undone ways is not found."""
    from coach.analysis.check_model import RuleRecord
    from coach.analysis.checks import FLAG_HELD_BACK, OVERRULED_CAP, rule_only_decision
    from coach.analysis.rubric import load_rubric
    from coach.eval.checks import Judged, decide

    rubric = load_rubric()
    record = RuleRecord((0.9,) * 5, (0.92,) * 5)
    for cid, said, undone, rule_found, expected in (
            ("proactive_communication", True, False, False, (False, OVERRULED_CAP)),
            ("proactive_communication", False, False, False, (False, 0.92)),
            ("proactive_communication", False, True, True, (False, 1.0 - FLAG_HELD_BACK)),
            ("blames_others", True, False, False, (False, 0.92))):
        j = Judged("a", cid, False, 0.1, rule_found, record, 1, 12, undone, None, said)
        assert decide(j, 0.5) == pytest.approx(expected), (cid, said, undone)
        assert rule_only_decision(rubric, cid, rule_found, record.confidence(rule_found, 12),
                                  undone, said) == pytest.approx(expected)
    # Whole answers: a red flag called "not found" is never capped for being "said".
    from coach.analysis.checks import decide_learned

    assert decide_learned(rubric, "blames_others", 0.03, 0.5, False, 0.9, belief=0.03,
                          said=True) == pytest.approx((False, 0.97))
