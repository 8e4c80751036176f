"""The rubric's checks: every seed weak/strong reply, and for every check an answer where it
fires and one where it must not (tricky ones included). Answers are spoken-style text run
through the real segmenter, so checks see the parts they would see on a transcript."""

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from coach.analysis.analyze import CoachingOptions, analyze_text, judge_reply
from coach.analysis.checks import DOUBTED_MISSING, choose_follow_up, estimate_level, run_checks
from coach.analysis.report import SURE_CHECK, Part, Sentence
from coach.analysis.rubric import load_rubric
from coach.analysis.text import words_from_text
from coach.eval.segmenter import load_answers

RUBRIC = load_rubric()
DATA_DIR = Path(__file__).parent / "data"


def found(text: str, level: str | None = None) -> set[str]:
    report = analyze_text(text, coaching=CoachingOptions(level))
    return {cid for cid, c in report.checks.items() if c.found}


def reply_checks(text: str) -> dict:
    report = analyze_text("I broke checkout with a config change. I rolled it back.")
    report = judge_reply(report, words_from_text(text))
    return report.follow_up.checks


@pytest.mark.parametrize("pair", RUBRIC.pairs, ids=lambda p: p.expect_flag)
def test_seed_weak_reply_is_flagged(pair):
    checks = reply_checks(pair.weak)
    assert checks[pair.expect_flag].found, pair.weak
    assert checks[pair.expect_flag].evidence


@pytest.mark.parametrize("pair", RUBRIC.pairs, ids=lambda p: p.expect_flag)
def test_seed_strong_reply_is_recognised(pair):
    checks = reply_checks(pair.strong)
    assert not checks[pair.expect_flag].found, pair.strong
    for signal in pair.expect_signals:
        assert checks[signal].found, (signal, pair.strong)
    assert not any(c.found for c in checks.values() if c.kind == "red_flag"), pair.strong


STRONG = (
    "Last year I was the backend engineer on our payments team. I lowered a database timeout "
    "and that change caused checkout errors for about twelve percent of orders. "
    "It was my change, so it was on me to fix it. "
    "I immediately alerted the on-call team and our product manager. "
    "I analyzed the logs, reproduced the error in staging and traced it to my config change. "
    "I rolled the change back and posted status updates every thirty minutes. "
    "I worked with the database team and the fraud team to agree a safe timeout. "
    "As a result checkout recovered within forty minutes. "
    "I added config validation to our deployment checklist and an alert on timeout errors."
)

# check id -> (an answer where it fires, an answer where it must not)
CASES = {
    "blames_others": (
        "The outage happened because the QA team signed off on a broken build. It was really "
        "the network team's fault. I restarted the servers.",
        "The QA team signed off, but it was not the QA team's fault: my change caused it. "
        "I rolled it back and added a test."),
    "escalates_and_waits": (
        "Prices were wrong after my change. I escalated it to the payments team and they "
        "eventually fixed it.",
        "Prices were wrong after my change. I escalated it to the payments team, and while "
        "they looked, I analyzed the logs. I found my bad cache key and I rolled it back. "
        "I wrote a test for it."),
    "minimizes_impact": (
        "My deploy broke the login page but it was not a big deal, only a few users noticed. "
        "I rolled it back.",
        "My deploy broke login for four thousand users for twenty minutes. I rolled it back."),
    "no_recovery": (
        "I once shipped a feature that nobody used. We spent two months on it. "
        "The research said users wanted it.",
        "I shipped a feature that nobody used. I interviewed five customers and rebuilt it, "
        "and usage went up to forty percent."),
    "team_only": (
        "Our service went down after a release. We rolled back the release. We worked "
        "through the bug list together. We tested everything again.",
        "My release took the service down. I decided to roll back, and we rolled back "
        "within ten minutes. I traced the bug to my migration and I wrote the fix. We "
        "shipped it the next day."),
    "vague_prevention": (
        "I broke the build with a bad merge. I fixed it. I just made sure to be more careful "
        "next time.",
        "I broke the build with a bad merge. I fixed it, and to be more careful I added a "
        "merge check to the pipeline that runs the full test suite."),
    "denies_change": (
        "I missed the deadline because the scope grew. Honestly I don't think I would change "
        "anything.",
        "I missed the deadline because the scope grew. Nobody could say I wouldn't learn from "
        "it: I would have split the scope earlier and involved the design team."),
    "effort_without_initiative": (
        "My manager gave me a deadline for the migration. I stayed late every night for three "
        "weeks and worked weekends. I finished on the last day.",
        "Nobody asked me to, but I took it on myself to fix the flaky migration tool. I stayed "
        "late twice to finish the rewrite and it cut migration time in half."),
    "passive_communication": (
        "I fixed the corrupted records. I sent an email to the team after the fix was "
        "deployed.",
        "I immediately alerted the on-call team and gave status updates every thirty minutes. "
        "I sent an email to the team after the fix was deployed with the full timeline."),
    "individual_role_clear": (
        STRONG,
        "We noticed the error. We rolled it back. We added tests."),
    "self_initiated": (
        "Nobody asked me to, but I decided to own the flaky deploys myself. I rewrote the "
        "deploy script.",
        "My manager assigned me the flaky deploy ticket. I rewrote the deploy script."),
    "root_cause_identified": (
        STRONG,
        "The site was slow. I restarted the servers and it got better."),
    "quantified_impact": (
        STRONG,
        "In 2019, two years ago, at three in the morning, on my first day on call, the "
        "database went down. I restarted it."),
    "concrete_prevention": (
        STRONG,
        "I broke the build with a bad merge. I fixed it. I just made sure to be more careful "
        "next time."),
    "proactive_communication": (
        STRONG,
        "I fixed the corrupted records. I sent an email to the team after the fix was "
        "deployed."),
    "names_tradeoff": (
        "I pushed a sprint item back two days because the cost of inaction was eight thousand "
        "dollars a week. I fixed the leak.",
        "I fixed the memory leak and deployed it. I added an alert."),
    "shows_recovery": (
        STRONG,
        "Prices were wrong after my change. I escalated it to the payments team and they "
        "eventually fixed it."),
    "cross_team_scope": (
        STRONG,
        "I broke my own service's build. I fixed my build script. I added a test."),
    "honest_ownership": (
        "That outage was my mistake: I pushed the config change that caused it. I rolled it "
        "back.",
        "The config change went out and the site went down. The site was restored."),
    "concrete_reflection": (
        "The migration failed. In hindsight I would have load tested it and involved the "
        "database team earlier.",
        "The migration failed. I would not say much went wrong."),
}


@pytest.mark.parametrize("ending, denies", [
    # The seed's "I don't think I would change anything", asked and answered by the speaker.
    ("What would I do differently? Honestly, nothing.", True),
    ("Would I change anything? Not really.", True),
    ("And what would I change? Um, nothing.", True),
    ("What I\u2019d do differently? Nothing.", True),
    ("Could I change the booking at that point? Not really.", False),
    # A bare "nothing" that tells something else (b131: "so next reboot... nothing. dead
    # box." was read aloud as "the biggest concern: would change nothing").
    ("So I rebooted it and... nothing. Dead box.", False),
    ("Did the new rota change anything? Nothing. The same two shifts stayed short.", False),
    # "I would do it / the same (again)", said whole
    ("Honestly, I would do it the same again.", True),
    ("If it came up again I would do exactly the same.", True),
    ("Looking back I would do everything the same.", True),
    ("Knowing what I knew then, I would do it again.", True),
    ("I'd do exactly the same.", True),
    ("I'd do the same again, because it was the right call.", True),
    ("Yeah, I think I'd probably do the same again, I mean you can't just leave people.", True),
    # a plan put off is no denial (b145-08: "I told myself I would do it at the end of the
    # day" was read aloud as "the biggest concern: would change nothing"), nor a lesson
    ("I skipped the check and told myself I would do it at the end of the day.", False),
    ("The manager asked who would cover the call and I said I would do it.", False),
    ("I said I would do it properly after lunch, and I never did.", False),
    ("My boss asked me to redo it and I said I would do it again that night.", False),
    ("Next time I would do the same check on every order before it goes out.", False),
    ("And the PM liked knowing early, so that's what I'd do again.", False),
])
def test_would_change_nothing_only_where_it_is_said(ending, denies):
    story = "I broke the nightly backup with a typo. I restored it from tape overnight. " + ending
    assert found_check(story, "denies_change") == denies, ending


def test_a_bare_nothing_still_counts_in_a_reply_to_a_follow_up():
    assert reply_checks("Nothing.")["denies_change"].found
    assert reply_checks("Honestly, not much.")["denies_change"].found


def found_check(text: str, cid: str) -> bool:
    return analyze_text(text).checks[cid].found


LESSON_STORY = ("I sent the porter to the wrong ward with the bloods, and the sample sat on a "
                "trolley for an hour and had to be taken again. I rang the lab, got it redone "
                "and apologised to the patient. {}")


@pytest.mark.parametrize("lesson, said", [
    # The seed's concrete reflection ("I would have load tested it and involved the team
    # earlier") as people in other trades say it: what they do now, or should have done.
    ("Since then I always read the ward name back to the porter before he goes.", True),
    ("so from that day I never send anything off till I've checked the label myself", True),
    ("Honestly I should have rung the ward first to check where she'd been moved to.", True),
    ("I'll never hand a sample over again until I've read the label back.", True),
    ("The lesson for me was to always double-check the ward on the board.", True),
    ("I've learned to check the board before anything leaves my hands.", True),
    # A vague lesson, a feeling, or a habit that is only background.
    ("I learned a lot from it.", False),
    ("It made me a lot more careful, I'll never forget it.", False),
    ("I always felt nervous on that ward anyway.", False),
    ("Ever since, I always feel a bit sick walking onto that ward.", False),
    # A story's next step, a "would have" of what might have been, blame, a memory.
    ("After that I had to go back and tell the patient.", False),
    ("Now I had to call the lab again.", False),
    ("Otherwise I would have got the sack.", False),
    ("Honestly I should have been told about the move by the ward.", False),
    ("I'll always remember that day until I retire.", False),
    ("Ever since, I never really trusted that ward's porters.", False),
    ("Since then I always knew she was the best porter we had.", False),
    ("The lesson was that communication matters.", False),
])
def test_a_lesson_in_everyday_words_is_found_and_a_vague_one_is_not(lesson, said):
    """A concrete lesson told as what the speaker does now, or should have done, in
    everyday verbs is found; a vague one or a feeling is not (its rule found a lesson in
    10 of the 182 answers people labelled as holding one)."""
    report = analyze_text(LESSON_STORY.format(lesson))
    assert report.checks["concrete_reflection"].found == said, lesson


@pytest.mark.parametrize("cid", list(CASES))
def test_check_fires_and_holds_back(cid):
    fires, holds = CASES[cid]
    assert cid in found(fires), fires
    assert cid not in found(holds), holds


# Outside software: the checks must hold on the ways other jobs tell the same behaviour.
MORE_CASES = [
    ("shows_recovery", "I posted the grades too early with scores missing. That same evening "
     "I entered the missing scores and re-posted the corrected grades.", True),
    ("shows_recovery", "The queue started dropping people. I doubled the session store's "
     "memory. The queue was stable within twelve minutes.", True),
    ("shows_recovery", "I broke the order import. My task was to get it fixed before noon. "
     "My manager decided to wait for the vendor.", False),  # the goal is not a recovery
    # Three steps of the speaker's own are a recovery even without a recovery verb...
    ("shows_recovery", "I ordered windows from old drawings and a third did not fit. I called "
     "the supplier and negotiated a new order. I moved the crews to the finished rooms first. "
     "I checked every other open order against the drawings.", True),
    # ...but effort and escalation are not steps.
    ("shows_recovery", "I missed the deadline for the report. I stayed late every night. I "
     "worked weekends too. I escalated it to my manager and she sorted it out.", False),
    ("concrete_prevention", "I switched the refresh from every hour to every five minutes "
     "and search went down. I reverted it. I profiled the cluster.", False),  # the cause
    ("concrete_prevention", "I used the wrong population figure. I rebuilt the model that "
     "evening. I now source-check every input with a second source.", True),
    ("quantified_impact", "My market sizing was off by a factor of two. I rebuilt it.", True),
    ("individual_role_clear", "My sizing was wrong. I needed to fix it before the budget "
     "meeting. I rebuilt the model that evening and sent a corrected version. The client "
     "thanked us.", True),  # a one-sentence Action in the first person
    ("escalates_and_waits", "Some numbers in my report were wrong. My manager noticed it "
     "before it went to the director. I fixed the numbers and sent it again.", False),
    ("concrete_prevention", "I forgot to register the team. I called the director and got us "
     "on the waitlist. We haven't missed a deadline in the two seasons since.", True),
    ("blames_others", "The site went down. It was caused by a change the infrastructure "
     "team made without telling us. I restarted the servers.", True),
    ("escalates_and_waits", "The site went down after another team's change. We waited for "
     "them to roll it back and then everything came back up.", True),  # waiting, no escalating
    ("escalates_and_waits", "The site went down after another team's change. While we waited "
     "for them to roll it back, I moved traffic to the old cluster. I paged their lead and I "
     "wrote the timeline.", False),
    ("shows_recovery", "Payments went down after a migration. The team jumped on a call and "
     "the database admins restored from backup. It was resolved.", False),  # not the speaker
    ("concrete_prevention", "My team's flag change turned a beta on for everyone. I turned it "
     "back and I changed our rollout template so every percentage change needs a second "
     "person.", True),
    ("concrete_prevention", "I forgot to bump the version and the store rejected the build. I "
     "rebuilt it. I put the version bump into the build script itself so nobody has to "
     "remember it.", True),
    ("concrete_prevention", "I sent a client the wrong invoice. I apologized and sent the "
     "right one. I try to be more careful now.", False),
    ("quantified_impact", "I mislabeled a batch and two results went to the wrong patient "
     "files. I re-ran the samples.", True),
    ("concrete_prevention", "I sent the campaign to people who had opted out. I added a rule "
     "that suppresses every opted-out address on every send.", True),
    ("concrete_prevention", "The handoff missed a dose. I wrote a handoff sheet that lists "
     "every time-critical medication due in the next four hours.", True),
    ("concrete_prevention", "The handoff missed a dose. I wrote an apology to the family.",
     False),
    ("quantified_impact", "I posted the grades early and about twenty students saw failing "
     "grades they had passed. I fixed them.", True),
    ("quantified_impact", "I taught eighth grade for three years. I fixed the grades.", False),
    # Money and time the way people write them short.
    ("quantified_impact", "I let the slab cure in the frost. I got the engineer out. It cost "
     "around 7k to grind back and top.", True),
    ("quantified_impact", "I used the wrong dye. I fixed the colour the next day. The salon "
     "lost about £250 on it.", True),
    ("quantified_impact", "I booked the wrong coach. I found another one. Everyone was two hrs "
     "late to the hotel.", True),
    ("blames_others", "The project slipped. Honestly the client's IT team was not very "
     "responsive and their data was a mess. We worked long hours.", True),
    ("blames_others", "We lost the deal because they had never heard our pricing story, and "
     "that was on me: I had only talked to operations. I now map every buyer.", False),
    ("escalates_and_waits", "A shipment went to the wrong warehouse. I let my director know "
     "and she handled the conversation with the customer.", True),
    ("concrete_prevention", "A new hire hit a rack on his second day. I created a buddy "
     "system where every new driver works with a certified driver for a week.", True),
    ("shows_recovery", "A new hire hit a rack. I stopped work in that aisle and checked he "
     "was okay. Nobody was injured.", True),
    ("blames_others", "The prices were wrong for hours. It wasn't really anyone's fault, it "
     "was a process thing. We changed the numbers.", True),
    ("blames_others", "The prices were wrong for hours. It wasn't anyone's fault but mine: I "
     "skipped the review. I changed the numbers and added a check.", False),
    ("escalates_and_waits", "We missed the go-live. I escalated to the partner on the account "
     "and he worked it out with the client.", True),
]


@pytest.mark.parametrize("cid,text,fires", MORE_CASES,
                         ids=[f"{c}-{'fires' if f else 'holds'}-{i}"
                              for i, (c, _, f) in enumerate(MORE_CASES)])
def test_checks_beyond_software(cid, text, fires):
    assert (cid in found(text)) is fires, text


TRAIN_UP_TO = 20
"""The held-out check trains on b1-b20 and the older dev and holdout sets only (735
answers): on every batch (3355 answers) it took 26 minutes of a CI run and grew with each
batch added; the models trained on b1-b20 agree on 95.4% of b5 (blame 6 of 6).
scripts/eval_checks.py measures on all."""


@pytest.mark.slow  # trains seven models on 735 answers
def test_learned_checks_agree_with_people_on_a_batch_they_never_saw(tmp_path):
    """Train the check models without one batch (as scripts/train_checks.py does with all,
    here on the first ``TRAIN_UP_TO`` batches), then judge that batch through the whole
    pipeline: floors for answers by other hands."""
    from pathlib import Path

    from conftest import early_batch

    from coach.eval.checks import MEASURED, evaluate, examples, load_labels, train_all

    data = Path(__file__).parent / "data"
    answers = [a for p in sorted((data / "star").glob("*.txt")) for a in load_answers(p)]
    labelled = examples(answers, load_labels(data / "checks" / "labelled.txt"))
    held_out = [e for e in labelled if e.batch == "b5"]
    train = [e for e in labelled if e.batch != "b5" and early_batch(e.batch, TRAIN_UP_TO)]
    assert len(train) >= 250 and len(held_out) >= 30
    # Agreement only: the verdicts do not depend on the calibration, which is left out.
    train_all(train, tmp_path, RUBRIC.learned, with_calibration=False)
    scores = evaluate(held_out, tmp_path)
    for cid in MEASURED:
        assert scores.agreement(cid) >= 0.8, (cid, scores.disagreements)
    assert sum(scores.agreement(c) for c in MEASURED) / len(MEASURED) >= 0.88
    found, holding = scores.recall("blames_others")
    assert holding >= 4 and found / holding >= 0.6, (found, holding)


def test_every_required_check_is_covered():
    required = {"blames_others", "escalates_and_waits", "minimizes_impact", "no_recovery",
                "team_only", "vague_prevention", "denies_change", "effort_without_initiative",
                "passive_communication", "individual_role_clear", "self_initiated",
                "root_cause_identified", "quantified_impact", "concrete_prevention",
                "proactive_communication", "names_tradeoff", "shows_recovery",
                "cross_team_scope", "honest_ownership"}
    assert required <= set(CASES)
    report = analyze_text(STRONG)
    assert required <= set(report.checks)
    for c in report.checks.values():
        assert c.kind in ("red_flag", "signal") and c.why and c.advice
        assert bool(c.evidence) == c.found


def test_evidence_points_at_the_sentence_and_its_time():
    report = analyze_text(CASES["escalates_and_waits"][0])
    (ev,) = report.checks["escalates_and_waits"].evidence
    assert ev.text.startswith("I escalated it to the payments team")
    assert 0 < ev.start < ev.end


def test_spoken_transcript_without_punctuation():
    text = ("so um I was on the payments team and I pushed a config change that broke "
            "checkout and uh I escalated it to the payments team and they eventually fixed "
            "it and after that things went back to normal")
    flags = found(text)
    assert "escalates_and_waits" in flags


def test_team_only_at_senior_is_the_seed_pitfall():
    single = ("I broke my own service's build with a bad merge. I traced it to my merge and "
              "fixed the build script. I added a test so it cannot happen again.")
    assert "single_team_scope" not in found(single)
    assert "single_team_scope" not in found(single, "SDE2")
    assert "single_team_scope" in found(single, "Senior")
    assert "single_team_scope" not in found(STRONG, "Principal")


def test_only_your_own_team_is_as_unsure_as_the_work_with_other_teams_it_rests_on():
    """Work with other teams told in words its rule does not list ("the night crew from
    the warehouse next door") is not surely absent (its rule's record), so at a Senior
    target "only your own team" is not said as a fact: not the spoken concern, not the
    written pitfall. Short answers (four sentences) carry the record too."""
    story = ("Our conveyor jammed on the busiest night of the year, after I had set the belt "
             "tension myself. I got the night crew from the warehouse next door to send two "
             "people with their spare belt. We shipped every parcel that night, two hours "
             "late. Now a second person checks the tension on every shift.")
    report = analyze_text(story, coaching=CoachingOptions("Senior"))
    assert len(report.sentences) < RUBRIC.learned_min_sentences  # the short-answer path
    cross, single = report.checks["cross_team_scope"], report.checks["single_team_scope"]
    assert not cross.found and not cross.sure
    assert not single.sure and single.claims_absence
    assert "own team" not in report.feedback.spoken.lower()
    assert "Pitfall:" not in report.feedback.written
    for cid in ("names_tradeoff", "concrete_reflection", "cross_team_scope"):
        assert report.checks[cid].found or not report.checks[cid].sure, cid


def test_level_estimate():
    weak = analyze_text("I fixed a bug in my service. I deployed the fix.")
    assert weak.assessment.level == "SDE1"
    strong = analyze_text(STRONG)
    assert strong.assessment.level == "Senior"
    assert f"For {RUBRIC.level_label('Principal')} it would" in strong.assessment.level_reason
    principal = analyze_text(STRONG + " I pushed the new launch back two days because the "
                             "cost of delay was lower than the risk, and the checklist became "
                             "the company standard across the organization.")
    assert principal.assessment.level == "Principal"


def test_the_level_says_what_the_story_shows_not_the_levels_description():
    # "mid level. Owns a failure whose harm, in numbers, reaches beyond their own team" was
    # read as said of a story that gives no number (b134's second reading).
    for text in (STRONG, "I fixed a bug in my service. I deployed the fix."):
        reason = analyze_text(text).assessment.level_reason
        for level in RUBRIC.levels:
            assert level.summary.split(";")[0].split(".")[0] not in reason, reason
    assert analyze_text(STRONG).assessment.level_reason.startswith("Present: ")


def test_the_level_asks_for_what_it_is_unsure_of_as_said_more_plainly():
    # A needed sign the coach is not sure is missing is not called needed and maybe there at
    # once ("would also need: root cause found (not sure it is missing)").
    checks = analyze_text(STRONG).checks
    root = checks["root_cause_identified"]
    level = RUBRIC.levels[1]
    assert "root_cause_identified" in level.needs
    for confidence, said in ((0.95, "it would also need: how you found the real cause."),
                             (0.6, "it would need, said more plainly: how you found the real "
                                   "cause (I could not tell whether it is there).")):
        changed = {**checks, "root_cause_identified":
                   replace(root, found=False, confidence=confidence)}
        reason = estimate_level(changed, analyze_text(STRONG).sentences).reason
        assert f"For {level.label} {said}" in reason, reason
        assert "not sure" not in reason
    # One sign surely missing and one unsure: each said once, in its own words.
    changed = {**checks,
               "root_cause_identified": replace(root, found=False, confidence=0.95),
               "shows_recovery": replace(checks["shows_recovery"], found=False, confidence=0.6)}
    reason = estimate_level(changed, analyze_text(STRONG).sentences).reason
    recovery = RUBRIC.checks["shows_recovery"].title_in_sentence
    assert (f"For {level.label} it would also need: how you found the real cause. It would "
            f"also need, said more plainly: {recovery} (I could not tell whether it is there)."
            ) in reason
    assert reason.count("how you found the real cause") == 1


def test_a_level_held_back_only_by_unsure_signs_is_shown_as_perhaps_the_next():
    """b138's reader: all 30 stories read "entry level", model answers among them, most
    held there by a cause told in words the coach could not be sure of. Where each sign
    between is no more likely missing than there, the next level is shown as a perhaps;
    not where one is more likely missing (shown so wherever none was surely missing, it
    read on 51 of b137-b138's 60 stories), nor where one is surely missing."""
    from coach.analysis.feedback import make_feedback
    from coach.analysis.report import Assessment, Report

    report = analyze_text(STRONG)
    checks, sentences = report.checks, report.sentences
    root = checks["root_cause_identified"]
    entry, mid = RUBRIC.levels[0], RUBRIC.levels[1]
    levels = {confidence: estimate_level({**checks, "root_cause_identified": replace(
        root, found=False, confidence=confidence)}, sentences)
        for confidence in (0.5, 0.6, 0.95)}
    assert [(v.level, v.could_be) for v in levels.values()] == \
        [(entry.id, mid.id), (entry.id, None), (entry.id, None)]
    assert RUBRIC.level_shown(entry.id, mid.id) == f"{entry.label}, perhaps {mid.label}"
    assert RUBRIC.level_shown(entry.id, None) == entry.label
    # a saved session is untrusted: only the level right after is shown as a perhaps
    for odd in ("banana", entry.id, RUBRIC.levels[2].id):
        assert RUBRIC.level_shown(entry.id, odd) == entry.label
    assert RUBRIC.level_shown(RUBRIC.levels[-1].id, mid.id) == RUBRIC.levels[-1].label
    # shown so in the written report, and kept when a saved report is read back
    report = replace(report, assessment=Assessment(entry.id, levels[0.5].reason,
                                                   could_be=mid.id))
    assert f"{entry.label}, perhaps {mid.label}." in make_feedback(report).written
    assert Report.from_json(report.to_json()).assessment.could_be == mid.id


def test_the_analysis_keeps_the_levels_perhaps():
    """What ``estimate_level`` says of a perhaps reaches the report (b138's answers, where
    several reach it)."""
    shown = 0
    for a in load_answers(Path(__file__).parent / "data" / "star" / "b138.txt")[:12]:
        report = analyze_text(a.text)
        could_be = estimate_level(report.checks, report.sentences).could_be
        assert report.assessment.could_be == could_be
        shown += could_be is not None
    assert shown >= 1

def test_company_lens_adds_its_emphasis():
    plain = analyze_text(STRONG)
    amazon = analyze_text(STRONG, coaching=CoachingOptions(company="amazon"))
    google = analyze_text(STRONG, coaching=CoachingOptions(company="google"))
    assert "AMAZON LENS" in amazon.feedback.written and "trade-off" in amazon.feedback.written
    assert "rollback" in google.feedback.written
    assert "LENS" not in plain.feedback.written


@pytest.mark.parametrize("text,gap", [
    (CASES["escalates_and_waits"][0], "escalates_and_waits"),
    ("I broke checkout with a config change. I traced it to my change and rolled it back. "
     "Checkout recovered in ten minutes.", "concrete_prevention"),
    ("I missed the deadline because the scope grew. I rebuilt the plan and added a weekly "
     "check on scope. I don't think I would change anything.", "denies_change"),
])
def test_follow_up_probes_the_biggest_gap(text, gap):
    report = analyze_text(text)
    assert report.follow_up.gap == gap
    assert choose_follow_up(report.checks)[1] == gap


LONG_BACKGROUND = (
    "For context I was at a big retailer, on the team that ran the online checkout. "
    "We were nine engineers, and checkout was the busiest service we looked after. "
    "The company had just moved its stores onto the same payment platform as the website. "
    "That meant every till in three hundred stores now went through our service as well. "
    "The migration had been planned for a year and had slipped twice already. "
    "Our director had promised the board it would be finished before the holiday season. "
    "I had joined the team eight months before, after four years in a bank. "
    "Most of what I knew about the old till system came from one long handover document. "
    "The stores ran their own version of the software, a few releases behind ours. "
    "The two versions had only ever run side by side on quiet weekdays. "
    "On the first Saturday of December the stores opened at eight and traffic tripled. "
    "By nine the tills in the north were taking two minutes to approve a card. "
    "Queues went out of the doors in a dozen stores. "
    "It was the busiest shopping day of the year so far. "
)


def test_spoken_summary_fits_45_seconds_and_has_the_numbers():
    # A background of over a minute (varied sentences: forty copies of one sentence made
    # the segmenter unsure where it ended, and the summary rightly said "about").
    long_answer = LONG_BACKGROUND + "My task was to fix it. We rolled it back. We added tests."
    report = analyze_text(long_answer, coaching=CoachingOptions("Senior", "microsoft"))
    spoken = report.feedback.spoken
    assert len(spoken.split()) / 150 * 60 <= 45
    st = round(report.timing.situation_task_s)
    assert f"Situation and Task would take {st} seconds" in spoken  # typed: by word count
    assert f"{round(report.timing.situation_task_over_s)} over the 50 second budget" in spoken
    # Work with other teams is not surely absent (its rule's record), so neither is the
    # Senior pitfall resting on it: no concern is said, the advice is.
    assert not report.checks["single_team_scope"].sure
    assert "The biggest concern" not in spoken
    assert "Next time:" in spoken


def test_only_we_is_not_said_surely_of_an_answer_told_in_the_first_person():
    """An Action told in "we" sentences, in an answer that says "I" far more than
    "we" (b131: a surveyor's "it was me ... I should have handled it far better myself"),
    do not make "only we, no I" a sure flag read aloud; an Action told all in "we" by a
    speaker who says "we" throughout still does. (The surveyor's own last sentence, "The
    next day we had to get ready for the buoy work, and we swapped the order...", is read
    as the Task and the Result since the parts are shifted to answers people tell
    (part_prior), so it raises no flag at all; the Action here is told in "we" for the
    test.)"""
    mine = ("I lost the towed profiler over the side, and it was me who rigged it. I saw it go "
            "and I just couldn't stop it. I should have handled it far better myself, and I "
            "was furious with myself. I was new on that ship and I hadn't found my sea legs. "
            "So we got the spare out of the hold, and we rigged it again and we swapped the "
            "order so we did the second buoy first.")
    report = analyze_text(mine)
    flag = report.checks["team_only"]
    assert flag.found and not flag.sure and 'only "we"' not in report.feedback.spoken
    ours = ("Our release broke the checkout page for an hour. We were on call that week. We "
            "rolled it back, we checked the logs and we found the bad config. We added a test "
            "and we wrote it up for the other teams.")
    team = analyze_text(ours).checks["team_only"]
    assert team.found and team.sure
    said = analyze_text(ours).feedback.spoken
    assert 'The biggest concern: you said "we" for everything you did.' in said


def test_the_level_is_said_of_the_story_not_of_the_person():
    """"Level: entry level" read to someone with twenty years in the trade judges them, not
    the story they chose (b130's and b131's second readings): every report says it is the
    level this story shows."""
    from rich.console import Console

    from coach.cli.render import coaching_panel

    report = analyze_text(LONG_BACKGROUND + "My task was to fix it. I rolled it back.")
    assert "Level this story shows (this one story, not how experienced you are): " in \
        report.feedback.written
    console = Console(record=True, width=200)
    console.print(coaching_panel(report))
    shown = console.export_text()
    assert "Level this story shows (this one story, not how experienced you are): " in shown
    assert "\nLevel: " not in shown


def test_a_typed_answer_is_not_told_how_long_it_took():
    """A typed answer is timed by its word count, so the spoken summary says how long it
    would take to say, not how long it took (b131's second reading)."""
    from coach.analysis.analyze import build_report
    from coach.analysis.report import Source, SourceKind
    from coach.words import Word

    typed = analyze_text(LONG_BACKGROUND + "My task was to fix it. I rolled it back.")
    assert typed.timing.estimated
    assert typed.feedback.spoken.startswith("Your answer would take about ")
    assert " took " not in typed.feedback.spoken
    words = [Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(
        "I broke the build. My task was to fix it. I rolled it back.".split())]
    spoken = build_report(words, Source(SourceKind.audio, None, 6.0), None, estimated=False)
    assert spoken.feedback.spoken.startswith("Your answer took ")


def test_weak_reply_verdict_names_the_problem():
    report = analyze_text(CASES["escalates_and_waits"][0])
    assert report.follow_up.gap == "escalates_and_waits"
    report = judge_reply(report, words_from_text("I waited for the payments team and they "
                                                 "fixed it."))
    assert report.follow_up.judgement == "weak"
    assert report.follow_up.checks["escalates_and_waits"].found
    assert report.follow_up.verdict.startswith(
        "I did not hear what you did yourself after passing it on")
    assert report.follow_up.reply.startswith("I waited")
    assert "FOLLOW-UP" in report.feedback.written


PREVENTION_SAID = (
    "Feature flags are now the default for every experiment.",
    "Since then every config change goes behind a feature flag.",
    "Now every experiment ships behind a feature flag by default.",
    "I added a feature flag check to the deploy pipeline.",
    "Nowadays nothing goes out without a flag.",
    # The seed's alerts and checklist step, told as what is there now.
    "The error condition has an automatic alert on it now.",
    "Our deployment checklist has a config validation step now.",
    "There's an alarm on that queue now that texts whoever is on call.",
    # The seed's checklist step, told as a step put on a list people work from.
    "I added a config validation step to our deployment checklist.",
    "I put a config check on the release checklist.",
    "We added a line for config validation to every deploy's checklist.",
    "I added a box for the config check to the release sign-off form.",
)
PREVENTION_STORIES = (
    "When the payments started failing I escalated it to the Payments team and they "
    "eventually fixed it.",
    "I rolled back my config change and posted in the incident channel every twenty minutes "
    "and told our product manager how many orders were affected.",
    "My coworker released every order at once and the queue fell over, so I drained it and "
    "replayed the orders in batches.",
)


@pytest.mark.parametrize("change", PREVENTION_SAID)
@pytest.mark.parametrize("story", PREVENTION_STORIES, ids=("escalated", "told", "drained"))
def test_a_standing_change_said_any_way_is_prevention_and_never_asked_for(story, change):
    """A change told as how things are now ("... is now the default", "nothing goes out
    without ...") is a concrete prevention in any story; the follow-up never asks for it."""
    report = analyze_text("Last spring I was the backend engineer for our checkout service. "
                          "I was on call that week and got paged at two. " + story +
                          " We had it fixed in about three hours. " + change)
    assert report.checks["concrete_prevention"].found, change
    follow = choose_follow_up(report.checks)
    assert follow is None or follow[1] != "concrete_prevention"


def _sure(check, found: bool):
    """``check`` given as surely ``found`` (or surely not)."""
    return replace(check, found=found, confidence=1.0)


def _unsure(check):
    return replace(check, confidence=0.55)


def test_a_change_made_answers_the_fallback_so_the_first_gap_not_found_is_asked_instead():
    """"What would you do differently?" asked of an answer that has just told the change it
    made asks for what was said (b147's reader: "I have made it a rule to check the on
    button"); with a change surely found, the first of the fallback's ``instead`` follow-ups
    whose signal is not found is asked in its place, in that order, one the answer says in
    part ("I personally contacted both mothers") only after the others; with all of them
    found, the fallback as before; with the change found unsurely, or none, the fallback."""
    report = analyze_text("Last spring I was on the tills at the garden centre. I put the "
                          "wrong price on the compost. I noticed at lunch and changed the "
                          "labels and told my manager. About forty bags went out cheap. I "
                          "check the price file before I print now.")
    unsure = {cid: _unsure(c) for cid, c in report.checks.items()}
    fallback = RUBRIC.follow_up_for("concrete_reflection")
    assert fallback.answered_by == ("concrete_prevention",)
    assert fallback.instead == ("shows_recovery", "proactive_communication",
                                "quantified_impact")
    base = {**unsure, "concrete_reflection": replace(unsure["concrete_reflection"], found=False),
            **{cid: replace(unsure[cid], found=True, advice=RUBRIC.checks[cid].advice)
               for cid in fallback.instead}}
    assert not any(c.sure for c in base.values())
    changed = {**base, "concrete_prevention": _sure(base["concrete_prevention"], True)}
    assert choose_follow_up(changed) == (fallback.question, "concrete_reflection")
    for k, cid in enumerate(fallback.instead):
        gaps = {**changed, **{c: replace(changed[c], found=False)
                              for c in fallback.instead[k:]}}
        question, gap = choose_follow_up(gaps)
        assert gap == cid and question == RUBRIC.follow_up_for(cid).question
    # said in part: asked only when nothing else is missing
    all_gaps = {**changed, **{c: replace(changed[c], found=False) for c in fallback.instead}}
    first = fallback.instead[0]
    partly = {**all_gaps, first: replace(all_gaps[first],
                                         advice=RUBRIC.checks[first].advice_if_partly)}
    assert choose_follow_up(partly)[1] == fallback.instead[1]
    only_partly = {**changed, first: partly[first]}
    assert choose_follow_up(only_partly)[1] == first
    # a change found unsurely, or none: the fallback
    for prevention in (replace(base["concrete_prevention"], found=True),
                       replace(base["concrete_prevention"], found=False)):
        assert choose_follow_up({**all_gaps, "concrete_prevention": prevention}) == (
            fallback.question, "concrete_reflection")


def test_with_no_gap_surely_there_the_follow_up_is_the_question_that_presumes_nothing():
    """An interviewer always asks something (8 of b136's 30 reports asked nothing): with no
    gap surely there, the rubric's fallback ("what would you do differently?"), which a
    lesson told does not make wrong to ask; not when that lesson is surely told already."""
    report = analyze_text("Last spring I was on the tills at the garden centre. I put the "
                          "wrong price on the compost. I noticed at lunch and changed the "
                          "labels and told my manager. About forty bags went out cheap. I "
                          "check the price file before I print now.")
    unsure_all = {cid: _unsure(c) for cid, c in report.checks.items()}
    assert all(not c.sure for c in unsure_all.values())
    reflection = unsure_all["concrete_reflection"]
    # (no change heard either: a change answers the question; tested above)
    none_heard = {**unsure_all, "concrete_reflection": replace(reflection, found=False),
                  "concrete_prevention": replace(unsure_all["concrete_prevention"], found=False)}
    question, gap = choose_follow_up(none_heard)
    assert gap == "concrete_reflection"
    assert question == "Looking back, what would you do differently?"
    # a lesson perhaps told: asked further, not for what may just have been said (b145)
    question, gap = choose_follow_up({**none_heard, "concrete_reflection":
                                      replace(reflection, found=True)})
    assert gap == "concrete_reflection"
    assert question == RUBRIC.follow_up_for("concrete_reflection").question_if_perhaps_told
    assert "differently" in question and question.endswith("?")
    plain = replace(RUBRIC, follow_ups=tuple(replace(r, question_if_perhaps_told="")
                                             for r in RUBRIC.follow_ups))
    assert choose_follow_up({**none_heard, "concrete_reflection": replace(reflection, found=True)},
                            plain)[0] == "Looking back, what would you do differently?"
    lesson_told = {**unsure_all,
                   "concrete_reflection": _sure(unsure_all["concrete_reflection"], True)}
    assert choose_follow_up(lesson_told) is None
    # a gap surely there still comes first
    no_numbers = {**lesson_told,
                  "quantified_impact": _sure(unsure_all["quantified_impact"], False)}
    assert choose_follow_up(no_numbers)[1] == "quantified_impact"


STANDING_REPLIES = (
    "Every config change has a validation step now.",
    "The error condition has an alert on it now, it pages me.",
    "Our deploy checklist has got a config check on it now.",
    "There's an automatic alert on that error now.",
)


@pytest.mark.parametrize("reply", STANDING_REPLIES)
def test_a_reply_naming_what_is_in_place_now_is_not_told_to_stop_being_careful(reply):
    """Asked what changed, a reply that names what is in place now ("... has an alert on
    it now") is never judged a vague promise, and no verdict tells the person that being
    careful is not enough when they never said it."""
    report = analyze_text(CASES["vague_prevention"][0])
    assert report.follow_up.gap == "concrete_prevention"
    report = judge_reply(report, words_from_text(reply))
    assert report.follow_up.judgement != "weak" or not report.follow_up.judgement_sure, reply
    assert "careful" not in report.follow_up.verdict.lower(), reply


# A change wanted, planned, suggested or promised, but not made, said several ways (the
# seed's strong prevention reply, "I added automated alerts ... improved our deployment
# checklist to include config validation", only talked about).
TALKED_ABOUT = (
    "I suggested we add config validation to the deploy checklist, but nothing came of it.",
    "The plan was to put an automated alert on that error, but it got shelved in the "
    "reorganisation.",
    "We said we should probably add a validation step before every deploy.",
    "I did ask for a rule that every config change gets a second reviewer, and they said no.",
    "Ideally we'd have an alert on that error condition, it's on the list.",
    "I'll add a config check to the deployment checklist at some point.",
)


@pytest.mark.parametrize("talked", TALKED_ABOUT)
def test_a_change_only_talked_about_is_not_surely_prevention(talked):
    """Said after a real fix, a change only wanted, planned, suggested, turned down or
    promised is never credited as a change made with certainty (b75 and b76, scored blind:
    8 such answers credited)."""
    report = analyze_text("Last spring I broke checkout with a config change. I rolled it "
                          "back within ten minutes and told my manager straight away. "
                          "Checkout was back for everyone by noon. " + talked)
    check = report.checks["concrete_prevention"]
    assert not check.found or not check.sure, talked


@pytest.mark.parametrize("vague", (
    "Since then I just try to be more careful with every change.",
    "Now I double-check everything before I press the button.",
    "Going forward I pay a lot more attention.",
))
def test_a_promise_to_be_careful_is_still_not_prevention(vague):
    report = analyze_text("Last spring I broke checkout with a config change. I rolled it "
                          "back within ten minutes and told my manager straight away. "
                          "Checkout was back for everyone by noon. " + vague)
    assert not report.checks["concrete_prevention"].found or \
        not report.checks["concrete_prevention"].sure, vague


# A step of one's own that now comes before the risky moment, said the ways people say it
# (b121, scored blind: two such answers called surely without a change, and the spoken
# advice then asked for one).
STANDING_STEPS = (
    "So now, before I touch anything, I go and look at the boiler and the stopcock myself.",
    "Ever since, before I put a big drill into a wall, I go round and check what's on the "
    "other side first.",
    "These days I always shut the main gate before I open his, every time.",
    "Now every time I do a refill I read the label out loud to the patient first.",
    "Nowadays whenever we book a coach I ring the driver the night before.",
    "I check the name on the order before I cut the key now, every single time.",
    "so now whenever i get a new client i ask for photos of the job first",
    "These days I photograph the pipework before I start.",
    "Now before I fit a valve I check the flow arrow, every time.",
)
NOT_A_STEP = (
    "Now I always take a breath before I start.",
    "now I think twice before I send anything",
    "Now I take my time before I sign anything.",
    "I was going to check it before I left, but I didn't.",
    # a second reader's near misses
    "These days I take a deep breath before I start anything.",
    "Ever since, before I start a job, I go and get a sandwich.",
    "Since then, whenever I go to that house, I take the dog for a walk.",
    "These days I always hesitate before I open anything.",
    "I really should look at the boiler myself before I touch anything now.",
    "Now I never check before I sign, which is the problem.",
    "Now I usually take a breath before I start.",
    "If I had a second chance, now I would check the label before I start.",
)
STEP_STORY = ("Last spring I fitted a new valve for a customer and got the feed wrong, so the "
              "kitchen ceiling leaked. I turned the water off, dried it out and apologised to "
              "her the same afternoon, and paid for the plasterer myself. ")


@pytest.mark.parametrize("step", STANDING_STEPS)
def test_a_standing_step_of_ones_own_is_prevention(step):
    report = analyze_text(STEP_STORY + step)
    assert report.checks["concrete_prevention"].found, step
    follow = choose_follow_up(report.checks)
    assert follow is None or follow[1] != "concrete_prevention", step


@pytest.mark.parametrize("near", NOT_A_STEP)
def test_a_pause_a_feeling_or_a_step_not_taken_is_not_a_standing_step(near):
    assert not analyze_text(STEP_STORY + near).checks["concrete_prevention"].found, near



LONG_RUN_ON = (
    ("situation", "so this was at the depot and I had set the route plan the night before "
     "and I put two of the vans on the same postcodes by mistake which meant half of the "
     "east side got nothing till the afternoon and the phones were going mad and I only "
     "twigged when Dave rang me from the ring road asking why he was behind Sam's van"),
    ("action", "so I sat down with the manifests and pulled the east side drops off Sam and "
     "gave them to the spare driver and rang every shop on that list myself to say they "
     "would be late and by how much and kept the office posted on the group chat every "
     "half hour or so while the spare van went round"),
    ("result", "and after that me and the transport manager went over the plan together "
     "and the system now flags any postcode that is on two routes before the plan goes out "
     "and I look at the flag list first thing before the drivers leave every single day "
     "because honestly I would rather lose five minutes than a whole side of town again"),
    ("result", "nobody lost their order in the end just late and by four o'clock it was all "
     "delivered and the shops were fine about it because they had heard it from me before "
     "they had to chase it"),
)


def _sentences(parts_texts) -> list[Sentence]:
    out, t, w = [], 0.0, 0
    for part, text in parts_texts:
        n = len(text.split())
        out.append(Sentence(text, t, t + n * 0.4, Part(part), w, w + n - 1))
        t, w = t + n * 0.4, w + n
    return out


def test_few_long_sentences_are_judged_by_the_rules_as_sure_as_they_have_been():
    """An answer read as fewer sentences than the learned models need is judged by the
    rules, each as sure as it has been right on labelled answers of that length: a rule
    that finds nothing in 200 words is not taken as sure of it (here the recovery is told
    as plain steps no recovery rule lists)."""
    sentences = _sentences(LONG_RUN_ON)
    assert len(sentences) < RUBRIC.learned_min_sentences
    checks = run_checks(sentences)
    missing = [cid for cid, c in checks.items()
               if cid in RUBRIC.learned and c.kind == "signal" and not c.found]
    assert "shows_recovery" in missing
    assert not any(checks[cid].sure for cid in missing), {
        cid: checks[cid].confidence for cid in missing}
    found_ones = [c for cid, c in checks.items() if cid in RUBRIC.learned and c.found]
    assert found_ones and all(0.5 < c.confidence < 1.0 for c in found_ones)


def test_a_short_weak_answer_is_still_surely_missing_what_it_never_says():
    sentences = _sentences((("situation", "I sent the wrong invoice to a client"),
                            ("action", "My manager sorted it out"),
                            ("result", "It was fine in the end")))
    checks = run_checks(sentences)
    for cid in ("concrete_prevention", "proactive_communication", "quantified_impact"):
        check = checks[cid]
        assert not check.found and check.sure, (cid, check.confidence)


def _pieces(*texts: str) -> list[Sentence]:
    return [Sentence(t, float(k), k + 0.9, Part.action, k, k) for k, t in enumerate(texts)]


@pytest.mark.parametrize("pieces", [
    ("The minute I saw it", "I let my area manager know,", "and I fixed the tray."),
    ("As soon as we spotted it we", "rang the client and told them.", "I fixed it."),
    ("Right away", "I phoned the ward sister,", "then I relabelled the batch."),
])
def test_rules_read_a_run_on_across_the_cut(pieces):
    """A sentence the segmenter cut out of a run-on is read with the piece before it, so
    where the cut falls does not change what the rules find; both pieces are quoted. The
    same pieces ended as full sentences are separate statements, read apart."""
    check = run_checks(_pieces(*pieces), learned=False)["proactive_communication"]
    assert check.found
    assert {e.text for e in check.evidence} >= set(pieces[:2])
    apart = _pieces(pieces[0].rstrip(",") + ".", pieces[1], pieces[2])
    assert not run_checks(apart, learned=False)["proactive_communication"].found


def test_no_report_says_recovery_shown_and_no_recovery():
    """"Recovery shown" and the red flag "no recovery" never stand in one report (nor
    "vague prevention" beside "concrete prevention", and the like), however
    unsure the recovery is (a short answer's recovery rule is right about half the time:
    the flag once came out at 0.514 beside the recovery it had just quoted)."""
    from pathlib import Path

    star = Path(__file__).parent / "data" / "star"
    stories = [a.text for b in ("b33", "b34") for a in load_answers(star / f"{b}.txt")]
    stories += [case for pair in CASES.values() for case in pair]
    pairs = [("vague_prevention", "concrete_prevention"),
             ("effort_without_initiative", "self_initiated"),
             ("passive_communication", "proactive_communication"),
             ("minimizes_impact", "quantified_impact")]
    for text in stories:
        checks = analyze_text(text).checks
        signals = [c for c in ("shows_recovery", "concrete_prevention", "concrete_reflection")
                   if checks[c].found]
        assert not (signals and checks["no_recovery"].found), (signals, text[:80])
        for flag, signal in pairs:
            assert not (checks[flag].found and checks[signal].found), (flag, text[:80])


SEWING_STORY = (
    "I service industrial sewing machines for small workrooms. {} I adjusted the spring "
    "without the service manual and wound it too tight, so the machine jammed the next "
    "morning. {} I drove the new part over that evening, fitted it and ran test seams "
    "until it stitched clean, and I told the owner straight away it was my doing.")


@pytest.mark.parametrize("small, harm", [
    ("There was just one small thing on their main machine, the check spring.",
     "Their whole line backed up behind it: six orders went out late and the machine was "
     "down for a day and a half."),
    ("It looked like a minor problem, a spring out of balance.",
     "They lost about two days on that machine and had to push back four orders."),
    ("The job itself was a tiny thing, ten minutes' work.",
     "Three of their five machinists sat idle for most of the day."),
])
def test_playing_down_is_never_said_beside_a_size_of_harm_it_asks_for(small, harm):
    """"Playing down the impact" advises stating the impact in numbers: beside a size of
    harm the report shows as found it would ask for what the answer just said (b144-19:
    a fault called "just one small thing" in an answer giving "a day and a half" and "six
    orders"), so it is held back: not found, never said aloud (the report lists it among
    the flags it is not sure are absent)."""
    report = analyze_text(SEWING_STORY.format(small, harm))
    checks = report.checks
    assert checks["quantified_impact"].found, harm
    assert not checks["minimizes_impact"].found, small
    assert not checks["minimizes_impact"].sure, small
    assert "playing down" not in report.feedback.spoken.lower(), small


@pytest.mark.parametrize("said", [
    "Looking back, honestly, it was only a minor glitch.",
    "It was a small problem really, nobody noticed.",
    "It wasn't really a big deal, to be fair.",
])
def test_playing_down_with_no_size_of_harm_is_still_said(said):
    """With no size of harm anywhere, played down is still flagged, surely."""
    checks = analyze_text(SEWING_STORY.format("", said)).checks
    assert not checks["quantified_impact"].found, said
    assert checks["minimizes_impact"].found and checks["minimizes_impact"].sure, said


@pytest.mark.parametrize("reply, held_back", [
    ("It was only a small problem really, six orders went out a day late.", True),
    ("It was only a small problem really, nobody noticed.", False),
])
def test_a_reply_is_held_to_the_same_rule(reply, held_back):
    """A reply to a follow-up is judged by the rules alone, and the flag is held back
    beside a size of harm there too."""
    from coach.analysis.analyze import reply_sentences
    from coach.analysis.text import words_from_text

    checks = run_checks(reply_sentences(words_from_text(reply)))
    assert checks["quantified_impact"].found is held_back, reply
    assert checks["minimizes_impact"].found is not held_back, reply


def test_the_learned_models_still_get_the_patterns_own_verdict_on_playing_down():
    """The models were trained on the pattern's verdict, so the hold-back is only in the
    report's last pass: with the learned models off (their features), the flag stands."""
    text = SEWING_STORY.format(
        "There was just one small thing on their main machine, the check spring.",
        "Six orders went out late and the machine was down for a day and a half.")
    from coach.analysis.segment import segment
    from coach.analysis.text import words_from_text

    sentences = segment(words_from_text(text))
    assert run_checks(sentences, learned=False)["minimizes_impact"].found
    assert not run_checks(sentences)["minimizes_impact"].found


OT_STORY = (
    "In my second year as a community occupational therapist I assessed a man at home "
    "before his discharge after a hip operation. I recommended a bath lift, but I guessed "
    "the width of the bath from the doorway instead of measuring it, because I was running "
    "late for my next visit. The lift arrived and did not fit, and he had no safe way to "
    "wash for sixteen days. I went back the next morning, measured properly and ordered a "
    "swivel bather instead. I rang his daughter to apologise and explain the delay, and I "
    "booked a carer to help him wash until it came. The new equipment was fitted four days "
    "later. I now never leave a visit without a completed measurement sheet.")


def test_a_signal_the_rules_cannot_be_sure_is_missing_is_never_said_to_be():
    """The cause is told ("guessed the width instead of measuring it") in words the
    root-cause rule does not know. Measured on 90 answers people labelled, that rule's
    silence on a whole answer is right at most a third of the time, so the coach does
    not tell the person to say what the cause was, nor ask about it."""
    from coach.analysis.check_model import signal_record

    record = signal_record("root_cause_identified")
    assert record is not None and max(record.silence_right) < SURE_CHECK
    report = analyze_text(OT_STORY)
    cause = report.checks["root_cause_identified"]
    assert cause.found or not cause.sure
    assert "real cause" not in report.feedback.spoken.lower()
    assert report.follow_up is None or report.follow_up.gap != "root_cause_identified"
    assert signal_record("shows_recovery") is None  # learned checks keep their own record
    # A shown verdict is never believed less than even odds (a "missing" at 0.03 would
    # make every flag resting on it surely absent).
    learned = load_rubric().learned  # (a learned flag found under 0.5 is a "possible")
    assert all(c.confidence >= 0.5 for cid, c in report.checks.items()
               if cid not in learned), report.checks


def test_a_good_sign_is_called_missing_only_when_the_coach_is_very_sure():
    """Advice to add what the person just said contradicts them, so a signal called
    missing needs more certainty than any other verdict; a red flag, or a signal found,
    keeps the ordinary bar."""
    from coach.analysis.feedback import top_missing_signal, top_red_flag
    from coach.analysis.report import SURE_MISSING, Check, CheckKind

    assert SURE_MISSING > SURE_CHECK
    between = (SURE_CHECK + SURE_MISSING) / 2

    def check(kind: CheckKind, found: bool, confidence: float) -> Check:
        return Check(kind, found, (), "why", "advice", confidence)

    unsure_gap = {"proactive_communication": check(CheckKind.signal, False, between)}
    assert not unsure_gap["proactive_communication"].sure
    assert top_missing_signal(unsure_gap) is None
    sure_gap = {"proactive_communication": check(CheckKind.signal, False, SURE_MISSING)}
    assert top_missing_signal(sure_gap) == "proactive_communication"
    assert check(CheckKind.signal, True, between).sure
    flag = {"blames_others": check(CheckKind.red_flag, True, between)}
    assert top_red_flag(flag) == "blames_others"


@cache
def real_shaped_reports() -> list:
    """(labelled example, report) for each answer of b99-b113 (450 answers built on real
    ones): analysed once for the slow tests that measure what is said aloud. When measured
    none had been seen by the check models; since 2026-12-04 the escalating, own-role and
    communication models are trained on them too, so the floors hold, no longer blind."""
    from coach.eval.checks import load_examples

    batches = {f"b{n}" for n in range(99, 114)}
    return [(e, analyze_text(e.text))
            for e in load_examples(DATA_DIR / "star", DATA_DIR / "checks" / "labelled.txt")
            if e.batch in batches]


@pytest.mark.slow
def test_spoken_advice_seldom_asks_for_what_the_answer_already_has():
    """On b99-b111 (390 answers built on real accounts, written after the check models were
    trained), the one piece of content advice said aloud asks for a good sign the answer's
    labels say it already has in at most 19 answers: 17 of 333 when measured (30 of 318 at
    the former bar, 0.75, for a sign called missing; 14 of 318 at 0.85 before "no recovery
    or learning" needed it too, which sends more answers to advice). Since the sixteenth
    session the blame model has been trained on these batches (b1-b117), so blame, found in
    them as it was taught, is the red flag said in 91 answers instead of 16 (every one of
    the 75 more labelled blaming), and the advice below runs on fewer: 253 advised, 14
    contradicting, "no recovery" 14 times (3 wrong); the floors follow, the ceilings stay.
    With the STAR model of b1-b116, 247 advised, 14 contradicting; since a size of harm or a
    recovery told in words the models may not read is no longer called surely missing
    (``doubt_patterns``), 10 contradicting; with a new habit or rule told in everyday words
    too ("now I bring a clipboard"), 6; with the doubt patterns mended and widened
    ("I've stuck a sign on the gate", "a week of dizziness"), 4, and the ceiling is 7.
    Since a trade-off named, a concrete lesson and work with other teams carry their rules'
    records (2026-12-06: "missing" right 52-84% of the time on 447 labelled answers), none
    of them is advised any more: 212 advised instead of 247 (35 of them a trade-off, which
    these labels cannot judge), 2 contradicting either way; the floor follows. With the
    STAR model's probabilities shifted to answers people tell and recovery's sureness
    fitted on its own unseen verdicts (thirtieth session): 222 advised (213 before), none
    contradicting (2), "no recovery" 9 times, 1 wrong (19, 2 wrong). Since recovery's model
    is trained on b1-b137 (thirty-ninth session), these batches are its training data, so
    the figures below are floors, not measures: "no recovery" is said 19 times, none wrong,
    and fewer answers are left for a sign's advice, 196 (207), none contradicting. On
    b138-b144, which it never saw: "no recovery" 12 times, 2 wrong (5 and 1 before), advice
    113 times, 6 contradicting (122 and 6)."""
    from coach.analysis.feedback import top_missing_signal, top_red_flag

    batches = {f"b{n}" for n in range(99, 112)}
    data = [(e, report) for e, report in real_shaped_reports() if e.batch in batches]
    assert len(data) == 390
    advised = contradicting = no_recovery = no_recovery_wrong = 0
    for e, report in data:
        checks = report.checks
        flag = top_red_flag(checks)
        if flag == "no_recovery":
            no_recovery += 1
            no_recovery_wrong += bool(e.holds.get("shows_recovery")
                                      or e.holds.get("concrete_prevention"))
        if flag:
            continue
        gap = top_missing_signal(checks)
        advised += gap is not None
        contradicting += gap is not None and e.holds.get(gap, False)
    assert advised >= 190, advised
    assert contradicting <= 7, contradicting
    # "No recovery or learning" said aloud to an answer labelled with a recovery or a
    # prevention: 3 of 23 when measured (9 of 38 before it needed the same bar), 3 of 14
    # since blame is said first in 9 of those 23 (all labelled blaming); 1 of 9 since
    # recovery's "missing" is as sure as its own unseen verdicts say (19, 2 wrong, before);
    # 19 and none with the model of b1-b137, which learned from these answers.
    assert no_recovery >= 15, no_recovery
    assert no_recovery_wrong <= 5, no_recovery_wrong


GRANT_STORY = (
    "I was the office manager at a small charity and I was in charge of our yearly grant "
    "application. I had the deadline in my head as the Friday, but it was the Thursday. I "
    "sent it in on the Friday morning and the funder would not accept it. We lost the money "
    "for that year and had to cut two of our evening sessions. {}")


@pytest.mark.parametrize("lesson", [
    "It was a hard reminder to put every deadline in the shared calendar.",
    "That one really stuck with me.",
    "I know now that a day's margin is nothing.",
    "Now I always send things two days early.",
    "It made me realise how much I was running on memory.",
    "The lesson for me was to read the call twice.",
])
def test_a_lesson_said_any_way_is_not_called_no_learning(lesson):
    assert analyze_text(GRANT_STORY.format("")).checks["no_recovery"].found
    assert not analyze_text(GRANT_STORY.format(lesson)).checks["no_recovery"].found, lesson


def test_a_flag_that_says_something_is_missing_needs_the_bar_of_a_missing_sign():
    """"No recovery or learning" tells the person they left something out: wrong, it
    contradicts them as advice to add a sign they gave does, so it is announced only as
    surely (on b99-b111 it was announced in 38 answers, 9 of them labelled with a recovery
    or a prevention; at this bar, 23 and 3)."""
    from coach.analysis.feedback import top_red_flag
    from coach.analysis.report import SURE_MISSING, Check, CheckKind
    from coach.analysis.report import _checks_from_json as checks_from_json

    spec = RUBRIC.checks["no_recovery"]
    assert spec.claims_absence and not RUBRIC.checks["blames_others"].claims_absence
    between = (SURE_CHECK + SURE_MISSING) / 2
    none = Check(CheckKind.red_flag, True, (), "why", "advice", between, claims_absence=True)
    blame = Check(CheckKind.red_flag, True, (), "why", "advice", between)
    assert not none.sure and blame.sure
    assert top_red_flag({"no_recovery": none}) is None
    assert top_red_flag({"no_recovery": none, "blames_others": blame}) == "blames_others"
    sure_none = Check(CheckKind.red_flag, True, (), "why", "advice", SURE_MISSING,
                      claims_absence=True)
    assert top_red_flag({"no_recovery": sure_none}) == "no_recovery"
    # Not found, it says nothing is missing: the ordinary bar.
    assert Check(CheckKind.red_flag, False, (), "w", "a", between, claims_absence=True).sure
    # The setting survives a saved session and is read back strictly.
    from dataclasses import asdict
    back = checks_from_json({"no_recovery": asdict(none)})["no_recovery"]
    assert back == none and not back.sure
    odd = checks_from_json({"x": {**asdict(none), "claims_absence": "yes"}})["x"]
    assert not odd.claims_absence


def test_an_unsure_red_flag_quotes_no_sentence_the_model_only_guessed():
    """A blame flag the coach is not sure of quoted the per-sentence model's best guess,
    which on b118-b132 was an innocent line in 123 of 164 answers (b132's second reader:
    "I didn't charge her, and funnily enough she's had me back since" read back as blame).
    Such a flag is shown without a quote; a sure one, or one a rule read, keeps its quote.
    The setting survives a saved session and is read back strictly."""
    from dataclasses import asdict, replace

    from coach.analysis.report import Check, CheckKind, Evidence
    from coach.analysis.report import _checks_from_json as checks_from_json

    line = (Evidence("I didn't charge her, and she's had me back since.", 10.0, 14.0),)
    unsure = Check(CheckKind.red_flag, True, line, "why", "advice", 0.6,
                   guessed_evidence=True)
    assert unsure.quotes == () and unsure.evidence == line
    assert replace(unsure, confidence=0.9).quotes == line
    assert replace(unsure, guessed_evidence=False).quotes == line
    assert Check(CheckKind.signal, True, line, "w", "a", 0.6, guessed_evidence=True).quotes
    back = checks_from_json({"b": asdict(unsure)})["b"]
    assert back == unsure and back.quotes == ()
    assert not checks_from_json({"b": {**asdict(unsure), "guessed_evidence": 1}})["b"] \
        .guessed_evidence
    # b117-09, a team that owns its slip ("we were the ones who were meant to have the
    # expertise"): blame possibly found, its guessed line not shown.
    answer = next(a for a in load_answers(DATA_DIR / "star" / "b117.txt")
                  if a.id == "b117-09")
    blame = analyze_text(answer.text).checks["blames_others"]
    assert blame.found and not blame.sure and blame.guessed_evidence and blame.evidence
    assert blame.quotes == ()


def test_a_rubric_setting_that_is_not_true_or_false_is_refused():
    from coach.analysis.rubric import _flag

    assert _flag({"claims_absence": True}, "claims_absence", "checks.no_recovery")
    with pytest.raises(ValueError, match="checks.no_recovery: claims_absence"):
        _flag({"claims_absence": "yes"}, "claims_absence", "checks.no_recovery")


DESK_STORY = (
    "I work the front desk at a dental practice and I booked two patients into the same slot "
    "with the hygienist. One of them had taken the morning off work and had to go home "
    "without being seen. I moved the rest of the day around so the next patients were not "
    "kept waiting. {} I rebooked her for the first slot the next morning and waived the fee.")


@pytest.mark.parametrize("telling, builds_on_it", [
    ("I rang the patient to apologise.", True),
    ("I let the hygienist know about the mix-up.", True),
    ("I emailed our office manager the next day.", True),
    ("", False),
    ("I should have rung the patient straight away, but I didn't.", False),
    ("My manager rang the patient.", False),
])
def test_advice_on_telling_builds_on_a_telling_the_answer_gives(telling, builds_on_it):
    """Advice to say "who you told" to someone who said whom they told contradicts them:
    an answer that tells someone, even late, is asked how soon and how they kept people
    informed instead; one that only wishes it had, or where someone else told, is not."""
    spec = RUBRIC.checks["proactive_communication"]
    assert spec.advice_if_partly and "who you told" not in spec.advice_if_partly
    check = analyze_text(DESK_STORY.format(telling)).checks["proactive_communication"]
    assert not check.found, telling
    assert (check.advice == spec.advice_if_partly) is builds_on_it, (telling, check.advice)


def test_the_spoken_advice_is_the_one_the_answer_earned():
    from coach.analysis.feedback import top_missing_signal

    report = analyze_text(DESK_STORY.format("I let the hygienist know about the mix-up."))
    if top_missing_signal(report.checks) == "proactive_communication":
        assert "how soon you told people" in report.feedback.spoken
    assert "Say who you told" not in report.feedback.spoken


@pytest.mark.parametrize("blame_confidence, said", [(0.9, True), (0.8, False), (0.6, False)])
def test_no_red_flags_is_said_only_when_each_is_surely_absent(blame_confidence, said):
    """"No red flags" claims that each one is absent: like advice to add a missing sign,
    it contradicts the person when wrong, so it needs the missing sign's bar of every red
    flag; below it the good sign is still praised, and the screen says which flag it is
    not sure of."""
    from dataclasses import replace

    from rich.console import Console

    from coach.analysis.feedback import make_feedback
    from coach.analysis.report import Check, CheckKind
    from coach.cli.render import coaching_panel

    report = analyze_text(DESK_STORY.format("I rang the patient to apologise."))
    checks = {
        "shows_recovery": Check(CheckKind.signal, True, (), "why", "advice", 0.95),
        "blames_others": Check(CheckKind.red_flag, False, (), "why", "advice",
                               blame_confidence),
        "escalates_and_waits": Check(CheckKind.red_flag, False, (), "why", "advice", 0.97),
    }
    report = replace(report, checks=checks, follow_up=None)
    spoken = make_feedback(report).spoken
    assert "Good: You told how you put it right." in spoken
    assert ("No red flags" in spoken) is said, spoken
    console = Console(record=True, width=120)
    console.print(coaching_panel(report))
    screen = console.export_text()
    assert ("No red flags found (not sure about: Blaming others)" in screen) is not said
    assert ("✔ No red flags" in screen) is said


@pytest.mark.parametrize("sure_found, praised", [
    (("individual_role_clear", "shows_recovery", "concrete_prevention"), "concrete_prevention"),
    (("individual_role_clear", "quantified_impact", "proactive_communication"),
     "quantified_impact"),
    (("individual_role_clear", "shows_recovery"), "shows_recovery"),
    (("individual_role_clear", "honest_ownership"), "individual_role_clear"),
    (("honest_ownership", "proactive_communication"), "honest_ownership"),
])
def test_the_praise_aloud_names_a_reliable_and_telling_sign(sure_found, praised):
    """Nearly every answer makes clear what the speaker did, so praising it first told 140
    of b138-b144's 174 praised answers the same thing: a sign whose sure verdicts are as
    reliable and rarer comes first; a sign found but unsure is never praised."""
    from dataclasses import replace

    from coach.analysis.feedback import make_feedback
    from coach.analysis.report import Check, CheckKind

    report = analyze_text(DESK_STORY.format("I rang the patient to apologise."))
    checks = {cid: Check(CheckKind.signal, cid in sure_found, (), "why", "advice", 0.97)
              for cid in RUBRIC.praise_priority}
    checks["concrete_reflection"] = Check(CheckKind.signal, True, (), "why", "advice", 0.6)
    checks["blames_others"] = Check(CheckKind.red_flag, False, (), "why", "advice", 0.97)
    spoken = make_feedback(replace(report, checks=checks, follow_up=None)).spoken
    assert f"Good: {RUBRIC.checks[praised].praise}" in spoken, spoken
    assert spoken.count("Good:") == 1, spoken


@pytest.mark.parametrize("sure, flag, confidence, praised", [
    # "Possibly: Blaming others" beside owning: the praise moves past owning (b145-17)
    (("honest_ownership", "proactive_communication"), "blames_others", 0.6,
     "proactive_communication"),
    # only "might sound like" blame (under even odds): the praise stands
    (("honest_ownership", "proactive_communication"), "blames_others", 0.4, "honest_ownership"),
    # a flag that does not say otherwise takes nothing away
    (("honest_ownership", "proactive_communication"), "escalates_and_waits", 0.6,
     "honest_ownership"),
    # what the speaker did, beside "Possibly: Passing it on and waiting" (b145-01): nothing
    (("individual_role_clear",), "escalates_and_waits", 0.6, None),
    (("individual_role_clear",), "escalates_and_waits", 0.4, "individual_role_clear"),
])
def test_no_praise_is_said_beside_a_possible_red_flag_that_says_otherwise(sure, flag,
                                                                          confidence, praised):
    from dataclasses import replace

    from coach.analysis.feedback import make_feedback
    from coach.analysis.report import Check, CheckKind

    report = analyze_text(DESK_STORY.format("I rang the patient to apologise."))
    checks = {cid: Check(CheckKind.signal, cid in sure, (), "why", "advice", 0.97)
              for cid in RUBRIC.praise_priority}
    checks[flag] = Check(CheckKind.red_flag, True, (), "why", "advice", confidence)
    spoken = make_feedback(replace(report, checks=checks, follow_up=None)).spoken
    if praised is None:
        assert "Good:" not in spoken, spoken
    else:
        assert f"Good: {RUBRIC.checks[praised].praise}" in spoken, spoken
        assert spoken.count("Good:") == 1, spoken


@pytest.mark.slow
def test_no_red_flags_is_seldom_said_to_an_answer_that_has_one():
    """On b99-b113 (450 answers built on real ones, none seen by the check models), "No red
    flags" was said after a good sign in 201 answers, 36 of them labelled as blaming or as
    escalating and waiting; at the bar of a claim that something is missing, in 70 and 6."""
    data = real_shaped_reports()
    assert len(data) == 450
    said = wrong = 0
    for e, report in data:
        if "No red flags" in report.feedback.spoken:
            said += 1
            wrong += bool(e.holds.get("blames_others") or e.holds.get("escalates_and_waits"))
    assert said >= 50, said
    assert wrong <= 8, (said, wrong)


def _held_back(check, spec) -> bool:
    """Whether a "missing" verdict is held back as unsure, with the advice that builds on
    what was said (``doubt_patterns``)."""
    return (check.confidence <= DOUBTED_MISSING and not check.sure
            and check.advice == spec.advice_if_partly)


HOTEL_STORY = (
    "I run the kitchen at a small hotel, and one Friday I forgot to check the delivery "
    "against the order. The supplier had sent the wrong flour, and nobody noticed until the "
    "morning bake. {} I rang the supplier, sorted a fresh delivery and rearranged the bake so "
    "breakfast still went out. I told the manager what had happened and why. Since then I "
    "check every delivery against the order sheet before I sign for it, and the sheet is "
    "pinned by the door.")


@pytest.mark.parametrize("size", [
    "Most of the first batch went straight in the bin.",
    "Months of careful stock records were simply gone.",
    "The oven was out of action for nearly two days.",
    "The van was a total write-off.",
    "I binned half of the dough.",
    "Honestly it set the whole morning back by about three hours.",
    "we'd wiped out about half of the bread order, like, gone",
    "We had two days of chaos in the kitchen after that.",
    "I could see most of the first batch was simply ruined.",
    # a count of things said anywhere (b135-15, b135-19, b135-21, b135-07, reworded)
    "That was sixty-odd loaves on the floor.",
    "It took us a few days to get back on track and I couldn't charge anyone a penny.",
    "Eleven tables waited for their breakfast, and two of them walked out.",
    "Around thirty guests had nothing to eat.",
])
def test_a_size_of_harm_the_model_may_not_read_is_never_called_surely_missing(size):
    """Impact told in everyday words ("months of records were simply gone", "the van was a
    write-off") is not called missing surely, and the advice builds on it instead of asking
    for numbers as if none were given; the same story without it is judged as before."""
    spec = RUBRIC.checks["quantified_impact"]
    plain = analyze_text(HOTEL_STORY.format("It was a stressful morning.")).checks
    assert not plain["quantified_impact"].found
    assert plain["quantified_impact"].confidence > DOUBTED_MISSING
    assert plain["quantified_impact"].advice == spec.advice
    told = analyze_text(HOTEL_STORY.format(size)).checks["quantified_impact"]
    assert told.found or _held_back(told, spec), size


@pytest.mark.parametrize("near", [
    "I'd put it back in a minute, I told myself.",
    "Half of the team were new that week.",
    "It was a stressful morning, the kind that sets you back.",
    "I put the tray back a few minutes later.",
    "I held back a few minutes before I went in.",
    "I lost all track of time that morning.",
    "Nobody lost half of anything, thank God.",
    "If we had lost half the bread we'd have had to close.",
    "We nearly lost half the batch.",
    "I was stuck for an hour in traffic on the way in.",
    "It didn't set us back a week or anything.",
])
def test_near_misses_of_a_size_of_harm_leave_the_verdict_as_it_was(near):
    """Numbers and words that set the scene are not read as a size of harm."""
    told = analyze_text(HOTEL_STORY.format(near)).checks["quantified_impact"]
    assert not told.found and told.confidence > DOUBTED_MISSING, near
    assert told.advice == RUBRIC.checks["quantified_impact"].advice


IMPACT, RECOVERY, PREVENTION = "quantified_impact", "shows_recovery", "concrete_prevention"


@pytest.mark.parametrize("text, check_id, said", [
    ("If I'm honest, we lost half the batch.", IMPACT, True),
    ('Whether we liked it or not, we lost half the stock.', IMPACT, True),
    ('I did what I could but we lost half the stock.', IMPACT, True),
    ('The fridge would not hold temperature and we lost half the meat.', IMPACT, True),
    ('I should have checked, we lost half the order.', IMPACT, True),
    ('Before anyone could stop it, the machine had ruined most of the batch.', IMPACT, True),
    ('It should have been simple but it set us back a week.', IMPACT, True),
    ('It might sound small but it set us back two weeks.', IMPACT, True),
    ('It might not sound like much but we lost half the stock.', IMPACT, True),
    ('There was nothing we could do, we lost half the stock.', IMPACT, True),
    ('Nothing could be saved, we lost most of the batch.', IMPACT, True),
    ('We could not save it, we lost half the batch.', IMPACT, True),
    ('It took nearly an hour and we lost half the batch.', IMPACT, True),
    ('We almost made it but we lost half the order.', IMPACT, True),
    ("We didn't notice and lost half the stock.", IMPACT, True),
    ("I couldn't believe we lost half the stock.", IMPACT, True),
    ('I could see most of the first batch was simply ruined.', IMPACT, True),
    ("If I'm honest I made the whole cake all over again.", RECOVERY, True),
    ('It would have been late so I sent it by express delivery.', RECOVERY, True),
    ("If I'm honest, since then we have a checklist on the door.", PREVENTION, True),
    ('As you would expect, now I always count the float twice.', PREVENTION, True),
    ('Nobody lost half of anything, thank God.', IMPACT, False),
    ("If we had lost half the bread we'd have had to close.", IMPACT, False),
    ('We nearly lost half the batch.', IMPACT, False),
    ("It didn't set us back a week or anything.", IMPACT, False),
    ('We could have lost half the stock.', IMPACT, False),
    ("If I did it all over again I'd ring them first.", RECOVERY, False),
    ('Now I would check with the pharmacist first.', PREVENTION, False),
    ("Now I could check it myself but back then I couldn't.", PREVENTION, False),
    ('If I had a checklist now I would use it.', PREVENTION, False),
    ('We lost all of it.', IMPACT, True),
    ('I lost all my notes.', IMPACT, True),
    ('We lost all three orders.', IMPACT, True),
    ('It held us back two weeks.', IMPACT, True),
    ('It held the project back a month.', IMPACT, True),
    ('It set us back a week before Christmas.', IMPACT, True),
    ('It set us back a couple of hours, before we got going again.', IMPACT, True),
    ('It set us back three weeks into the project.', IMPACT, True),
    ('The lorry was stuck for three hours at the border.', IMPACT, True),
    ('We were stuck for three hours on the motorway.', IMPACT, True),
    ('I asked the warehouse to send it by express delivery.', RECOVERY, True),
    ('I made the same cake all over again.', RECOVERY, True),
    ('We had the new system in place by Friday.', RECOVERY, True),
    ('I lost all track of time.', IMPACT, False),
    ('I held back a few minutes before I went in.', IMPACT, False),
    ('I put the tray back a few minutes later.', IMPACT, False),
    ('I put the clocks back an hour.', IMPACT, False),
    ('I was stuck for an hour in traffic on the way in.', IMPACT, False),
    ('I made the same mistake all over again.', RECOVERY, False),
    ('I asked if anyone could send it by express delivery.', RECOVERY, False),
    ('We had a new booking system in at the time.', RECOVERY, False),
    ('Now I take it more seriously.', PREVENTION, False),
    ('I now take my time.', PREVENTION, False),
    ("Now I make sure I'm more careful.", PREVENTION, False),
    ('Now I ask myself what could go wrong.', PREVENTION, False),
    ('He made it a habit to turn up late.', PREVENTION, False),
    ('It made it a rule of thumb for everyone.', PREVENTION, False),
    ('I made it a rule to check the van every morning.', PREVENTION, True),
    ('Now I check it twice before I sign.', PREVENTION, True),
    ('Now I take a photo of every delivery note.', PREVENTION, True),
    ('Now I make sure the door is locked before I leave.', PREVENTION, True),
    ("I didn't catch it and 60 loaves went in the skip that morning.", IMPACT, True),
    ('Most of the tiles ended up in the skip.', IMPACT, True),
    ('Half of them arrived damaged.', IMPACT, True),
    ('The kitchen floor was totally ruined.', IMPACT, True),
    ('We got hit with a late filing penalty.', IMPACT, True),
    ('We refunded the whole table.', IMPACT, True),
    ('Twelve children missed their bus home.', IMPACT, True),
    ('The whole ward was without that medication overnight.', IMPACT, True),
    ("If half of them came back damaged we'd lose the contract.", IMPACT, False),
    ('Nobody got hit with a penalty in the end.', IMPACT, False),
    ('We had twelve children in the class that year.', IMPACT, False),
    ('The whole team was without a manager for a while.', IMPACT, False),
    ('I baked a new sponge that afternoon.', RECOVERY, True),
    ('The cake was ready for pickup on time after all.', RECOVERY, True),
    ('We made a new rule that every cake is checked twice.', RECOVERY, False),
    ('I made a new friend on that course.', RECOVERY, False),
    ("We moved the bleach to a locked cupboard with a red label so it can't get mixed "
     "up.", PREVENTION, True),
    ('I put the keys on a hook so that nobody can lose them again.', PREVENTION, True),
    ("I spoke slowly so they couldn't say they hadn't understood.", PREVENTION, False),
    ("If for some reason we had lost half the batch we'd have closed.", IMPACT, False),
    ("We would, if I'm honest, have lost half the batch.", IMPACT, False),
    ('We could have been shut down and lost half the stock.', IMPACT, False),
    ('We would then have lost half the stock.', IMPACT, False),
    ('There was no way we lost half the stock.', IMPACT, False),
    ('I held the class back five minutes after the lesson.', IMPACT, False),
    ('I put the keys back a few minutes before she noticed.', IMPACT, False),
    ('We made the same point all over again.', RECOVERY, False),
    ('Now I keep it in mind.', PREVENTION, False),
    ('Now I take a step back before merging.', PREVENTION, False),
    ("If the fridge had gone we'd have lost half the stock.", IMPACT, False),
    ('We lost all three of our games that season.', IMPACT, False),
    # a count of things holds back a "missing"; a number after a label, a year, an age or
    # years in a job is no count of things
    ('That was sixty-odd bottles on the floor.', IMPACT, True),
    ('Eleven boats came off their moorings.', IMPACT, True),
    ('Ward 7 was short that night.', IMPACT, False),
    ('At 6 it was the end of my shift.', IMPACT, False),
    ('In 2019 things were busy.', IMPACT, False),
    ("I'd been there 15 years as a nurse.", IMPACT, False),
    ('I was 19 and it was my first job.', IMPACT, False),
    ('There were two of us on that night.', IMPACT, False),
    ('I lost all my nerves before the interview.', IMPACT, False),
    ("I'd lost all my notes by the time the laptop came back.", IMPACT, True),
])
def test_a_doubt_pattern_reads_only_its_own_clause(text, check_id, said):
    """A sign told in everyday words holds back a "missing" verdict only when it happened:
    the "if", "nearly", "would" or "not" that makes it unreal or denied must sit in the
    match's own clause ("If I'm honest, we lost half the batch" and "We didn't notice and
    lost half the stock" did happen; "If we had lost half" and "Nobody lost half" did not),
    or among its own first words ("Now I would check ..."); "could see" tells what did
    happen. And vague habits ("Now I take it more seriously"), someone else's habit, a
    literal "held back", the clocks put back or the speaker stuck in traffic are no sign."""
    from coach.analysis.checks import _matches, _scope

    spec = RUBRIC.checks[check_id]
    sentences = list(analyze_text(text).sentences)
    scope = _scope(sentences, ("situation", "task", "action", "result"))
    assert bool(_matches(spec, scope, spec.doubt_patterns, said=True)) is said, text


def test_doubt_patterns_are_for_learned_checks_only():
    from dataclasses import replace

    from coach.analysis.rubric import validate_rubric

    rubric = RUBRIC
    assert "quantified_impact" in rubric.learned
    assert "honest_ownership" not in rubric.learned
    spec = replace(rubric.checks["honest_ownership"],
                   doubt_patterns=rubric.checks["quantified_impact"].doubt_patterns)
    odd = replace(rubric, checks={**rubric.checks, "honest_ownership": spec})
    with pytest.raises(ValueError, match="doubt_patterns are for learned checks only"):
        validate_rubric(odd)


CHAIRS_STORY = (
    "I look after the accounts for a furniture shop, and last spring a big order for a dental "
    "practice went wrong. I had keyed the wrong delivery week into the system, so their new "
    "chairs were a week late. The practice manager was furious on the phone. {} I told my "
    "manager what I had done. Since then I read every delivery date back to the customer "
    "before I confirm the order.")


@pytest.mark.parametrize("fix, doubted", [
    ("I got the missing chairs sent by express delivery.", True),
    ("so um I took fifteen percent off their next order", True),
    ("We went back out and measured every room all over again.", True),
    ("I had the right chairs fitted by the Thursday.", True),
    ("The supplier sent new chairs by express delivery.", False),  # not the speaker's
    ("I didn't take anything off their next order.", False),
    ("It was not a good week.", False),
    ("I made the same mistake all over again the week after.", False),
    ("We ran into the same problem all over again in June.", False),
    ("If I did it all over again I'd ring them first.", False),
    ("We had a new booking system in at the time.", False),
    ("I was meant to send the chairs by express delivery and forgot.", False),
])
def test_a_recovery_the_model_may_not_read_is_never_called_surely_missing(fix, doubted):
    """Putting it right told as making it good ("sent by express delivery", "fifteen percent
    off their next order") or as doing it all over again: "missing" is not said surely, and
    the advice builds on it; someone else's fix, or none, leaves the verdict as it was."""
    spec = RUBRIC.checks["shows_recovery"]
    check = analyze_text(CHAIRS_STORY.format(fix)).checks["shows_recovery"]
    if check.found:
        assert doubted, fix
        return
    # The doubt is told by the advice; recovery's own "missing" may be as unsure as the cap
    # (its calibration, fitted on 777 answers it never saw, is not sure of many).
    assert check.confidence <= DOUBTED_MISSING or not doubted, (fix, check.confidence)
    assert (check.advice == spec.advice_if_partly) == doubted, fix


COVER_STORY = (
    "I was covering a class as a supply teacher, and I went to the wrong room for the first "
    "lesson. Nobody at the school had told me which room, and I did not ask. The class sat "
    "without a teacher for twenty minutes before the office found me. I apologised to the "
    "head of year and taught the rest of the lesson in the right room. I stayed behind to go "
    "through the work the pupils had missed. {}")


@pytest.mark.parametrize("change", [
    "Now I bring a clipboard and ask the office what I'm covering the minute I walk in.",
    "I now pack everything the night before from a written checklist.",
    "Since then we have a simple rule: every cover slip says the room number.",
    "these days I ring the school the day before to check the room and the timetable",
    "um so from then on I always confirm the room with reception before I go up",
    "I've stuck a sign on the staffroom door: check your room before you go up.",
    "Ringing reception for the room became part of my routine.",
    "So since then I've just cut it out, I never go up without the room number in writing.",
    "ever since, honestly, I always wait at reception until someone walks me up",
    "From that day on we never start a cover day without the slip, full stop.",
])
def test_a_new_habit_or_rule_is_never_called_surely_missing(change):
    """A change told as the speaker's new habit or the team's new rule ("now I bring a
    clipboard", "since then we have a simple rule") is not called missing surely, and the
    advice builds on it; a vague promise still gets the plain advice."""
    spec = RUBRIC.checks["concrete_prevention"]
    for vague in ("It was an awkward morning.", "I'll be more careful next time."):
        plain = analyze_text(COVER_STORY.format(vague)).checks["concrete_prevention"]
        assert not plain.found and plain.confidence > DOUBTED_MISSING, vague
        assert plain.advice == spec.advice, vague
    told = analyze_text(COVER_STORY.format(change)).checks["concrete_prevention"]
    assert told.found or _held_back(told, spec), change


@pytest.mark.parametrize("text, doubts", [
    ("So since then I've just cut it out, I never say it to anyone outside work.", True),
    ("from that day on we never start a shift without the slip", True),
    ("Ever since, I always wait at reception until someone walks me up.", True),
    ("Since then I never forget that morning.", False),
    ("Ever since, I always feel a bit sick walking in.", False),
    ("I never say no to an extra shift.", False),
    # the stock ending of a vague promise is no change (b145-27, labelled a vague promise)
    ("I'll be more careful so it doesn't happen again.", False),
    ("were going back over how the line gets switched so it doesnt happen again", False),
])
def test_a_habit_kept_since_puts_a_missing_change_in_doubt(text, doubts):
    """The prevention doubt for a habit kept since ("since then ... I never ..."), on its
    own: the learned model leaves some such answers unsure anyway, so the pattern is held
    here directly."""
    from coach.analysis.segment import normalize

    spec = RUBRIC.checks["concrete_prevention"]
    assert any(p.search(normalize(text)) for p in spec.doubt_patterns) == doubts, text


@pytest.mark.parametrize("near", [
    "I follow the procedure most days.",
    "We use the system the school gave us.",
    "Now I ask you, whose fault was that?",
    "It became a habit of the whole staff to blame the office.",
    "I've put a lot of thought into it since.",
    "I take it more seriously now.",
    "So I ring the office now, and they tell me to wait.",
    "Ever since, I always feel a bit sick walking into a new school.",
])
def test_near_misses_of_a_new_habit_leave_the_verdict_as_it_was(near):
    """A habit with no "now" or "since then", or a "now" that tells no change, is not read
    as a new rule."""
    spec = RUBRIC.checks["concrete_prevention"]
    told = analyze_text(COVER_STORY.format(near)).checks["concrete_prevention"]
    assert not told.found and told.confidence > DOUBTED_MISSING, near
    assert told.advice == spec.advice, near


@pytest.mark.parametrize("change", [
    "Straight after that I had the bleach and the floor cleaner put in different coloured "
    "drums, so nobody can mix them up again.",
    "So the first thing, we've since fitted a lock on the store cupboard so nobody can mix "
    "them up again.",
    "These days I never let a new starter near the cupboard without me, and that started "
    "the day after.",
])
def test_a_change_told_before_the_story_is_not_asked_for(change):
    """A change told first, before what went wrong (b131: the segmenter read "I had the
    tanks made in different colours, so nobody can mix them up again" as background), is
    not called surely missing, and the spoken advice does not ask for it."""
    story = (change + " One of my cleaners poured bleach into the floor cleaner drum and the "
             "store room filled with fumes. The drums were the same white drums, my setup. "
             "She got everyone out and hosed it down, and the fans cleared the air.")
    report = analyze_text(story)
    prevention = report.checks["concrete_prevention"]
    assert prevention.found or not prevention.sure, change
    assert "so it cannot happen again" not in report.feedback.spoken, change


def test_a_reply_with_a_new_habit_is_not_surely_a_vague_promise():
    """A reply that says a new habit beside "I'll be more careful" holds the vague-promise
    flag as unsure as the habit's doubted "missing": the flags are judged again once the
    doubt is applied, in a reply as in a whole answer; and the person is not told surely
    that no change was heard."""
    report = analyze_text(CASES["vague_prevention"][0])
    report = judge_reply(report, words_from_text(
        "I'll just be more careful. I now pack everything the night before."))
    checks = report.follow_up.checks
    assert checks["concrete_prevention"].confidence <= DOUBTED_MISSING
    assert checks["vague_prevention"].found and not checks["vague_prevention"].sure
    assert not report.follow_up.judgement_sure
    assert "not sure" in report.follow_up.verdict.lower(), report.follow_up.verdict


@pytest.mark.parametrize("reply", [
    "Honestly I will be more careful next time.",
    "I'll be more careful. Now I keep it in mind.",
    "I'll be more careful. Now I take a step back before merging.",
    "I'll try harder. Now I just check more.",
])
def test_a_plain_promise_in_a_reply_is_still_surely_weak(reply):
    """Only a weak verdict resting on an unsure red flag is held back: a plain promise to
    take more care, found surely, is still said to be weak, "now" or not."""
    report = judge_reply(analyze_text(CASES["vague_prevention"][0]), words_from_text(reply))
    assert report.follow_up.checks["vague_prevention"].sure
    assert (report.follow_up.judgement, report.follow_up.judgement_sure) == ("weak", True)


@pytest.mark.parametrize("change, sure_found", [
    ("My manager said we should bring in a new rule about it, but it never happened.", False),
    ("Since then every cover slip says the room number. It never happened again.", None),
])
def test_a_change_that_never_happened_is_not_surely_made(change, sure_found):
    """A change someone only said should be made, that "never happened", is not surely a
    change made; "it never happened again" after one is not read as the change falling
    through (None: found, or held back as unsure)."""
    told = analyze_text(COVER_STORY.format(change)).checks["concrete_prevention"]
    if sure_found is None:
        assert told.found or _held_back(told, RUBRIC.checks["concrete_prevention"]), change
    else:
        assert not (told.found and told.sure), (change, told.confidence)


def test_signs_said_in_everyday_words_on_a_blind_set():
    """On sentences another writer wrote blind (tests/data/checks/said_or_not.txt; its
    first score, 74 of 90, is in its header), each told in a story that lacks the sign: a
    sign said is found or held back as unsure, close words where none is leave the plain
    "missing"; 83 of 90 since its misses were read, and no verdict on it said surely and
    wrongly (3 when first scored)."""
    stories = {"impact": (HOTEL_STORY, "quantified_impact"),
               "recovery": (CHAIRS_STORY, "shows_recovery"),
               "prevention": (COVER_STORY, "concrete_prevention")}
    path = Path(__file__).parent / "data" / "checks" / "said_or_not.txt"
    rows = [line.split("\t") for line in path.read_text().splitlines()
            if line and not line.startswith("#")]
    right = surely_wrong = 0
    for kind, check, text in rows:
        story, cid = stories[check]
        told = analyze_text(story.format(text)).checks[cid]
        said = told.found or told.confidence <= DOUBTED_MISSING  # found, or held back
        right += said == (kind == "SAID")
        surely_wrong += told.sure and told.found != (kind == "SAID")
    assert len(rows) == 90
    assert right >= 83 and surely_wrong == 0, (right, surely_wrong)


def test_the_disagreements_said_surely_are_the_sure_wrong_verdicts():
    """``scripts/eval_checks.py --errors`` marks which disagreements were said surely: exactly
    the wrong verdicts not said as unsure, per check, also after scores are added up."""
    from coach.eval.checks import CheckScores

    a, b = CheckScores(), CheckScores()
    a.record("x-1", "quantified_impact", True, False, True)    # wrong, sure
    a.record("x-2", "quantified_impact", True, False, False)   # wrong, unsure
    a.record("x-3", "quantified_impact", False, False, True)   # right, sure
    b.record("y-1", "shows_recovery", False, True, True)       # wrong, sure
    a.add(b)
    assert a.said_surely == {("x-1", "quantified_impact"), ("y-1", "shows_recovery")}
    assert a.surely_wrong("quantified_impact") == 1 and a.surely_wrong("shows_recovery") == 1


@pytest.mark.parametrize("aid", ["b132-02", "b132-11", "b132-24"])
def test_curly_apostrophes_read_as_straight_ones(aid):
    # Phones and word processors type "didn’t" and ‘quotes’: the same answer must get the
    # same parts and verdicts either way.
    answer = next(a for a in load_answers(DATA_DIR / "star" / "b132.txt") if a.id == aid)
    assert "'" in answer.text
    curly = answer.text.replace("'", "\u2019").replace(" \u2019", " \u2018")
    straight, typed = analyze_text(answer.text), analyze_text(curly)
    assert [s.part for s in typed.sentences] == [s.part for s in straight.sentences]
    assert {k: (c.found, c.sure) for k, c in typed.checks.items()} == \
        {k: (c.found, c.sure) for k, c in straight.checks.items()}


@pytest.mark.parametrize("cause, said", [
    # the cause said plainly, in other words than finding out
    ("The cause was a loose wire in the proofer.", True),
    ("The real cause was a loose wire in the proofer.", True),
    ("the reason was somebody switched the scales to ounces", True),
    # what went wrong, a feeling, a cause left open: no cause
    ("The dough was flat and the customers were waiting.", False),
    ("I felt terrible about it.", False),
    ("Maybe it was the heat, we never found out.", False),
    ("The cause was never found.", False),
    ("The culprit was still a mystery a week later.", False),
])
def test_a_cause_said_plainly_is_found_and_a_symptom_or_an_open_cause_is_not(cause, said):
    story = (f"I worked the early shift at the bakery. The dough came out flat on Monday. "
             f"{cause} I remade the batch and we opened on time.")
    check = analyze_text(story).checks["root_cause_identified"]
    assert check.found == said, cause
    if said:
        assert cause[:20] in " ".join(e.text for e in check.evidence)


def test_the_company_lens_says_unsure_signs_are_to_be_said_more_plainly_not_missing():
    report = analyze_text("I fixed a bug in my service. I deployed the fix.",
                          coaching=CoachingOptions(company="amazon"))
    lens = report.feedback.written.split("AMAZON LENS")[1].split("\n\n")[0]
    assert "(not sure)" not in lens
    doubted = [report.checks[s] for s in RUBRIC.companies["amazon"].stress
               if not report.checks[s].found and not report.checks[s].sure]
    assert doubted and "Say more plainly for Amazon:" in lens
