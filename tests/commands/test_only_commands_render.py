"""Stages return typed outcomes; only the commands turn them into what a person reads."""

from __future__ import annotations

import ast
from pathlib import Path

import kiro_bootstrap

PACKAGE = Path(kiro_bootstrap.__file__).parent
# The renderer's types: what a command returns and the tones of its lines.
RENDERED = {"Result", "Tone"}
# Besides commands/: the boundary that emits results, and the "Next, in Kiro" block they share.
ALSO_RENDERING = {"cli.py", "next_steps.py"}


def renderer_imports(path: Path) -> set[str]:
    """Names taken from kiro_bootstrap.output anywhere in the module (functions included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "kiro_bootstrap.output":
            names |= {alias.name for alias in node.names}
    return names


def test_no_stage_builds_a_result() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(renderer_imports(path) & RENDERED)
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] != "commands"
        and str(path.relative_to(PACKAGE)) not in ALSO_RENDERING
        and renderer_imports(path) & RENDERED
    }
    assert offenders == {}
