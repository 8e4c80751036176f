""""Be more careful" is the seed's vague prevention: a promise with no change in it. The flag
reads the speaker's own promise, said many ways, and not the same words telling what
happened ("I wasn't paying attention", "I was trying to be careful"), what someone else
did ("I talked people out of being careful"), a condition ("if I'm careful") or a saying
("be careful what you wish for"). "Lesson learned" alone is a vague lesson; "lesson
learned, and now the kiln is sheeted over" goes on to the change (b147's reader)."""

import pytest

from coach.analysis.analyze import analyze_text
from coach.analysis.rubric import load_rubric
from coach.analysis.segment import normalize

STORY = ("I sent the delivery to the wrong address because I misread the label. I rang the "
         "customer straight away and drove a new parcel over that afternoon. ")

PROMISES = [
    "I just made sure to be more careful next time.",
    "Honestly I'll be a lot more careful from now on.",
    "So I'm a bit more careful now, I'd like to think.",
    "I just need to pay more attention, that's all.",
    "Lesson learned, I suppose.",
    "I've learned my lesson.",
    "I need to be more on the ball with labels.",
    "The main lesson for me was being more careful with the labels.",
    "The takeaway was be more careful.",
    "For me it's all about being more careful.",
    "Lesson learned, and I have been a lot more careful ever since.",
    "Lesson learned, I'm much more aware of it now.",
    "I try to be careful with the labels now.",
    "I'm trying to be careful now.",
    "Since then I've tried to be careful with every label.",
    "I have been more careful since.",
]

NOT_PROMISES = [
    "It happened because I wasn't paying attention.",
    "To be fair I wasn't really paying attention that morning.",
    "I was paying attention to my phone instead of the label.",
    "It was just me not being careful with the labels.",
    "I wasn't really being careful with the labels.",
    "I was trying to be careful but I still misread the label.",
    "The voice in my head kept saying I should have been more careful.",
    "It wouldn't have happened if I'd been more careful.",
    "I wish I'd been more careful.",
    "I would have been more careful if I'd known.",
    "I had talked the driver out of being careful with the van.",
    "I thought I could do the round myself if I'm careful.",
    "I thought I'd manage the round alone as long as I'm careful.",
    "My old boss always said be careful what you wish for.",
    "Lesson learned, and now every label gets read back to me before the van leaves.",
    "Lesson learned the hard way, so these days the labels are printed, not handwritten.",
]


def _vague(sentence: str) -> bool:
    return analyze_text(STORY + sentence).checks["vague_prevention"].found


@pytest.mark.parametrize("sentence", PROMISES)
def test_a_promise_to_be_careful_is_vague_prevention(sentence):
    assert _vague(sentence), sentence


@pytest.mark.parametrize("sentence", NOT_PROMISES)
def test_the_same_words_telling_something_else_are_not(sentence):
    assert not _vague(sentence), sentence


@pytest.mark.parametrize("sentence", [
    "Lesson learned, and now the kiln is sheeted over between firings.",
    "Lesson learned i guess, i try not to leave stuff to the last morning anymore.",
])
def test_lesson_learned_going_on_to_a_change_is_not_read_as_the_vague_lesson(sentence):
    """Read by the patterns alone (in a whole answer a change found also rules the flag
    out, b147-08's was missed by the prevention model)."""
    patterns = load_rubric().checks["vague_prevention"].patterns
    assert not any(p.search(normalize(sentence)) for p in patterns), sentence
    assert any(p.search(normalize("Lesson learned the hard way.")) for p in patterns)


def test_the_story_alone_has_no_vague_prevention():
    assert not analyze_text(STORY).checks["vague_prevention"].found
