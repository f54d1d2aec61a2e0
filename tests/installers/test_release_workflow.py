"""The release workflow and the Ansible example point at what the project really has.

actionlint (in `make lint`) checks the workflow's syntax and expressions; these tests check
that it builds every binary we publish, the way the README says.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from kiro_bootstrap.settings.targets import TARGETS
from tests.installers.conftest import INSTALLERS, REPO

WORKFLOW = REPO / ".github/workflows/release.yml"


def load(path: Any) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build_steps() -> str:
    return "\n".join(str(step.get("run", "")) for step in load(WORKFLOW)["jobs"]["build"]["steps"])


def test_one_binary_per_kiro_platform() -> None:
    matrix = load(WORKFLOW)["jobs"]["build"]["strategy"]["matrix"]["include"]
    # The .deb is a packaging of linux-x64, not another platform.
    assert {row["target"] for row in matrix} == set(TARGETS) - {"linux-x64-deb"}
    linux = next(row for row in matrix if row["target"] == "linux-x64")
    assert linux["container"], "the Linux binary is built in an old-glibc container"


def test_binaries_are_built_from_the_spec_and_smoke_tested() -> None:
    steps = build_steps()
    assert "pyinstaller.spec" in steps
    for smoke in (
        "--version",
        "doctor --offline --json",
        "install --dry-run",
        "sandbox.release_server",
    ):
        assert smoke in steps
    assert "hdiutil attach -plist" in steps
    assert "Get-AuthenticodeSignature" in steps
    assert ".sha256" in steps


def test_signing_runs_only_when_its_secrets_exist() -> None:
    steps = load(WORKFLOW)["jobs"]["build"]["steps"]
    signing = [step for step in steps if str(step.get("name", "")).startswith("Sign")]
    assert len(signing) == 2
    assert all(re.search(r"env\.HAS_\w+_SIGNING == 'true'", step["if"]) for step in signing)


def test_ansible_role_and_status_units_use_the_wrappers_default_paths() -> None:
    wrapper = (INSTALLERS / "linux/kiro-bootstrap-fleet.sh").read_text(encoding="utf-8")
    default = re.search(r"^readonly DEFAULT_BIN=(\S+)$", wrapper, re.MULTILINE)
    assert default
    defaults = load(INSTALLERS / "linux/ansible/defaults/main.yml")
    assert defaults["kiro_bootstrap_bin"] == default.group(1)
    service = (INSTALLERS / "linux/systemd/kiro-bootstrap-status.service").read_text("utf-8")
    assert f"ExecStart={defaults['kiro_bootstrap_wrapper']} status --inventory" in service


def test_authenticode_evidence_is_captured_the_way_the_agent_asks() -> None:
    from kiro_bootstrap.verify.windows import PATH_VARIABLE, SCRIPT

    steps = load(WORKFLOW)["jobs"]["build"]["steps"]
    (capture,) = [step for step in steps if "Get-AuthenticodeSignature" in str(step.get("run"))]
    # GitHub's `powershell` shell is Windows PowerShell 5.1, which the agent starts; `pwsh` is 7,
    # whose ConvertTo-Json writes enums and nesting differently.
    assert capture["shell"] == "powershell"
    assert SCRIPT in capture["run"]
    assert f"$env:{PATH_VARIABLE} = " in capture["run"]
    assert "-Depth 4" not in capture["run"]
