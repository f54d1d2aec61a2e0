"""The configuration profile template holds valid settings that the agent reads as policy."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any

from kiro_bootstrap.settings.managed import MANAGED_PREFERENCES_DOMAIN, read_plist
from kiro_bootstrap.settings.model import Settings
from tests.conftest import CliRunner
from tests.host import fixtures
from tests.installers.conftest import INSTALLERS

PROFILE = INSTALLERS / "jamf" / f"{MANAGED_PREFERENCES_DOMAIN}.mobileconfig"


def settings_payload() -> dict[str, Any]:
    profile = plistlib.loads(PROFILE.read_bytes())
    assert profile["PayloadType"] == "Configuration"
    payloads = [p for p in profile["PayloadContent"] if p["PayloadType"] == "dev.kiro.bootstrap"]
    assert len(payloads) == 1
    return dict(payloads[0])


def test_profile_identifiers_are_distinct_uuids() -> None:
    profile = plistlib.loads(PROFILE.read_bytes())
    uuids = [profile["PayloadUUID"], *(p["PayloadUUID"] for p in profile["PayloadContent"])]
    assert len(set(uuids)) == len(uuids)
    assert all(len(uuid) == 36 and uuid.count("-") == 4 for uuid in uuids)


def test_every_key_is_a_setting_and_every_value_valid(tmp_path: Path) -> None:
    # As macOS does: the payload's keys land in the domain's managed preferences plist.
    managed = tmp_path / f"{MANAGED_PREFERENCES_DOMAIN}.plist"
    managed.write_bytes(plistlib.dumps(settings_payload(), fmt=plistlib.FMT_BINARY))
    values = read_plist(managed)
    assert not any(key.startswith("Payload") for key in values)
    # extra="forbid" everywhere: an unknown section or key fails here.
    settings = Settings.model_validate(values)
    assert settings.identity_center.start_url == "https://d-1234567890.awsapps.com/start"
    assert settings.release.signing.macos_team_id == "94KV3E626L"


def test_the_agent_on_a_mac_reports_the_profile_as_policy(
    cli: CliRunner, isolated: dict[str, str]
) -> None:
    root = Path(isolated["KIRO_BOOTSTRAP_ROOT"])
    managed = root / "Library/Managed Preferences" / f"{MANAGED_PREFERENCES_DOMAIN}.plist"
    managed.parent.mkdir(parents=True)
    managed.write_bytes(plistlib.dumps(settings_payload(), fmt=plistlib.FMT_BINARY))
    result = cli("config", "show", "--json", facts=fixtures.macos14_arm64())
    assert result.code == 0, result.stderr
    rows = result.json["settings"]
    assert rows["identity_center.region"]["value"] == "us-east-1"
    assert "policy" in rows["identity_center.region"]["origin"]
    assert "locked by policy" in rows["release.version"]["origin"]


def test_the_profile_carries_the_linux_certificate_pin_key() -> None:
    # One organisation configuration for every fleet (DECISIONS §3): harmless on a Mac.
    signing = settings_payload()["release"]["signing"]
    assert signing["linux_cert_sha256"] == []
    assert Settings.model_validate({"release": {"signing": signing}}).release.signing
    assert "release.signing.linux_trust" in PROFILE.read_text(encoding="utf-8")


def test_the_kiro_policy_payload_uses_the_names_configure_writes() -> None:
    from kiro_bootstrap.configure.update_policy import GALLERY_POLICIES, POLICY_DOMAIN

    profile = plistlib.loads(PROFILE.read_bytes())
    kiro = [p for p in profile["PayloadContent"] if p["PayloadType"] == POLICY_DOMAIN]
    assert len(kiro) == 1
    names = {key for key in kiro[0] if not key.startswith("Payload")}
    assert names <= {"UpdateMode", "UpdateUrl", *GALLERY_POLICIES.values()}
    assert all(kiro[0][name].startswith("https://") for name in GALLERY_POLICIES.values())
