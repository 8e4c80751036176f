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
