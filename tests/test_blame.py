"""Blame told in many ways, and owning told in many ways: a check that flips when one
sentence is reworded is not a check. Each story is the seed's kind of failure (a decision
of the speaker's that broke something for customers) or the same in another job, with one
sentence changed; every blaming wording must be found and no owning wording may be."""

from collections import Counter
from pathlib import Path

import pytest

from coach.analysis.analyze import analyze_text
from coach.analysis.checks import run_checks
from coach.analysis.evidence import sentence_groups
from coach.analysis.report import Check, CheckKind
from coach.analysis.rubric import load_rubric
from coach.eval.checks import SEED_STORY  # the seed's incident, one sentence left open

# The seed's kind of failure in a ward: a medication round that went wrong.
WARD_STORY = (
    "I was the nurse in charge of a surgical ward on a night shift. "
    "A patient's evening antibiotic was given two hours late, and by the morning his "
    "temperature had gone up. {} "
    "I checked him myself, called the doctor and gave the dose as soon as it was "
    "prescribed again. I stayed with him until his temperature came down. "
    "He recovered without any harm and went home two days later."
)

BLAMING = [
    "But honestly the database team should have warned us that their limit had changed.",
    "The database team never told anyone they had lowered the pool size, so it wasn't "
    "really my fault.",
    "Not to point fingers, but QA signed it off and catching that is their job.",
    "I did my part and tested it, the platform team didn't do theirs.",
    "What was I supposed to do when nobody told me about the new limit?",
    "If the platform team had written the limit down, none of this would have happened.",
    "It was just bad timing, there was nothing anyone could have done.",
    "That one is really on the reviewers, they approved it without reading it.",
]
OWNING = [
    "The database team had lowered the pool limit that week, but I should have checked it "
    "before I changed the timeout.",
    "Nobody had told us about the new limit, but testing against it was my job and I "
    "skipped it.",
    "QA signed it off, but the mistake was mine: I never ran it under load.",
    "The platform team's notes were out of date, and I relied on them instead of checking, "
    "which is on me.",
    # A long sentence cut into pieces: the piece naming others runs on into the owning one.
    "The database team had cut the pool size that week, they just forgot to tell anyone, "
    "and I should have checked it myself.",
]
WARD_BLAMING = [
    "The day staff never handed it over, so honestly it wasn't down to me.",
    "Pharmacy sent the wrong bag up again, they always do, and the agency nurse didn't "
    "even notice.",
    "To be fair, with two nurses off sick there was nothing more I could have done.",
]
WARD_OWNING = [
    "The handover sheet did not list the dose, but I should have checked the chart myself "
    "at the start of the shift.",
    "Pharmacy was late sending it up, and I did not chase them, that was my mistake.",
]


def blame(text: str):
    return analyze_text(text).checks["blames_others"]


@pytest.mark.parametrize("sentence", BLAMING)
def test_blame_reworded_is_found(sentence):
    check = blame(SEED_STORY.format(sentence))
    assert check.found, sentence
    assert check.evidence


@pytest.mark.parametrize("sentence", OWNING[:-1])
def test_owning_reworded_is_not_blame(sentence):
    assert not blame(SEED_STORY.format(sentence)).found, sentence


def test_owning_after_a_dig_is_never_announced_as_blame():
    """"they just forgot to tell anyone," is a dig on its own, owned by what it runs on
    into. The blame model trained on b1-b117 calls it possible (0.55) where the one trained
    on b1-b84 did not; it was shipped for finding 12 of 12 blaming answers of the blind
    b118 (10 before) with fewer false finds (2 against 4), and b1-b116's 6 of 9 on b117 (4
    before). So this one may be shown as "possibly" blaming, quoting the dig, but never
    said aloud or marked sure, and the person is still credited for owning their part."""
    report = analyze_text(SEED_STORY.format(OWNING[-1]))
    check = report.checks["blames_others"]
    assert not (check.found and check.sure)
    assert check.confidence < 0.7
    assert all("should have checked" not in e.text for e in check.evidence)
    assert report.checks["honest_ownership"].found
    assert "blam" not in report.feedback.spoken.lower()


@pytest.mark.parametrize("sentence", WARD_BLAMING)
def test_blame_outside_software_is_found(sentence):
    assert blame(WARD_STORY.format(sentence)).found, sentence


@pytest.mark.parametrize("sentence", WARD_OWNING)
def test_owning_outside_software_is_not_blame(sentence):
    assert not blame(WARD_STORY.format(sentence)).found, sentence


def test_the_plain_story_is_not_blame():
    assert not blame(SEED_STORY.format("")).found
    assert not blame(WARD_STORY.format("")).found


def test_evidence_groups_tell_owning_from_disowning():
    spec = load_rubric().evidence["blames_others"]
    assert "own" in sentence_groups("that was my mistake, I skipped the test", spec)
    assert "not_own" in sentence_groups("It wasn't really my fault.", spec)
    assert "own" not in sentence_groups("It wasn't really my fault.", spec)
    held = sentence_groups("Not to point fingers, but they never told us.", spec)
    assert {"hedge", "others_failed"} <= held
    assert "question" in sentence_groups("What was I supposed to do, guess?", spec)
    assert "excuse" in sentence_groups("What was I supposed to do, guess?", spec)
    # "on me" before a word that merely starts with "to" (b34's groomer), and a size after
    # "down to", which is not a cause named as someone else's.
    held = sentence_groups("so that's on me took him down to 5mm all over.", spec)
    assert "own" in held and "blamed_on" not in held
    assert "blamed_on" in sentence_groups("honestly that one was on them totally", spec)
    assert "blamed_on" in sentence_groups("it was down to purchasing in the end", spec)
    assert "blamed_on" not in sentence_groups("we got it down to about ten minutes", spec)
    # b35's misses: a contraction, "we" cannot rely on a thing, a habit told of a trade.
    assert "blamed_on" in sentence_groups("so legally that's on them, ha ha", spec)
    assert "blamed_on" in sentence_groups("and honestly it's really on the night shift", spec)
    assert "verdict" in sentence_groups("we cannot rely on technology like that", spec)
    assert "verdict" in sentence_groups("engineering teams almost always underestimate", spec)
    assert "verdict" not in sentence_groups("our engineers always double check", spec)
    for size in ("down to fifteen minutes", "came down to the wire"):
        assert "blamed_on" not in sentence_groups(size, spec), size


@pytest.mark.parametrize("said, group", [
    # The problem placed with another party, in several words and jobs (b47).
    ("The problem was really with the database team.", "blamed_on"),
    ("honestly the issue lay with their planners", "blamed_on"),
    ("the trouble sat mostly with the day shift", "blamed_on"),
    # A rhetorical question about what others expected.
    ("It's one person on call for the whole platform, what do they expect.", "verdict"),
    ("two nurses for thirty beds, what did management think would happen", "verdict"),
    ("what does head office expect", "verdict"),
    # Something set up so that nobody could use it.
    ("Infra had set it up so nobody could follow it anyway.", "verdict"),
    ("the rota was written so no one could work out who was on", "verdict"),
    # Thanks that is not meant.
    ("and the rep never said a word about it, so, thanks for that.", "irony"),
    ("cheers for that", "irony"),
    ("mind you they only ever test it with a handful of accounts", "candour"),
    # Typed in a hurry, apostrophes left out (b49), and the blame put on a body of people.
    ("tbh thats on management for leaving it all week", "blamed_on"),
    ("that one's on head office", "blamed_on"),
    ("it was on the agency, they sent someone who'd never been on the unit", "blamed_on"),
    ("they didnt tell anyone the van was booked", "others_failed"),
    # The speaker's part put outside it, said loosely.
    ("so tbh not totally on me", "not_mine"),
    ("honestly it wasnt really down to us", "not_mine"),
    ("its not on us, the app moved her and didnt flag it", "not_mine"),
    # Others said not to be at fault: evidence against blame, learned as such.
    ("I don't blame her, she'd never been trained on that screen", "exonerates"),
    ("honestly it wasn't the driver's fault, nobody had told him", "exonerates"),
    ("i dont blame them tbh", "exonerates"),
    # The call made above the speaker, any verb of hurrying or forcing (a second reader's).
    ("Management rushed the update out over our heads, so what could we do.", "overruled"),
    ("they forced the rota through over our heads", "overruled"),
])
def test_blame_said_in_new_ways_is_read_as_its_kind(said, group):
    assert group in sentence_groups(said, load_rubric().evidence["blames_others"])


@pytest.mark.parametrize("said", [
    "We fixed the problem with the pump that evening.",
    "What do you expect me to say to a family in that moment?",
    "Thanks for that question.",
    "She said thanks very much and left.",
    "That's it, thanks.",
    "I could not work out why nobody could log in.",
    "it was on the school's out of hours list",
    "it was on the company website",
    "it's not on us to decide that, the family chooses",
    "thats on me, i didnt check it",
    "the colleague who runs it was on her break",
    "it was on her record by the afternoon",
    "it was on the low side, not dangerous",
    "it was on the news that evening",
    "i checked the wristband it was on her so i gave the dose",
])
def test_ordinary_sayings_are_not_read_as_blame(said):
    held = sentence_groups(said, load_rubric().evidence["blames_others"])
    assert not held & {"blamed_on", "verdict", "irony", "not_mine"}, held


def test_a_fix_pushed_out_is_not_being_overruled():
    spec = load_rubric().evidence["blames_others"]
    for said in ("the team pushed the fix out that evening", "we rushed the patch out",
                 "I forced the valve open over my knee"):
        assert "overruled" not in sentence_groups(said, spec), said


@pytest.mark.parametrize("said", [
    "That was my fault really, I hadn't checked the delivery note.",
    "it was my fault, plain and simple",
    "I rang the duty manager and she didn't answer, so I left a voicemail.",
    "The colleague who runs it was on her break.",
    "Her blood sugar, that was on the low side, so I gave her a drink.",
    "It was on the cautious side, and it was on the left side of the chart.",
    "The filter change fell through the cracks and that's on me, I'd been ticking it "
    "without looking.",
])
def test_the_blame_rule_does_not_fire_on_owning_or_plain_facts(said):
    """The rule's own hit stands whatever the model says (rule_counts), so its patterns
    must not read owning or plain facts as blame (each wording here once fired it)."""
    story = WARD_STORY.format(said)
    rules = run_checks(analyze_text(story).sentences, learned=False)
    assert not rules["blames_others"].found, said


@pytest.mark.parametrize("said", [
    "honestly that's on them they'd confirmed it the day before",
    "that was totally on her, she never passed it on",
    "It wasn't my fault, the day staff never handed it over.",
    "it's not my fault the day staff never hand it over",
    "thats on the day staff",
])
def test_the_blame_rule_still_fires_on_blame_run_on_or_plain(said):
    rules = run_checks(analyze_text(WARD_STORY.format(said)).sentences, learned=False)
    assert rules["blames_others"].found, said


def test_owning_words_are_read_as_owning_clause_by_clause():
    """The words of the speaker owning their part leave the loose-word features, in each
    clause where they are said outright, whatever another clause says."""
    from coach.analysis.evidence import without_counter

    spec = load_rubric().evidence["blames_others"]
    assert spec.counter_as_group
    assert "on me" not in without_counter("nobody told me, which is on me really", spec)
    both = without_counter("that's on me and i didn't check the log, which is on me", spec)
    assert "on me" not in both and "log" in both
    assert "my fault" in without_counter("It wasn't really my fault.", spec)


def test_a_sentence_is_read_by_the_clause_it_ends_on():
    """Owning after naming others' slip ("nobody told us, but it was my job and I skipped
    it") and the reverse ("I should have checked, but nobody told us") hold the same
    groups; what the sentence ends on tells them apart."""
    from coach.analysis.evidence import ending_features

    spec = load_rubric().evidence["blames_others"]
    owning = ending_features("ev", "Nobody had told us about the new limit, but testing it "
                                   "was my job and I skipped it.", spec)
    blaming = ending_features("ev", "I skipped the test, but nobody had told us about the "
                                    "new limit.", spec)
    assert owning == {"ev:ends:own": 1.0}
    assert blaming == {"ev:ends:others_failed": 1.0}
    assert ending_features("ev", "Nobody had told us about the new limit.", spec) == {}


def test_a_piece_cut_out_of_a_run_on_is_read_by_what_it_runs_on_into():
    """A long sentence is cut into pieces; "they just forgot to tell anyone," alone ends on
    someone else, but it runs on into "and I should have checked it myself.", which owns
    it: the features of the piece say so, in the answer model and the per-sentence one."""
    from coach.analysis.check_model import continuations, said_features
    from coach.analysis.report import Sentence

    texts = ["The database team had cut the pool size that week,",
             "they just forgot to tell anyone,", "and I should have checked it myself.",
             "I rolled it back."]
    assert continuations(texts) == [texts[1], texts[2], "", ""]
    piece = Sentence(texts[1], 0.0, 1.0, "situation", 0, 5)
    alone = said_features(piece)
    read_on = said_features(piece, continuations(texts)[1])
    assert "ev:blames_others:ends:own" not in alone
    assert read_on.get("ev:blames_others:ends:own") == 1.0


CAFE = ("I run the kitchen in a small cafe. Every morning the baker drops the bread off at "
        "six as usual. One Saturday the bread never came and we had forty covers booked for "
        "brunch. Honestly the bakery were a shambles that month. I rang round two other "
        "bakeries and bought what they had, and I changed the menu to toast and pancakes. We "
        "got through brunch with only a few complaints. Now we keep a day of bread in the "
        "freezer.")


def test_a_blame_said_in_one_sentence_quotes_the_sentence_that_says_it():
    """The report quotes first the sentence blame's per-sentence model found saying it
    ("the bakery were a shambles"), not merely the first sentence naming another party."""
    from coach.analysis.check_model import check_model, said_features_of
    from coach.analysis.evidence import pooled_sentences

    report = analyze_text(CAFE)
    check = report.checks["blames_others"]
    assert check.found and check.evidence
    sentences = list(report.sentences)
    model = check_model("blames_others")
    assert model is not None and model.said is not None
    texts = [s.text for s in sentences]
    said = model.said[0].probabilities(said_features_of(sentences))
    best = max(range(len(sentences)), key=said.__getitem__)
    assert "shambles" in sentences[best].text
    assert check.evidence[0].text == sentences[best].text
    first_pooled = pooled_sentences(texts, load_rubric().evidence["blames_others"])[0]
    assert first_pooled != best  # the older quoting would have led with another sentence


def test_an_unsure_blame_is_never_announced():
    """Whatever the model says about these, a verdict it is not sure of is shown as
    'possible' and never spoken as the biggest concern."""
    for sentence in BLAMING + OWNING:
        report = analyze_text(SEED_STORY.format(sentence))
        check = report.checks["blames_others"]
        if check.found and not check.sure:
            assert "blaming" not in report.feedback.spoken.lower(), sentence
            heading, _, _ = load_rubric().flag_shown("blames_others", check)
            assert heading in report.feedback.written, sentence


def test_a_flag_below_even_odds_is_shown_as_how_it_might_sound():
    """Blame found under even odds (blame 42 times in 123 on b117-b137) is not headed
    "Possibly: Blaming others" but as how it might sound to a listener, with its odds, alike in
    the terminal, the written report and the HTML page; from even odds it is "possibly"."""
    from dataclasses import replace

    from rich.console import Console

    from coach.analysis.feedback import make_feedback
    from coach.cli.render import render_report
    from coach.sessions.html import render_html

    report = analyze_text(SEED_STORY.format(PASSING[4][1]))
    faint = "? Might sound like blaming others (more likely not)"
    faint_why, _ = load_rubric().checks["blames_others"].faint_words or ("", "")
    red_flag_why = load_rubric().checks["blames_others"].why
    # the words go with the heading whatever confidence the check was saved with
    for confidence, shown, hidden in ((0.4, faint, "Possibly: Blaming"),
                                      (0.4, faint_why, red_flag_why),
                                      (0.6, "? Possibly: Blaming others", "Might sound like"),
                                      (0.6, red_flag_why, faint_why)):
        checks = {**report.checks, "blames_others": replace(
            report.checks["blames_others"], found=True, confidence=confidence)}
        r = replace(report, checks=checks)
        r = replace(r, feedback=make_feedback(r))  # the page holds the written report too
        console = Console(width=200, record=True)
        render_report(r, console)
        for page in (console.export_text(), r.feedback.written, render_html(r, None)):
            assert shown in page.replace("&quot;", '"') and hidden not in page


def test_a_flag_more_likely_not_there_says_what_fits_either_way():
    """Blame found under even odds is shown with the rubric's ``faint_why`` and
    ``faint_advice``, which fit whether or not it was blame (b137's reader: the red flag's
    own words and "own your part" read as an accusation to people who had owned it); from
    even odds, with the red flag's own why and that advice (b142's reader: "own your part"
    told to people who had caused nothing)."""
    rubric = load_rubric()
    spec = rubric.checks["blames_others"]
    assert spec.faint_words is not None
    assert "own your part" not in " ".join(spec.faint_words).lower()
    seen = set()
    for story, said in PASSING:
        check = blame(story.format(said))
        if not check.found or check.sure:
            continue
        seen.add(check.faint)
        _, why, advice = rubric.flag_shown("blames_others", check)
        if check.faint:
            assert (why, advice) == spec.faint_words
        else:  # "possibly": the red flag named, with advice that fits either way
            assert why == spec.why
            assert advice == (spec.faint_words[1] if check.advice == spec.advice
                              else check.advice)
            assert "own your part" not in advice.lower() or check.advice != spec.advice
    assert seen == {True, False}  # both kinds among these asides (0.32-0.61 when written)


def test_possible_blame_keeps_advice_written_for_what_the_answer_said():
    """An unsure blame beside owning words gets the advice for that (``counter_advice``),
    any other unsure one the words that fit either way; a sure one keeps the red flag's own
    advice."""
    from dataclasses import replace

    rubric = load_rubric()
    spec = rubric.checks["blames_others"]
    counter = rubric.evidence["blames_others"].counter_advice
    base = Check(CheckKind.red_flag, True, (), spec.why, spec.advice, 0.6)
    assert rubric.flag_shown("blames_others", base)[2] == spec.faint_words[1]
    assert rubric.flag_shown("blames_others", replace(base, advice=counter))[2] == counter
    assert rubric.flag_shown("blames_others", replace(base, confidence=0.9))[2] == spec.advice
    # a session saved before the general advice was reworded still gets the either-way words
    older = replace(base, advice="Own it.")
    assert rubric.flag_shown("blames_others", older)[2] == spec.faint_words[1]
    # so does passing it on and waiting, the other red flag with either-way words
    waits = rubric.checks["escalates_and_waits"]
    assert waits.faint_words is not None
    unsure = Check(CheckKind.red_flag, True, (), waits.why, waits.advice, 0.6)
    heading, why, advice = rubric.flag_shown("escalates_and_waits", unsure)
    assert heading.startswith("? Possibly") and why == waits.why
    assert advice == waits.faint_words[1]


def test_advice_never_tells_someone_who_owned_it_to_own_it():
    """Half owning, then taking it back, is still blame; but "own your part" would tell
    the speaker to do what they did: the advice says what is left to change."""
    spec = load_rubric().evidence["blames_others"]
    general = load_rubric().checks["blames_others"].advice
    half = SEED_STORY.format("I should have checked the limit myself, but honestly the "
                             "database team should have warned us, that was their job.")
    check = blame(half)
    assert check.found
    assert check.advice == spec.counter_advice != general
    plain = blame(SEED_STORY.format(BLAMING[0]))
    assert plain.found and plain.sure and plain.advice == general
    report = analyze_text(SEED_STORY.format(BLAMING[0]))
    assert f"Next time: {general.split(' (')[0]}" in report.feedback.spoken


def test_evidence_groups_are_validated():
    from dataclasses import replace

    from coach.analysis.rubric import validate_rubric

    rubric = load_rubric()
    spec = rubric.evidence["blames_others"]
    assert spec.counter in spec.names and set(spec.pooled) <= set(spec.names)
    with pytest.raises(ValueError, match="learning.evidence"):
        validate_rubric(replace(rubric, evidence={"blame_others": spec}))


# Blame said in passing, in a side remark of an answer that otherwise tells what the
# speaker did (the b20 and b22 blind batches: found in 0 of 9, then 3 of 8).
PASSING = [
    (SEED_STORY, "The database lot had cut the pool limit that week without a word to "
                 "anyone, as per usual."),
    (SEED_STORY, "Which, let's be honest, is what you get when the platform team changes "
                 "things on a Friday."),
    (SEED_STORY, "The limit had been lowered by the database team, classic them, but anyway."),
    (SEED_STORY, "Not that anyone on the database side thought to mention the new limit, of "
                 "course."),
    (WARD_STORY, "The day shift had left it off the handover, which, you know, day shift."),
    (WARD_STORY, "Pharmacy were slow as ever sending it up, so that didn't help."),
    (WARD_STORY, "The agency nurse had missed it on the chart, which is what you get with "
                 "agency staff."),
]


def test_blame_said_in_passing_is_mostly_heard():
    """At least 5 of these 7 asides are flagged, surely or as "possibly" blaming (a
    verdict the model is unsure of is shown, never spoken: test_an_unsure_blame_is_never_
    announced). The hardest: "which, you know, day shift" (a group named as the
    explanation, no word for it)."""
    flagged = [s for story, s in PASSING if blame(story.format(s)).found]
    assert len(flagged) >= 5, flagged


def test_possible_blame_quotes_only_what_says_it():
    """The sentences quoted for a blame the model finds are ones that say it in one of
    its kinds of saying, never the sentences whose mere words weigh towards it (an owning
    story was once shown "so this was at the depot" as its blame)."""
    spec = load_rubric().evidence["blames_others"]
    quoted = 0
    for story, sentence in PASSING:
        check = blame(story.format(sentence))
        for ev in check.evidence if check.found else ():
            # the aside itself ("which, you know, day shift": no word of any kind for it)
            # or a sentence saying it in one of the kinds
            assert ev.text in sentence or set(spec.pooled) & sentence_groups(ev.text, spec), \
                ev.text
            quoted += 1
    assert quoted >= 5


@pytest.mark.parametrize("story, sentence", [(SEED_STORY, s) for s in OWNING]
                         + [(WARD_STORY, s) for s in WARD_OWNING])
def test_owning_reworded_is_honest_ownership(story, sentence):
    """Whoever owns their part in any of these words is not told that honest ownership is
    missing (its own patterns knew 2 of the 6; the blame check's owning group reads all)."""
    check = analyze_text(story.format(sentence)).checks["honest_ownership"]
    assert check.found, sentence
    assert any(e.text in sentence for e in check.evidence), check.evidence  # quoting it


def _credited(text: str | list[str], blaming: bool, confidence: float = 0.9,
              quoting: str | None = None, by_patterns: bool = False) -> bool:
    """Whether honest ownership is credited from the blame check's owning group alone (or,
    ``by_patterns``, from the signal's own ``also_patterns`` alone), in the seed story told
    with ``text`` (or, a list, with these pieces of a cut run-on), blame set to
    ``blaming`` as sure as ``confidence``, quoting the sentence ``quoting``."""
    from dataclasses import replace

    from coach.analysis.checks import _credit_groups, _credit_patterns

    rubric = load_rubric()
    pieces = [text] if isinstance(text, str) else text
    told = list(analyze_text(SEED_STORY.format("MARK.")).sentences)
    k = next(i for i, s in enumerate(told) if s.text == "MARK.")
    sentences = told[:k] + [replace(told[k], text=p) for p in pieces] + told[k + 1:]
    checks = run_checks(sentences, rubric=rubric, learned=False)
    checks["honest_ownership"] = replace(checks["honest_ownership"], found=False, evidence=())
    quoted = tuple(s for s in sentences if s.text == quoting)
    checks["blames_others"] = replace(checks["blames_others"], found=blaming,
                                      confidence=confidence,
                                      evidence=quoted or checks["blames_others"].evidence)
    (_credit_patterns if by_patterns else _credit_groups)(checks, sentences, rubric)
    return checks["honest_ownership"].found


def test_owning_words_in_a_blaming_answer_are_honest_ownership_where_they_blame_nobody():
    """The blame check's owning group credits honest ownership in a blaming answer too
    (someone who blamed others and owned a part is told both), but only from sentences
    that say no blame of their own, and never from one the blame verdict quotes."""
    assert _credited(OWNING[3], blaming=False)
    assert _credited(OWNING[3], blaming=True)  # surely blaming, and owning too
    assert _credited(OWNING[3], blaming=True, confidence=0.55)
    with_blame = "I should have checked it, but honestly that one was really on them."
    assert _credited(with_blame, blaming=False)
    assert not _credited(with_blame, blaming=True)
    assert not _credited(with_blame, blaming=True, confidence=0.55)
    aside = "Apparently I should have read their release notes, which nobody sent us."
    assert _credited(aside, blaming=True, confidence=0.55)  # a sentence it does not quote
    assert not _credited(aside, blaming=True, confidence=0.55, quoting=aside)


# Owning words said by someone else (the second reader's finds, reworded), and the same
# words taken on by the speaker, or said by the speaker to someone.
SAID_BY_OTHERS = [
    "The DBA told me I should have checked the pool size. Nobody had told us it was cut.",
    "My lead said it was on me for not load testing it.",
    "Afterwards the ops manager reckoned it was my fault, since I had signed it off.",
    "The on-call engineer kept telling us we should have waited, and that I had not "
    "checked the limit.",
    "Her view was that I should have asked first; the platform team felt the same.",
    "Some people will say I should have tested it at night, but the change was approved.",
    # the second reader's probes, reworded
    "Priya said I should have asked the DBA before changing it.",
    "Chef reckoned it was my fault, start to finish.",
    "I got told I should have rung the night manager.",
    "According to the incident review I should have paged the database team.",
    "My manager told the whole team it was my mistake.",
    "She said I should have checked, and that I had not tested it, and that I never asked.",
    "The DBA told me I should have checked the pool size, but I don't think he was right.",
]
# A wish, a denial, a surprise: said in owning words, owning no fault.
NOT_OWNING = [
    "I could have been home by then, honestly.",
    "None of it was mine, the limit was set before I joined.",
    "The pool ran dry, which I didn't think was even possible.",
]
TAKEN_ON = [
    "The DBA told me I should have checked the pool size, and he was right.",
    "My lead said it was on me, which is fair, I never load tested it.",
    "She said I could have just asked the DBA, which, yeah, I did not think of that.",
    "I told my lead I should have checked the pool size before changing anything.",
    "I said to the team that it was my mistake.",
    "I caused the outage, and my lead said I should have tested it.",
    "I should have checked it, and my lead said it was my fault.",
    "I could have been more careful with the timeout.",
    "My gut told me I should have checked it, and I didn't.",
    "He said it was all on me, and you know what, it was.",
]


@pytest.mark.parametrize("text", SAID_BY_OTHERS)
def test_owning_words_said_by_someone_else_are_not_honest_ownership(text):
    """Someone else's verdict on the speaker ("the DBA told me I should have checked") is
    not the speaker owning their part, whatever the blame check says, and whether or not
    the segmenter cut the sentence where the reported words begin."""
    assert not _credited(text, blaming=False), text
    assert not _credited(text, blaming=True, confidence=0.55), text
    first = text.split(". ")[0]
    for cut in (" I ", " it was ", " that I "):
        if cut in first:
            head, tail = first.split(cut, 1)
            assert not _credited([head, cut.strip() + " " + tail], blaming=False), (head, tail)
    assert not analyze_text(SEED_STORY.format(text)).checks["honest_ownership"].found, text


@pytest.mark.parametrize("text", NOT_OWNING)
def test_a_wish_or_a_denial_is_not_honest_ownership(text):
    """Words the owning group reads that own no fault: a wish, a denial, a surprise."""
    assert not _credited(text, blaming=False), text


@pytest.mark.parametrize("text", TAKEN_ON)
def test_owning_words_the_speaker_takes_on_are_honest_ownership(text):
    """The same words owned: taken on after someone said them ("..., and he was right"),
    owned in a clause of the speaker's own, or said by the speaker to others; and the
    rule's own patterns still read the speaker's words beside someone else's."""
    assert _credited(text, blaming=False), text
    assert analyze_text(SEED_STORY.format(text)).checks["honest_ownership"].found, text


def test_taking_it_on_is_read_across_a_cut_run_on():
    """The segmenter may cut where the speaker takes the words on."""
    assert _credited(["The DBA told me I should have checked the pool size,",
                      "and he was right."], blaming=False)
    assert not _credited(["The DBA told me I should have checked the pool size,",
                          "and then he left."], blaming=False)


def test_the_blame_advice_says_you_owned_a_part_only_if_you_did():
    """A blaming answer whose only owning words are someone else's is not told "you owned
    part of it": the blame check's own advice stands."""
    from dataclasses import replace

    from coach.analysis.checks import _credit_groups

    rubric = load_rubric()
    counter = rubric.evidence["blames_others"].counter_advice

    def advice(text: str) -> str:
        sentences = list(analyze_text(SEED_STORY.format(text)).sentences)
        checks = run_checks(sentences, rubric=rubric, learned=False)
        checks["honest_ownership"] = replace(checks["honest_ownership"], found=False,
                                             evidence=())
        checks["blames_others"] = replace(checks["blames_others"], found=True,
                                          confidence=0.9, advice=counter)
        _credit_groups(checks, sentences, rubric)
        return checks["blames_others"].advice

    assert advice(SAID_BY_OTHERS[0]) == rubric.checks["blames_others"].advice
    assert advice("I should have checked, but honestly that was really on them.") == counter


# Blame the way b47's writer let it slip, reworded into the two stories (b47's four misses
# were all said surely: "the problem was really with...", "what do they expect", "so
# nobody could understand it", "which, thanks").
SLIPPED = [
    (SEED_STORY, "The problem was really with the database team, their limits were never "
                 "written down anywhere."),
    (SEED_STORY, "Honestly the issue lay with platform, they weren't doing their job."),
    (SEED_STORY, "QA passed it, mind you they only ever test with a handful of accounts, so, "
                 "you know."),
    (SEED_STORY, "The vendor swore their library handled it and never said a word about the "
                 "limit, so, thanks for that."),
    (SEED_STORY, "It's one person on call for the whole platform at night, what do they "
                 "expect."),
    (SEED_STORY, "Infra had set it up so nobody could follow it anyway."),
    (WARD_STORY, "The problem really sat with the day team, they never do the handover "
                 "properly."),
    (WARD_STORY, "Pharmacy were meant to send it up at six and didn't, so what do they "
                 "expect."),
    (WARD_STORY, "Two nurses for thirty beds, honestly, what did management think would "
                 "happen."),
    (WARD_STORY, "The agency nurse was clearly new, no idea what she was doing."),
]
NOT_BLAMING = [
    (SEED_STORY, "The database team had changed the limit, I don't blame them, it was my "
                 "change that didn't account for it."),
    (SEED_STORY, "A colleague had reviewed it, but he'd had no context, so that part is on "
                 "me."),
    (WARD_STORY, "Pharmacy sent it up late, but I never chased them, which I should have."),
    (WARD_STORY, "A patient's daughter said the ward was a shambles that night, and she had "
                 "a point, I had not checked the chart."),
]


def test_blame_let_slip_is_mostly_flagged_and_owning_beside_it_is_not():
    """At least 8 of the 10 slips flagged (mostly as "possible": one aside in a long
    answer is rarely sure), and none of the 4 that name others while owning, defend a
    colleague or quote someone else's complaint."""
    flagged = [s for story, s in SLIPPED if blame(story.format(s)).found]
    assert len(flagged) >= 8, [s for _, s in SLIPPED if s not in flagged]
    wrongly = [s for story, s in NOT_BLAMING if blame(story.format(s)).found]
    assert not wrongly, wrongly


@pytest.mark.parametrize("said, held, not_held", [
    ("I signed it off without checking", {"own"}, {"others_failed"}),
    ("maybe dont give the reconnect advice without checking first", set(), {"others_failed"}),
    ("I approved the release without checking the build", set(), {"others_failed"}),
    ("the night shift had moved it without telling anyone", {"others_failed"}, {"own"}),
    ("i found out the locum had signed it off without checking", {"others_failed"}, {"own"}),
    ("leadership signed off on it over my head", {"overruled"}, set()),
    ("they rushed it out before the launch", {"overruled"}, set()),
    ("the jargon went over my head", set(), {"overruled"}),
    ("we rushed it through before the deadline", set(), {"overruled"}),
    ("the booking system lets you do that, which it really shouldn't", {"verdict"}, set()),
    ("the alert fired, which it should have", set(), {"verdict"}),
    ("so that part is on me", {"own"}, {"blamed_on"}),
])
def test_who_acted_decides_what_a_saying_is_evidence_of(said, held, not_held):
    """Doing it "without checking" is the speaker owning it when they did it, and others
    failing when someone else did; a decision made "over my head" is blame, a word that
    went over one's head is not."""
    groups = sentence_groups(said, load_rubric().evidence["blames_others"])
    assert held <= groups and not groups & not_held, groups


def test_owning_words_written_by_others_hold_their_floors():
    """On owning words another writer put in other people's mouths, took on, or said
    (tests/data/checks/owning_said_by_others.txt, scored blind when written): someone
    else's verdict on the speaker is mostly not credited as theirs (19 of 25 before the
    reported-speech rule, 22 after, 24 after a second reader's fixes), and what is
    credited stays so. The low credit of the
    other two kinds (4 of 25, 6 of 20) is the owning group's reach, measured here."""
    path = Path(__file__).parent / "data" / "checks" / "owning_said_by_others.txt"
    rows = [line.rstrip("\n").split("\t") for line in path.read_text().splitlines()
            if line and not line.startswith("#")]
    right = Counter(kind for kind, text in rows
                    if _credited(text, blaming=False) == (kind != "OTHERS"))
    assert Counter(kind for kind, _ in rows) == {"OTHERS": 25, "ACCEPTED": 25, "OWN": 20}
    assert right["OTHERS"] >= 23, right
    assert right["ACCEPTED"] >= 4 and right["OWN"] >= 6, right


# Owning said in idioms, each several ways, in other jobs and registers; and the same
# idioms owning nothing: someone else's slip, denied, a duty, a hypothetical, a fear.
IDIOMS_OWNING = [
    "Honestly I dropped the ball on the handover that night.",
    "yeah i totally dropped the ball with the supplier, never sent the order",
    "I really stuffed that up, I gave the wrong room key to the guest.",
    "So, um, I stuffed up, basically, I put the tiles down before the screed had dried.",
    "I screwed it up by not reading the job sheet properly.",
    "I'd cut corners on the pre-start checks because we were behind.",
    "i was cutting corners to get out early and that's on me",
    "I blame myself for that one, nobody else.",
    "I'll own that, I promised the parents a date I couldn't keep.",
    "I have to own it, I left the gate open.",
    "That one's down to me, I didn't lock the van.",
    "It completely slipped my mind to ring the pharmacy back.",
    "Calling the client back just slipped my mind, to be honest.",
    "My bad, I filed it under the wrong surname.",
    "I held my hands up to the charge nurse straight away.",
    "I got complacent with the checklist after two years on the route.",
    "I slipped up on the dates and the delivery came a week early.",
    "There's nobody to blame but myself for the mix-up.",
    "I messed it up, I told the caller the wrong address.",
    "I owned it in front of the whole team the next morning.",
    "I made a really stupid mistake with the float.",
    "I did a silly error on the timesheet.",
    "The call to close early was mine, and it cost us the Saturday trade.",
    "I owned up to my manager before the end of the shift.",
    "I had to own up to the mistake in front of the parents.",
    "I owned that, no excuses.",
]
IDIOMS_NOT_OWNING = [
    "My colleague dropped the ball on the handover that night.",
    "The supplier really stuffed that up, they sent the wrong tiles.",
    "I didn't drop the ball, the courier just never turned up.",
    "I never cut corners, even when we were behind.",
    "She blamed herself for a long time, which wasn't fair.",
    "I don't blame myself for it, the system let us down.",
    "It was down to me to sort out the rota that week.",
    "It was on me to get the order out by Friday.",
    "I own the bakery's ordering, so it landed on my desk.",
    "I owned the relationship with that client, so I called them.",
    "He said it was my bad, but the booking was his.",
    "If I'd dropped the ball there, the patient could have died.",
    "I was worried I'd messed it up, but the readings were fine.",
    "I was determined not to blow it with the new client.",
    "I held my hand up to ask a question in the briefing.",
    "They told me it had slipped their mind.",
    "It didn't slip my mind, I just couldn't get through on the phone.",
    "The driver got careless and reversed into the gate.",
    "Nobody blamed me, they just asked how to stop it happening again.",
    "My manager thought I'd screwed it up, until she saw the logs.",
    "He made a big mistake with the order.",
    "I never made a single mistake on the till.",
    "As the site manager, the decision to stop the pour was mine.",
    "if I made a mistake, I'd want to be told",
    "I owned that template, so correcting it was my job.",
    "And I owned that release, so the call came to me.",
    "I owned it for the whole project as the lead.",
    "The owner said she'd rather I owned it than hid it.",
    "She was fine in the end, and none of it was down to me anyway.",
    "if the fitters had fixed the jam none of this happens, but apparently that's on me lol",
    "I woke up at three convinced I'd put the wrong strength in the bag, but it was fine.",
]


@pytest.mark.parametrize("text", IDIOMS_OWNING)
def test_owning_said_in_idioms_is_honest_ownership(text):
    """Owning told the way people say it ("I dropped the ball", "that one's down to me",
    "it slipped my mind"), not only in the rubric's own words."""
    assert analyze_text(SEED_STORY.format(text)).checks["honest_ownership"].found, text


@pytest.mark.parametrize("text", IDIOMS_NOT_OWNING)
def test_the_same_idioms_owning_nothing_are_not_honest_ownership(text):
    """The same idioms about someone else, denied, as a duty ("it was down to me to sort
    the rota"), as a hypothetical or a fear, own no fault of the speaker's."""
    assert not analyze_text(SEED_STORY.format(text)).checks["honest_ownership"].found, text


@pytest.mark.parametrize("name, sizes, owning_min, near_max", [
    # scored blind when written: 14 of 35 and 1 credited before the everyday owning
    # patterns, 20 with them; 28 with the idioms, written after its misses were read
    ("owning_or_not.txt", (35, 35), 28, 1),
    # scored blind when written (its header): 26 of 40 and 7, 18 and 14 before the second
    # reader's findings were acted on; 39 and 1 since its misses were read (40 with "I knew
    # ... but I ... anyway", dropped: as often a brave or kind act)
    ("owning_or_not_2.txt", (40, 40), 39, 1),
    # scored blind when written (its header): 28 and 5; nothing tuned on it since, 32 and 5
    # with honest ownership's per-sentence model (not trained on it)
    ("owning_or_not_3.txt", (50, 50), 32, 5),
    # near-miss heavy, scored blind when written (its header): 32 and 6; the per-sentence
    # model is trained on it, so this is read on sentences it has seen: 53 and 6
    ("owning_or_not_4.txt", (60, 100), 53, 6),
    # scored blind when written (its header): 21 and 1; never trained on: 24 and 1
    ("owning_or_not_5.txt", (50, 50), 24, 1),
])
def test_owning_in_everyday_words_is_credited_and_near_misses_are_not(name, sizes,
                                                                       owning_min, near_max):
    """On sentences other writers wrote as owning one's part, or as close words owning
    nothing (tests/data/checks/owning_or_not*.txt): honest ownership is credited for at
    least ``owning_min`` of the owning ones and at most ``near_max`` of those that own
    nothing (each file is no longer blind for the kinds its misses showed)."""
    path = Path(__file__).parent / "data" / "checks" / name
    rows = [line.split("\t") for line in path.read_text().splitlines()
            if line and not line.startswith("#")]
    credited = Counter(kind for kind, text in rows
                       if analyze_text(SEED_STORY.format(text)).checks["honest_ownership"].found)
    assert Counter(kind for kind, _ in rows) == dict(zip(("OWNS", "NOT"), sizes, strict=True))
    assert credited["OWNS"] >= owning_min and credited["NOT"] <= near_max, credited


# Owning in everyday words the patterns first missed or cut short, and near misses a second
# reader found credited: good deeds, other people's slips, a neutral "I didn't", a role,
# a slip that did not happen (a wish, a hope, "in case", "had I"), an instruction.
EVERYDAY_OWNING = [
    "If I am honest it was my fault.",
    "If I'm being honest, the mix-up with the keys was my mistake.",
    "I asked if we had load tested it and we had not, so that was my mistake.",
    "The manager asked whether we had counted the float and we hadn't, so that one was "
    "my error.",
    "I was convinced I had tested it but I had not, and that was my fault.",
    "I was sure I'd locked the van but I hadn't, and that's on me.",
    "I'd made an error on the rota.",
    "It was a silly slip of mine with the dates.",
    "Honestly that was a mistake on my part, I read the wrong column.",
    "I failed to check the expiry dates before the shift.",
    "I neglected to test the backup before the move.",
    "I didn't run a load test before we opened bookings.",
    "I sent the menu out without doing the allergen check.",
    "I was the one who forgot to lock the gate.",
    "I was the one who signed it off without reading it.",
    "I didn't call anyone until the morning.",
    "I didn't say a word to the bride that night.",
    "i didnt tell anyone about the broken seal",
]
EVERYDAY_NEAR_MISSES = [
    "I owned it from design to launch.",
    "I owned that from start to finish as the lead.",
    "My manager told me to put my hands up if I had questions.",
    "I did the error checks every morning.",
    "I made no mistake in the config, it was the vendor's file.",
    "Had I dropped the ball there, we'd have lost the contract.",
    "I'd hate to think I cut corners on a job like that.",
    "I was the one who sent the update within ten minutes.",
    "I was the one who rang the family and explained.",
    "I found the contractor had pushed it without running any tests.",
    "I didn't wait for approval, I just pulled the batch.",
    "I didn't say it was their fault, I just told them what happened.",
    "I didn't significantly change the plan.",
    "I made sure nobody used the wrong config again.",
    "I went back through the forms in case I'd missed anything.",
    "It all looked fine, unless I'd misread the contract.",
    "Looking back I wish I'd skipped that meeting and gone to the site.",
    "I'm glad I'd skipped the dessert course that night.",
    "The sign-off was mine as the release manager.",
    "I asked the driver whether we'd missed a stop.",
]


@pytest.mark.parametrize("text", EVERYDAY_OWNING)
def test_owning_in_everyday_words_is_credited_past_an_if_or_a_fear(text):
    """Owning after an "if I'm honest", a question asked ("I asked if we had tested it and
    we had not, so that was my mistake") or a belief that proved wrong is still owning:
    what did not happen ends with its own clause."""
    assert analyze_text(SEED_STORY.format(text)).checks["honest_ownership"].found, text


@pytest.mark.parametrize("text", EVERYDAY_NEAR_MISSES)
def test_near_misses_of_everyday_owning_are_not_credited(text):
    """Good deeds, others' slips, a role, a wish, a hope or a slip that did not happen own
    no fault of the speaker's."""
    assert not analyze_text(SEED_STORY.format(text)).checks["honest_ownership"].found, text


# Owning as people say it, and near misses, from a second reading of the everyday owning
# patterns: an adverb before the slip ("I completely forgot"), plurals, "I let the team
# down", "it was me who ...", "I hold my hands up", a skipped safety step ("I didn't wait
# for the pharmacist to confirm the dose"), owning told after an aside or a fear that
# ends with its own clause; and, owning nothing: a slip that might have been ("any
# mistake on my part would have..."), a belief that proved wrong, good deeds told with
# "the one who", rules for others ("never ... without doing the checks"), idioms and
# literal uses ("I didn't call the shots", "I rushed him to hospital", "I mixed up a
# fresh batch"), a record named with a mistake word ("I made an error log").
SAID_OWNING = [
    'I owned it from the start.',
    'I owned it from the moment I saw it.',
    'I owned it as soon as I realised.',
    'I owned it all the way with my manager.',
    'I owned it right through the review.',
    'I owned it end to end, no excuses.',
    'I owned that from the start.',
    'The oversight was mine as the shift lead.',
    'The fault was mine for not checking the pump.',
    "I didn't wait for the pharmacist to confirm the dose.",
    "I didn't wait for the all clear before I let the kids back in.",
    "I didn't say anything and hoped it would go away.",
    "I'm the one who set up the wrong rota.",
    "I'm glad I owned up straight away, I dropped the ball.",
    'If I have to be honest I dropped the ball on that one.',
    'If I look back I rushed the handover.',
    'I completely forgot to order the milk.',
    'I totally forgot to call the parents back.',
    'I honestly forgot to tell the day shift.',
    'I simply forgot the second dose.',
    'I clean forgot about the delivery.',
    "I'd completely forgotten about the booking.",
    'I had totally forgotten the parents evening.',
    "I honestly didn't check the tyres that morning.",
    'I made some mistakes.',
    'I made a few errors on the invoice.',
    'That was a misjudgement on my part.',
    'I did forget the order, and it cost us.',
    'I hold my hands up.',
    'I blamed myself.',
    'I was to blame.',
    'I let the team down.',
    'I let the patient down that night.',
    'It was me who forgot to lock up.',
    'It was me that left the oven on.',
    'I was the one who left the gate open.',
    "I was the one who didn't check the fridge.",
    'I was the one who had forgotten to book the coach.',
    "I didn't write it down.",
    "I didn't pass the message on.",
    "I didn't hand over properly.",
    'It was my own stupid fault.',
    'I got my dates mixed up.',
    'I muddled up the orders.',
    'I confused the two patients.',
    "I didn't ask the customer about allergies.",
    "I didn't ask for help when I should have.",
    "I didn't tell them about the delay.",
    "I wasn't thinking and I forgot to lock the van.",
    "I wasn't concentrating, I mixed up the two tables.",
    "I don't know why, I just forgot to tell the kitchen.",
    "I can't deny I skipped the second check.",
    "and i couldnt believe i'd skipped it",
    'I was the one who decided to run the migration in the afternoon rather than overnight.',
    'i was the one who signed off the new lot, and it was the wrong one',
    'I was the one who put it in the basket.',
    "I'm the one who made the sheet, so the wrong price was mine.",
    'I drew up the dose off the kennel scales without double-checking it with her.',
    "My own part was that I'd received their confirmation email and hadn't checked the time.",
    'I signed the delivery note without counting the boxes.',
    'I tried to speed up the defrosting, which was a mistake.',
    "I'd sent them last year's price list by accident.",
    'I cut the worktop about three centimetres too short.',
    'I set up the rota badly.',
    'I overcharged three customers at the till.',
    'I took a shortcut on the cleaning checklist.',
    'I kept quiet about the scratch I made on the car, which I really regret.',
    'I put an incorrect reference on the bank transfer.',
    'I had already deleted the wrong folder from the shared drive.',
    'i just like completely forgot to lock the back door',
    'I handled the refund dispute badly.',
    'I told the apprentice to wait but I went ahead without checking.',
    "I made sure I told my manager I'd made a mistake.",
    'I rang the family back to correct my mistake.',
    'I served him another pint, which was a mistake.',
    'I let down the whole team.',
    'I measured the window wrong.',
    'I left the bread in the oven too long.',
    "I didn't say anything, I just forgot to log it.",
]
SAID_NEAR_MISSES = [
    'Any mistake on my part would have cost a life.',
    'A single slip on my part could have hurt someone.',
    'Any error of mine would show up in the audit.',
    "I thought I'd made a mistake but it turned out the supplier had sent the wrong box.",
    'I was sure I had made a mistake, but the numbers were right.',
    'I was the one who made the call to the ambulance.',
    'I was the one who picked up the phone.',
    'I was the one who gave first aid.',
    'I was the one who decided to call the manager.',
    'I was the one who booked the replacement van.',
    'I was the one who wrote the new procedure.',
    'I was the one who signed the kids out safely.',
    'I was the one who approved the refund.',
    'I told the new starter never to send it without doing the checks.',
    'I made sure nobody left without doing a handover.',
    'I would never sign anything without doing the checks.',
    'I never let anyone leave without doing the count.',
    "I didn't tell the customer off, I stayed calm.",
    "I didn't call the shots, the manager did.",
    "I didn't phone in sick, I came in anyway.",
    "I didn't plan on becoming a manager.",
    "I didn't sign off sick.",
    "I didn't report sick that day.",
    "I didn't test positive, thankfully.",
    "I didn't lock horns with him.",
    "I didn't count on the snow.",
    "I didn't save the day, the team did.",
    'I made sure the mistake was corrected.',
    'I made an error log to track it afterwards.',
    'I made the error report for my manager.',
    'I made a mistake log after that.',
    'My error rate was the lowest in the team.',
    'My error message popped up on the till.',
    'I rushed him to hospital.',
    'I cut corners off the sandwiches for the kids.',
    'I blew it out and lit it again.',
    'I mixed up a fresh batch straight away.',
    'I mixed up the paint for the next coat.',
    'I owned it from design to launch.',
    'I owned that from start to finish as the lead.',
    'I nearly forgot to lock the van but I remembered at the gate.',
    'I let the tailgate down and loaded the boxes.',
    "I don't think I forgot anything that day.",
    "I wouldn't say I caused one, no.",
    "Um, so I wouldn't say I caused it, but it was a mess.",
    'ok does it count if i THOUGHT i caused it lol',
    'I am experienced enough to catch and correct my own errors before anyone else sees them.',
    "When I was starting out I'd chew on my mistakes for a week.",
    'My part was to run the rota for the weekend.',
    'I told him never to sign anything without checking it first.',
    "That was my part of the job, the rest was the chef's.",
    'I made sure nobody signed without checking the labels.',
    "We use that checklist for every new pairing now, it's written into our "
    'protocol, that was my bit.',
    'I was badly hurt in the fall.',
    'I slept badly the night before the inspection.',
    'I found out by accident when the supplier rang me.',
    'I knew it was risky but the manager went ahead anyway.',
    'The manager decided to cut the night staff, which was a mistake.',
    'I took a shortcut through the park to get there faster.',
    'I said it would leak badly.',
    'I kept the wrongly supplied box for our records.',
    'I knew it had gone badly.',
    'I hurt my back badly lifting a patient.',
    'I fixed the badly fitted door.',
    'I was charged twice by mistake.',
    'I spotted the leak by accident.',
    'I found an extra charge on the bill which was a mistake by the bank.',
    'We lost the contract, which I regret.',
    'I knew the customer would be upset but I told him the truth anyway.',
    'I ordered bigger gloves as ours were too small.',
    'I took the wrong parts back to the wholesaler.',
    "I'm the one who never misses a shift.",
    'I let him down gently when he asked for the weekend off.',
    'I covered the shift without asking for overtime.',
    'My part was that I ran the night shift.',
    'I really missed my family on nights.',
    "It's not that I forgot, the system never sent the reminder.",
    'I never said I made a mistake.',
    "There's no way I skipped the check.",
]


@pytest.mark.parametrize("text", SAID_OWNING)
def test_owning_as_people_say_it_is_credited(text):
    """Owning one's slip in the words people use for it is credited."""
    assert analyze_text(SEED_STORY.format(text)).checks["honest_ownership"].found, text


@pytest.mark.parametrize("text", SAID_NEAR_MISSES)
def test_words_near_owning_that_own_no_slip_are_not_credited(text):
    """Words close to owning that own no slip of the speaker's are not credited."""
    assert not analyze_text(SEED_STORY.format(text)).checks["honest_ownership"].found, text


def test_owning_words_the_blame_verdict_quotes_are_not_credited_by_the_patterns():
    """A sentence the blame check surely quotes is a dig, whatever owning words it holds
    ("I didn't check the rota because she never sends it on time"); quoted by a blame
    verdict too unsure to be said, or not quoted, the same words own it."""
    dig = "I didn't check the rota because she never sends it on time, typical."
    assert not _credited(dig, blaming=True, quoting=dig, by_patterns=True)
    assert _credited(dig, blaming=True, confidence=0.6, quoting=dig, by_patterns=True)
    assert _credited(dig, blaming=False, by_patterns=True)

