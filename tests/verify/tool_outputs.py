"""Load tests/fixtures/tool_outputs/*: drop the `#` header (each file's source) and a blank line."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "tool_outputs"


def tool_output(name: str) -> str:
    """The tool's output as it would print it."""
    lines = (FOLDER / name).read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0].startswith("# source:"), f"{name} must start with its source"
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    assert lines[0].strip() == "", f"{name}: a blank line must follow the header"
    return "".join(lines[1:])
