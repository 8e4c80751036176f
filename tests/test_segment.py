"""STAR segmentation: text behaviour, the labelled sets, and timing on synthesized audio."""

import re
from pathlib import Path

import pytest
from conftest import early_batch
from star_fixtures import FIXTURES, close_or_in_range

from coach.analysis.analyze import analyze_text, build_report
from coach.analysis.report import PARTS, Source, SourceKind
from coach.analysis.segment import label_sentences, split_sentences
from coach.audio.pcm import duration_s
from coach.eval.segmenter import evaluate, held_out_model, load_answers, to_sequence, train
from coach.prompts import timing_rules
from coach.words import Word

STAR = Path(__file__).parent / "data" / "star"


def all_batches() -> dict[str, list]:
    return {p.stem: load_answers(p) for p in sorted(STAR.glob("*.txt"))}


def test_labelled_data_is_big_and_varied_enough():
    """At least 250 answers, half of them the way people talk, every question covered."""
    answers = [a for batch in all_batches().values() for a in batch]
    assert len(answers) >= 250
    talk = ("spoken", "rambling", "run-on", "transcript", "digressive")
    spoken = [a for a in answers if any(k in a.style for k in talk)]
    assert len(spoken) >= len(answers) / 2 - 40, len(spoken)
    styles = {w for a in answers for w in a.style.split()}
    assert {"polished", "spoken", "weak", "result-first", "no-result", "long-lesson"} <= styles
    from coach.prompts import questions

    assert {q.id for q in questions()} <= {a.question for a in answers}


TRAIN_UP_TO = 40
"""The held-out segmenter trains on b1-b40 and the older dev and holdout sets only (1369
answers): on every batch it took 10 minutes of a CI run and grew with each batch added;
trained on b1-b40 it puts 91.3% of b9's words in the right part (action share off 4.4
points, Situation+Task 2.3 s)."""


@pytest.mark.parametrize("held_out", ["b9"])
def test_accuracy_on_a_batch_the_model_never_saw(held_out, tmp_path):
    """Train on other batches only (as scripts/train_segmenter.py does on all, here the
    first ``TRAIN_UP_TO``), then score the held-out batch: the floors are for answers
    written by other hands. (b9: spoken answers, mostly from jobs outside software, by a
    writer who never saw the cues; scripts/eval_segmenter.py holds out every batch in
    turn.)"""
    batches = all_batches()
    rest = [a for name, answers in batches.items()
            if name != held_out and early_batch(name, TRAIN_UP_TO) for a in answers]
    segmenter = held_out_model(rest, tmp_path / "cv-clauses.crfsuite")
    model = tmp_path / "cv.crfsuite"
    train([to_sequence(a, segmenter) for a in rest], model)
    scores = evaluate(batches[held_out], model, segmenter)
    assert scores.accuracy >= 0.80, f"{held_out}: {scores.accuracy:.3f}"
    assert scores.share_mae <= 0.11, scores.share_mae
    assert scores.st_mae_s <= 8.0, scores.st_mae_s


UNSEEN_BY_SHIPPED = ("b117", "b118", "b119", "b120", "b121", "b122", "b123")
"""Batches built on real accounts that the shipped STAR model was not trained on (it was
trained on b1-b116, `scripts/train_segmenter.py --through b116`; tests/data/star/README.md)."""


@pytest.mark.slow
def test_timing_verdicts_said_aloud_are_right_on_answers_the_model_never_saw():
    """What the coach says of the two timing rules on 210 answers built on real ones (and
    105 of them as heard): said as sure, over or within the 50-second budget and below or
    at the 70% share, it is right at least 95 times in 100; and it still says it surely
    for at least two answers in five (hedging every verdict would never be wrong, and
    never useful). Measured on b117-b119 when the model trained on b1-b116 was chosen:
    budget 75 right, 2 wrong, 58 given as 'about'; b120-b123, written after it was
    chosen, added 90 right, 2 wrong, 88 'about'. (The model before it, trained on
    b1-b108, was held to this floor on b109-b116: budget 161 right, 8 wrong, 191 'about';
    on b117 it gave 22, 2, 21.)"""
    from coach.eval.segmenter import merged

    answers = [a for b in UNSEEN_BY_SHIPPED for path in (STAR / f"{b}.txt",
                                                        STAR / "heard" / f"{b}.txt")
               for a in load_answers(path)]
    scores = merged([evaluate(answers)])
    for rule in ("situation_task", "action_share"):
        right, wrong, unsure = scores.verdict_counts(rule)
        assert right + wrong + unsure == len(answers)
        assert wrong <= 0.05 * (right + wrong), (rule, right, wrong, unsure)
        assert right + wrong >= 0.4 * len(answers), (rule, right, wrong, unsure)
    # Of the unsure budget verdicts, those said as "probably over" (the estimate at least
    # 5 s over) are over in truth at least 80 times in 100 (77 of 86 when measured on
    # these 315 answers; 180 of 202 on the 671 of b117-b131, report.PROBABLY_OVER_MARGIN_S).
    probably = (scores.verdicts[("situation_task", "probably right")],
                scores.verdicts[("situation_task", "probably wrong")])
    assert sum(probably) >= 0.2 * len(answers) and probably[0] >= 0.8 * sum(probably), probably


def test_shipped_model_is_trained_on_the_current_features():
    """The shipped CRF knows the cue features of prompts/segmenter.toml as it is now
    (a changed cue list without retraining would silently lose those cues)."""
    import pycrfsuite

    from coach.analysis.segment import MODEL_FILE, load_model
    from coach.prompts import model_file

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_file(MODEL_FILE)))
    known = {name for (name, _label) in tagger.info().state_features}
    cues = {"cue:" + c.name for c in load_model().cues}
    assert len(cues & known) >= 0.6 * len(cues)
    assert set(tagger.labels()) == set(PARTS)


def test_pauses_split_unpunctuated_speech():
    # Whisper-style run-on with no punctuation; a 1.2 s pause marks the sentence boundary.
    texts = ["so", "I", "was", "on", "call", "that", "night", "and", "the", "database", "ran",
             "out", "of", "disk"]
    more = ["I", "cleared", "the", "old", "logs", "and", "got", "writes", "going", "again"]
    words = [Word(t, i * 0.3, i * 0.3 + 0.25) for i, t in enumerate(texts)]
    off = words[-1].end + 1.2
    words += [Word(t, off + i * 0.3, off + i * 0.3 + 0.25) for i, t in enumerate(more)]
    spans = split_sentences(words)
    assert (0, len(texts) - 1) in spans


def test_natural_order_with_a_step_back():
    texts = ["In the end we cut outages to zero, but it started with my mistake.",
             "I was on the infrastructure team and pushed a bad config.",
             "I needed to restore service fast.",
             "I reverted the change and watched the error rate fall.",
             "I then added a canary stage, and since then it has caught two bad configs."]
    labels, confidence = label_sentences(texts)
    assert labels == ["result", "situation", "task", "action", "result"]
    assert all(0.25 < p <= 1.0 for p in confidence)


def test_weak_answer_without_action():
    text = ("I think a failure I had was a project that was late. The requirements kept "
            "changing. There were a lot of stakeholders. It was a difficult situation. "
            "In the end we launched a month late.")
    report = analyze_text(text)
    parts = {s.part for s in report.sentences}
    assert "action" not in parts
    # The share is the segmenter's expected one: a sentence it is not quite sure of
    # lends the Action a little of its time, never much here.
    assert report.timing.action_share < 0.05 and report.timing.action_start_s is None


def test_text_timing_block_is_complete_and_estimated():
    report = analyze_text("Last year I broke checkout. My task was to fix it. "
                          "I rolled it back and watched the logs. As a result errors stopped.")
    t = report.timing
    assert t.estimated is True
    assert t.situation_task_budget_s == timing_rules().situation_task_budget_s == 50
    assert t.action_share_target == 0.70
    assert t.situation_task_s == pytest.approx(t.situation_s + t.task_s, abs=0.02)
    assert t.situation_task_over_s == pytest.approx(t.situation_task_s - 50, abs=0.02)
    assert sum(getattr(t, f"{p}_s") for p in PARTS) == pytest.approx(t.total_s, abs=0.05)
    assert 0 <= t.action_share <= 1
    assert [p.part for p in report.parts] == ["situation", "task", "action", "result"]


def test_very_long_text_is_fine():
    """The longest text answer the CLI reads (100 KB, about 2 hours of speech)."""
    report = analyze_text("I rolled back the change and wrote a runbook. " * 2000)
    assert len(report.words) == 18000 and report.timing.total_s > 0


@pytest.mark.parametrize("name", list(FIXTURES))
def test_timing_on_spoken_answers_matches_truth(name, heard_fixtures):
    answer, transcript = heard_fixtures[name]
    true_st, true_share = answer.truth()
    report = build_report(list(transcript.words),
                          Source(SourceKind.audio, None, duration_s(answer.audio)), None,
                          estimated=False, model=transcript.model)
    t = report.timing
    assert t.estimated is False
    assert close_or_in_range(t.situation_task_s, t.situation_task_range_s, true_st, 2.0, 12.0), \
        (t, true_st, report.sentences)
    assert close_or_in_range(t.action_share, t.action_share_range, true_share, 0.05, 0.15), \
        (t, true_share, report.sentences)
    if name == "long_opening":
        assert t.situation_task_over_s > 25
    if name == "short_action":
        assert t.action_share < 0.3
    if name == "result_first":
        # The "Action only 40%" case. Its opening outcome ("In the end I cut our deployment
        # outages...") is still read as background by the STAR models of b1-b108 and
        # b1-b116 alike, lending the Situation its time: the share reads 34-35%, and 32%
        # since the parts are shifted to answers people tell (part_prior), which lowers
        # every Action share a little; its likely range holds the truth (above).
        assert 0.30 < t.action_share < 0.45


def test_written_answers_with_star_headings_follow_them():
    """Sample answers written with "Situation:", "Task:" ... headings keep those parts, even
    where a long Task sentence is cut at a clause."""
    report = analyze_text(
        "Situation: I was a shift lead and I put a new hire alone on the forklift. He hit a "
        "rack. Task: As the supervisor who made that schedule, I needed to make sure nobody "
        "got hurt and fix how we onboard people. Action: I stopped work in that aisle. I "
        "created a buddy system for new drivers. Result: Nobody was injured.")
    assert [p.part for p in report.parts] == ["situation", "task", "action", "result"]
    assert report.sentences[2].text.startswith("Task:")
    assert report.sentences[2].part == "task"


def test_run_on_without_punctuation_splits_where_i_starts_a_clause():
    """No full stops, no pauses (plain text): "...where I could I pulled the patch" is two
    clauses, so the Task and the Action are told apart."""
    report = analyze_text(
        "so I was a programmer at a game studio and the patch I shipped corrupted saves on "
        "older consoles so I had to stop it getting worse and get people's saves back where "
        "I could I pulled the patch that night and pushed the old version back out and I "
        "wrote a tool that recovered most saves from the backup copy")
    by_part = {p.part: p for p in report.parts}
    task = [s.text for s in report.sentences if s.part == "task"]
    assert task and task[-1].endswith("where I could"), task
    assert by_part["action"].start > by_part["task"].start
    assert any(s.text.startswith("I pulled the patch") for s in report.sentences)


def test_text_headings_on_their_own_lines_open_the_part_below():
    """A text answer laid out as lines, headings without colons, no full stops."""
    report = analyze_text(
        "Situation\nI was a shift lead and I put a new hire alone on the forklift\n"
        "Task\nI needed to make sure nobody got hurt\n"
        "Action\nI stopped work in that aisle and checked on him\n"
        "Result\nNobody was injured and we have had no incidents since\n")
    assert [(s.text.split()[0], s.part) for s in report.sentences] == [
        ("Situation", "situation"), ("Task", "task"), ("Action", "action"),
        ("Result", "result")]


def test_run_on_joined_with_commas_is_cut_where_a_new_clause_opens():
    """Speech-to-text and hurried typing join whole steps with commas: a comma before "I",
    "the", "then"... opens a new piece in a long run-on, so the background, the steps and
    the outcome can take different parts; a comma inside a list does not."""
    from coach.analysis.segment import split_sentences
    from coach.analysis.text import words_from_text

    words = words_from_text(
        "so we drove out to the site on the Monday and the crew was already pouring the "
        "slab, the forecast said four degrees, I rang the supplier for blankets and heaters, "
        "then I got the engineer out to take cores, the slab was fine in the end apart from "
        "one corner, we ground back the top and it cost us about four days")
    texts = [" ".join(w.text for w in words[a:b + 1]) for a, b in split_sentences(words)]
    assert any(t.startswith("I rang the supplier for blankets and heaters") for t in texts), \
        texts
    assert any(t.startswith("the slab was fine") for t in texts), texts
    assert not any(t.startswith("heaters") for t in texts), texts


def test_run_on_is_not_cut_inside_a_relative_clause():
    """'every booking I make' is one clause: the subject split wants a past-tense verb."""
    from coach.analysis.segment import split_sentences
    from coach.analysis.text import words_from_text

    words = words_from_text("and the survey rated the food higher than the year before and "
                            "now every booking I make gets a confirmation email that I check")
    texts = [" ".join(w.text for w in words[a:b + 1]) for a, b in split_sentences(words)]
    assert not any(t.startswith("I make") for t in texts), texts


def test_a_clause_cue_that_completes_the_words_before_it_is_not_a_cut():
    """"my job" opens a clause ("...was pouring the slab my job was to...") but not after
    "was", which it completes ("testing against it was my job and I skipped it")."""
    from coach.analysis.segment import split_sentences
    from coach.analysis.text import words_from_text

    def pieces(text):
        words = words_from_text(text)
        return [" ".join(w.text for w in words[a:b + 1]) for a, b in split_sentences(words)]

    completes = pieces("Nobody had told us about the new limit, but testing against it was my "
                       "job and I skipped it.")
    assert not any(t.startswith("my job") for t in completes), completes
    opens = pieces("so we drove out to the site on the Monday and the crew was already "
                   "pouring the slab my job was to check the forecast for the week")
    assert any(t.startswith("my job") for t in opens), opens
    # Cues that open with "but", "so", "I"... still cut after "was", and so does any cue
    # after punctuation.
    but = pieces("we had a long night on the ward and nobody told me what the new limit was "
                 "but I should have checked it before I changed the settings on the pump")
    assert any(t.startswith("but I should") for t in but), but
    comma = pieces("the forecast said it would stay above freezing and that is what it was, my "
                   "job was to check the pour before the frost came in overnight")
    assert any(t.startswith("my job") for t in comma), comma


def test_likely_ranges_follow_the_segmenter_probabilities():
    from dataclasses import replace

    from coach.analysis.feedback import timing_verdict
    from coach.analysis.report import Part, Sentence
    from coach.analysis.segment import compute_timing, likely_ranges, part_spans

    def sentence(k, part, dist):
        return Sentence(f"s{k}", k * 10.0, k * 10.0 + 9.5, part, k, k,
                        max(dist) if dist else 1.0, tuple(dist))

    sure = [sentence(0, Part.situation, (1, 0, 0, 0)), sentence(1, Part.task, (0, 1, 0, 0)),
            sentence(2, Part.action, (0, 0, 1, 0)), sentence(3, Part.result, (0, 0, 0, 1))]
    (st_lo, st_hi), (a_lo, a_hi) = likely_ranges(sure)
    # Each sentence runs to halfway through the half-second pause after it, as the
    # timeline's spans do: the Action sentence has 10 s of the 39.5-second answer.
    one = round(10 / 39.5, 3)
    assert st_lo == st_hi == 19.75 and a_lo == a_hi == one
    # The Task sentence is really a coin toss between Task and Action: both ranges widen.
    unsure = [sure[0], replace(sure[1], confidence=0.5, distribution=(0, 0.5, 0.5, 0))] + sure[2:]
    (st_lo, st_hi), (a_lo, a_hi) = likely_ranges(unsure)
    assert (st_lo, st_hi) == (9.75, 19.75) and (a_lo, a_hi) == (one, round(20 / 39.5, 3))
    # A part the person set (no distribution) is taken as given.
    assert likely_ranges([replace(s, distribution=()) for s in unsure])[0] == (19.75, 19.75)
    # A budget verdict the uncertainty could flip is not announced.
    long = [replace(s, start=s.start * 3, end=s.end * 3) for s in unsure]
    t = compute_timing(part_spans(long), timing_rules(), False, long)
    assert t.situation_task_range_s[0] < 50 < t.situation_task_range_s[1] or \
        not t.situation_task_verdict_sure
    said = timing_verdict(t)
    assert "about" in said and "within the" not in said and not re.search(r"\d over the", said)


def test_part_seconds_are_those_the_segmenter_expects():
    """Each part's seconds share every sentence's time by the probability the segmenter
    gave each part (its best estimate of the true time); a sentence whose part the person
    set counts wholly; the four parts add up to the whole answer."""
    from dataclasses import replace

    from coach.analysis.report import Part, Sentence
    from coach.analysis.segment import compute_timing, expected_seconds, part_spans

    def sentence(k, part, dist):
        return Sentence(f"s{k}", k * 10.0, k * 10.0 + 9.5, part, k, k, max(dist), tuple(dist))

    answer = [sentence(0, Part.situation, (0.9, 0.1, 0, 0)),
              sentence(1, Part.task, (0.2, 0.6, 0.2, 0)),
              sentence(2, Part.action, (0, 0, 1, 0)),
              sentence(3, Part.result, (0, 0, 0.4, 0.6))]
    # Each sentence runs to halfway through the pause after it: 9.75, 10, 10, 9.75 s.
    got = expected_seconds(answer)
    assert got[Part.situation] == pytest.approx(0.9 * 9.75 + 0.2 * 10)
    assert got[Part.task] == pytest.approx(0.1 * 9.75 + 0.6 * 10)
    assert got[Part.action] == pytest.approx(0.2 * 10 + 10 + 0.4 * 9.75)
    t = compute_timing(part_spans(answer), timing_rules(), False, answer)
    assert t.situation_task_s == pytest.approx(17.75)
    assert t.action_share == round(15.9 / 39.5, 3)
    assert t.situation_s + t.task_s + t.action_s + t.result_s == pytest.approx(t.total_s)
    # Counted wholly as their most likely parts, the same sentences would give 19.75 s and
    # 25%: the timeline's own spans, which the person's parts reproduce exactly.
    given = [replace(s, distribution=()) for s in answer]
    t = compute_timing(part_spans(given), timing_rules(), False, given)
    spans = {p.part: p.end - p.start for p in part_spans(given)}
    assert t.situation_task_s == pytest.approx(19.75) == spans["situation"] + spans["task"]
    assert t.action_share == round(10 / 39.5, 3)
    # Unusable probabilities, and a sentence with no part, never give NaN.
    odd = [replace(answer[0], part=None, distribution=()),
           replace(answer[1], distribution=(0, 0, 0, 0)), answer[2],
           replace(answer[3], distribution=(0.5, 0.5))]
    t = compute_timing(part_spans(odd), timing_rules(), False, odd)
    assert t.situation_task_s == pytest.approx(19.75) and t.action_share == round(10 / 39.5, 3)


# A typed post and a talked run-on of the kind people write and say, not in the labelled
# data: steps joined without a full stop.
TYPED_RUN_ON = ("was my shift so it was on me to sort it rang the supplier at six checked "
                "the delivery note against the order sent the driver back for the right "
                "pallets we were open again by ten and nobody went without")


def test_learned_clause_cuts_split_a_run_on_of_steps():
    """The clause model cuts where the Task ends and the steps begin ("...to sort it | rang
    the supplier"), which the rules alone leave joined: the Task, the steps and the outcome
    each get their own part instead of one part for all of them."""
    from dataclasses import replace

    from coach.analysis.segment import load_model, segment
    from coach.analysis.text import words_from_text

    words = words_from_text(TYPED_RUN_ON)
    rules_only = split_sentences(words, replace(load_model(), clause_file=None))
    learned = split_sentences(words)
    assert len(learned) > len(rules_only)
    first_words = [words[a].text for a, _ in learned]
    assert "rang" in first_words and "rang" not in [words[a].text for a, _ in rules_only]
    parts = {s.text.split()[0]: s.part.value for s in segment(words)}
    assert parts["was"] in ("situation", "task") and parts["rang"] == "action", parts
    assert parts["we"] == "result", parts


# Notes typed in a hurry: no full stops, no capitals, "I" left out before the verbs.
TYPED_NOTES = [
    [("S", "senior carer on nights in a nursing home"),
     ("S", "one lady's evening meds got missed bc i assumed the agency nurse had done them"),
     ("T", "checking the chart before handover was my job"),
     ("A", "phoned the on call doctor straight away"),
     ("A", "told the nurse in charge"),
     ("A", "gave the dose late on the doctor's advice, sat with her till she settled"),
     ("R", "no harm done in the end"),
     ("R", "since then i initial the chart myself before the round closes")],
    [("S", "school bus driver, morning run"),
     ("S", "road by the bridge was shut one day and took a detour id never driven"),
     ("T", "only adult on the bus so getting the kids in safe was down to me"),
     ("A", "pulled over and rang the depot for the diversion"),
     ("A", "called the school office to say wed be 20 mins late"),
     ("A", "drove it slow, checked every stop"),
     ("R", "all 30 kids in safe about 25 mins late"),
     ("R", "check the council road closures the night before now")],
    [("S", "ran the tills at a garden centre last xmas"),
     ("S", "changed the card reader settings to speed things up and half of them stopped "
           "taking contactless"),
     ("T", "my job to keep the queues moving"),
     ("A", "put the old settings back on one reader to test"),
     ("A", "reset the rest one by one, put someone on each queue to explain"),
     ("R", "lost maybe an hour of quick payments but no sales"),
     ("R", "lesson is change one till first and watch it a day")],
]


def test_typed_notes_without_full_stops_are_cut_into_their_parts():
    """A note typed with no full stops reaches the segmenter as one run-on. The clause
    model, trained also on every answer as if typed in a hurry, cuts it where a step
    starts ("...down to me | pulled over"): more pieces than the rules alone find, and
    most words in their part. (Before the hurried copies: 9 pieces, 45% of words.)"""
    from dataclasses import replace

    from coach.analysis.segment import load_model, segment
    from coach.analysis.text import words_from_text

    right = total = pieces = rule_pieces = 0
    for note in TYPED_NOTES:
        gold = [p for p, text in note for _ in text.split()]
        words = words_from_text(" ".join(text for _, text in note))
        sentences = segment(words)
        pieces += len(sentences)
        rule_pieces += len(split_sentences(words, replace(load_model(), clause_file=None)))
        for s in sentences:
            right += sum(g == s.part.value[0].upper()
                         for g in gold[s.first_word : s.last_word + 1])
        total += len(gold)
    assert pieces >= 13 and pieces > rule_pieces + 3, (pieces, rule_pieces)
    assert right / total >= 0.55, right / total


def test_bullets_start_sentences():
    from coach.analysis.text import words_from_text

    words = words_from_text("the chiller tripped overnight so i had to deal with it - "
                            "opened the valve again - reset the chiller and logged it")
    texts = [" ".join(w.text for w in words[a:b + 1]) for a, b in split_sentences(words)]
    assert any(t.startswith("- opened") for t in texts), texts
    assert any(t.startswith("- reset") for t in texts), texts


def test_a_short_plain_sentence_is_not_cut():
    from coach.analysis.text import words_from_text

    words = words_from_text("I rang the supplier and asked for a new delivery.")
    assert split_sentences(words) == [(0, len(words) - 1)]


def test_a_missing_clause_model_is_a_model_error(tmp_path):
    from dataclasses import replace

    from coach.analysis.segment import load_model
    from coach.analysis.text import words_from_text
    from coach.errors import ModelError

    broken = replace(load_model(), clause_file=tmp_path / "none.crfsuite")
    with pytest.raises(ModelError, match="clause model missing"):
        split_sentences(words_from_text(TYPED_RUN_ON), broken)


def test_contractions_typed_without_apostrophes_are_read_as_contractions():
    """"thats", "didnt", "im" are what the patterns know as "that's", "didn't", "i'm";
    words that are also words of their own ("its", "were", "well", "shed") stay as typed."""
    from coach.analysis.segment import normalize

    assert normalize("tbh thats on them, i didnt know and im sure") == (
        "tbh that's on them i didn't know and i'm sure")
    assert normalize("its shed were well ill") == "its shed were well ill"
    assert normalize("i didnt. wasnt, sure") == "i didn't. wasn't sure"
    assert normalize("gave it IM, im sure") == "gave it im i'm sure"
    assert normalize("the user id was wrong, my id badge") == "the user id was wrong my id badge"


def test_cross_validation_in_folds_scores_every_batch_by_a_model_that_never_saw_it(tmp_path):
    """--folds: batch bN is held out with the others of fold N mod k, and every batch is
    scored once, by the pair of models trained without its fold."""
    from coach.eval.segmenter import cross_validate, fold_of

    assert [fold_of(b, 5) for b in ("b5", "b7", "b49", "dev")] == [0, 2, 4, 0]
    batches = {name: answers[:4] for name, answers in all_batches().items()
               if name in ("b1", "b2", "b3")}
    scored = cross_validate(batches, tmp_path, folds=2)
    assert set(scored) == {"b1", "b2", "b3"}
    assert {p.name for p in tmp_path.glob("cv-*.crfsuite")} == {
        "cv-0.crfsuite", "cv-0-clauses.crfsuite", "cv-1.crfsuite", "cv-1-clauses.crfsuite"}
    for written, _ in scored.values():
        assert sum(written.confusion.values()) > 0 and 0 < written.accuracy <= 1


def test_what_was_told_is_not_cut_from_the_telling():
    """"...told the Payments team what I had done": the question word opens what was told,
    not a new clause, whatever the clause model makes of it; a comma before it still lets a
    new clause start there."""
    from coach.analysis.text import words_from_text

    words = words_from_text("I rolled the change back myself within ten minutes and re-ran "
                            "every failed payment, then told the Payments team what I had "
                            "done and asked them how they wanted it logged.")
    starts = [words[a].text for a, _ in split_sentences(words)]
    assert "what" not in starts and "how" not in starts, starts


def test_a_new_batch_is_scored_blind_in_the_groups_its_first_score_is_logged_by():
    """``scripts/eval_segmenter.py --blind``: written answers, each register, then heard;
    a register with no answer left out; each line says the figures the log keeps."""
    from coach.analysis.labelled import parse_answers
    from coach.eval.segmenter import blind_groups, format_blind_row

    text = "\n\n".join(
        f"## b0-0{k}{suffix}\nquestion: fr-failure\nstyle: {style}, a nurse\nchecks:\n"
        "S: I was the nurse in charge that night.\nT: I had to give the round on time.\n"
        "A: I checked every chart and rang the doctor.\nR: Everyone got their dose by ten."
        for k, (style, suffix) in enumerate([("spoken", ""), ("spoken", ""), ("typed", ""),
                                             ("spoken", "-heard"), ("spoken nervously", "")],
                                            1))
    groups = dict(blind_groups(parse_answers(text, batch="b0")))
    assert [len(groups[g]) for g in groups] == [4, 1, 3, 1]  # the register: its first word
    assert list(groups) == ["written", "typed", "spoken", "heard"]
    row = format_blind_row("written", evaluate(groups["written"]), 4)
    import re

    assert row.startswith("written     4  words")
    assert re.search(r"Task found \d+/32 ", row)  # four answers of 8 Task words
    for rule in ("budget", "share"):  # each answer's verdict counted once
        counts = re.search(rf"{rule} (\d+)/(\d+)/(\d+)", row)
        assert counts and sum(int(n) for n in counts.groups()) == 4, row
