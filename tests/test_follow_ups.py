"""Replies to follow-up questions are judged on the question first: the seed's weak and
strong replies, reworded by three other writers, and replies that do not answer at all."""

from pathlib import Path

from coach.eval.follow_ups import cross_validate, judge, load_rewordings

DATA = Path(__file__).parent / "data" / "checks"


def rewordings():
    return [e for p in sorted(DATA.glob("follow_up_rewordings*.txt")) for e in load_rewordings(p)]


def test_rewordings_cover_every_follow_up_and_kind():
    entries = rewordings()
    assert len(entries) >= 100
    assert {(e.follow_up, e.expect) for e in entries} == {
        (n, k) for n in (1, 2, 3, 4) for k in ("weak", "strong", "offtopic")}


def test_replies_by_a_writer_the_judge_never_saw():
    """The reply judge trained without one writer's batch judges that batch."""
    folds = cross_validate(rewordings())
    held_out = folds["follow_up_rewordings_3"]
    right = sum(j.right for j in held_out)
    assert right / len(held_out) >= 0.8, [(j.entry.id, j.judgement) for j in held_out
                                          if not j.right]
    assert all(j.right for j in held_out if j.entry.expect == "offtopic")


def test_retelling_the_story_does_not_answer_who_was_told():
    entry = next(e for e in rewordings() if e.follow_up == 2 and e.expect == "offtopic")
    judged = judge(entry)
    assert judged.judgement == "offtopic"
    assert judged.verdict.startswith("Your reply did not answer the question")
