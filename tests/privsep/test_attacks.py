"""An attacker with a local account plants links and forged records in their home while root
runs the agent for them: nothing outside their home may change (content, owner, mode)."""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import pytest

from kiro_bootstrap.context import RunningProcess
from tests.host import fixtures
from tests.install.support import run_install
from tests.privsep.conftest import PERSON, as_person, tree_state

ORG = """
[identity_center]
start_url = "https://d-1234567890.awsapps.com/start"
region = "eu-west-1"

[network]
proxy = "http://user:pr0xy-s3cret@proxy.example.com:8080"

[mcp.servers.docs]
command = "uvx"
env = { API_TOKEN = "s3cr3t-token-value" }

[steering]
files = { standards = "Write tests for every change." }
"""


@pytest.fixture
def org(tmp_path: Path) -> Path:
    path = tmp_path / "org.toml"
    path.write_text(ORG)
    return path


def root_facts(isolated: dict[str, str]):
    """Root, running the agent for someone else (MDM)."""
    return fixtures.ubuntu2404(
        Path(isolated["HOME"]), is_admin=True, current_user="root", console_user=None
    )


def _roots_own(path: str) -> bool:
    """Root's own files, which a run legitimately writes: state, logs, managed settings."""
    return any(part in path for part in ("/var/lib/kiro-bootstrap", "/var/log", "/etc/kiro"))


def _root(isolated: dict[str, str]) -> Path:
    return Path(isolated["KIRO_BOOTSTRAP_ROOT"])


def _system_files(root: Path) -> None:
    for name, text in (("etc/passwd", "root:x:0:0::/root:/bin/bash\n"), ("etc/shadow", "s\n"),
                       ("usr/bin/apt-get", "#!/bin/sh\n"), ("var/lib/keep", "k\n")):  # fmt: skip
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "etc/shadow").chmod(0o600)


def _plant_link(home: Path, relative: str, target: Path, account: pwd.struct_passwd) -> None:
    link = home / relative
    link.parent.mkdir(parents=True, exist_ok=True)
    for parent in [link.parent, *link.parent.parents]:
        if parent == home.parent:
            break
        as_person(parent, account)
    link.symlink_to(target)
    as_person(link, account)


def _configure(cli, isolated, org: Path, *extra: str):
    return cli("configure", "--config", str(org), "--for-user", PERSON, "--json", *extra,
               facts=root_facts(isolated))  # fmt: skip


LINKED_PARTS = [".local", ".local/state", ".config", ".config/Kiro", ".kiro", ".kiro/steering",
                ".aws", ".local/state/kiro-bootstrap/backups"]  # fmt: skip


@pytest.mark.parametrize("relative", LINKED_PARTS)
@pytest.mark.parametrize("target", ["etc", "var/lib"])
def test_a_link_anywhere_in_the_home_reaches_nothing_outside_it(
    cli, isolated, org, person_account, person_home, guard_home, relative, target
):
    root = _root(isolated)
    _system_files(root)
    _plant_link(person_home, relative, root / target, person_account)
    before = tree_state(root, skip=person_home)
    guard_home.clear()  # what the test itself planted as root does not count
    for command in ("configure", "status"):
        if command == "configure":
            result = _configure(cli, isolated, org)
        else:
            result = cli("status", "--for-user", PERSON, "--json", "--offline",
                         facts=root_facts(isolated))  # fmt: skip
        assert result.code in {0, 9, 11, 12}, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    after = tree_state(root, skip=person_home)
    changed = {path for path in set(before) | set(after) if before.get(path) != after.get(path)}
    # Only root's own files may change outside the home: its state, logs, managed settings.
    assert {path for path in changed if not _roots_own(path)} == set()
    assert guard_home == []


def test_a_forged_configuration_record_cannot_restore_a_system_file(
    cli, isolated, org, person_account, person_home, guard_home
):
    root = _root(isolated)
    _system_files(root)
    passwd = root / "etc/passwd"
    state = person_home / ".local/state/kiro-bootstrap"
    state.mkdir(parents=True)
    forged = {"version": 1, "files": {str(passwd): {
        "format": "aws-config", "created": False, "backup": None,
        "keys": {"sso-session kiro.sso_region": {"written": "x", "previous": "evil",
                                                 "had_previous": True}}}}}  # fmt: skip
    (state / "configured.json").write_text(json.dumps(forged))
    for path in (person_home / ".local", person_home / ".local/state", state,
                 state / "configured.json"):  # fmt: skip
        as_person(path, person_account)
    before = tree_state(root / "etc", skip=person_home)
    guard_home.clear()
    result = _configure(cli, isolated, org)
    assert result.code == 0, result.stdout + result.stderr
    assert any("outside" in warning for warning in result.json["warnings"])
    after = tree_state(root / "etc", skip=person_home)
    assert {path: value for path, value in after.items() if not _roots_own(path)} == before
    assert guard_home == []


def test_a_forged_install_record_cannot_delete_a_system_folder_or_run_dpkg(
    cli, isolated, org, person_account, person_home, guard_home
):
    root = _root(isolated)
    _system_files(root)
    state = person_home / ".local/state/kiro-bootstrap"
    state.mkdir(parents=True)
    record = {"version": "1.0.0", "target": "linux-x64-deb", "scope": "user", "method": "deb",
              "location": str(root / "etc"), "installed_at": "2026-01-01T00:00:00+00:00",
              "sha256": "0" * 64, "url": "https://x", "pinned": False, "verification": [],
              "created": [], "replaced": {str(root / "etc/shadow"): str(state / "s")}}  # fmt: skip
    status = {"schema": 1, "user": PERSON, "agent_version": "0", "updated_at": "",
              "last_command": "install", "last_exit_code": 0, "install": record}  # fmt: skip
    (state / "status.json").write_text(json.dumps(status))
    for path in (person_home / ".local", person_home / ".local/state", state,
                 state / "status.json"):  # fmt: skip
        as_person(path, person_account)
    calls: list[tuple[str, ...]] = []

    def runner(argv, **_kwargs):
        calls.append(tuple(argv))
        raise AssertionError(f"root ran {argv}")

    before = tree_state(root, skip=person_home)
    guard_home.clear()
    result = cli("uninstall", "--for-user", PERSON, "--json", facts=root_facts(isolated),
                 runner=runner)  # fmt: skip
    assert result.code == 9, result.stdout + result.stderr
    assert "not acted on" in result.stdout
    assert calls == []
    after = tree_state(root, skip=person_home)
    assert {p for p in set(before) | set(after) if before.get(p) != after.get(p)
            and not _roots_own(p)} == set()  # fmt: skip
    assert guard_home == []


def test_a_user_scope_install_through_a_linked_local_stays_in_the_home(
    cli,
    origin,
    isolated,
    person_account,
    person_home,
    guard_home,
):
    root = _root(isolated)
    _system_files(root)
    _plant_link(person_home, ".local", root / "usr", person_account)
    before = tree_state(root / "usr", skip=person_home)
    guard_home.clear()
    result = run_install(cli, origin, isolated, "--scope", "user", "--for-user", PERSON,
                         "--no-configure", facts=root_facts(isolated))  # fmt: skip
    # The person's step cannot write through the link into root's /usr: the install fails.
    assert result.code != 0
    assert "Traceback" not in result.stderr
    assert tree_state(root / "usr", skip=person_home) == before
    assert guard_home == []


def test_root_installs_into_a_real_persons_home_as_that_person(
    cli,
    origin,
    isolated,
    person_account,
    person_home,
    guard_home,
):
    result = run_install(cli, origin, isolated, "--scope", "user", "--for-user", PERSON,
                         "--no-configure", facts=root_facts(isolated))  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    made = [person_home / ".local/share/kiro-bootstrap/kiro", person_home / ".local/bin/kiro",
            person_home / ".local/state/kiro-bootstrap/status.json"]  # fmt: skip
    for path in made:
        assert path.lstat().st_uid == person_account.pw_uid, path
    # A rerun finds it through the person's step: nothing downloaded, nothing placed.
    again = run_install(cli, origin, isolated, "--scope", "user", "--for-user", PERSON,
                        "--no-configure", facts=root_facts(isolated))  # fmt: skip
    assert again.code == 0
    assert again.json["action"] in {"none", "unchanged", "up-to-date"}, again.json
    assert guard_home == []


def test_configure_for_a_person_writes_their_files_as_them_with_secrets_private(
    cli, isolated, org, person_account, person_home, guard_home
):
    old = os.umask(0)
    try:
        result = _configure(cli, isolated, org)
    finally:
        os.umask(old)
    assert result.code == 0, result.stdout + result.stderr
    settings = person_home / ".config/Kiro/User/settings.json"
    mcp = person_home / ".kiro/settings/mcp.json"
    for path in (settings, mcp, person_home / ".aws/config"):
        assert path.stat().st_uid == person_account.pw_uid, path
    assert settings.stat().st_mode & 0o777 == 0o600  # holds the proxy password
    assert mcp.stat().st_mode & 0o777 == 0o600  # holds the MCP token
    state = _root(isolated) / "var/lib/kiro-bootstrap"
    if state.exists():
        assert state.stat().st_mode & 0o777 == 0o755
    assert "pr0xy-s3cret" not in result.stdout + result.stderr
    assert guard_home == []


def test_an_existing_loose_file_is_tightened_before_a_secret_goes_in(
    cli, isolated, org, person_account, person_home
):
    mcp = person_home / ".kiro/settings/mcp.json"
    mcp.parent.mkdir(parents=True)
    mcp.write_text('{"mcpServers": {}}')
    mcp.chmod(0o644)
    for path in (person_home / ".kiro", mcp.parent, mcp):
        as_person(path, person_account)
    result = _configure(cli, isolated, org)
    assert result.code == 0, result.stdout + result.stderr
    assert mcp.stat().st_mode & 0o777 == 0o600
    assert any("tightened" in warning for warning in result.json["warnings"])


@pytest.mark.parametrize("account", ["daemon", "nobody", "root2-not-there"])
def test_acting_for_an_account_that_is_not_a_person_is_refused(cli, isolated, org, account):
    result = cli("status", "--for-user", account, "--offline", facts=root_facts(isolated))
    assert result.code == 2
    assert "Traceback" not in result.stderr


def test_a_person_without_a_home_yet_is_exit_7(cli, isolated, org, person_account):
    result = _configure(cli, isolated, org)
    assert result.code == 7
    assert "sign in once" in result.stdout


def test_another_accounts_kiro_never_blocks_an_install(cli, origin, isolated):
    strangers = [RunningProcess("kiro", uid=54321, exe="/home/mallory/kiro")]
    result = run_install(cli, origin, isolated, "--no-configure",
                         facts=root_facts(isolated), processes=lambda: strangers)  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr


def test_a_link_swapped_in_during_the_step_reaches_nothing(
    cli, isolated, org, person_account, person_home, guard_home, monkeypatch
):
    """The person swaps ~/.aws for a link to root's folder while their step parses the file."""
    from kiro_bootstrap.configure import aws_config

    root = _root(isolated)
    roots_aws = root / "root/.aws"
    roots_aws.mkdir(parents=True)
    (roots_aws / "config").write_text("[default]\nregion = us-east-1\n")
    roots_aws.chmod(0o700)
    aws = person_home / ".aws"
    aws.mkdir()
    (aws / "config").write_text("[profile mine]\nregion = eu-west-1\n")
    for path in (aws, aws / "config"):
        as_person(path, person_account)
    real_plan = aws_config.plan

    def slow_plan(ws):  # runs in the person's step, so the swap is the person's own doing
        plans = real_plan(ws)
        aws.rename(person_home / ".aws-real")
        aws.symlink_to(roots_aws)
        return plans

    monkeypatch.setattr(aws_config, "plan", slow_plan)
    before = tree_state(root / "root", skip=person_home)
    guard_home.clear()
    result = _configure(cli, isolated, org)
    assert result.code == 9, result.stdout
    assert tree_state(root / "root", skip=person_home) == before
    assert guard_home == []


def test_a_hard_link_to_a_root_file_is_replaced_never_written_through(
    cli, isolated, org, person_account, person_home, guard_home
):
    """Where the kernel lets a person hard-link a root file (protected_hardlinks=0)."""
    root = _root(isolated)
    secret = root / "root/.aws/config"
    secret.parent.mkdir(parents=True)
    secret.write_text("[default]\nregion = us-east-1\n")
    aws = person_home / ".aws"
    aws.mkdir()
    as_person(aws, person_account)
    os.link(secret, aws / "config")  # made here as root: the test stands in for such a kernel
    before = tree_state(root / "root", skip=person_home)
    guard_home.clear()
    result = _configure(cli, isolated, org)
    assert result.code in {0, 9}, result.stdout
    assert tree_state(root / "root", skip=person_home) == before
    assert secret.read_text() == "[default]\nregion = us-east-1\n"
    assert guard_home == []
