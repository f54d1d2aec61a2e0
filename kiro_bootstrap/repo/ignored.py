"""Whether the repository's ignore rules would hide what `repo init` writes (`git check-ignore`).

A `.gitignore` that already holds `.kiro/` makes `git add -A` stage nothing of the scaffold;
saying "commit .kiro/" then would be wrong. The rule at fault is named with its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiro_bootstrap.host.runner import Runner
from kiro_bootstrap.repo.check import printable

GIT_TIMEOUT_SECONDS = 10.0
_FIELDS = 4  # with -z --verbose: source, line number, pattern, path


@dataclass(frozen=True)
class IgnoreRule:
    """One ignore rule and the paths of ours it hides."""

    source: str
    line: int
    pattern: str
    paths: tuple[str, ...]

    def advice(self) -> str:
        """What to change, exactly."""
        shown = self.paths[0] + (f" and {len(self.paths) - 1} more" if len(self.paths) > 1 else "")
        return (
            f"{self.source} line {self.line} ({self.pattern}) hides {shown} that repo init "
            f"writes: delete that line (repo init keeps personal files out with "
            f"`.kiro/settings/*.local.json`), then `git add .kiro .gitignore`."
        )

    def to_json(self) -> dict[str, object]:
        """The rule as a JSON object."""
        return {
            "source": self.source,
            "line": self.line,
            "pattern": self.pattern,
            "paths": list(self.paths),
        }


def ignoring_rules(top: Path, relatives: list[str], runner: Runner) -> list[IgnoreRule]:
    """The rules that hide any of `relatives` (empty when git is missing or nothing is hidden)."""
    if not relatives:
        return []
    answer = runner(
        ["git", "-C", str(top), "check-ignore", "-z", "--stdin", "--verbose", "--no-index"],
        timeout=GIT_TIMEOUT_SECONDS,
        input="".join(f"{relative}\0" for relative in relatives),
    )
    fields = answer.stdout.split("\0")
    hidden: dict[tuple[str, int, str], list[str]] = {}
    for start in range(0, len(fields) - _FIELDS + 1, _FIELDS):
        source, line, pattern, path = fields[start : start + _FIELDS]
        if pattern.startswith("!") or not line.isdigit():
            continue  # a negated rule re-includes the path: nothing to change
        key = (printable(source), int(line), printable(pattern))
        hidden.setdefault(key, []).append(printable(path))
    return [IgnoreRule(*key, tuple(paths)) for key, paths in hidden.items()]
