"""`configure` on Linux: every writer, idempotence, dry run, refusals, drift and removal."""

from __future__ import annotations

import json
from pathlib import Path

from tests.configure.conftest import snapshot
from tests.host import fixtures

CONFIG_TEXT = """// my Kiro settings
{
    "editor.fontSize": 15, // big
    "http.proxy": "http://home-proxy:3128",
    "files.exclude": {
        "**/node_modules": true,
    },
}
"""
AWS_TEXT = """# my profiles
[default]
region = us-west-2
output = json

[profile work]   ; the day job
sso_session = corp
s3 =
  max_concurrent_requests = 20

# the corp session
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"""


def admin(home: Path):
    return fixtures.ubuntu2404(home, is_admin=True)


def test_configure_writes_every_file(cli, org_config: Path, home: Path, root: Path) -> None:
    result = cli("configure", "--config", str(org_config), "--json", facts=admin(home))
    assert result.code == 0, result.stdout + result.stderr
    changes = {item["label"]: item["change"] for item in result.json["files"]}
    # The test HOME starts with an empty ~/.aws/config; everything else is new.
    assert changes.pop("AWS config (sso-session)") == "updated"
    assert set(changes.values()) == {"created"}
    managed = root / "etc/kiro/managed-settings.json"
    data = managed.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert json.loads(data) == {
        "rules": [
            {"capability": "signin_method", "match": ["*"], "exclude": ["idc"], "effect": "deny"}
        ],
        "settings": {
            "idc_start_url": "https://d-1234567890.awsapps.com/start",
            "idc_region": "eu-west-1",
            "signin_help_url": "https://help.example.com/kiro",
        },
    }
    assert managed.stat().st_mode & 0o777 == 0o644
    assert managed.stat().st_uid == 0
    assert managed.parent.stat().st_uid == 0
    policy = json.loads((root / "etc/kiro/policy.json").read_text())
    assert policy == {"UpdateUrl": "https://mirror.example.com/kiro"}
    aws = (home / ".aws/config").read_text()
    assert "[sso-session kiro]\nsso_start_url = https://d-1234567890.awsapps.com/start\n" in aws
    assert "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n" in aws
    mcp = json.loads((home / ".kiro/settings/mcp.json").read_text())
    assert mcp["mcpServers"]["docs"]["autoApprove"] == []
    assert (home / ".kiro/settings/mcp.json").stat().st_mode & 0o777 == 0o600
    steering = (home / ".kiro/steering/standards.md").read_text()
    assert steering == "---\ninclusion: always\n---\n\nWrite tests for every change.\n"


def test_settings_json_keeps_comments_and_changes_only_our_keys(
    cli, org_config: Path, home: Path
) -> None:
    settings = home / ".config/Kiro/User/settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(CONFIG_TEXT)
    result = cli("configure", "--config", str(org_config), facts=admin(home))
    assert result.code == 0, result.stderr
    assert settings.read_text() == CONFIG_TEXT.replace(
        "http://home-proxy:3128", "http://proxy.example.com:8080"
    ).replace(
        "    },\n}",
        "    },\n"
        '    "telemetry.dataSharingAndPromptLogging.contentCollectionForServiceImprovement": '
        "false,\n"
        '    "telemetry.dataSharing.contentCollectionForServiceImprovement": false,\n}',
    )
    assert "replacing the value of http.proxy" in result.stdout


def test_aws_config_keeps_other_sections_byte_for_byte(cli, org_config: Path, home: Path) -> None:
    (home / ".aws/config").write_text(AWS_TEXT)
    assert cli("configure", "--config", str(org_config), facts=admin(home)).code == 0
    assert (home / ".aws/config").read_text() == AWS_TEXT + (
        "\n[sso-session kiro]\n"
        "sso_start_url = https://d-1234567890.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )


def test_managed_settings_merge_with_rules_and_settings_already_there(
    cli, org_config: Path, home: Path, root: Path
) -> None:
    managed = root / "etc/kiro/managed-settings.json"
    managed.parent.mkdir(parents=True)
    existing = {
        "rules": [{"capability": "model", "match": ["*"], "effect": "allow"}],
        "settings": {"external_idp_issuer_url": "https://idp.example.com"},
    }
    managed.write_bytes(b"\xef\xbb\xbf" + json.dumps(existing).encode())
    assert cli("configure", "--config", str(org_config), facts=admin(home)).code == 0
    data = json.loads(managed.read_bytes())
    assert data["rules"][0] == existing["rules"][0]
    assert len(data["rules"]) == 2
    assert data["settings"]["external_idp_issuer_url"] == "https://idp.example.com"
    assert data["settings"]["idc_region"] == "eu-west-1"
    assert not managed.read_bytes().startswith(b"\xef\xbb\xbf")


def test_unparseable_managed_settings_are_refused_and_nothing_is_written(
    cli, org_config: Path, home: Path, root: Path
) -> None:
    managed = root / "etc/kiro/managed-settings.json"
    managed.parent.mkdir(parents=True)
    managed.write_text('{"rules": [], // comments are not JSON\n}')
    before = snapshot(home, root)
    result = cli("configure", "--config", str(org_config), facts=admin(home))
    assert result.code == 2
    assert "cannot be parsed" in result.stderr
    assert "nothing was written" in result.stderr
    after = snapshot(home, root)
    # The install lock configure takes is the only new file (empty; the kernel's lock).
    assert {path for path in after if not path.endswith("/install.lock")} == set(before)
    assert {path: value for path, value in after.items() if path in before} == before


def test_invalid_existing_rule_is_refused(cli, org_config: Path, home: Path, root: Path) -> None:
    managed = root / "etc/kiro/managed-settings.json"
    managed.parent.mkdir(parents=True)
    rule = {"capability": "signin_method", "match": ["facebook"], "effect": "deny"}
    managed.write_text(json.dumps({"rules": [rule]}))
    result = cli("configure", "--config", str(org_config), facts=admin(home))
    assert result.code == 2
    assert "unknown sign-in methods" in result.stderr


def test_rerun_writes_nothing(cli, org_config: Path, home: Path, root: Path) -> None:
    assert cli("configure", "--config", str(org_config), facts=admin(home)).code == 0
    before = snapshot(home, root)
    result = cli("configure", "--config", str(org_config), "--json", facts=admin(home))
    assert result.code == 0
    assert result.json["changed"] is False
    assert {item["change"] for item in result.json["files"]} == {"unchanged"}
    assert snapshot(home, root) == before


def test_dry_run_touches_nothing_and_shows_a_masked_diff(
    cli, org_config: Path, home: Path, root: Path
) -> None:
    before = snapshot(home, root)
    result = cli("configure", "--dry-run", "--config", str(org_config), facts=admin(home))
    assert result.code == 0
    assert snapshot(home, root) == before
    assert '+    "idc_region": "eu-west-1"' in result.stdout
    assert "+sso_region = eu-west-1" in result.stdout
    assert "s3cr3t-token-value" not in result.stdout
    assert '"API_TOKEN": "****"' in result.stdout
    assert "Dry run: nothing was written." in result.stdout


def test_not_root_writes_user_files_and_prints_the_admin_command(
    cli, org_config: Path, home: Path, root: Path
) -> None:
    facts = fixtures.ubuntu2404(home)  # not an administrator
    result = cli("configure", "--config", str(org_config), "--json", facts=facts)
    assert result.code == 0
    changes = {item["label"]: item["change"] for item in result.json["files"]}
    assert changes["Kiro managed settings"] == "skipped-needs-admin"
    assert changes["Kiro user settings"] == "created"
    assert not (root / "etc/kiro").exists()
    assert result.json["admin_commands"] == [
        f"sudo kiro-bootstrap configure --config {org_config} --root {root} --for-user alice"
    ]
    admin_steps = [step for step in result.json["next_steps"] if step["who"] == "admin"]
    assert [step["command"] for step in admin_steps] == result.json["admin_commands"]
    text = cli("configure", "--config", str(org_config), facts=facts)
    assert "Next, in Kiro:" in text.stdout
    assert "[administrator] Write the machine-wide settings" in text.stdout


def test_another_users_files_need_root(cli, org_config: Path, home: Path) -> None:
    facts = fixtures.ubuntu2404(home)
    result = cli("configure", "--config", str(org_config), "--for-user", "bob", facts=facts)
    assert result.code == 9
    assert "needs root" in result.stderr


def test_pinned_old_kiro_is_warned_about_and_disables_updates(
    cli, org_config: Path, home: Path, root: Path
) -> None:
    facts = admin(home)
    env = {"KIRO_BOOTSTRAP_RELEASE__VERSION": "1.1.9"}
    result = cli("configure", "--config", str(org_config), facts=facts, env=env)
    assert result.code == 0
    assert "Kiro 1.1.9 is older than 1.2" in result.stdout
    assert json.loads((root / "etc/kiro/policy.json").read_text())["UpdateMode"] == "none"


def test_configure_without_an_organisation_config_says_there_is_nothing_to_do(cli) -> None:
    result = cli("configure", facts=fixtures.ubuntu2404())
    assert result.code == 0
    assert "Nothing to configure" in result.stdout
    assert "--config" in result.stdout


def test_every_telemetry_switch_reaches_its_kiro_key(cli, tmp_path: Path, home: Path) -> None:
    config = tmp_path / "telemetry.toml"
    config.write_text(
        "[kiro.telemetry]\nusage_analytics = false\ncontent_collection = false\n"
        "prompt_logging = false\nedit_stats = false\nfeedback = false\n"
    )
    assert cli("configure", "--config", str(config), facts=admin(home)).code == 0
    written = json.loads((home / ".config/Kiro/User/settings.json").read_text())
    assert written == {
        "telemetry.dataSharingAndPromptLogging.usageAnalyticsAndPerformanceMetrics": False,
        "telemetry.dataSharingAndPromptLogging.contentCollectionForServiceImprovement": False,
        "telemetry.dataSharing.contentCollectionForServiceImprovement": False,
        "telemetry.dataSharingAndPromptLogging.promptLogging": False,
        "telemetry.editStats.enabled": False,
        "telemetry.feedback.enabled": False,
    }
