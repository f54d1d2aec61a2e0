"""Windows (registry, DACL) and macOS (managed preferences plist), with injected host facts."""

from __future__ import annotations

import json
import plistlib
from pathlib import Path

import pytest

from kiro_bootstrap.host.runner import Completed, RecordedRunner
from tests.host import fixtures
from tests.privsep.windows_task import signed_in_alice

POLICY_KEY = "HKLM\\SOFTWARE\\Policies\\Kiro"


@pytest.fixture(autouse=True)
def _alices_profile(root: Path) -> None:
    """SYSTEM acts for alice only when her profile exists (she signed in once)."""
    (root / "C/Users/alice").mkdir(parents=True, exist_ok=True)


def windows_runner() -> RecordedRunner:
    return RecordedRunner().add(["icacls"], "processed 1 file").add(["reg"], "done")


def test_windows_writes_registry_policy_and_secures_the_folder(
    cli, org_config: Path, root: Path, isolated: dict[str, str]
) -> None:
    recorded = windows_runner()
    runner = signed_in_alice(recorded, root, isolated)
    env = {"KIRO_BOOTSTRAP_RELEASE__VERSION": "1.2.0"}
    result = cli(
        "configure", "--config", str(org_config), facts=fixtures.windows11_system(),
        runner=runner, env=env,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    folder = root / "C/ProgramData/Kiro"
    kiro_folder = [call for call in recorded.calls if call[:2] == ("icacls", str(folder))]
    assert kiro_folder == [
        ("icacls", str(folder), "/setowner", "*S-1-5-32-544"),
        ("icacls", str(folder), "/reset"),
        ("icacls", str(folder), "/inheritance:r", "/grant:r", "*S-1-5-18:(OI)(CI)F",
         "*S-1-5-32-544:(OI)(CI)F", "*S-1-5-32-545:(OI)(CI)RX"),
    ]  # fmt: skip
    reg = [call for call in recorded.calls if call[:3] == ("reg", "add", POLICY_KEY)]
    assert reg == [
        ("reg", "add", POLICY_KEY, "/v", "UpdateMode", "/t", "REG_SZ", "/d", "none", "/f",
         "/reg:64"),
        ("reg", "add", POLICY_KEY, "/v", "UpdateUrl", "/t", "REG_SZ", "/d",
         "https://mirror.example.com/kiro", "/f", "/reg:64"),
    ]  # fmt: skip
    managed = json.loads((folder / "managed-settings.json").read_text())
    assert managed["settings"]["idc_region"] == "eu-west-1"
    # The person at the screen is configured by their own agent, run by a scheduled task.
    assert [argv[0] for argv in runner.person_runs] == ["person-step"]
    profile = root / "C/Users/alice"
    assert (profile / "AppData/Roaming/Kiro/User/settings.json").is_file()
    assert "[sso-session kiro]" in (profile / ".aws/config").read_text()


def test_windows_policy_already_in_the_registry_is_left_alone(
    cli, org_config: Path, root: Path, isolated: dict[str, str]
) -> None:
    recorded = windows_runner()
    runner = signed_in_alice(recorded, root, isolated)
    values = {"UpdateUrl": "https://mirror.example.com/kiro"}
    result = cli(
        "configure", "--config", str(org_config), facts=fixtures.windows11_system(),
        runner=runner, registry_reader=lambda key: values if key == POLICY_KEY else None,
    )  # fmt: skip
    assert result.code == 0
    assert [call for call in recorded.calls if call[0] == "reg" and POLICY_KEY in call] == []


def test_windows_folder_that_cannot_be_secured_is_exit_9(cli, org_config: Path, root: Path) -> None:
    runner = RecordedRunner().add(["icacls"], Completed(5, "", "Access is denied."))
    result = cli(
        "configure", "--config", str(org_config), facts=fixtures.windows11_system(),
        runner=runner,
    )  # fmt: skip
    assert result.code == 9
    assert "Access is denied" in result.stderr
    assert not (root / "C/ProgramData/Kiro/managed-settings.json").exists()


def test_macos_writes_the_managed_preferences_plist(
    cli, org_config: Path, home: Path, root: Path
) -> None:
    facts = fixtures.macos14_arm64(home, is_admin=True)
    env = {"KIRO_BOOTSTRAP_KIRO__UPDATE_MODE": "manual"}
    result = cli("configure", "--config", str(org_config), facts=facts, env=env)
    assert result.code == 0, result.stderr
    plist = root / "Library/Managed Preferences/dev.kiro.desktop.plist"
    assert plistlib.loads(plist.read_bytes()) == {
        "UpdateMode": "manual",
        "UpdateUrl": "https://mirror.example.com/kiro",
    }
    assert plist.stat().st_mode & 0o777 == 0o644
    managed = root / "Library/Application Support/Kiro/managed-settings.json"
    assert json.loads(managed.read_text())["settings"]["idc_start_url"].endswith("/start")
    settings = home / "Library/Application Support/Kiro/User/settings.json"
    assert json.loads(settings.read_text())["http.proxy"] == "http://proxy.example.com:8080"


def test_macos_plist_keeps_the_keys_someone_else_set(
    cli, org_config: Path, home: Path, root: Path
) -> None:
    plist = root / "Library/Managed Preferences/dev.kiro.desktop.plist"
    plist.parent.mkdir(parents=True)
    original = plistlib.dumps({"UpdateUrl": "https://old.example.com", "Other": True})
    plist.write_bytes(original)
    facts = fixtures.macos14_arm64(home, is_admin=True)
    assert cli("configure", "--config", str(org_config), facts=facts).code == 0
    assert plistlib.loads(plist.read_bytes()) == {
        "UpdateUrl": "https://mirror.example.com/kiro",
        "Other": True,
    }
