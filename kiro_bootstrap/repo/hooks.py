"""Kiro IDE hook files (`.kiro/hooks/*.kiro.hook`): the JSON shape and the event types.

Kiro does not publish a schema for these files. The shape below is the one Kiro's IDE writes
as seen in public repositories and a hook reference [reported]: `name`, `when.type` (+
`patterns` for file events, `toolTypes` for tool events), `then.type` `askAgent` (+ `prompt`)
or `runCommand` (+ `command`, optional `timeout` in seconds), optional `enabled`, `version` (a
string), `description`. Kiro adds fields faster than we do: an unknown one is a warning.
"""

from __future__ import annotations

from collections.abc import Iterable

from kiro_bootstrap.configure import jsonc
from kiro_bootstrap.repo.steering import Finding

HOOK_SUFFIX = ".kiro.hook"
FILE_EVENTS = ("fileEdited", "fileCreated", "fileDeleted")
TOOL_EVENTS = ("preToolUse", "postToolUse")
TASK_EVENTS = ("preTaskExecution", "postTaskExecution")  # spec tasks [reported]
OTHER_EVENTS = ("userTriggered", "promptSubmit", "agentStop")
EVENTS = FILE_EVENTS + TOOL_EVENTS + TASK_EVENTS + OTHER_EVENTS
ACTIONS = {"askAgent": "prompt", "runCommand": "command"}  # action type → the member it needs
KNOWN = {
    "hook": frozenset({"name", "version", "description", "enabled", "when", "then"}),
    "when": frozenset({"type", "patterns", "toolTypes"}),
    "then": frozenset({"type", "prompt", "command", "timeout"}),
}


def line_at(text: str, position: int) -> int:
    """The 1-based line of a character offset."""
    return text.count("\n", 0, position) + 1


def _string_list(node: jsonc.Node | None) -> bool:
    value = None if node is None else node.value
    return isinstance(value, list) and bool(value) and all(isinstance(i, str) for i in value)


def _text(node: jsonc.Node | None) -> bool:
    return node is not None and isinstance(node.value, str) and bool(node.value.strip())


def _child(node: jsonc.Node, key: str) -> jsonc.Node | None:
    member = node.member(key)
    return None if member is None else member.value


def _unknown(text: str, node: jsonc.Node, where: str) -> list[Finding]:
    prefix = "" if where == "hook" else f"{where}."
    return [
        Finding(line_at(text, member.key_start), f"unknown field {prefix}{member.key}", True)
        for member in node.members
        if member.key not in KNOWN[where]
    ]


def hook_findings(text: str) -> list[Finding]:
    """What is wrong with a hook file (errors) and what Kiro may ignore (warnings), by line."""
    try:
        root = jsonc.parse(text)
    except jsonc.JsoncError as error:
        return [Finding(line_at(text, error.position), f"not valid JSON ({error})")]
    if not isinstance(root.value, dict):
        return [Finding(line_at(text, root.start), "a hook file holds one JSON object")]
    findings = _unknown(text, root, "hook")
    if not _text(_child(root, "name")):
        findings.append(Finding(line_at(text, root.start), "the hook has no name"))
    enabled = _child(root, "enabled")
    if enabled is not None and not isinstance(enabled.value, bool):
        findings.append(Finding(line_at(text, enabled.start), "enabled must be true or false"))
    version = _child(root, "version")
    if version is not None and not isinstance(version.value, str):
        message = 'version is a string in Kiro\'s hooks (for example "1")'
        findings.append(Finding(line_at(text, version.start), message, True))
    findings += _when_findings(text, root)
    findings += _then_findings(text, root)
    return findings


def _typed_part(
    text: str, root: jsonc.Node, part: str, kind: str, known: Iterable[str]
) -> tuple[jsonc.Node | None, jsonc.Node | None, list[Finding]]:
    """`when` or `then`: the part, its `type` when known, and what is wrong with either."""
    node = _child(root, part)
    if node is None or not isinstance(node.value, dict):
        where = root.start if node is None else node.start
        message = f"`{part}` must be an object with the {kind} `type`"
        return None, None, [Finding(line_at(text, where), message)]
    findings = _unknown(text, node, part)
    typed = _child(node, "type")
    if typed is None or typed.value not in known:
        where = node.start if typed is None else typed.start
        shown = None if typed is None else typed.value
        message = f"{kind} type {shown!r} is not one of {', '.join(known)}"
        return node, None, [*findings, Finding(line_at(text, where), message)]
    return node, typed, findings


def _when_findings(text: str, root: jsonc.Node) -> list[Finding]:
    when, event, findings = _typed_part(text, root, "when", "event", EVENTS)
    if when is None or event is None:
        return findings
    if event.value in FILE_EVENTS and not _string_list(_child(when, "patterns")):
        message = f"{event.value} needs `patterns`: a list of globs"
        findings.append(Finding(line_at(text, event.start), message))
    if event.value in TOOL_EVENTS and not _string_list(_child(when, "toolTypes")):
        findings.append(Finding(line_at(text, event.start), f"{event.value} needs `toolTypes`"))
    return findings


def _then_findings(text: str, root: jsonc.Node) -> list[Finding]:
    then, action, findings = _typed_part(text, root, "then", "action", ACTIONS)
    if then is None or action is None:
        return findings
    needed = ACTIONS[action.value]
    if not _text(_child(then, needed)):
        findings.append(Finding(line_at(text, action.start), f"{action.value} needs a `{needed}`"))
    timeout = _child(then, "timeout")
    if timeout is not None and (
        isinstance(timeout.value, bool)
        or not isinstance(timeout.value, int | float)
        or timeout.value <= 0
    ):
        message = "then.timeout must be a positive number of seconds"
        findings.append(Finding(line_at(text, timeout.start), message))
    return findings
