"""The Intune scripts take named switches (no free-text argument string), map each to a flag
the agent accepts, never run the agent under 'Stop', and put a new agent over a locked one."""

from __future__ import annotations

import re

import pytest

from kiro_bootstrap.cli import build_parser
from tests.installers.test_intune import INTUNE, nodes, nodes_in, parse, text

CLOSE = {"CloseRunning": "--close-running"}
SWITCH_FLAGS = {
    "Install.ps1": {**CLOSE, "AllowUnsupportedOs": "--allow-unsupported-os"},
    "Uninstall.ps1": {**CLOSE, "Purge": "--purge"},
}
COMMANDS = {"Install.ps1": ["install", "--silent"], "Uninstall.ps1": ["uninstall"]}


def parameters(script: str) -> dict[str, str]:
    """Parameter name -> its type attribute ("[switch]", "[string]") from the param block."""
    found = {}
    for parameter in nodes(parse(INTUNE / script), "script_parameter"):
        name = text(next(nodes_in(parameter, "variable"))).lstrip("$")
        types = [text(node) for node in nodes_in(parameter, "type_literal")]
        found[name] = types[-1] if types else ""
    return found


def switch_flags(script: str) -> dict[str, str]:
    """`if ($Switch) { $arguments += '--flag' }` as {Switch: flag}."""
    mapping = {}
    for statement in nodes(parse(INTUNE / script), "if_statement"):
        match = re.fullmatch(r"if \(\$(\w+)\) \{ \$arguments \+= '(--[a-z-]+)' \}", text(statement))
        if match:
            mapping[match.group(1)] = match.group(2)
    return mapping


@pytest.mark.parametrize("script", ["Install.ps1", "Uninstall.ps1"])
def test_options_are_switches_mapped_to_flags_the_agent_accepts(script: str) -> None:
    declared = parameters(script)
    assert "ExtraArguments" not in declared
    assert "ExtraArguments" not in (INTUNE / script).read_text(encoding="utf-8")
    assert switch_flags(script) == SWITCH_FLAGS[script]
    for switch in SWITCH_FLAGS[script]:
        assert declared[switch] == "[switch]", switch
    # The agent's own parser takes every flag together (argparse exits 2 on an unknown one).
    parsed = build_parser().parse_args([*COMMANDS[script], *SWITCH_FLAGS[script].values()])
    assert parsed.close_running is True


def test_install_takes_named_values_and_keeps_region_as_an_alias() -> None:
    declared = parameters("Install.ps1")
    assert set(declared) == {
        "StartUrl",
        "IdcRegion",
        "Version",
        "CloseRunning",
        "AllowUnsupportedOs",
    }
    assert "[Alias('Region')][string]$IdcRegion" in (INTUNE / "Install.ps1").read_text("utf-8")


@pytest.mark.parametrize("script", ["Install.ps1", "Uninstall.ps1", "ExitCodes.ps1"])
def test_the_agent_is_never_started_under_stop(script: str) -> None:
    tree = parse(INTUNE / script)
    preferences = [
        text(node) for node in nodes(tree, "assignment_expression")
        if text(node).startswith("$ErrorActionPreference")
    ]  # fmt: skip
    assert all("'Stop'" not in line for line in preferences), preferences
    if script == "ExitCodes.ps1":
        assert preferences == ["$ErrorActionPreference = 'Continue'"]


def test_a_new_agent_is_put_beside_a_locked_one_and_swapped_in() -> None:
    install = (INTUNE / "Install.ps1").read_text(encoding="utf-8")
    assert "Copy-Item" not in install
    assert "Install-KiroBootstrapAgent -Source $packaged -Destination $agent" in install
    (function,) = (
        node for node in nodes(parse(INTUNE / "ExitCodes.ps1"), "function_statement")
        if "Install-KiroBootstrapAgent" in text(node).splitlines()[0]
    )  # fmt: skip
    body = text(function)
    # Copy to a side file, rename the running agent aside (Windows allows renaming a running
    # executable, not overwriting it), move the new one in; retried a few times.
    steps = ["Copy-Item -LiteralPath $Source -Destination $incoming",
             "Move-Item -LiteralPath $Destination -Destination $aside",
             "Move-Item -LiteralPath $incoming -Destination $Destination"]  # fmt: skip
    positions = [body.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "for ($attempt = 1; $attempt -le $AgentCopyAttempts; $attempt++)" in body
    assert "Write-Output" not in body  # it would become part of the function's answer
