"""`~/.kiro/settings/mcp.json`: the organisation's MCP servers, beside the person's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiro_bootstrap.configure.documents import Document, open_jsonc, pointer
from kiro_bootstrap.configure.reconcile import FilePlan
from kiro_bootstrap.configure.workstation import Workstation
from kiro_bootstrap.configure.writer import Writer
from kiro_bootstrap.settings.model import McpServer

SERVERS_KEY = "mcpServers"


def mcp_path(home: Path) -> Path:
    """The person's mcp.json."""
    return home / ".kiro" / "settings" / "mcp.json"


def server_entry(server: McpServer) -> dict[str, Any]:
    """One server as Kiro's mcp.json spells it (camelCase)."""
    entry: dict[str, Any]
    if server.command is not None:
        entry = {"command": server.command, "args": list(server.args)}
        if server.env:
            entry["env"] = dict(server.env)
    else:
        entry = {"url": server.url}
        if server.headers:
            entry["headers"] = dict(server.headers)
    entry["disabled"] = server.disabled
    entry["autoApprove"] = list(server.auto_approve)
    if server.disabled_tools:
        entry["disabledTools"] = list(server.disabled_tools)
    return entry


def open_document(_ws: Workstation, path: Path, before: bytes | None) -> Document:
    """Parse the person's mcp.json; one that does not parse stops the run (exit 2)."""
    return open_jsonc(
        path,
        before,
        what="The MCP configuration",
        hint="Fix the file, then run `kiro-bootstrap configure` again.",
    )


WRITER = Writer(
    file_format="mcp-json",
    label="Kiro MCP servers",
    scope="user",
    mode=0o600,  # server entries carry tokens in env and headers
    open_document=open_document,
)


def plan(ws: Workstation) -> list[FilePlan]:
    """Plan mcp.json: one owned key per organisation server."""
    desired = {
        pointer(SERVERS_KEY, name): server_entry(server)
        for name, server in ws.settings.mcp.servers.items()
    }
    return [WRITER.plan(ws, ws.user_file(mcp_path(ws.home)), desired)]
