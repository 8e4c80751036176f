"""Replies to follow-up questions are judged on the question first: the seed's weak and
strong replies, reworded by independent writers, and replies that do not answer at all."""

from pathlib import Path

import pytest

from coach.analysis.feedback import reply_verdict
from coach.analysis.reply_features import clauses, lead_verb, load_reply_cues
from coach.analysis.report import FollowUp
from coach.analysis.rubric import load_rubric
from coach.eval.follow_ups import (
    GAPS,
    Rewording,
    cross_validate,
    judge,
    load_rewordings,
    team_replies,
)

DATA = Path(__file__).parent / "data" / "checks"


def rewordings():
    return [e for p in sorted(DATA.glob("follow_up_rewordings*.txt")) for e in load_rewordings(p)]


def test_rewordings_cover_every_follow_up_and_kind():
    entries = rewordings()
    assert len(entries) >= 940
    assert {(e.follow_up, e.expect) for e in entries} == {
        (n, k) for n in (1, 2, 3, 4, 5, 6, 7) for k in ("weak", "strong", "offtopic")}


# The seed's weak and strong reply to each follow-up (first of each list), and the same
# said in other words, the way other people talk (written for this test, never trained on).
SEED_REWORDED = {
    1: {"weak": [
        "I escalated it to the Payments team and they eventually fixed it.",
        "Handed it over to the IT people and they sorted it out in the end.",
        "I raised it with head office, and after that I just waited for them to fix it.",
        "Once it was with the supplier it was their system, so I waited until they got it "
        "working again.",
    ], "strong": [
        "I analyzed logs, reproduced the error in staging, and traced it to a faulty config "
        "change I made. I then rolled back the change and tested the fix thoroughly before "
        "redeploying.",
        "Went through the logs myself, got the same error to happen on a test copy, and found "
        "it was a settings change I'd made. Put it back how it was and tested it before "
        "switching it on again.",
        "I didn't want to just wait, so I checked the order records myself, found the wrong "
        "price I had typed in, corrected it and rechecked every order from that day.",
    ]},
    2: {"weak": [
        "I sent an email to the team after the fix was deployed.",
        "Once it was all fixed I emailed my manager to say what had happened.",
        "I told the team at the end of the day, after it was sorted.",
    ], "strong": [
        "I immediately alerted the on-call team and product manager, provided status updates "
        "every 30 minutes, and documented the incident and fix in the internal wiki.",
        "I rang my manager straight away and the client too, and gave them both an update "
        "every half hour until it was fixed.",
        "Told the shift lead the minute I saw it. Kept the ward updated every twenty minutes. "
        "Wrote it in the log afterwards.",
    ]},
    3: {"weak": [
        "I just made sure to be more careful next time.",
        "I'm a lot more careful now and I double-check everything.",
        "Mostly I just pay more attention these days, you know.",
    ], "strong": [
        "I added automated alerts for the error condition, improved our deployment checklist "
        "to include config validation, and shared a postmortem with the team to spread "
        "awareness.",
        "I added a check to the closing list and put in an alarm that beeps if the fridge gets "
        "too warm, and I showed the new staff how to use it.",
        "Put a second check on the order form, so someone else has to sign it off before it "
        "goes out.",
    ]},
    4: {"weak": [
        "I don't think I would change anything.",
        "Nothing really. I'd do it the same way again.",
        "Honestly that was the supplier's fault, so I'd do exactly the same thing again.",
    ], "strong": [
        "I would have added more thorough testing for config changes and involved the "
        "database team earlier to validate assumptions.",
        "I'd try the change on a small batch first, and ask the pharmacy earlier to check my "
        "numbers.",
        "Next time I would check the booking list the day before, not on the morning, and get "
        "a colleague to look at it with me.",
    ]},
    # "Once you saw what had gone wrong, what did you do to put it right?" The seed has no
    # pair of its own for it: its escalation pair's putting right, and other jobs' repairs in
    # everyday words (the judge before the recovery replies were learnt got 6 of these 12).
    5: {"weak": [
        "I escalated it to the maintenance team and they eventually fixed it.",
        "Handed it over to the office and they sorted it out in the end.",
        "I told my manager and after that it was really with head office, so I waited to hear "
        "back.",
        "Honestly I just apologised to the customer and left it at that.",
        "We dealt with it as a team and got on top of it.",
        "There was nothing I could do by then, the van had already gone.",
    ], "strong": [
        "I went through the logs myself, found it was a settings change I had made, rolled it "
        "back and tested it before switching it on again.",
        "I pulled the whole tray off the counter, relabelled every loaf and rang the two people "
        "who had bought one to swap them.",
        "Took the bad batch off the shelf, binned it and baked a fresh one before the lunch "
        "rush.",
        "I drove back out that evening, took the panel off again and rewired the socket "
        "properly, then tested every circuit in the house.",
        "I re-sent the right letters to all forty families myself the same afternoon, and rang "
        "the three who had already replied.",
        "So I stop the pump, I check the chart, I give the right dose and I stay with her and do "
        "her obs every fifteen minutes.",
    ]},
}


@pytest.mark.parametrize("follow_up,expect,reply", [
    (n, kind, reply) for n, kinds in SEED_REWORDED.items() for kind, replies in kinds.items()
    for reply in replies])
def test_the_seeds_replies_reworded_are_judged_right(follow_up, expect, reply):
    judged = judge(Rewording("seed", follow_up, expect, None, (), reply))
    assert judged.judgement == expect, judged.verdict
    assert judged.sure, judged.verdict


@pytest.mark.parametrize("follow_up,reply", [
    (2, "So the fridge broke over the weekend, we lost a lot of stock, and the engineer came "
        "on Monday and fixed it."),
    (3, "I told my manager straight away and then rang the customer to say sorry."),
    (4, "I rang the client the same hour and kept them updated every morning until the new "
        "part arrived."),
])
def test_a_reply_about_something_else_does_not_answer(follow_up, reply):
    judged = judge(Rewording("other", follow_up, "offtopic", None, (), reply))
    assert judged.judgement == "offtopic", judged.verdict
    assert judged.verdict.startswith("Your reply did not answer the question")


@pytest.fixture(scope="module")
def held_out_folds():
    """Each rewording file judged by a judge trained on the others (about a minute)."""
    return cross_validate(rewordings(), extra=team_replies(DATA))


RECOVERY_FILES = tuple(f"follow_up_rewordings_{n}" for n in (14, 15, 16, 17, 18))
"""The replies to "what did you do to put it right?" (follow-up 5)."""
OWN_PART_FILES = ("follow_up_rewordings_19", "follow_up_rewordings_20")
"""The replies to "what was your own part in the fix, as opposed to the team's?" (6)."""
SIZE_FILES = ("follow_up_rewordings_21", "follow_up_rewordings_22")
"""The replies to "how big was the impact, in numbers?" (7)."""


def test_replies_by_a_writer_the_judge_never_saw(held_out_folds):
    """The reply judge trained without a writer's batch judges that batch: the fifth file
    (measured 44 of 44), the thirteen files before the recovery replies (514 of 544), all
    twenty-two (858 of 940), each floor a few replies under; and never calls one of the
    first file's weak replies strong or a strong one weak."""
    folds = held_out_folds
    held_out = folds["follow_up_rewordings_5"]
    right = sum(j.right for j in held_out)
    assert right >= 41, [(j.entry.id, j.judgement) for j in held_out if not j.right]
    later = (*RECOVERY_FILES, *OWN_PART_FILES, *SIZE_FILES)
    earlier = [j for name, f in folds.items() if name not in later for j in f]
    assert len(earlier) == 544
    assert sum(j.right for j in earlier) >= 510
    assert sum(j.right for f in folds.values() for j in f) >= 840
    reversed_ = [j.entry.id for f in folds.values() for j in f
                 if {j.judgement, j.entry.expect} == {"weak", "strong"}
                 and j.entry.id.split("-")[0] in ("1", "2", "3", "4")]
    assert not reversed_, reversed_


def test_replies_to_the_recovery_question_by_writers_the_judge_never_saw(held_out_folds):
    """Five writers' replies to "what did you do to put it right?", each file judged by a
    judge trained without it (measured 195 of 220; the judge before they were learnt, 131
    of 220 with 59 wrong and sure): a floor a few replies under, and weak and strong
    mistaken for each other surely in at most a few replies each way (measured: weak called
    strong 4, strong called weak 2)."""
    held = [j for name in RECOVERY_FILES for j in held_out_folds[name]]
    assert len(held) == 220
    assert sum(j.right for j in held) >= 188, [(j.entry.id, j.judgement) for j in held
                                               if not j.right]
    for said, meant in (("strong", "weak"), ("weak", "strong")):
        mixed = [j.entry.id for j in held
                 if j.entry.expect == meant and j.judgement == said and j.sure]
        assert len(mixed) <= 5, (said, meant, mixed)


@pytest.mark.parametrize("files,floor", [(OWN_PART_FILES, 70), (SIZE_FILES, 64)])
def test_replies_about_ones_own_part_and_the_size_by_writers_the_judge_never_saw(
        held_out_folds, files, floor):
    """Two writers' replies to each of "what was your own part?" and "how big was the
    impact?", judged by the rubric's rules until the thirty-fifth session: 50 and 42 of 88
    right, 38 and 46 wrong and surely. Each file judged by a judge trained without it
    (measured 76 and 73 of 88, 5 and 5 wrong and sure, 3 and 0 of them a weak reply told
    it did not answer): a floor a few under, and at most a few wrong and sure."""
    held = [j for name in files for j in held_out_folds[name]]
    assert len(held) == 88
    assert sum(j.right for j in held) >= floor, [(j.entry.id, j.judgement) for j in held
                                                 if not j.right]
    assert sum(j.sure and not j.right for j in held) <= 8
    told_off_topic = [j.entry.id for j in held
                      if j.entry.expect == "weak" and j.judgement == "offtopic" and j.sure]
    assert len(told_off_topic) <= 5, told_off_topic


@pytest.mark.parametrize("follow_up,expect,reply", [
    (6, "strong", "My bit was the phones: I rang all twelve families myself and rebooked "
                  "their slots."),
    (6, "strong", "We sorted it as a team, but I was the one who found the wrong dose on the "
                  "chart and fixed it."),
    (6, "strong", "Me, I redid the whole rota that night and covered two of the shifts "
                  "myself."),
    (6, "weak", "It was a real team effort, everyone mucked in."),
    (6, "weak", "I just helped out where I could, the manager did most of it."),
    (6, "weak", "We all pulled together and got it done."),
    (7, "strong", "About forty customers, for two days, so maybe three grand in refunds."),
    (7, "strong", "Three wards, most of a night shift."),
    (7, "strong", "We lost a whole day's milk, the full tank."),
    (7, "weak", "It was pretty bad, a lot of people were upset."),
    (7, "weak", "Not that big really, nobody noticed."),
    (7, "weak", "I don't know exactly, quite a few orders I think."),
    # a second reader's, after the cues were written (each had been judged wrong surely)
    (7, "strong", "It cost us £2000 in refunds."),
    (7, "strong", "The van was off the road for a week."),
    (7, "strong", "One family missed the funeral."),
    (7, "strong", "Fourteen residents missed breakfast."),
    (7, "weak", "It was a Tuesday, about half seven in the morning. It was bad, put it that "
                "way."),
    (6, "weak", "Teamwork, really."),
    (6, "weak", "It was a joint effort."),
    (6, "weak", "We rang all the families, we rebooked every slot and we fixed the rota that "
                "night."),
    (6, "weak", "I personally think it was a team thing."),
])
def test_own_part_and_size_replies_are_never_judged_wrong_surely(follow_up, expect, reply):
    """The seed's own-part and size probes carried to other jobs (the first twelve written
    for this test in the session that wrote the cues, so most hold the cues' own words; the
    rest by a second reader): right, or at worst not sure. A reply naming its own part or a
    size the cues find is never told surely that it gave none, so for those the floor is
    the guard's; the others are the judge's."""
    judged = judge(Rewording("probe", follow_up, expect, None, (), reply))
    assert judged.judgement == expect or not judged.sure, judged.verdict


@pytest.mark.parametrize("reply", [
    "I remade the whole tray.",
    "I took it off the shelf, binned the lot and put fresh ones out.",
    "I re-sent the letters to every family.",
    "I rang the customer back, refunded her and made sure nothing else from that batch "
    "went out.",
    "Swapped the part, no charge.",
])
def test_a_repair_in_everyday_words_is_never_told_it_named_none(reply):
    """Short repairs a second reader wrote (the judge had told each, surely, "I did not hear
    what you did yourself to put it right"): a reply naming a repair the advice suggests
    (``unsure_when_said``) is at worst not sure."""
    judged = judge(Rewording("repair", 5, "strong", None, ("shows_recovery",), reply))
    assert judged.judgement == "strong" or not judged.sure, judged.verdict
    assert not judged.verdict.startswith(("I did not hear", "Your reply did not answer")), \
        judged.verdict


def test_retelling_the_story_does_not_answer_who_was_told():
    entry = next(e for e in rewordings() if e.follow_up == 2 and e.expect == "offtopic")
    judged = judge(entry)
    assert judged.judgement == "offtopic"
    assert judged.verdict.startswith("Your reply did not answer the question")


def test_a_fragment_or_present_tense_step_counts_as_the_speakers_own():
    cues = load_reply_cues()
    leads = [lead_verb(c, cues) for c in clauses(
        "Rechecked the chart, my entry. I call the venue first. They fixed it. I think so.")]
    assert [(x.person, x.tense) if x else None for x in leads] == [
        ("none", "past"), None, ("I", "base"), ("other", "past"), None]


def test_a_step_after_would_have_or_a_list_number_leads_with_its_verb():
    cues = load_reply_cues()

    def leads(reply: str) -> list[tuple[str, str, str] | None]:
        return [(x.person, x.verb, x.tense) if x else None
                for x in (lead_verb(c, cues) for c in clauses(reply))]

    assert leads("I would have added a second check.") == [("I", "added", "would")]
    assert leads("I would've rung her first.") == [("I", "rung", "would")]
    assert leads("I'd have asked the pharmacist.") == [("I", "asked", "would")]
    assert leads("I have had no complaints since. I had had enough.") == [None, None]
    assert leads("1) collected the papers 2) moved the candidates (3) phoned every parent") \
        == [("none", "collected", "past"), ("none", "moved", "past"),
            ("none", "phoned", "past")]
    assert leads("12 went out wrong. 200 failed the check.") == [None, None]
    # a comma or full stop inside a number ends no clause
    assert clauses("It cost about £1,200 all in. Then 1.5 hours later, fine.") == [
        "it cost about £1 200 all in", "1.5 hours later", "fine"]


def test_verdicts_are_plain_words_for_every_follow_up():
    rubric = load_rubric()
    titles = {c.title.lower() for c in rubric.checks.values()}
    for rule in rubric.follow_ups:
        for judgement in ("strong", "weak", "offtopic"):
            for sure in (True, False):
                f = FollowUp(rule.question, rule.check_id, reply="I did something.",
                             judgement=judgement, judgement_sure=sure)
                text = reply_verdict(f)
                assert text and not any(t in text.lower() for t in titles), (rule.when, text)
                assert "signal" not in text.lower()


def test_an_unsure_judgement_is_not_announced_as_a_verdict():
    rule = load_rubric().follow_up_for(GAPS[2])
    f = FollowUp(rule.question, rule.check_id, reply="Foreman, in the end.",
                 judgement="strong", judgement_sure=False)
    text = reply_verdict(f)
    assert text.startswith("I am not sure")
    assert "Good reply" not in text


def test_a_weak_verdict_says_what_was_not_heard_never_what_the_reply_said():
    """A weak judgement can come from a reply about something else entirely (c10: a
    complaint about a manager, given to "who did you tell?", was told "your reply says
    you told people only once it was over"). So no weak verdict claims what the reply
    said: each says what the coach did not hear, which is true whatever was said."""
    for rule in load_rubric().follow_ups:
        f = FollowUp(rule.question, rule.check_id, reply="My manager never listens to me.",
                     judgement="weak", judgement_sure=True)
        text = reply_verdict(f)
        assert text.startswith("I did not hear"), (rule.when, text)
        assert "your reply says" not in text.lower(), (rule.when, text)


@pytest.mark.parametrize("reply", [
    "I am more careful now, but also I put new thing: the freezer has alarm now, it ring the "
    "manager phone if it go warm.",
    "Alarm on the error. Config check on the deploy checklist. Postmortem sent round.",
    "Honestly mostly just being careful, plus there's a second check on the dosage sheet now.",
    "Well, careful, yeah, and we've got a line on the closing checklist for the back door.",
    "Two people sign the order form now before it goes, so it can't go out wrong again.",
])
def test_a_reply_naming_a_change_is_never_told_it_named_none(reply):
    """The seed's strong prevention reply said clumsily, tersely or beside talk of being
    careful (a writer the judge never saw: "the fridge now has alarm" was judged weak and
    told to name something like an alarm): whatever the judgement, the coach never says it
    heard no change, nor that the reply was beside the point."""
    judged = judge(Rewording("change", 3, "strong", None, ("concrete_prevention",), reply))
    assert not judged.verdict.startswith(("I did not hear", "Your reply did not answer")), \
        judged.verdict
    assert judged.judgement == "strong" or not judged.sure, judged.verdict


@pytest.mark.parametrize("reply", [
    "My supervisor, straight away.",
    "The duty manager, right away.",
    "My boss, about ten minutes later.",
    "My manager, within about five minutes.",
])
def test_a_short_reply_naming_who_and_when_is_never_told_it_did_not_answer(reply):
    """"Who did you tell about it, and how soon?" is answered in a few words; the judge,
    trained on replies to a longer question, called these surely beside the point. A short
    reply naming who was told, or when, is at worst not sure (``on_topic_when_said``);
    long ones beside the point still are (test_retelling_the_story_...)."""
    follow_up = next(n for n, gap in GAPS.items() if gap == "proactive_communication")
    judged = judge(Rewording("short", follow_up, "strong", None, (), reply, "test"))
    assert judged.judgement != "offtopic" or not judged.sure, judged
    assert not judged.verdict.startswith("Your reply did not answer"), judged.verdict


def test_what_one_would_do_speaks_to_the_hindsight_question(prompts_read_as):
    """"I'd have rung them sooner" answers "what would you do differently?" by its tense,
    whatever the verb (``lead_tenses`` in replies.toml): without it, the reply's clauses
    count less towards the question asked."""
    import copy

    from coach.analysis import reply_features
    from coach.prompts import load_toml

    rule = next(r for r in load_rubric().follow_ups if r.when == "!concrete_reflection")
    reply = "I'd have rung the depot before loading. Walk the route the day before."

    def asked() -> float:
        f = reply_features.reply_features(rule, reply, set())
        return next(int(k.split("=")[1]) for k in f if k.startswith("asked="))

    prompts_read_as(reply_features, reply_features.load_reply_cues, load_toml("replies.toml"))
    with_tenses = asked()
    data = copy.deepcopy(load_toml("replies.toml"))
    del data["topics"]["hindsight"]["lead_tenses"]
    prompts_read_as(reply_features, reply_features.load_reply_cues, data)
    assert asked() < with_tenses


@pytest.mark.parametrize("key,value,message", [
    ("leads", ["mend"], "unknown verb class 'mend'"),
    ("near", ["repairs"], "near an unknown topic 'repairs'"),
    ("near", ["repair"], "near itself"),
    ("lead_persons", ["they"], "unknown person 'they'"),
    ("lead_tenses", ["future"], "unknown tense 'future'"),
    ("lead_tenses", ["would"], "both leads and lead_tenses"),
])
def test_a_topic_naming_what_replies_toml_lacks_is_refused(prompts_read_as, key, value,
                                                          message):
    """A topic's verb classes, persons, tenses and near topics are data: a slip in them is a
    clear error when the cues are read, not a KeyError in the middle of judging a reply (or
    a tense no verb is ever read in, which would silently count nothing)."""
    import copy

    from coach.analysis import reply_features
    from coach.prompts import load_toml

    data = copy.deepcopy(load_toml("replies.toml"))
    data["topics"]["repair"][key] = value
    prompts_read_as(reply_features, reply_features.load_reply_cues, data)
    with pytest.raises(ValueError, match=message):
        reply_features.load_reply_cues()
