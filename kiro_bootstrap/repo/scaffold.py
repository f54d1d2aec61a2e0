"""`repo init`: plan what `.kiro/` should hold, then write only what nobody has changed.

Every file we write is recorded by SHA-256 in `.kiro/kiro-bootstrap.json`, committed with the
rest, so any teammate's rerun can tell "still as we wrote it" (safe to update) from "changed
by a person" (left alone and reported). MCP servers are recorded one by one, so a team's own
servers and edits in mcp.json are kept too.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from kiro_bootstrap import NAME
from kiro_bootstrap.configure.documents import JsoncDocument, pointer, same_value
from kiro_bootstrap.configure.files import FOLDER_MODE, read_bytes
from kiro_bootstrap.configure.mcp import SERVERS_KEY, server_entry
from kiro_bootstrap.configure.steering import read_source, with_front_matter
from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.files import write_atomic
from kiro_bootstrap.parsing import load_json_bytes
from kiro_bootstrap.repo import check, templates
from kiro_bootstrap.repo.hooks import HOOK_SUFFIX, hook_findings
from kiro_bootstrap.repo.mcp import mcp_findings, secret_findings
from kiro_bootstrap.repo.paths import check_no_links
from kiro_bootstrap.repo.remote import Forge
from kiro_bootstrap.repo.steering import Finding, steering_findings

if TYPE_CHECKING:
    from kiro_bootstrap.settings.load import LoadedSettings

RECORD_FILE = f"{check.KIRO_DIR}/{NAME}.json"
RECORD_VERSION = 1
RECORD_ABOUT = (
    "Written by `kiro-bootstrap repo init`: the SHA-256 of each file and MCP server it wrote, "
    "so a rerun never overwrites what a person changed. Commit this file."
)
GITIGNORE = ".gitignore"
SPECS_README = f"{check.SPECS_DIR}/README.md"
FILE_MODE = 0o644  # committed files: nothing secret is ever written (checked before writing)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

Change = Literal["create", "update", "unchanged", "kept-edited", "kept-removed"]


@dataclass
class PlannedFile:
    """One file: its bytes now and after, and what happens to it."""

    relative: str
    before: bytes | None
    after: bytes | None
    change: Change

    @property
    def writes(self) -> bool:
        """True when the file will be written."""
        return self.change in ("create", "update")


@dataclass
class InitPlan:
    """Everything `repo init` would do in one work tree."""

    top: Path
    forge: Forge | None
    files: list[PlannedFile] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # what a person changed: left alone

    @property
    def changed(self) -> bool:
        """True when any file would be written."""
        return any(item.writes for item in self.files)


@dataclass
class Record:
    """What we last wrote: file path → SHA-256, MCP server name → SHA-256 of its entry."""

    files: dict[str, str] = field(default_factory=dict)
    servers: dict[str, str] = field(default_factory=dict)

    def render(self) -> bytes:
        """Stable JSON, so an unchanged record keeps its bytes."""
        data = {
            "about": RECORD_ABOUT,
            "version": RECORD_VERSION,
            "files": dict(sorted(self.files.items())),
            "mcpServers": dict(sorted(self.servers.items())),
        }
        return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def digest(data: bytes) -> str:
    """SHA-256 of bytes, hex."""
    return hashlib.sha256(data).hexdigest()


def value_digest(value: Any) -> str:
    """SHA-256 of a JSON value in canonical form (key order and layout do not matter)."""
    return digest(json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def load_record(top: Path) -> Record:
    """The record in the work tree; an empty one when there is none."""
    data = read_bytes(top / RECORD_FILE)
    if data is None:
        return Record()
    try:
        loaded = load_json_bytes(data, what=RECORD_FILE)
        return Record(dict(loaded["files"]), dict(loaded["mcpServers"]))
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"{RECORD_FILE} is damaged; nothing was written.",
            hint="Restore it from Git (`git checkout -- .kiro/kiro-bootstrap.json`).",
        ) from None


def _refuse(setting: str, findings: list[Finding]) -> None:
    errors = [finding for finding in findings if not finding.warning]
    if errors:
        line, message, _warning = errors[0]
        raise ConfigError(f"{setting}: line {line}: {message}; nothing was written.")


def _file_name(setting: str, name: str, suffix: str) -> str:
    stem = name.removesuffix(suffix)
    if not _NAME.match(stem) or ".." in stem:
        raise ConfigError(f"{setting}: {name!r} is not a usable file name.")
    return stem + suffix


def desired_files(loaded: LoadedSettings) -> dict[str, str]:
    """Each whole file `repo init` owns (relative path → text), checked before any write."""
    settings = loaded.settings
    files: dict[str, str] = {}
    steering = {**templates.DEFAULT_STEERING, **settings.repo.steering_templates}
    for name, source in steering.items():
        setting = "repo.steering_templates"
        text = source
        if name in settings.repo.steering_templates:
            text = read_source(loaded, f"{setting}.{name}", source)
            text = with_front_matter(name, text, setting=setting)
        _refuse(f"{setting}.{name}", steering_findings(text) + secret_findings(text))
        files[f"{check.STEERING_DIR}/{_file_name(setting, name, '.md')}"] = text
    files[SPECS_README] = templates.SPECS_README
    for name, source in settings.repo.hooks.items():
        setting = f"repo.hooks.{name}"
        text = read_source(loaded, setting, source, file_suffixes=(HOOK_SUFFIX, ".json"))
        text = text.rstrip("\n") + "\n"
        _refuse(setting, hook_findings(text) + secret_findings(text))
        files[f"{check.HOOKS_DIR}/{_file_name('repo.hooks', name, HOOK_SUFFIX)}"] = text
    return files


def desired_servers(loaded: LoadedSettings, forge: Forge | None) -> dict[str, dict[str, Any]]:
    """The shared MCP servers: `[repo] mcp_servers`, plus the forge's unless one is named so."""
    settings = loaded.settings
    servers = {name: server_entry(settings.mcp.servers[name]) for name in settings.repo.mcp_servers}
    if forge is not None:
        name, entry = templates.forge_server(forge, settings.repo.gitlab_mcp_package)
        servers.setdefault(name, entry)
    for name, entry in servers.items():
        text = json.dumps({SERVERS_KEY: {name: entry}}, indent=2)
        _refuse(f"repo.mcp_servers ({name})", mcp_findings(text))
    return servers


def _plan_whole(
    top: Path, relative: str, text: str, record: Record, kept: list[str]
) -> PlannedFile:
    before, after = read_bytes(top / relative), text.encode("utf-8")
    recorded = record.files.get(relative)
    if before is None:
        if recorded is not None:
            kept.append(f"{relative}: removed by a person since we wrote it; not recreated")
            return PlannedFile(relative, None, None, "kept-removed")
        change: Change = "create"
    elif before == after:
        change = "unchanged"
    elif recorded == digest(before):
        change = "update"  # still what we wrote: the organisation's template changed
    else:
        kept.append(f"{relative}: changed by a person; left as it is")
        return PlannedFile(relative, before, before, "kept-edited")
    record.files[relative] = digest(after)
    return PlannedFile(relative, before, after, change)


def _plan_mcp(
    top: Path, servers: dict[str, dict[str, Any]], record: Record, kept: list[str]
) -> PlannedFile | None:
    before = read_bytes(top / check.MCP_FILE)
    if not servers:
        return None
    try:
        doc = JsoncDocument((before or b"{}").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"{check.MCP_FILE} cannot be parsed ({error}); nothing was written.",
            hint="Fix the file (`kiro-bootstrap repo check` shows where), then run again.",
        ) from None
    for name, entry in servers.items():
        present, current = doc.get(pointer(SERVERS_KEY, name))
        recorded = record.servers.get(name)
        where = f"{check.MCP_FILE}: server {name!r}"
        if not present and recorded is not None:
            kept.append(f"{where} removed by a person since we wrote it; not added back")
            continue
        if present and not same_value(current, entry) and recorded != value_digest(current):
            kept.append(f"{where} changed by a person; left as it is")
            continue
        if not present or not same_value(current, entry):
            doc.set(pointer(SERVERS_KEY, name), entry)
        record.servers[name] = value_digest(entry)
    if before is None and doc.changed:
        # A new file gets the plain two-space layout rather than the editor's insertions.
        after: bytes | None = (json.dumps(doc.value(), indent=2) + "\n").encode("utf-8")
    else:
        after = doc.render() if doc.changed else before
    if after is None:
        return None
    change: Change = "unchanged" if after == before else "create" if before is None else "update"
    return PlannedFile(check.MCP_FILE, before, after, change)


def _plan_gitignore(top: Path) -> PlannedFile:
    before = read_bytes(top / GITIGNORE)
    text = (before or b"").decode("utf-8", errors="replace")
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in templates.IGNORE_LINES if line not in present]
    if not missing:
        return PlannedFile(GITIGNORE, before, before, "unchanged")
    block = [templates.IGNORE_HEADER] if templates.IGNORE_HEADER not in present else []
    separator = "" if not text or text.endswith("\n") else "\n"
    after = (text + separator + "\n".join([*block, *missing]) + "\n").encode("utf-8")
    return PlannedFile(GITIGNORE, before, after, "create" if before is None else "update")


def plan_init(top: Path, loaded: LoadedSettings, forge: Forge | None) -> InitPlan:
    """What `repo init` would write; reads files, never writes them (nor follows a link)."""
    files = desired_files(loaded)
    for relative in (RECORD_FILE, check.MCP_FILE, GITIGNORE, *files):
        check_no_links(top, relative)
    record = load_record(top)
    plan = InitPlan(top, forge)
    for relative, text in files.items():
        plan.files.append(_plan_whole(top, relative, text, record, plan.kept))
    mcp = _plan_mcp(top, desired_servers(loaded, forge), record, plan.kept)
    if mcp is not None:
        plan.files.append(mcp)
    plan.files.append(_plan_gitignore(top))
    before = read_bytes(top / RECORD_FILE)
    after = record.render()
    change: Change = "unchanged" if after == before else "create" if before is None else "update"
    plan.files.append(PlannedFile(RECORD_FILE, before, after, change))
    return plan


def apply_plan(plan: InitPlan) -> None:
    """Write every planned change atomically; the record goes last, after the files it lists."""
    for item in plan.files:
        if item.writes and item.after is not None:
            path = plan.top / item.relative
            # An existing file (the person's .gitignore) keeps its permissions.
            mode = path.stat().st_mode & 0o777 if item.before is not None else FILE_MODE
            write_atomic(path, item.after, mode=mode, follow_links=False, folder_mode=FOLDER_MODE)
