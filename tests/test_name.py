"""The program's name is spelled once (kiro_bootstrap.NAME); everything else derives from it."""

from __future__ import annotations

import ast
from pathlib import Path

import kiro_bootstrap
from kiro_bootstrap import NAME

PACKAGE = Path(kiro_bootstrap.__file__).parent


def test_the_name_is_spelled_only_in_the_package_init():
    spelled = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value == NAME:
                spelled.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert [place for place in spelled if not place.startswith("__init__.py:")] == []
    assert len(spelled) == 1


def test_version_names_the_program(cli):
    result = cli("--version")
    assert result.stdout.strip() == f"{NAME} {kiro_bootstrap.__version__}"
