"""The Intune scripts, checked by parsing: no PowerShell runs on this project's machines.

tree-sitter's PowerShell grammar parses each script (a syntax error fails the test); the
exit-code table, the files and registry keys the scripts read and the codes they return are
read from the syntax tree and compared with the agent's own definitions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

import pytest
import tree_sitter
import tree_sitter_powershell

from kiro_bootstrap.errors import ExitStatus
from kiro_bootstrap.layout.detect import WINDOWS_UNINSTALL_KEY
from kiro_bootstrap.paths import build_paths, under_root
from kiro_bootstrap.state.store import STATUS_FILE_NAME
from tests.host import fixtures
from tests.installers.conftest import INSTALLERS
from tests.installers.status_samples import user_status, write_machine_status

INTUNE = INSTALLERS / "intune"
SCRIPTS = sorted(INTUNE.glob("*.ps1"))
MEANINGS = {"Success", "Retry", "Failed"}
INTUNE_RETRY = 1618


def parse(path: Path) -> tree_sitter.Tree:
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    return parser.parse(path.read_bytes())


def nodes(tree: tree_sitter.Tree, kind: str) -> Iterator[tree_sitter.Node]:
    return nodes_in(tree.root_node, kind)


def text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode()


def exit_map() -> dict[int, str]:
    """The one hashtable literal: agent exit code -> Intune meaning."""
    tree = parse(INTUNE / "ExitCodes.ps1")
    (table,) = (
        node
        for node in nodes(tree, "assignment_expression")
        if text(node).startswith("$KiroBootstrapExitMeaning =")
    )
    mapping: dict[int, str] = {}
    for entry in nodes(tree, "hash_entry"):
        if not table.start_byte <= entry.start_byte < table.end_byte:
            continue
        key = next(nodes_in(entry, "key_expression"))
        value = next(nodes_in(entry, "string_literal"))
        mapping[int(text(key))] = text(value).strip("'\"")
    return mapping


def nodes_in(root: tree_sitter.Node, kind: str) -> Iterator[tree_sitter.Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == kind:
            yield node
        stack.extend(reversed(node.children))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_script_parses(script: Path) -> None:
    assert not parse(script).root_node.has_error


def test_the_parser_catches_a_syntax_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ps1"
    broken.write_text("if ($x -eq 1 {\n  exit 0\n", encoding="utf-8")
    assert parse(broken).root_node.has_error


def test_exit_map_covers_exactly_the_agents_exit_codes() -> None:
    mapping = exit_map()
    assert set(mapping) == {int(status) for status in ExitStatus}
    assert set(mapping.values()) <= MEANINGS


def test_exit_map_meanings() -> None:
    mapping = exit_map()
    assert mapping[ExitStatus.OK] == "Success"
    # Transient: Intune retries by itself.
    for status in (ExitStatus.UNAVAILABLE, ExitStatus.RETRY_LATER, ExitStatus.INTERRUPTED):
        assert mapping[status] == "Retry"
    # Never retried blindly: a verification failure or a host Kiro cannot run on.
    for status in (ExitStatus.VERIFICATION_FAILED, ExitStatus.HOST_UNSUPPORTED):
        assert mapping[status] == "Failed"


def test_there_is_one_exit_table() -> None:
    tables = [
        node for script in SCRIPTS for node in nodes(parse(script), "hash_literal_expression")
    ]
    assert len(tables) == 1


def test_retry_is_intunes_default_retry_code() -> None:
    source = (INTUNE / "ExitCodes.ps1").read_text(encoding="utf-8")
    assert re.search(rf"^\$IntuneRetryCode = {INTUNE_RETRY}$", source, re.MULTILINE)


@pytest.mark.parametrize("script", ["Install.ps1", "Uninstall.ps1"])
def test_install_and_uninstall_translate_the_agents_code(script: str) -> None:
    tree = parse(INTUNE / script)
    source = text(tree.root_node)
    assert ". (Join-Path $PSScriptRoot 'ExitCodes.ps1')" in source
    exits = [text(node) for node in nodes(tree, "flow_control_statement")]
    assert "exit (ConvertTo-IntuneExitCode -AgentExitCode $agentExitCode)" in exits
    literal = {int(code) for code in re.findall(r"^exit (\d+)$", "\n".join(exits), re.MULTILINE)}
    # A literal code is the agent's own meaning (9: cannot work as set up, the agent missing).
    assert literal <= {int(ExitStatus.CANNOT_WORK_AS_SET_UP)}


def test_install_passes_settings_through_the_agents_environment_layer() -> None:
    source = (INTUNE / "Install.ps1").read_text(encoding="utf-8")
    names = set(re.findall(r"\$env:(KIRO_BOOTSTRAP_\w+) =", source))
    assert names == {
        "KIRO_BOOTSTRAP_IDENTITY_CENTER__START_URL",
        "KIRO_BOOTSTRAP_IDENTITY_CENTER__REGION",
        "KIRO_BOOTSTRAP_RELEASE__VERSION",
    }
    assert "@('install', '--silent')" in source


def test_detection_reads_the_machine_status_file_the_agent_writes() -> None:
    source = (INTUNE / "Detect.ps1").read_text(encoding="utf-8")
    match = re.search(r"Join-Path \$env:ProgramData '([^']+)'", source)
    assert match
    root = Path("/fs-root")
    agent_writes = build_paths(fixtures.windows11_system(), root).system_state_dir
    read = under_root(root, str(PureWindowsPath("C:\\ProgramData", match.group(1))))
    assert read == agent_writes / STATUS_FILE_NAME


def test_detection_never_reads_systems_own_profile() -> None:
    # Detection runs as SYSTEM: HKCU and the profile variables are SYSTEM's, never the person's.
    tree = parse(INTUNE / "Detect.ps1")
    source = text(tree.root_node)
    code = source
    for comment in nodes(tree, "comment"):
        code = code.replace(text(comment), "")
    for forbidden in ("HKCU", "HKEY_CURRENT_USER", "$env:LOCALAPPDATA", "$env:APPDATA", "$HOME"):
        assert forbidden not in code
    assert "Registry::HKEY_USERS\\$sid" in code
    key = re.search(r"\$KiroUninstallKey = '([^']+)'", code)
    assert key
    assert key.group(1) == WINDOWS_UNINSTALL_KEY


def test_detection_always_exits_0_and_speaks_only_when_detected() -> None:
    # Intune: detected = exit 0 with output; not detected = exit 0 without.
    tree = parse(INTUNE / "Detect.ps1")
    exits = [text(node) for node in nodes(tree, "flow_control_statement")]
    assert {line for line in exits if line.startswith("exit")} == {"exit 0"}
    outputs = re.findall(r"^Write-Output .*$", text(tree.root_node), re.MULTILINE)
    assert len(outputs) == 1


def test_detection_reads_fields_the_status_file_has(tmp_path: Path) -> None:
    import json

    status = json.loads(write_machine_status(tmp_path / "s.json", user_status("alice")).read_text())
    record = status["users"]["alice"]
    source = (INTUNE / "Detect.ps1").read_text(encoding="utf-8")
    assert "$Status.users" in source
    for field in set(re.findall(r"\$(?:record|entry\.Value)\.(\w+)", source)):
        assert field in record, field
