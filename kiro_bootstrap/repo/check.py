"""`repo check`: every Kiro artefact in a repository, checked the way Kiro will read it."""

from __future__ import annotations

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
SPEC_FILES = ("requirements.md", "design.md", "tasks.md")
FILE_LEVEL_LINE = 1  # a problem with a whole file (or a missing one) points at its first line


@dataclass(frozen=True)
class Problem:
    """One thing to fix: a path relative to the repository, a line, a sentence."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def to_json(self) -> dict[str, object]:
        """The problem as a JSON object."""
        return {"path": self.path, "line": self.line, "message": self.message}


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
        problems += [Problem(relative, line, message) for line, message in rules(text)]
    return problems


def _with_secrets(rules: Callable[[str], list[Finding]]) -> Callable[[str], list[Finding]]:
    """Add the credential scan to a file's own rules (steering and hooks can leak tokens too)."""
    return lambda text: sorted(set(rules(text)) | set(secret_findings(text)))


def _spec_problems(top: Path) -> list[Problem]:
    folder = top / SPECS_DIR
    problems = []
    features = sorted(path for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []
    for feature in features:
        for name in SPEC_FILES:
            if not (feature / name).is_file():
                relative = (feature / name).relative_to(top).as_posix()
                message = f"missing: a spec needs {', '.join(SPEC_FILES)}"
                problems.append(Problem(relative, FILE_LEVEL_LINE, message))
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
