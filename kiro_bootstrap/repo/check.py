"""`repo check`: every Kiro artefact in a repository, checked the way Kiro will read it."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiro_bootstrap.repo.hooks import HOOK_SUFFIX, hook_findings
from kiro_bootstrap.repo.mcp import mcp_findings, secret_findings
from kiro_bootstrap.repo.steering import Finding, steering_findings

KIRO_DIR = ".kiro"
STEERING_DIR = f"{KIRO_DIR}/steering"
HOOKS_DIR = f"{KIRO_DIR}/hooks"
SPECS_DIR = f"{KIRO_DIR}/specs"
MCP_FILE = f"{KIRO_DIR}/settings/mcp.json"
# A spec starts from requirements, or from a bug report for bugfix specs (kiro.dev/docs/specs).
SPEC_STARTS = ("requirements.md", "bugfix.md")
SPEC_FILES = ("design.md", "tasks.md")
FILE_LEVEL_LINE = 1  # a problem with a whole file (or a missing one) points at its first line
# Unicode categories never printed raw: controls (newlines, ESC), format characters
# (bidirectional overrides), line and paragraph separators, unassigned and surrogates.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cn", "Cs"})


def printable(text: str) -> str:
    """`text` with every control or invisible formatting character shown as an escape.

    A file name in a pull request can hold a newline and `::error ...` (a CI workflow
    command) or a terminal escape sequence; printed raw, it would act instead of being read.
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if unicodedata.category(char) in _HIDDEN_CATEGORIES:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    """One thing to report: a path relative to the repository, a line, a sentence.

    A warning is printed but does not fail the check: Kiro reads the file, perhaps not as meant.
    """

    path: str
    line: int
    message: str
    warning: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", printable(self.path))
        object.__setattr__(self, "message", printable(self.message))

    def __str__(self) -> str:
        severity = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {severity}{self.message}"

    def to_json(self) -> dict[str, object]:
        """The problem as a JSON object."""
        return {
            "path": self.path,
            "line": self.line,
            "severity": "warning" if self.warning else "error",
            "message": self.message,
        }


def _read(path: Path) -> tuple[str | None, str | None]:
    """(text, None) or (None, why it cannot be read)."""
    try:
        return path.read_text("utf-8"), None
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    except OSError as error:
        return None, f"cannot be read ({error.strerror})"


def _check_files(
    top: Path, files: list[Path], rules: Callable[[str], list[Finding]]
) -> list[Problem]:
    problems = []
    for path in files:
        relative = path.relative_to(top).as_posix()
        text, unreadable = _read(path)
        if text is None:
            problems.append(Problem(relative, FILE_LEVEL_LINE, f"the file {unreadable}"))
            continue
        problems += [Problem(relative, *finding) for finding in rules(text)]
    return problems


def _with_secrets(rules: Callable[[str], list[Finding]]) -> Callable[[str], list[Finding]]:
    """Add the credential scan to a file's own rules (steering and hooks can leak tokens too)."""
    return lambda text: sorted(set(rules(text)) | set(secret_findings(text)))


def has_errors(problems: list[Problem]) -> bool:
    """True when a problem is more than a warning (`repo check` then exits 2)."""
    return any(not problem.warning for problem in problems)


def _spec_problems(top: Path) -> list[Problem]:
    folder = top / SPECS_DIR
    problems = []
    features = sorted(path for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []
    needs = f"a spec needs {' or '.join(SPEC_STARTS)}, {', '.join(SPEC_FILES)}"
    for feature in features:
        relative = feature.relative_to(top).as_posix()
        if not any((feature / name).is_file() for name in SPEC_STARTS):
            names = " or ".join(SPEC_STARTS)
            problems.append(Problem(f"{relative}/{names}", FILE_LEVEL_LINE, f"missing: {needs}"))
        for name in SPEC_FILES:
            if not (feature / name).is_file():
                problems.append(Problem(f"{relative}/{name}", FILE_LEVEL_LINE, f"missing: {needs}"))
    return problems


def check_repository(top: Path) -> list[Problem]:
    """Every problem in the repository's `.kiro/` folder, in path and line order."""
    steering = sorted((top / STEERING_DIR).glob("*.md"))
    hooks = sorted((top / HOOKS_DIR).glob(f"*{HOOK_SUFFIX}"))
    mcp = [top / MCP_FILE] if (top / MCP_FILE).is_file() else []
    problems = (
        _check_files(top, steering, _with_secrets(steering_findings))
        + _check_files(top, hooks, _with_secrets(hook_findings))
        + _check_files(top, mcp, mcp_findings)
        + _spec_problems(top)
    )
    return sorted(problems, key=lambda problem: (problem.path, problem.line))


def count_checked(top: Path) -> int:
    """How many files `check_repository` reads (for the summary line)."""
    steering = len(list((top / STEERING_DIR).glob("*.md")))
    hooks = len(list((top / HOOKS_DIR).glob(f"*{HOOK_SUFFIX}")))
    return steering + hooks + int((top / MCP_FILE).is_file())
