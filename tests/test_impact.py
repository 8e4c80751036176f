"""Impact told in words, the way people say sizes ("about a day and a half", "two grand",
"a couple of hundred"), inside whole answers from two jobs: the b22 and b24 blind batches
found most of the impact the coach missed said without a digit. Each size is reworded
five ways; the same story giving no size is never surely credited with one (the stories
hold no other count: "two crews went to the wrong houses" is itself an impact)."""

import pytest

from coach.analysis.analyze import analyze_text

CAFE = (
    "I run the kitchen at a busy cafe by the station. "
    "I booked the boiler service for a Friday without checking the delivery rota. "
    "{impact} "
    "I rang round the plumbers myself and got one in that evening. "
    "I moved the washing up to the bar sink and boiled kettles for the rest. "
    "Now the service dates go on the same wall planner as the deliveries, and I check it "
    "every Monday.")

REMOVALS = (
    "So I'm the foreman for a small removals firm. "
    "I mixed up the job sheets on the Monday, so our crews went to the wrong houses. "
    "{impact} "
    "I drove out to both jobs, swapped the crews over and loaded the second van with them. "
    "I rang the families myself and said sorry. "
    "Since then every job sheet has the postcode on the top in big letters and the driver "
    "reads it back to me.")

IN_WORDS = (
    "We had no hot water for about a day and a half.",
    "It cost us about two grand by the end of it.",
    "Roughly half the bookings that weekend had to be moved.",
    "A couple of hundred customers were let down.",
    "Everything ran three days late that week.",
)
NO_SIZE = "It was a horrible week for everyone."


def impact(story: str, sentence: str):
    return analyze_text(story.format(impact=sentence)).checks["quantified_impact"]


@pytest.mark.parametrize("story", [CAFE, REMOVALS], ids=["cafe", "removals"])
def test_sizes_said_in_words_are_mostly_credited(story):
    """At least 4 of the 5 wordings credited in each story (the models before numbers in
    words were a feature of their own: 2 and 4). Known miss: "roughly half the bookings"
    (the rule takes "half of the bookings"; the model alone is not moved by "half")."""
    credited = [s for s in IN_WORDS if impact(story, s).found]
    assert len(credited) >= 4, credited


@pytest.mark.parametrize("story", [CAFE, REMOVALS], ids=["cafe", "removals"])
def test_no_size_is_never_surely_credited(story):
    check = impact(story, NO_SIZE)
    assert not (check.found and check.sure)


# Numbers that only set the scene (how many patients, how long the flight, how many years
# in the job): b27 found 8 of 30 answers credited with an impact for them alone. Each story
# gives no size of what went wrong or of the outcome.
SCENE_ONLY = (
    "I was on nights in the intensive care unit and I had two patients. Around midnight "
    "one of them started dropping his blood pressure. I traced the line and found I had "
    "put the syringe on the wrong port. I fixed it with the doctor watching and told the "
    "nurse in charge straight away. Now a second nurse checks every syringe change at the "
    "bedside.",
    "I was the purser on a ten hour night flight. Four hours in, a passenger collapsed in "
    "the aisle. I got the medical kit and the defibrillator to his seat and asked for a "
    "doctor over the speakers. I went up and told the captain myself. He came round after "
    "the glucose and we landed as planned. We added a medical card to the crew briefing "
    "pack after that.",
    "I had been teaching year six for twelve years at that point. I booked the coach for the "
    "trip without checking the date on the form. I rang every company in town and found a "
    "minibus that morning. I texted the parents myself before nine to tell them. Now the "
    "office confirms every booking in writing and I check it a week before.",
)


@pytest.mark.parametrize("story", SCENE_ONLY, ids=["nurse", "purser", "teacher"])
def test_numbers_that_set_the_scene_are_not_surely_impact(story):
    check = analyze_text(story).checks["quantified_impact"]
    assert not (check.found and check.sure), check


@pytest.mark.parametrize("sentence,counts", [
    ("Four hours in, a passenger collapsed in the aisle.", False),
    ("Two weeks into the job I found the mistake.", False),
    ("It was the end of a twelve-hour shift.", False),
    ("It was a ten hour night flight.", False),
    ("Patients waited four hours in A&E that night.", True),
    ("Two weeks in, we had lost 300 orders.", True),
    ("We had no hot water for about a day and a half.", True),
    ("The site was down for two days.", True),
    ("I worked there for three years.", False),
    ("The fix saved the team two hours a day.", True),
    ("It added three hours per day of manual work.", True),
    ("Patients waited four hours in.", True),
    ("The power was out for two days.", True),
    ("A third party sent us the files late.", False),
    ("Last quarter our sales team changed the process.", False),
    ("I rang twice and the customers did not answer.", False),
    ("I had no idea what to do for a day.", False),
    ("I was out for a week with flu.", False),
    ("I went out for an hour to clear my head.", False),
    # time lost or a delay is a size (24 of 26 labelled answers saying one hold an impact)
    ("The programme slipped about three weeks.", True),
    ("Passengers were delayed by around five hours.", True),
    ("It set the whole job back a week.", True),
    ("We lost two full days on the drainage run.", True),
    ("The client never lost a day.", False),
    ("It was two days later that I found out.", False),
    ("I was running late one morning.", False),
    ("I stayed behind an hour to tidy up.", False),
    # a second reader's near misses and other wordings
    ("That delayed the release by two weeks.", True),
    ("So yeah that put us back about a week.", True),
    ("It cost us a week.", True),
    ("We never really lost a day over it.", False),
    ("I came in late one day and the tills were down.", False),
    ("I kept them behind an hour after school.", False),
    ("The rota got delayed a few weeks back.", False),
])
def test_the_impact_rule_tells_a_size_from_a_point_in_the_story(sentence, counts):
    """The rule alone (the learned model's main feature): a time that places the story or
    the shift that sets the scene is no impact; how long something was down is one."""
    from coach.analysis.checks import run_checks
    from coach.analysis.segment import segment
    from coach.analysis.text import words_from_text

    sentences = segment(words_from_text(f"I booked it wrong. {sentence} I fixed it myself."))
    found = run_checks(sentences, rubric=None, learned=False)["quantified_impact"].found
    assert found is counts


def test_learned_checks_see_where_a_rule_found_it():
    """The answer model's features say in which STAR part a rule's evidence is, so it can
    learn that a number setting the scene weighs less than one in the result."""
    from coach.analysis.check_model import answer_features
    from coach.analysis.checks import rule_parts, run_checks
    from coach.analysis.segment import segment
    from coach.analysis.text import words_from_text

    sentences = segment(words_from_text(CAFE.format(impact=IN_WORDS[3])))
    rules = run_checks(sentences, rubric=None, learned=False)
    parts = rule_parts(sentences, rules)
    impact_parts = {s.part.value for s in sentences if "hundred" in s.text}
    assert parts["quantified_impact"] == frozenset(impact_parts)
    features = answer_features(sentences, {c: r.found for c, r in rules.items()}, parts)
    assert all(f"rule:quantified_impact@{p}" in features for p in impact_parts)
    assert not any(k.startswith("rule:") and "@" in k for k in
                   answer_features(sentences, {c: r.found for c, r in rules.items()}))


# How much of a thing was harmed, told in measures (b121, scored blind: "a strip roughly 3-4
# ft wide down the edge of the green got burned" was surely called without a size, and the
# spoken advice asked for numbers).
GREEN = ("Last summer I was spraying weeds on the golf course and I left one boom section "
         "switched on over the green by mistake. {impact} I flushed it with water straight "
         "away and told the club manager. Now I fold the boom in before I go near a green.")
IN_MEASURES = (
    "A strip about three feet wide down the edge of the green got burned.",
    "It killed a strip roughly 3-4 ft wide along the green.",
    "About twenty square metres of turf died.",
    "We ended up dumping the tank, about forty litres of the mix.",
)


@pytest.mark.parametrize("sentence", IN_MEASURES)
def test_harm_in_measures_is_never_surely_called_missing(sentence):
    """Held back by the doubt pattern itself: found, or "missing" at most as sure as a
    doubted one (without the pattern these sit at 0.75-0.82)."""
    from coach.analysis.checks import DOUBTED_MISSING

    check = impact(GREEN, sentence)
    assert check.found or check.confidence <= DOUBTED_MISSING, (sentence, check.confidence)


def test_a_measure_that_sets_the_scene_leaves_missing_as_it_was():
    check = impact(GREEN, "I had climbed a ten-foot ladder to look at the sprayer first.")
    assert not check.found and check.sure
    check = impact(GREEN, "I carried the spray over in a twenty-litre can, and the van was "
                          "dead reliable.")
    assert not check.found and check.sure
