"""Who put it right, and how far: the speaker's recovery, someone else's, a partial one.

The seed's red flag "I escalated it to the Payments team and they eventually fixed it" is
a fix, but not the speaker's. Told many ways (another team, a senior, the supplier, luck,
"not by me"), or as only partly put right, every fixing clause in the answer is undone and
the recovery check cannot hold on it; the speaker's own doing beside someone else's still
counts. Each case is several rewordings, in different jobs.
"""

import pytest

from coach.analysis.analyze import analyze_text
from coach.analysis.evidence import clause_groups, only_undone, sentence_groups, with_subjects
from coach.analysis.rubric import load_rubric

SPEC = load_rubric().evidence["shows_recovery"]

SOMEONE_ELSE = [
    "I escalated it to the Payments team and they eventually fixed it.",  # the seed's
    "I passed it over to payments, and in the end they sorted it.",
    "we got lucky, the vendor patched it overnight",
    "The supplier's engineer replaced the part the next morning.",
    "and honestly, it was her that brought him back, not me",
    "my supervisor stepped in and took over from there",
    "Head office reversed the price change that afternoon.",
    "so it got fixed but not really by me",
    "the helpdesk pushed something through remotely and restored it",
    # a cleft, and "got it back / going" said of someone else (b60's wandering stories)
    "but honestly what fixed it was the engineers",
    "What sorted it in the end was my supervisor ringing the depot.",
    "The contractor got the pump working and refilled it the next morning.",
    "the council's electrician got everything running again by six",
    "the thing that sorted it was basically the night staff",
    "the tech guy got it up and running again",
]

# Near misses a second reader found: the speaker's own fix told as a thing, people getting
# their money back, someone put to work. None of them is someone else's fix.
NOT_SOMEONE_ELSES = [
    "what fixed it was the patch I wrote",
    "what fixed it was a firmware update",
    "what fixed it was my team",
    "they got the full amount back the same week",
    "she got the kids working in groups",
    "my manager got the new starter working on the tills",
    "before the tech came me and Jo got it going",
]

PARTLY = [
    "we only got about half of the photos back",
    "The refund went through for most of them but twelve customers never got their money back.",
    "the printing itself stayed broken until the end of the week",
    "the best we could do was a partial refund",
    "so yeah half fixed lol",
    "By lunch the card machines were half working, which was something.",
    "honestly it's still only half sorted now",
]

OWN = [
    "I rolled back the change and tested the fix before redeploying.",  # the seed's strong
    "The vendor patched the library and I re-ran every failed payment myself.",
    "me and the porter got her back into bed and I rang the doctor",
    "we rebooked all forty passengers onto the evening flight",
    "I put the old labels back and re-printed the whole batch",
    "what fixed it was me ringing every customer back and re-booking them",
]


@pytest.mark.parametrize("text", SOMEONE_ELSE + PARTLY)
def test_a_fix_by_someone_else_or_only_in_part_is_undone(text):
    groups = sentence_groups(text, SPEC)
    assert groups & {"by_others", "partial"}, (text, groups)
    assert "own_fix" not in groups, (text, groups)
    assert not any({"fixing", "back_to_normal"} & held for held in clause_groups(text, SPEC)
                   if not held & {"by_others", "partial"}), text


@pytest.mark.parametrize("text", NOT_SOMEONE_ELSES)
def test_near_misses_are_not_read_as_someone_elses_fix(text):
    assert "by_others" not in sentence_groups(text, SPEC), text


@pytest.mark.parametrize("text", OWN)
def test_the_speakers_own_fix_is_theirs_even_beside_someone_elses(text):
    assert "own_fix" in sentence_groups(text, SPEC), text
    assert not only_undone([text], SPEC)


def test_an_answer_whose_every_fix_is_someone_elses_is_undone():
    fixes = [t for t in SOMEONE_ELSE if "fixing" in sentence_groups(t, SPEC)]
    assert len(fixes) >= 5
    for fix in fixes:
        assert only_undone(["The card reader stopped taking payments.", fix], SPEC), fix
        assert not only_undone([fix, OWN[0]], SPEC), fix


@pytest.mark.parametrize("text", [
    "I couldn't fix it, so I rang the helpdesk.",
    "We lost the client in the end.",
    "I never found out what happened to him after the handover.",
    "It still hasn't been fixed, to be honest.",
])
def test_no_fix_at_all_is_its_own_kind_of_saying(text):
    groups = sentence_groups(text, SPEC)
    assert "no_fix" in groups and "own_fix" not in groups, (text, groups)


def test_outcomes_told_without_a_verb_of_doing_are_read_as_put_right():
    for text in ["all forty orders out the door by four",
                 "the tills were taking cards again within the hour",
                 "the ward was back to normal by the morning",
                 "no harm done in the end"]:
        assert "back_to_normal" in sentence_groups(text, SPEC), text


# Whole answers, through the pipeline: the seed's red flag reworded in three jobs (the fix
# is someone else's), and the same stories where the speaker does the fixing.
ESCALATED = [
    "I changed the retry settings on the checkout service on a Friday afternoon. Within an "
    "hour payments started failing for about a third of customers. I was the engineer who "
    "had made the change. I escalated it to the Payments team and waited for them. In the "
    "end they rolled it back late that evening. Looking back I should have tested it first.",
    "So I run the tills at a garden centre and I loaded the new price file on a Saturday "
    "morning without checking it. Half the plants rang up at the wrong price. It was my "
    "file to load. I rang head office and passed it over to them. Head office reversed the "
    "price change that afternoon. I learned to check a file before I load it.",
    "I was the nurse in charge and I had ordered the wrong size of feeding tubes for the "
    "ward. We ran out on a Sunday night. My job was to make sure the ward had what it "
    "needed. I reported it to the on-call manager and left it with her. The supplier's "
    "driver replaced the whole box the next morning. I double check orders now.",
]
OWN_FIX = [
    ESCALATED[0].replace("I escalated it to the Payments team and waited for them. In the "
                         "end they rolled it back late that evening.",
                         "I rolled the change back myself within ten minutes and re-ran "
                         "every failed payment, then told the Payments team what I had done."),
    ESCALATED[1].replace("I rang head office and passed it over to them. Head office "
                         "reversed the price change that afternoon.",
                         "I pulled the file straight away, put the old prices back on every "
                         "till and refunded the customers who had been overcharged."),
]


@pytest.mark.parametrize("text", ESCALATED)
def test_someone_elses_fix_is_never_announced_as_the_speakers_recovery(text):
    check = analyze_text(text).checks["shows_recovery"]
    assert not (check.found and check.sure), (check.confidence, text[:60])


@pytest.mark.parametrize("text", OWN_FIX)
def test_the_speakers_own_fix_in_the_same_story_is_credited(text):
    assert analyze_text(text).checks["shows_recovery"].found, text[:60]


def test_every_fix_in_the_escalated_answers_is_undone_so_the_check_cannot_hold():
    """The gate behind the test above, whatever a retrained model weighs: every fixing
    clause of those answers is someone else's, so ``run_checks`` may not find the check
    (``decide_learned`` with ``undone``)."""
    assert SPEC.rules_out
    for text in ESCALATED:
        texts = [s.text for s in analyze_text(text).sentences]
        assert only_undone(texts, SPEC), text[:60]
    for text in OWN_FIX:
        assert not only_undone([s.text for s in analyze_text(text).sentences], SPEC)


@pytest.mark.parametrize("text, not_held", [
    # The speaker's own fix, told as "the one who" (not someone else's).
    ("I was the one who fixed it in the end.", {"by_others"}),
    ("We were the ones that got it running again.", {"by_others"}),
    # Looking back, going back, calling back: not an outcome; a relapse is not one either.
    ("Looking back on it I should have checked the file.", {"back_to_normal"}),
    ("I went back on shift the next night.", {"back_to_normal"}),
    ("I called them back on Monday.", {"back_to_normal"}),
    ("The next morning the server was crashing again.", {"back_to_normal"}),
    # Passive, the speaker's own team, a thing: not someone else doing it.
    ("By the time it was fixed the shop had closed.", {"by_others"}),
    ("Our team fixed it overnight.", {"by_others"}),
    ("Today's update fixed it.", {"by_others"}),
    ("They were all reprinted by the morning.", {"by_others"}),
    # A full fix, and an impact, are not partial.
    ("It was patched and the fault never came back.", {"partial"}),
    ("Payments failed for about half the customers.", {"partial"}),
    # What the speaker wishes they had done, or got stuck on, is not their fix.
    ("I should have rolled it back myself.", {"own_fix"}),
    ("I wish we had restored it sooner.", {"own_fix"}),
    ("I got stuck on it for hours.", {"own_fix"}),
])
def test_ordinary_sayings_are_not_read_as_whose_fix(text, not_held):
    assert not sentence_groups(text, SPEC) & not_held, (text, sentence_groups(text, SPEC))


# A list of steps with one subject: the later steps are the speaker's too (or someone
# else's, or only wished for), as the first one says.
@pytest.mark.parametrize("text", [
    "I pulled the file straight away, put the old prices back on every till and refunded "
    "the customers who had been overcharged.",
    "I stopped the line, re-labelled the whole pallet and rang the depot.",
    "We closed the bay, and then restored the backup and re-ran the overnight jobs.",
    "so I checked the fridge log, binned the lot, rebooked the delivery for six",
    "i called the client, apologised, re-sent the corrected invoices same day",
])
def test_every_step_of_the_speakers_own_list_is_theirs(text):
    assert "own_fix" in sentence_groups(text, SPEC), (text, clause_groups(text, SPEC))


@pytest.mark.parametrize("text, held, not_held", [
    ("they patched the server, and then re-ran the failed jobs", "by_others", "own_fix"),
    ("he took one look, replaced the fuse, had us open again by two", "by_others", "own_fix"),
    ("I should have checked the batch, re-labelled the pallet and held it back",
     None, "own_fix"),
    ("I never re-ran the jobs, left it for the night team", None, "own_fix"),
])
def test_a_list_of_steps_keeps_the_subject_it_started_with(text, held, not_held):
    groups = sentence_groups(text, SPEC)
    assert not_held not in groups, (text, clause_groups(text, SPEC))
    assert held is None or held in groups, (text, clause_groups(text, SPEC))


def test_a_step_list_stops_at_a_new_subject():
    assert with_subjects(["i rang the ward", "then", "emailed the consultant",
                          "the manager came in", "sorted it"]) == (
        "i rang the ward", "then", "i emailed the consultant", "the manager came in",
        "sorted it")
    assert with_subjects(["i should have rung them", "told the manager"]) == (
        "i should have rung them", "i should have told the manager")
