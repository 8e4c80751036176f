"""Feedback in words: a short spoken summary (at most 45 seconds) and the full written one."""

from __future__ import annotations

from collections import Counter

from coach.analysis.delivery import MAYBE_WORD, maybe_legend
from coach.analysis.report import (
    NOT_SURE_MISSING,
    Check,
    Delivery,
    DeliveryReport,
    Feedback,
    FollowUp,
    Report,
    Timing,
    missing_signals,
    unsure_red_flags,
)
from coach.analysis.rubric import load_rubric
from coach.words import counted

SPOKEN_WPM = 150
SPOKEN_MAX_S = 45

LEVEL_HEADING = "Level this story shows (this one story, not how experienced you are)"
"""The level line's heading: the story's level, said so that a kitchen fitter with twenty
years behind him does not hear "entry level" said of himself (b135's second reading)."""


def _seconds(s: float) -> str:
    s = round(s)
    if s < 60:
        return counted(s, "second")
    m, r = divmod(s, 60)
    return counted(m, "minute") + (f" {counted(r, 'second')}" if r else "")


def action_share_said(share: float, target: float) -> str:
    """An Action share and its target (0-1) as said aloud, with their unit both times: a
    practice's feedback and a drill round's."""
    return (f"Action was {round(share * 100)} percent of the answer; the target is "
            f"{round(target * 100)} percent.")


def _first_sentence(text: str) -> str:
    """The first sentence; a long one is cut at its colon (the rest is detail)."""
    head = text.split(". ")[0].rstrip(".")
    if len(head.split()) > 20 and ": " in head:
        head = head.split(": ")[0]
    return head + "."


SAID_RANGE_MAX_S = 30
"""The widest Situation+Task range read aloud, in seconds. A wider one tells a listener
nothing ("somewhere from 17 to 83 seconds", said to a b142 speaker): the spoken line then
says the figure is rough, and the written report keeps the range."""
SAID_RANGE_MAX_SHARE = 0.30
"""The same for the Action share's range (0-1)."""


def timing_verdict(t: Timing, spoken: bool = False) -> str:
    """The two timing rules with their numbers, in one or two sentences. A verdict the
    segmenter's uncertainty could flip is not announced: the figure is given as "about",
    with the reason, and with its likely range unless ``spoken`` and the range is wider
    than ``SAID_RANGE_MAX_S`` (or ``SAID_RANGE_MAX_SHARE``)."""
    st = round(t.situation_task_s)
    budget = round(t.situation_task_budget_s)
    over = t.seconds_over_budget
    lo, hi = t.situation_task_range_s or (t.situation_task_s,) * 2
    rough = spoken and hi - lo > SAID_RANGE_MAX_S and not t.situation_task_verdict_sure
    if rough:
        where = "so that figure is rough"
    else:
        where = f"so it was somewhere from {round(lo)} to {round(hi)} seconds"
    took = "would take" if t.estimated else "took"  # a typed answer is timed by word count
    if t.situation_task_probably_over:
        first = (f"Situation and Task {took} about {st} seconds, probably over the {budget} "
                 f"second budget; I could not tell exactly where your background ended, "
                 f"{where}.")
    elif not t.situation_task_verdict_sure:
        first = (f"Situation and Task {took} about {st} seconds; I could not tell exactly "
                 f"where your background ended, {where}, and I can't tell whether it fit the "
                 f"{budget} second budget.")
    elif t.over_budget(t.situation_task_s):
        first = f"Situation and Task {took} {st} seconds, {over} over the {budget} second budget."
    else:
        first = f"Situation and Task {took} {st} seconds, within the {budget} second budget."
    share = round(t.action_share * 100)
    target = round(t.action_share_target * 100)
    if not t.action_share_verdict_sure:
        a_lo, a_hi = t.action_share_range or (t.action_share,) * 2
        if spoken and a_hi - a_lo > SAID_RANGE_MAX_SHARE:
            second = (f"Action was about {share} percent of the answer, against a target of "
                      f"{target} percent; I could not tell exactly where your actions started "
                      f"or ended, so that figure is rough{' too' if rough else ''}.")
        else:
            second = (f"Action was about {share} percent of the answer; I could not tell "
                      f"exactly where your actions started or ended, so it was somewhere from "
                      f"{round(a_lo * 100)} to {round(a_hi * 100)} percent, against a target "
                      f"of {target} percent.")
    else:
        second = action_share_said(t.action_share, t.action_share_target)
    return f"{first} {second}"


def top_red_flag(checks: dict[str, Check]) -> str | None:
    """The worst red flag found with confidence (an unsure one is never announced)."""
    rubric = load_rubric()
    return next((cid for cid in rubric.red_flag_priority
                 if cid in checks and checks[cid].found and checks[cid].sure), None)


def top_missing_signal(checks: dict[str, Check]) -> str | None:
    """The first signal missing with confidence: advice to add what the answer already
    has would contradict the person."""
    rubric = load_rubric()
    return next((cid for cid in rubric.signal_priority
                 if cid in checks and not checks[cid].found and checks[cid].sure), None)


def _spoken(report: Report, t: Timing) -> str:
    rubric = load_rubric()
    length = (f"Your answer would take about {_seconds(t.total_s)} to say." if t.estimated
              else f"Your answer took {_seconds(t.total_s)}.")  # typed: timed by word count
    parts = [length, timing_verdict(t, spoken=True)]
    flag = top_red_flag(report.checks)
    if flag:
        spec = rubric.checks[flag]
        parts.append(f"The biggest concern: {spec.title_in_sentence}. {_first_sentence(spec.why)}")
        parts.append(f"Next time: {_first_sentence(report.checks[flag].advice)}")
    else:
        possible = [cid for cid in rubric.red_flag_priority if cid in report.checks
                    and report.checks[cid].found]
        shown = {cid for cid in possible if not report.checks[cid].faint}
        found = [cid for cid in rubric.praise_priority or rubric.signal_priority
                 if report.checks.get(cid, None)
                 and report.checks[cid].found and report.checks[cid].sure
                 and not rubric.not_praised_beside.get(cid, frozenset()) & shown]
        if found and not possible and not unsure_red_flags(report.checks):
            parts.append(f"No red flags. Good: {rubric.checks[found[0]].praise}")
        elif found:
            parts.append(f"Good: {rubric.checks[found[0]].praise}")
        missing = top_missing_signal(report.checks)
        if missing:
            parts.append(f"Next time: {_first_sentence(report.checks[missing].advice)}")
    delivery = delivery_sentence(report)
    if delivery and _fits(parts + [delivery]):
        parts.append(delivery)
    if report.assessment and report.assessment.company:
        company = rubric.companies[report.assessment.company]
        extra = company.say
        if _fits(parts + [extra]):
            parts.append(extra)
    while not _fits(parts) and len(parts) > 2:
        parts.pop()
    return " ".join(parts)


def delivery_sentence(report: Report) -> str | None:
    """One sentence on the delivery figure furthest off its target, or None."""
    from coach.analysis.delivery import delivery_rules

    d = report.delivery
    if d is None or d.overall.words < 20:
        return None
    rules = delivery_rules()
    o = d.overall
    if o.fillers_per_minute > rules.fillers_per_minute_max:
        top = max(d.parts.items(), key=lambda kv: len(kv[1].fillers), default=None)
        where = (f", {len(top[1].fillers)} of them in the {top[0].capitalize()}"
                 if top and len(top[1].fillers) else "")
        word = Counter(m.text for m in o.fillers).most_common(1)[0][0]
        times = "once" if len(o.fillers) == 1 else f"{len(o.fillers)} times"
        return (f"You used filler words {times}{where}; \"{word}\" most. "
                "Pause silently instead.")
    if not report.paced:  # a typed answer's pace is only its word count's
        return None
    if o.wpm > d.wpm_range[1] + 15:
        return f"You spoke at {o.wpm:.0f} words a minute; slow down to {d.wpm_range[1]:.0f}."
    if o.wpm < d.wpm_range[0] - 20:
        return f"You spoke at {o.wpm:.0f} words a minute; aim for {d.wpm_range[0]:.0f}."
    return None


def _fits(parts: list[str]) -> bool:
    words = sum(len(p.split()) for p in parts)
    return words / SPOKEN_WPM * 60 <= SPOKEN_MAX_S


def _evidence_lines(check: Check, limit: int = 3) -> list[str]:
    return [f'      "{e.text}" ({e.start:.1f}-{e.end:.1f} s)' for e in check.quotes[:limit]]


def _written(report: Report, t: Timing) -> str:
    rubric = load_rubric()
    lines = ["TIMING",
             f"  Answer length: {t.total_s:.1f} s"
             + (" (estimated from word count)" if t.estimated else ""),
             f"  {timing_verdict(t)}"]
    for span in report.parts:
        lines.append(f"  {span.part:<9} {span.start:7.1f}-{span.end:7.1f} s "
                     f"({span.duration_s:.1f} s)")
    flags = [(cid, c) for cid, c in report.checks.items() if c.kind == "red_flag" and c.found]
    lines.append("")
    lines.append("RED FLAGS" if flags else "RED FLAGS: none found")
    for cid, c in flags:
        heading, why, advice = rubric.flag_shown(cid, c)
        lines += [f"  {heading}: {why}", *_evidence_lines(c), f"    Stronger: {advice}"]
    signals = [(cid, c) for cid, c in report.checks.items() if c.kind == "signal"]
    present = [(cid, c) for cid, c in signals if c.found]
    missing = [(cid, report.checks[cid]) for cid in missing_signals(report.checks, sure=True)]
    unsure = [(cid, report.checks[cid]) for cid in missing_signals(report.checks, sure=False)]
    if present:
        lines += ["", "SIGNALS PRESENT"]
        for cid, c in present:
            mark = "✔" if c.sure else "? Probably:"
            lines += [f"  {mark} {rubric.checks[cid].title}: {c.why}", *_evidence_lines(c, 2)]
    if missing:
        lines += ["", "SIGNALS MISSING"]
        for cid, c in missing:
            lines.append(f"  · {rubric.checks[cid].title}: {c.advice}")
    if unsure:
        heading, hint = NOT_SURE_MISSING
        lines += ["", f"{heading.upper()} ({hint})"]
        for cid, c in unsure:
            lines.append(f"  ? {rubric.checks[cid].title}: {c.advice}")
    a = report.assessment
    if a:
        lines += ["", "LEVEL",
                  f"  {LEVEL_HEADING}: {rubric.level_shown(a.level, a.could_be)}. "
                  f"{a.level_reason}".rstrip()]
        if a.target_level:
            order = [lv.id for lv in rubric.levels]
            ok = order.index(a.level) >= order.index(a.target_level)
            lines.append(f"  Target: {rubric.level_label(a.target_level, with_code=True)} "
                         + ("(met)" if ok else "(not yet met)"))
            pitfall = report.checks.get("single_team_scope")
            if pitfall is not None and pitfall.found and pitfall.sure:
                lines.append(f"  Pitfall: {rubric.pitfalls['team_only_scope_at_senior']}")
        if a.company:
            company = rubric.companies[a.company]
            lines += ["", f"{company.name.upper()} LENS", f"  Looks for: {company.looks_for}",
                      f"  What matters most to them: {company.emphasis}"]
            # The company's signs among the signals listed above as missing, or unsure.
            lacking, doubted = ([rubric.checks[s].title for s in company.stress if s in ids]
                                for ids in ({cid for cid, _ in missing},
                                            {cid for cid, _ in unsure}))
            if lacking:
                lines.append(f"  Missing for {company.name}: {', '.join(lacking)}.")
            if doubted:  # not "missing (not sure)": say them more plainly
                lines.append(f"  Say more plainly for {company.name}: {', '.join(doubted)}.")
    d = report.delivery
    if d:
        lines += ["", *(_spoken_delivery(d) if report.paced else _typed_delivery(d))]
    f = report.follow_up
    if f:
        lines += ["", "FOLLOW-UP", f"  Question: {f.question}"]
        if f.reply is not None:
            lines += [f'  Your reply: "{f.reply}"', f"  {f.verdict}"]
    return "\n".join(lines)


def _delivery_counts(x: Delivery) -> str:
    return f'{counted(len(x.hedges), MAYBE_WORD)}, "I" {x.i_count} / "we" {x.we_count}'


def _spoken_delivery(d: DeliveryReport) -> list[str]:
    """The written report's delivery of a spoken answer: pace, fillers with their times,
    long pauses."""
    lines = ["DELIVERY"]
    for name, x in [("overall", d.overall), *d.parts.items()]:
        lines.append(f"  {name:<9} {x.wpm:5.0f} words a minute, "
                     f"{counted(len(x.fillers), 'filler')} "
                     f"({x.fillers_per_minute:.1f} a minute), "
                     f"{counted(len(x.long_pauses), 'long pause')}, " + _delivery_counts(x))
    if d.overall.fillers:
        lines.append("  fillers at: " + ", ".join(f"{m.text} {m.start:.1f}s"
                                                  for m in d.overall.fillers[:20]))
    lines.append(f"  (pace target {d.wpm_range[0]:.0f}-{d.wpm_range[1]:.0f} words a minute; "
                 f"{maybe_legend(d.overall)})")
    return lines


def _typed_delivery(d: DeliveryReport) -> list[str]:
    """A typed answer's: no pace and no pauses, since its times are only its word count's."""
    lines = ["DELIVERY (typed: no pace or pauses)"]
    for name, x in [("overall", d.overall), *d.parts.items()]:
        lines.append(f"  {name:<9} {counted(len(x.fillers), 'filler')}, " + _delivery_counts(x))
    if d.overall.fillers:
        lines.append("  fillers: " + ", ".join(m.text for m in d.overall.fillers[:20]))
    lines.append(f"  ({maybe_legend(d.overall)})")
    return lines


SHORT_REPLY_WORDS = 12
"""A reply this short that names what its question asks (``on_topic_when_said``) is never
told surely that it did not answer: longer replies beside the point name a manager or a
time in passing (20 of the rewordings' beside-the-point replies to "who did you tell")."""


def judge_reply_class(f: FollowUp) -> tuple[str, bool]:
    """("strong", "weak" or "offtopic", sure): the learned reply judge for a question whose
    topic it knows (``prompts/replies.toml``), not sure below ``SURE_REPLY`` nor when a
    weak or offtopic verdict's advice would ask for what the reply names
    (``unsure_when_said``), nor weak when the red flag it rests on was found in the reply
    but not surely; else the rubric's rules (not an answer to the question / its red flag /
    its signal). (The sign the question asks for found by its rule does not overrule the
    judge: the rules credit a fix the vendor made and a habit of care, which the people who
    labelled the replies call weak.)"""
    from coach.analysis.reply_features import load_reply_cues, says_any
    from coach.analysis.reply_model import SURE_REPLY, reply_features, reply_model
    from coach.analysis.segment import normalize

    rule = load_rubric().follow_up_for(f.gap)
    if not f.reply or rule is None:
        return ("offtopic" if not f.reply else "weak"), True
    found = {cid for cid, c in f.checks.items() if c.found}
    model = reply_model()
    cues = load_reply_cues()
    if model is not None and cues.topic_of(rule) is not None:
        j = model.judge(reply_features(rule, f.reply, found))
        sure = j.probability >= SURE_REPLY
        said = cues.verdicts[rule.when]
        if j.label != "strong" and says_any(f.reply, said.unsure_when_said, cues):
            sure = False  # its advice would ask for what the reply just named
        if j.label == "offtopic" and len(f.reply.split()) <= SHORT_REPLY_WORDS and \
                says_any(f.reply, said.on_topic_when_said, cues):
            sure = False  # a short reply naming what was asked ("My supervisor, at once.")
        if j.label == "weak" and rule.bad in found and not _surely_found(f, rule.bad):
            sure = False  # the weakness it hears may not be there
        return j.label, sure
    if not rule.answers(normalize(f.reply)):
        return "offtopic", True
    if rule.bad and rule.bad in found:
        return "weak", _surely_found(f, rule.bad)
    return ("strong" if rule.good in found else "weak"), True


def _surely_found(f: FollowUp, check_id: str | None) -> bool:
    check = f.checks.get(check_id) if check_id else None
    return check is not None and check.found and check.sure


def reply_verdict(f: FollowUp) -> str:
    """One or two plain sentences on the reply (``prompts/replies.toml``): whether it
    answered the question, weakly or well, or that the coach is not sure; a strong reply
    that also holds a red flag gets one thing to change."""
    from coach.analysis.reply_features import load_reply_cues

    rubric = load_rubric()
    if not f.reply:
        return "No reply was heard."
    rule = rubric.follow_up_for(f.gap)
    if rule is None:  # a gap without a follow-up rule: nothing to judge against
        return "Thanks for the reply."
    verdicts = load_reply_cues().verdicts[rule.when]
    if f.judgement:
        judgement, sure = f.judgement, f.judgement_sure
    else:
        judgement, sure = judge_reply_class(f)
    if not sure:
        return verdicts.unsure
    text = verdicts.say(judgement)
    flag = top_red_flag(f.checks)
    if judgement == "strong" and flag and flag != rule.bad:
        text += f" One thing to change: {_first_sentence(rubric.checks[flag].advice)}"
    return text


def make_feedback(report: Report) -> Feedback:
    if report.timing is None:
        return Feedback(spoken="I did not hear an answer to analyse.",
                        written="No answer to analyse: the transcript is empty.")
    return Feedback(spoken=_spoken(report, report.timing),
                    written=_written(report, report.timing))
