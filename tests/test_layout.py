"""The package draws the pipeline: imports only point down the layers, and never in a
circle (deferred imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "coach"

LAYERS = [
    ("coach", "coach.errors", "coach.words", "coach.prompts"),
    ("coach.audio",),
    ("coach.speech",),
    ("coach.analysis",),
    ("coach.sessions",),
    ("coach.practice", "coach.eval"),
    ("coach.cli", "coach.__main__"),
]
"""Bottom to top. A module may import its own layer and the ones below."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    best = None
    for n, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if module == p or (p != "coach" and module.startswith(p + ".")):
                best = n
    if best is None:
        raise AssertionError(f"{module} is in no layer: add its package to LAYERS")
    return best


def imports_of(path: Path) -> set[str]:
    """coach modules imported anywhere in the file (``from coach.x import y`` counts as
    coach.x.y when that is a module, else coach.x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "coach"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "coach":
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if sub in MODULES else node.module)
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {m: imports_of(p) - {m} for m, p in MODULES.items()}


def test_every_module_has_a_layer_and_imports_only_point_down():
    upward = [f"{m} (layer {layer_of(m)}) imports {t} (layer {layer_of(t)})"
              for m, targets in GRAPH.items() for t in targets if layer_of(t) > layer_of(m)]
    assert not upward, "\n".join(upward)


def test_no_import_cycles():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in sorted(GRAPH.get(m, ())):
            if t not in MODULES or t == "coach":
                continue
            if state.get(t) == 1:
                return stack[stack.index(t):] + [t]
            if t not in state and (cycle := visit(t)):
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(MODULES):
        if m not in state and (cycle := visit(m)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_the_recogniser_imports_no_analysis_and_words_import_nothing():
    assert not {t for t in GRAPH["coach.speech.whisper"] if t.startswith("coach.analysis")}
    assert GRAPH["coach.words"] == set()


def test_the_checker_catches_an_upward_import(tmp_path):
    """The walker itself works: a planted upward import is seen."""
    fake = tmp_path / "x.py"
    fake.write_text("def f():\n    from coach.cli.app import main\n")
    assert "coach.cli.app" in imports_of(fake)
