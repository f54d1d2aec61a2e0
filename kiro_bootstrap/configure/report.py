"""What a configure (or removal) run did or would do, for people and for JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from kiro_bootstrap.configure.files import mask_secrets, unified_diff
from kiro_bootstrap.configure.reconcile import FilePlan
from kiro_bootstrap.settings.model import Settings

if TYPE_CHECKING:
    from kiro_bootstrap.logs import Events

Change = Literal["created", "updated", "unchanged", "removed", "skipped-needs-admin"]


@dataclass(frozen=True)
class FileReport:
    """One file (or registry key): what happened to it, and the diff (secrets masked)."""

    path: Path
    label: str
    scope: str
    change: Change
    diff: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        data = {"path": str(self.path), "label": self.label, "scope": self.scope}
        data["change"] = self.change
        if self.diff:
            data["diff"] = self.diff
        return data


@dataclass
class ConfigureReport:
    """Every file touched, warnings, and what an administrator still has to run."""

    dry_run: bool
    files: list[FileReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    admin_commands: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when a file was (or, in a dry run, would be) written or removed."""
        return any(item.change in ("created", "updated", "removed") for item in self.files)

    @classmethod
    def from_json(cls, data: Any) -> ConfigureReport:
        """A report sent by the person-side step (untrusted: only known shapes are kept)."""
        data = data if isinstance(data, dict) else {}
        report = cls(dry_run=bool(data.get("dry_run", False)))
        for item in data.get("files", []) if isinstance(data.get("files"), list) else []:
            change = item.get("change") if isinstance(item, dict) else None
            if change in ("created", "updated", "unchanged", "removed"):
                report.files.append(
                    FileReport(Path(str(item.get("path"))), str(item.get("label", "")),
                               "user", change, str(item.get("diff", "")))
                )  # fmt: skip
        warnings = data.get("warnings")
        report.warnings = [str(text) for text in warnings] if isinstance(warnings, list) else []
        return report

    def log_actions(self, events: Events) -> None:
        """Each file written (or that would be) in the run log, with its path."""
        for item in self.files:
            if item.change != "unchanged":
                what = f"{'would be ' if self.dry_run else ''}{item.change}: {item.label}"
                events.action(what, item.path, scope=item.scope, dry_run=self.dry_run)
        for command in self.admin_commands:
            events.decision("left for an administrator", "this run may not write it", run=command)

    def to_json(self) -> dict[str, Any]:
        """The JSON fields of the command's envelope."""
        return {
            "dry_run": self.dry_run,
            "changed": self.changed,
            "files": [item.to_json() for item in self.files],
            "warnings": list(self.warnings),
            "admin_commands": list(self.admin_commands),
        }


def settings_secrets(settings: Settings) -> list[str]:
    """Secret strings the organisation's settings carry (proxy credentials, MCP env, headers)."""
    secrets: list[str] = []
    proxy = urlsplit(settings.network.proxy) if settings.network.proxy else None
    if proxy is not None and proxy.password:
        secrets.append(proxy.password)
    for server in settings.mcp.servers.values():
        secrets += [value for value in server.env.values() if value]
        secrets += [value for value in server.headers.values() if value]
    return secrets


def change_of(plan: FilePlan) -> Change:
    """How a plan changes its file."""
    if plan.before is None and plan.after is not None:
        return "created"
    if plan.after is None and plan.before is not None:
        return "removed"
    return "updated" if plan.changed else "unchanged"


def describe(plan: FilePlan, change: Change, secrets: list[str]) -> FileReport:
    """The report line of one plan, with a masked diff when something changes."""
    diff = ""
    if plan.changed:
        diff = mask_secrets(unified_diff(plan.path, plan.before, plan.after), secrets)
        for argv in plan.commands:
            diff += mask_secrets("$ " + " ".join(argv), secrets) + "\n"
    return FileReport(plan.path, plan.label, plan.scope, change, diff)
