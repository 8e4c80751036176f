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
