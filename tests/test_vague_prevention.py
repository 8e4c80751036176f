""""Be more careful" is the seed's vague prevention: a promise with no change in it. The flag
reads the speaker's own promise, said many ways, and not the same words telling what
happened ("I wasn't paying attention"), what someone else did ("I talked people out of
being careful"), a condition ("if I'm careful") or a saying ("be careful what you wish
for"). "Lesson learned" flags only where nothing is said after it; "lesson learned, and
now the kiln is sheeted over" goes on to the change (b147's reader)."""

import pytest

from coach.analysis.analyze import analyze_text

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
]

NOT_PROMISES = [
    "It happened because I wasn't paying attention.",
    "To be fair I wasn't really paying attention that morning.",
    "It was just me not being careful with the labels.",
    "I had talked the driver out of being careful with the van.",
    "I thought I could do the round myself if I'm careful.",
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


def test_the_story_alone_has_no_vague_prevention():
    assert not analyze_text(STORY).checks["vague_prevention"].found
