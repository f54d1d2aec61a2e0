"""Sign-in rules in managed settings (allowed methods, external IdP) and Kiro's policies beyond
updates (the extension gallery), in the policy location the settings choose."""

from __future__ import annotations

import json
import plistlib
from pathlib import Path

import pytest

from kiro_bootstrap.configure.managed_settings import validate_managed_settings
from kiro_bootstrap.host.runner import RecordedRunner
from tests.host import fixtures
from tests.privsep.windows_task import signed_in_alice

GALLERY = """
[kiro.extension_gallery]
service_url = "https://extensions.corp.example.com/vscode/gallery"
item_url = "https://extensions.corp.example.com/vscode/item"
"""
EXTERNAL_IDP = """
[identity_center]
signin_methods = ["idc", "external_idp"]
external_idp_domain = "corp.example.com"
external_idp_start_url = "https://idp.corp.example.com/start"
external_idp_region = "us-gov-west-1"
"""


def configure(cli, tmp_path: Path, text: str, facts, **overrides):
    config = tmp_path / "org.toml"
    config.write_text(text)
    result = cli("configure", "--json", "--config", str(config), facts=facts, **overrides)
    assert result.code == 0, result.stdout + result.stderr
    return result


def managed(root: Path) -> dict:
    return json.loads((root / "etc/kiro/managed-settings.json").read_text())


def test_allowed_methods_become_one_deny_rule_and_external_idp_settings(
    cli, tmp_path: Path, home: Path, root: Path
) -> None:
    configure(cli, tmp_path, EXTERNAL_IDP, fixtures.ubuntu2404(home, is_admin=True))
    assert managed(root) == {
        "rules": [
            {
                "capability": "signin_method",
                "match": ["*"],
                "exclude": ["idc", "external_idp"],
                "effect": "deny",
            }
        ],
        "settings": {
            "external_idp_domain": "corp.example.com",
            "external_idp_start_url": "https://idp.corp.example.com/start",
            "external_idp_region": "us-gov-west-1",
        },
    }


def test_changing_the_allowed_methods_replaces_our_rule_and_keeps_others(
    cli, tmp_path: Path, home: Path, root: Path
) -> None:
    facts = fixtures.ubuntu2404(home, is_admin=True)
    theirs = {"capability": "model", "match": ["*"], "exclude": ["claude"], "effect": "deny"}
    path = root / "etc/kiro/managed-settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"rules": [theirs], "settings": {}}))
    configure(cli, tmp_path, EXTERNAL_IDP, facts)
    configure(cli, tmp_path, "[identity_center]\nrestrict_signin = true\n", facts)
    rules = managed(root)["rules"]
    assert rules == [
        theirs,
        {"capability": "signin_method", "match": ["*"], "exclude": ["idc"], "effect": "deny"},
    ]
    configure(cli, tmp_path, "", facts)
    assert managed(root)["rules"] == [theirs]


def test_a_rule_kiro_would_ignore_is_warned_about(cli, tmp_path: Path, home: Path, root: Path):
    path = root / "etc/kiro/managed-settings.json"
    path.parent.mkdir(parents=True)
    allow = {"capability": "signin_method", "match": ["github"], "effect": "allow"}
    path.write_text(json.dumps({"rules": [allow]}))
    result = configure(cli, tmp_path, EXTERNAL_IDP, fixtures.ubuntu2404(home, is_admin=True))
    assert any("rules[0] will be ignored by Kiro" in w for w in result.json["warnings"])


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"rules": [{"capability": "signin_method", "match": ["*"] * 17, "effect": "deny"}]},
         "more than 16 names"),
        ({"rules": [], "settings": {"external_idp_start_url": "http://idp.example.com"}},
         "must be an https URL"),
        ({"rules": [], "settings": {"external_idp_domain": "a\nb"}}, "control characters"),
        ({"rules": [], "settings": {"signin_help_url": "https://x/" + "a" * 2048}},
         "longer than 2048"),
    ],
)  # fmt: skip
def test_documented_limits_are_enforced_before_writing(document: dict, problem: str) -> None:
    assert any(problem in found for found in validate_managed_settings(document))


def test_contradicting_sign_in_settings_are_exit_2(cli, tmp_path: Path, home: Path) -> None:
    config = tmp_path / "org.toml"
    config.write_text('[identity_center]\nrestrict_signin = true\nsignin_methods = ["github"]\n')
    result = cli("configure", "--config", str(config), facts=fixtures.ubuntu2404(home))
    assert result.code == 2
    assert "contradicts signin_methods" in result.stderr


def test_gallery_policy_goes_to_the_configured_linux_policy_file(
    cli, tmp_path: Path, home: Path, root: Path
) -> None:
    config_text = '[kiro]\nlinux_policy_file = "/etc/vscode/policy.json"\n' + GALLERY
    facts = fixtures.ubuntu2404(home, is_admin=True)
    configure(cli, tmp_path, config_text, facts)
    assert json.loads((root / "etc/vscode/policy.json").read_text()) == {
        "ExtensionGalleryServiceUrl": "https://extensions.corp.example.com/vscode/gallery",
        "ExtensionGalleryItemUrl": "https://extensions.corp.example.com/vscode/item",
    }
    assert not (root / "etc/kiro/policy.json").exists()
    configure(cli, tmp_path, "", facts)
    assert not (root / "etc/vscode/policy.json").exists()  # we made it; nothing else is in it
    status = cli("status", "--json", "--config", str(tmp_path / "org.toml"), facts=facts)
    assert status.json["policy"] == {"delivery": "file", "location": "/etc/kiro/policy.json"}


def test_gallery_policy_on_windows_is_the_policy_key(
    cli, tmp_path: Path, root: Path, isolated: dict[str, str]
) -> None:
    (root / "C/Users/alice").mkdir(parents=True)  # alice has signed in once
    runner = RecordedRunner().add(["icacls"], "processed 1 file").add(["reg"], "done")
    task = signed_in_alice(runner, root, isolated)
    configure(cli, tmp_path, GALLERY, fixtures.windows11_system(), runner=task)
    added = {call[4]: call[8] for call in runner.calls if call[:2] == ("reg", "add")}
    assert added["ExtensionGalleryServiceUrl"].endswith("/vscode/gallery")
    assert added["ExtensionGalleryItemUrl"].endswith("/vscode/item")


@pytest.mark.parametrize(
    "case",
    [
        ("managed-preferences", "Library/Managed Preferences/dev.kiro.desktop.plist"),
        ("preferences", "Library/Preferences/dev.kiro.desktop.plist"),
    ],
)
def test_macos_delivery_chooses_the_plist(
    cli, tmp_path: Path, home: Path, root: Path, case: tuple[str, str]
) -> None:
    delivery, where = case
    text = f'[kiro]\nmacos_policy_delivery = "{delivery}"\n' + GALLERY
    configure(cli, tmp_path, text, fixtures.macos14_arm64(home, is_admin=True))
    values = plistlib.loads((root / where).read_bytes())
    assert values["ExtensionGalleryServiceUrl"].endswith("/vscode/gallery")


def test_macos_profile_delivery_writes_no_plist_and_status_says_so(
    cli, tmp_path: Path, home: Path, root: Path
) -> None:
    text = '[kiro]\nmacos_policy_delivery = "profile"\n' + GALLERY
    facts = fixtures.macos14_arm64(home, is_admin=True)
    configure(cli, tmp_path, text, facts)
    assert not list(root.glob("Library/*Preferences/dev.kiro.desktop.plist"))
    status = cli("status", "--json", "--config", str(tmp_path / "org.toml"), facts=facts)
    assert status.json["policy"]["delivery"] == "profile"
