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
        console = Console(width=100, record=True)
        render_report(r, console)
        return console.export_text()

    assert "No sentence is marked" not in shown(report)
    # the same timing, with every Action sentence shown as another part
    unmarked = replace(report, sentences=[
        replace(s, part=Part.situation) if s.part is Part.action else s
        for s in report.sentences])
    assert report.timing.action_s > 0.5
    assert "No sentence is marked Action; its" in shown(unmarked)
    assert "s is how likely the" in shown(unmarked)
