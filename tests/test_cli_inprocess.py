"""``conftest.invoke`` (a command run in this process) gives what ``python -m coach`` gives:
the CLI tests that use it rely on that."""

import pytest
from conftest import invoke, run_cli


@pytest.mark.parametrize("args", [
    ("--version",),                              # an eager option: typer.Exit
    ("history",),                                # success, Rich output
    ("export", "--format", "xml", "--all"),      # a CoachError: one line, exit 2
    ("drill", "sideways"),                       # Click's usage error, with the program name
    ("analyze", "--text", "/nonexistent/a.txt"),  # an InputError from deeper down
])
def test_same_exit_code_and_output_as_a_subprocess(args):
    here, there = invoke(*args), run_cli(*args)
    assert (here.returncode, here.stdout, here.stderr) == \
        (there.returncode, there.stdout, there.stderr)


def test_a_bug_is_not_an_exit_code(monkeypatch):
    """An exception main() does not map propagates, as the traceback a user would see."""
    import coach.cli.app

    def broken():
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(coach.cli.app, "_coaching", lambda *a: broken())
    with pytest.raises(ZeroDivisionError):
        invoke("analyze", "--text", __file__)


def test_a_part_with_time_but_no_sentence_marked_as_it_is_explained():
    from dataclasses import replace

    from rich.console import Console

    from coach.analysis.analyze import analyze_text
    from coach.analysis.report import Part
    from coach.cli.render import render_report

    report = analyze_text("The printer jammed on the morning of the exam. I was the one on "
                          "duty. I cleared it and reprinted the papers. We started on time.")

    def shown(r) -> str:
        console = Console(width=200, record=True)
        render_report(r, console)
        return console.export_text()

    assert "No sentence is clearly" not in shown(report)
    # the same timing, with every Action sentence shown as another part
    unmarked = replace(report, sentences=[
        replace(s, part=Part.situation) if s.part is Part.action else s
        for s in report.sentences])
    assert report.timing.action_s > 0.5
    assert "No sentence is clearly Action; its" in shown(unmarked)
    assert "that may be Action." in shown(unmarked)
    # the Task too (a table giving "Task 6.5 s" beside no Task sentence; b136-08)
    both = replace(report, sentences=[
        replace(s, part=Part.situation) if s.part in (Part.action, Part.task) else s
        for s in report.sentences])
    assert report.timing.task_s >= 1.0
    assert "No sentence is clearly Task or Action; their time" in shown(both)
    assert "that may be either." in shown(both)


def test_the_part_table_gives_the_action_share_the_verdict_gives():
    # 32.3 s of 157.4 s is 20.52%: rounded to 0.205 for the verdict ("20%"), the table had
    # said 21% under it (b135-12's report).
    from rich.console import Console

    from coach.analysis.report import Timing
    from coach.cli.render import part_table, verdicts

    t = Timing(total_s=157.4, situation_s=90.0, task_s=10.0, action_s=32.3, result_s=25.1,
               situation_task_s=100.0, situation_task_budget_s=50.0, situation_task_over_s=50.0,
               action_share=0.205, action_share_target=0.7, action_start_s=100.0,
               estimated=True)

    def shown(table) -> str:
        console = Console(width=100, record=True)
        console.print(table)
        return console.export_text()

    assert "20% (target 70%)" in shown(verdicts(t))
    action_row = next(line for line in shown(part_table(t)).splitlines() if "Action" in line)
    assert action_row.split()[-1] == "20%"


def test_a_question_in_software_words_says_another_wording_exists(monkeypatch):
    import io

    from rich.console import Console

    from coach.cli import console
    from coach.prompts import get_question

    def shown(question) -> str:
        buffer = io.StringIO()
        monkeypatch.setattr(console, "err", Console(file=buffer, width=300))
        console.ConsoleUI(False).question(question)
        return buffer.getvalue()

    hint = "'coach config wording everyday'"
    assert hint in shown(get_question("fr-outage"))
    assert hint not in shown(get_question("fr-outage", everyday=True))  # already chosen
    assert hint not in shown(get_question("fr-setback"))  # one wording only
