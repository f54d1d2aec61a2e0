"""A shared `.kiro/settings/mcp.json`: Kiro's shape, and no credential written into it."""

from __future__ import annotations

from kiro_bootstrap.configure import jsonc
from kiro_bootstrap.configure.mcp import SERVERS_KEY
from kiro_bootstrap.repo.hooks import line_at
from kiro_bootstrap.repo.secrets import find_secrets, is_literal_secret
from kiro_bootstrap.repo.steering import Finding

STRING_MAPS = ("env", "headers")
STRING_LISTS = ("args", "autoApprove", "disabledTools")
# Fields of a server entry in Kiro's documentation; others are warned about, never refused.
KNOWN_FIELDS = frozenset(
    {"command", "args", "env", "cwd", "url", "headers", "disabled", "autoApprove",
     "disabledTools", "timeout", "type"}
)  # fmt: skip


def secret_findings(text: str) -> list[Finding]:
    """Lines holding something shaped like a credential."""
    return [
        Finding(hit.line, f"{hit.kind} is written here; use a ${{VAR}} reference and revoke it")
        for hit in find_secrets(text)
    ]


def mcp_findings(text: str) -> list[Finding]:
    """Shape problems and literal credentials, each with its line (one finding per line)."""
    findings = secret_findings(text)
    try:
        root = jsonc.parse(text)
    except jsonc.JsoncError as error:
        return [*findings, Finding(line_at(text, error.position), f"not valid JSON ({error})")]
    servers = root.member(SERVERS_KEY) if isinstance(root.value, dict) else None
    if servers is None or not isinstance(servers.value.value, dict):
        where = root.start if servers is None else servers.key_start
        return [*findings, Finding(line_at(text, where), f"`{SERVERS_KEY}` must be an object")]
    for server in servers.value.members:
        findings += _server_findings(text, server)
    seen: set[int] = set()
    unique = []
    # Errors before warnings, so the one finding kept for a line is the one that matters.
    for finding in sorted(findings, key=lambda item: (item.line, item.warning, item.message)):
        if finding.line not in seen:
            seen.add(finding.line)
            unique.append(finding)
    return unique


def _server_findings(text: str, server: jsonc.Member) -> list[Finding]:
    name, node = server.key, server.value
    line = line_at(text, server.key_start)
    if not isinstance(node.value, dict):
        return [Finding(line, f"server {name!r} must be an object")]
    command, url = node.member("command"), node.member("url")
    if (command is None) == (url is None):
        return [Finding(line, f"server {name!r} needs exactly one of `command` or `url`")]
    findings = [
        Finding(line_at(text, member.key_start), f"{name}: unknown field {member.key!r}", True)
        for member in node.members
        if member.key not in KNOWN_FIELDS
    ]
    for key, node_type in (("command", str), ("url", str), ("disabled", bool)):
        member = node.member(key)
        if member is not None and not isinstance(member.value.value, node_type):
            where = line_at(text, member.key_start)
            findings.append(Finding(where, f"{name}.{key} has the wrong type"))
    for key in STRING_LISTS:
        member = node.member(key)
        value = None if member is None else member.value.value
        if member is not None and not (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            where = line_at(text, member.key_start)
            findings.append(Finding(where, f"{name}.{key} must be a list of strings"))
    for key in STRING_MAPS:
        member = node.member(key)
        if member is None:
            continue
        if not isinstance(member.value.value, dict):
            where = line_at(text, member.key_start)
            findings.append(Finding(where, f"{name}.{key} must be an object"))
            continue
        for entry in member.value.members:
            where = line_at(text, entry.key_start)
            if not isinstance(entry.value.value, str):
                findings.append(Finding(where, f"{name}.{key}.{entry.key} must be a string"))
            elif is_literal_secret(entry.key, entry.value.value):
                message = (
                    f"{name}.{key}.{entry.key} holds a literal value; use a ${{VAR}} reference"
                )
                findings.append(Finding(where, message))
    return findings
