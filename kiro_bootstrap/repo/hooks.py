"""Kiro IDE hook files (`.kiro/hooks/*.kiro.hook`): the JSON shape and the event types.

Kiro does not publish a schema for these files. The shape below is the one Kiro's IDE writes
as seen in many public repositories [reported]: `name`, `when.type` (+ `patterns` for file
events, `toolTypes` for tool events), `then.type` `askAgent` (+ `prompt`) or `runCommand`
(+ `command`), optional `enabled`, `version`, `description`.
"""

from __future__ import annotations

from kiro_bootstrap.configure import jsonc
from kiro_bootstrap.repo.steering import Finding

HOOK_SUFFIX = ".kiro.hook"
FILE_EVENTS = ("fileEdited", "fileCreated", "fileDeleted")
TOOL_EVENTS = ("preToolUse", "postToolUse")
OTHER_EVENTS = ("userTriggered", "promptSubmit", "agentStop")
EVENTS = FILE_EVENTS + TOOL_EVENTS + OTHER_EVENTS
ACTIONS = {"askAgent": "prompt", "runCommand": "command"}  # action type → the member it needs


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


def hook_findings(text: str) -> list[Finding]:
    """What is wrong with a hook file, each with its line."""
    try:
        root = jsonc.parse(text)
    except jsonc.JsoncError as error:
        return [(line_at(text, error.position), f"not valid JSON ({error})")]
    if not isinstance(root.value, dict):
        return [(line_at(text, root.start), "a hook file holds one JSON object")]
    findings: list[Finding] = []
    if not _text(_child(root, "name")):
        findings.append((line_at(text, root.start), "the hook has no name"))
    enabled = _child(root, "enabled")
    if enabled is not None and not isinstance(enabled.value, bool):
        findings.append((line_at(text, enabled.start), "enabled must be true or false"))
    findings += _when_findings(text, root)
    findings += _then_findings(text, root)
    return findings


def _when_findings(text: str, root: jsonc.Node) -> list[Finding]:
    when = _child(root, "when")
    if when is None or not isinstance(when.value, dict):
        where = root.start if when is None else when.start
        return [(line_at(text, where), "`when` must be an object with the event `type`")]
    event = _child(when, "type")
    if event is None or event.value not in EVENTS:
        where = when.start if event is None else event.start
        shown = None if event is None else event.value
        return [(line_at(text, where), f"event type {shown!r} is not one of {', '.join(EVENTS)}")]
    if event.value in FILE_EVENTS and not _string_list(_child(when, "patterns")):
        return [(line_at(text, event.start), f"{event.value} needs `patterns`: a list of globs")]
    if event.value in TOOL_EVENTS and not _string_list(_child(when, "toolTypes")):
        return [(line_at(text, event.start), f"{event.value} needs `toolTypes`: a list")]
    return []


def _then_findings(text: str, root: jsonc.Node) -> list[Finding]:
    then = _child(root, "then")
    if then is None or not isinstance(then.value, dict):
        where = root.start if then is None else then.start
        return [(line_at(text, where), "`then` must be an object with the action `type`")]
    action = _child(then, "type")
    if action is None or action.value not in ACTIONS:
        where = then.start if action is None else action.start
        shown = None if action is None else action.value
        return [(line_at(text, where), f"action type {shown!r} is not one of {', '.join(ACTIONS)}")]
    needed = ACTIONS[action.value]
    if not _text(_child(then, needed)):
        return [(line_at(text, action.start), f"{action.value} needs a `{needed}`")]
    return []
