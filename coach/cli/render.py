"""The terminal view of a report (Rich)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from coach.analysis.delivery import MAYBE_WORD, maybe_legend
from coach.analysis.feedback import LEVEL_HEADING
from coach.analysis.report import (
    NOT_SURE_MISSING,
    PARTS,
    Part,
    Report,
    Sentence,
    Timing,
    missing_signals,
    unsure_red_flags,
)

COLOURS = {"situation": "blue", "task": "magenta", "action": "green", "result": "yellow"}
LETTERS = {"situation": "S", "task": "T", "action": "A", "result": "R"}


def timeline(report: Report, width: int = 60) -> Text:
    """A bar with each part's width proportional to its time and the budget mark drawn."""
    t = report.timing
    spans = report.parts
    if not t or not spans or t.total_s <= 0:
        return Text("(no timeline)")
    t0 = spans[0].start
    scale = width / t.total_s
    bar = Text()
    used = 0
    for i, s in enumerate(spans):
        end_col = width if i == len(spans) - 1 else round((s.end - t0) * scale)
        cells = max(0, end_col - used)
        label = LETTERS[s.part] if cells else ""
        bar.append(label.ljust(cells), style=f"bold white on {COLOURS[s.part]}")
        used += cells
    mark_col = round(t.situation_task_budget_s * scale)
    ruler = Text()
    if mark_col < width:
        ruler.append(" " * mark_col + "▲ ")
        ruler.append(f"{t.situation_task_budget_s:.0f} s budget", style="bold red")
    else:
        ruler.append(f"(the {t.situation_task_budget_s:.0f} s budget mark lies past the end)",
                     style="dim")
    axis = Text(f"0 s{' ' * (width - 3 - len(f'{t.total_s:.0f} s'))}{t.total_s:.0f} s",
                style="dim")
    return Text("\n").join([bar, ruler, axis])


def _mark(ok: bool, sure: bool) -> Text:
    if not sure:
        return Text("?", style="yellow")
    return Text("✔" if ok else "✘", style="green" if ok else "red")


def verdicts(t: Timing) -> Table:
    """The two timing rules; "?" where the likely range crosses the limit."""
    table = Table.grid(padding=(0, 2))
    ok_st = not t.over_budget(t.situation_task_s)
    over = t.seconds_over_budget
    st_range = (f", likely {t.situation_task_range_s[0]:.0f}-{t.situation_task_range_s[1]:.0f} s"
                if t.situation_task_range_s and not t.situation_task_verdict_sure else "")
    table.add_row(
        _mark(ok_st, t.situation_task_verdict_sure),
        "Situation + Task",
        f"{t.situation_task_s:.0f} s of {t.situation_task_budget_s:.0f} s budget "
        + (f"({over} s over{st_range})" if over > 0
           else f"({-over} s under{st_range})" if over < 0
           else f"(right on budget{st_range})"),
    )
    ok_a = t.meets_share(t.action_share)
    start = f", starts at {t.action_start_s:.0f} s" if t.action_start_s is not None else ""
    a_range = (f", likely {t.action_share_range[0] * 100:.0f}-{t.action_share_range[1] * 100:.0f}%"
               if t.action_share_range and not t.action_share_verdict_sure else "")
    table.add_row(
        _mark(ok_a, t.action_share_verdict_sure),
        "Action share",
        f"{t.action_share * 100:.0f}% (target {t.action_share_target * 100:.0f}%{a_range}){start}",
    )
    return table


def part_table(t: Timing) -> Table:
    table = Table(show_header=True, header_style="bold", box=None)
    table.add_column("Part")
    table.add_column("Time", justify="right")
    table.add_column("Share", justify="right")
    for p in PARTS:
        secs = getattr(t, f"{p}_s")
        # The Action's share as the verdict above gives it (its own rounding: a table
        # saying 21% under a verdict of 20% was read as two figures; b135-12).
        share = (t.action_share if p == "action" else secs / t.total_s if t.total_s else 0) * 100
        table.add_row(Text(p.capitalize(), style=COLOURS[p]), f"{secs:.1f} s", f"{share:.0f}%")
    table.add_row("Total", f"{t.total_s:.1f} s", "")
    return table


NOTED_PARTS = (Part.task, Part.action)
"""The parts whose time, with no sentence marked as them, gets a note. Not the Situation or
the Result, which a report seldom leaves unmarked and whose time nobody asked about."""


def unmarked_parts_note(t: Timing, sentences: Sequence[Sentence]) -> list[Text]:
    """Why the Task or the Action has time where no sentence is marked as it: the times
    count a sentence as partly each part it may be. (9 of b133's 30 reports gave an Action
    time with no sentence marked Action, and 3 of b136's a Task time with no Task sentence;
    readers took both for mistakes.)"""
    marked = {s.part for s in sentences}
    unmarked = [p.value.capitalize() for p in NOTED_PARTS
                if sentences and p not in marked and getattr(t, f"{p.value}_s") >= 1.0]
    if not unmarked:
        return []
    where = ("the unsure sentences (?)" if any(s.uncertain for s in sentences)
             else "the other sentences")
    names = " or ".join(unmarked)
    whose, which = ("its", names) if len(unmarked) == 1 else ("their", "either")
    return [Text(f"No sentence is clearly {names}; {whose} time comes from {where} that may "
                 f"be {which}.", style="dim")]


def transcript_text(report: Report) -> Text:
    out = Text()
    for s in report.sentences:
        style = COLOURS.get(s.part or "", "")
        out.append(f"[{s.start:5.1f}] ", style="dim")
        letter = LETTERS.get(s.part or "", "?")
        out.append(f"{letter}{'?' if s.uncertain else ' '} ", style=f"bold {style}")
        out.append(s.text + "\n", style=style + (" italic" if s.uncertain else ""))
    if any(s.uncertain for s in report.sentences):
        out.append("? = not sure which part this sentence belongs to\n", style="dim")
    return out


def coaching_panel(report: Report) -> Panel:
    """Red flags with their evidence and advice, signals, level, company, follow-up."""
    from coach.analysis.rubric import load_rubric

    rubric = load_rubric()
    body = Text()
    flags = [(cid, c) for cid, c in report.checks.items() if c.kind == "red_flag" and c.found]
    unsure_absent = unsure_red_flags(report.checks)
    if not flags and not unsure_absent:
        body.append("✔ No red flags\n", style="bold green")
    elif not flags:
        body.append("No red flags found (not sure about: "
                    + "; ".join(rubric.checks[cid].title for cid in unsure_absent) + ")\n",
                    style="green")
    for cid, c in flags:
        heading, why, advice = rubric.flag_shown(cid, c)
        body.append(heading, style="bold red" if c.sure else "bold yellow")
        body.append(f" — {why}\n")
        for e in c.quotes[:2]:
            body.append(f"    [{e.start:5.1f} s] \"{e.text}\"\n", style="italic")
        body.append(f"    → {advice}\n", style="cyan")
    signals = [(cid, c) for cid, c in report.checks.items() if c.kind == "signal"]
    have = [rubric.checks[cid].title + ("" if c.sure else " (probably)")
            for cid, c in signals if c.found]
    lack = [rubric.checks[cid].title for cid in missing_signals(report.checks, sure=True)]
    # Apart from the sure ones, as the HTML page and the written report have them: in one
    # list with "(not sure)" after each, b132's second reader took them as claims (46 of
    # the 55 things a report called missing that the answer tells).
    doubt = [rubric.checks[cid].title for cid in missing_signals(report.checks, sure=False)]
    if have:
        body.append("\n✔ Present: ", style="bold green")
        body.append(", ".join(have) + "\n")
    if lack:
        body.append("· Missing: ", style="bold yellow")
        body.append(", ".join(lack) + "\n")
    if doubt:
        heading, hint = NOT_SURE_MISSING
        body.append(f"? {heading} ({hint}): ", style="yellow")
        body.append(", ".join(doubt) + "\n")
    a = report.assessment
    if a:
        body.append(f"\n{LEVEL_HEADING}: ", style="bold")
        body.append(rubric.level_shown(a.level, a.could_be) + (
            f"; target {rubric.level_label(a.target_level, with_code=True)}"
            if a.target_level else ""))
        body.append(f". {a.level_reason}\n" if a.level_reason else ".\n", style="dim")
        if a.company:
            company = rubric.companies[a.company]
            body.append(f"{company.name}: ", style="bold")
            body.append(company.emphasis + "\n")
    if report.follow_up:
        body.append("\nFollow-up: ", style="bold cyan")
        body.append(report.follow_up.question + "\n")
    return Panel(body, title="Coaching: owning a failure and bouncing back")


def _heading(words: str) -> str:
    """``words`` with their first letter a capital ('"maybe" words' -> '"Maybe" words')."""
    return re.sub(r"[a-z]", lambda m: m.group().upper(), words, count=1)


UNSURE_WORDS = _heading(f"{MAYBE_WORD}s")
"""The heading of the hedges counted (``maybe_legend``): ``MAYBE_WORD``, as a heading."""
I_WE = '"I" / "we"'


def delivery_table(report: Report) -> Table:
    d = report.delivery
    if d is None:
        return Table(title="Delivery: not measured")
    lo, hi = d.wpm_range
    paced = report.paced  # a typed answer has no pace or pauses of its own
    title = (f"Delivery (pace target {lo:.0f}-{hi:.0f} words a minute)" if paced
             else "Delivery (typed: no pace or pauses to measure)")
    table = Table(title=title, box=None, header_style="bold",
                  # a Text, not markup: the words come from a saved session, read back
                  caption=Text(_heading(maybe_legend(d.overall))), caption_justify="left")
    # Everyday words: "Hedges" meant nothing to a nurse or a referee (b134's second reading).
    columns = ("Part", "Pace", "Fillers", "Long pauses", UNSURE_WORDS, I_WE) if paced else \
        ("Part", "Fillers", UNSURE_WORDS, I_WE)
    for col in columns:
        table.add_column(col, justify="left" if col == "Part" else "right")
    for name, x in [("Overall", d.overall), *((p.capitalize(), v) for p, v in d.parts.items())]:
        if paced:
            cells: list[str | Text] = [
                Text(f"{x.wpm:.0f}/min", style="green" if lo <= x.wpm <= hi else "yellow"),
                f"{len(x.fillers)} ({x.fillers_per_minute:.1f}/min)", str(len(x.long_pauses))]
        else:
            cells = [str(len(x.fillers))]
        table.add_row(Text(name, style=COLOURS.get(name.lower(), "bold")), *cells,
                      str(len(x.hedges)), f"{x.i_count} / {x.we_count}")
    return table


def render_report(report: Report, console: Console) -> None:
    title = report.question.text if report.question else "Your answer"
    if report.timing is None:
        console.print(Panel(report.feedback.written, title=title))
        return
    t = report.timing
    est = " (times estimated from word count)" if t.estimated else ""
    body = Group(timeline(report), Text(""), verdicts(t), Text(""), part_table(t),
                 *unmarked_parts_note(t, report.sentences))
    console.print(Panel(body, title=title, subtitle=f"{t.total_s:.0f} s answer{est}"))
    console.print(Panel(transcript_text(report), title="Transcript by part"))
    if report.delivery:
        console.print(delivery_table(report))
    if report.checks:
        console.print(coaching_panel(report))
    console.print(Panel(Text(report.feedback.spoken), title="Spoken summary"))


def render_session_line(report: Report, session_id: str, path: Path,
                        console: Console) -> None:
    """Where the session is kept; when the coach was unsure where the parts split, how to
    set them (``coach relabel``: the figures, history and drills then use the person's),
    with the sessions folder when it is not the usual one."""
    import shlex

    from coach.sessions.store import default_root

    console.print(f"Session {session_id}: {path}", style="dim", markup=False, highlight=False)
    t = report.timing
    if t and not report.corrected and not (t.situation_task_verdict_sure
                                           and t.action_share_verdict_sure):
        root = path.parent
        folder = "" if root == default_root() else f" --sessions-dir {shlex.quote(str(root))}"
        console.print(f"Parts split in the wrong place? Set them yourself: coach relabel "
                      f"{session_id}{folder}", style="dim", markup=False, highlight=False)
