"""Kiro's launch environment (the organisation's CA and proxy), tested the way a person starts
Kiro: `gio launch` of the installed menu entry starting the sandbox's Kiro, which reports what
it was given; owned, drift-checked and removed like every other key."""

from __future__ import annotations

import json
import plistlib
from collections.abc import Callable
from pathlib import Path

from kiro_bootstrap.configure import desktop_entry
from kiro_bootstrap.configure.run import (
    configure_user_and_system,
    detect_drift,
    remove_owned_configuration,
)
from kiro_bootstrap.context import Context
from kiro_bootstrap.host.runner import RecordedRunner
from kiro_bootstrap.privsep.person import Person
from sandbox.artifacts import deb_desktop_entry, launcher_script
from sandbox.tls_stand_in import create_authority
from tests.host import fixtures
from tests.install.launching import gio_launch, validate
from tests.install.support import admin_host, root_of, run_install, user_host
from tests.privsep.windows_task import signed_in_alice
from tests.release import support

origin = support.origin
release_tree = support.release_tree
PROXY_WITH_CREDENTIALS = "http://alice:s3cret%2Bpw@proxy.example.com:8080"
PROXY = "http://proxy.example.com:8080"
NO_PROXY = "git.corp.example.com,localhost,127.0.0.1,::1"
USER_ENVIRONMENT = "HKCU\\Environment"


def write_config(folder: Path) -> tuple[Path, Path]:
    """An organisation config with a CA bundle and an authenticated proxy; (config, CA)."""
    ca = folder / "corp ca.pem"
    ca.write_bytes(create_authority().ca_pem)
    config = folder / "org.toml"
    config.write_text(
        "[network]\n"
        f'proxy = "{PROXY_WITH_CREDENTIALS}"\n'
        f'ca_bundle = "{ca}"\n'
        'no_proxy = ["git.corp.example.com"]\n'
        "kiro_system_ca = true\n"
    )
    return config, ca


def assert_environment(environ: dict[str, str], ca: Path) -> None:
    assert environ["NODE_EXTRA_CA_CERTS"] == str(ca)
    assert environ["NODE_USE_SYSTEM_CA"] == "1"
    assert environ["HTTPS_PROXY"] == environ["https_proxy"] == environ["HTTP_PROXY"] == PROXY
    assert environ["NO_PROXY"] == environ["no_proxy"] == NO_PROXY


def test_tarball_menu_entry_starts_kiro_with_the_ca_and_proxy(cli, origin, isolated, tmp_path):
    config, ca = write_config(tmp_path)
    result = run_install(cli, origin, isolated, "--config", str(config), facts=user_host(isolated))
    assert result.code == 0, result.stdout + result.stderr
    home = Path(isolated["HOME"])
    entry = home / ".local/share/applications/kiro.desktop"
    assert validate(entry) == ""
    assert_environment(gio_launch(entry, tmp_path / "report").environ, ca)
    text = entry.read_text()
    assert "s3cret" not in text
    assert "alice:" not in text
    assert entry.stat().st_mode & 0o777 == 0o644
    settings = home / ".config/Kiro/User/settings.json"
    assert PROXY_WITH_CREDENTIALS in settings.read_text()  # where Kiro reads the credentials
    warnings = result.json["configure"]["warnings"]
    assert any("http.proxy in the person's settings.json" in line for line in warnings)
    again = run_install(cli, origin, isolated, "--config", str(config), facts=user_host(isolated))
    assert again.json["action"] == "up-to-date"
    assert entry.read_text() == text
    removed = cli("uninstall", "--json", "--config", str(config), facts=user_host(isolated))
    assert removed.code == 0, removed.stdout
    assert not entry.exists()


def test_deb_gets_our_own_override_entry_and_dpkgs_stays_untouched(cli, origin, isolated, tmp_path):
    config, ca = write_config(tmp_path)
    result = run_install(
        cli, origin, isolated, "--target", "linux-x64-deb", "--config", str(config),
        facts=admin_host(isolated),
    )  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    root, home = root_of(isolated), Path(isolated["HOME"])
    assert (root / "usr/share/applications/kiro.desktop").read_bytes() == deb_desktop_entry()
    entry = home / ".local/share/applications/kiro.desktop"
    assert validate(entry) == ""
    launched = gio_launch(entry, tmp_path / "report", "/tmp/notes.md")
    assert launched.argv == ["/tmp/notes.md"]
    assert_environment(launched.environ, ca)
    removed = cli("uninstall", "--json", facts=admin_host(isolated))
    assert removed.code == 0, removed.stdout
    assert not entry.exists()


def ALICE(home: Path) -> Person:  # noqa: N802 - reads as the person it names
    return Person("alice", home, for_someone_else=False)


def _deb_kiro(root: Path) -> None:
    launcher = root / "usr/share/kiro/kiro"
    launcher.parent.mkdir(parents=True)
    launcher.write_bytes(launcher_script("1.3.0"))
    launcher.chmod(0o755)


def test_an_edited_environment_is_drift_and_removal_gives_the_entry_back(
    make_context: Callable[..., Context], home: Path, root: Path, tmp_path: Path
) -> None:
    _deb_kiro(root)
    config, _ca = write_config(tmp_path)
    ctx = make_context(config, facts=fixtures.ubuntu2404(home, is_admin=True))
    configure_user_and_system(ctx, person=ALICE(home), kiro_version="1.3.0", dry_run=False)
    entry = home / ".local/share/applications/kiro.desktop"
    assert detect_drift(ctx, person=ALICE(home)) == []
    text = entry.read_text()
    entry.write_text(text.replace("NODE_USE_SYSTEM_CA=1 ", ""))
    assert [drift.key for drift in detect_drift(ctx, person=ALICE(home))] == ["Exec"]
    entry.write_text(text)
    remove_owned_configuration(ctx, person=ALICE(home), dry_run=False)
    assert not entry.exists()  # we made it, nothing of ours is left in it


def test_a_persons_own_override_keeps_everything_but_gains_the_environment(
    make_context: Callable[..., Context], home: Path, root: Path, tmp_path: Path
) -> None:
    _deb_kiro(root)
    config, ca = write_config(tmp_path)
    entry = home / ".local/share/applications/kiro.desktop"
    entry.parent.mkdir(parents=True)
    mine = deb_desktop_entry().decode().replace("Name=Kiro", "Name=Kiro (mine)")
    mine = mine.replace("/usr/share/kiro/kiro", str(root / "usr/share/kiro/kiro"))
    entry.write_text(mine)
    ctx = make_context(config, facts=fixtures.ubuntu2404(home))
    configure_user_and_system(ctx, person=ALICE(home), kiro_version="1.3.0", dry_run=False)
    assert "Name=Kiro (mine)" in entry.read_text()
    assert_environment(gio_launch(entry, tmp_path / "report").environ, ca)
    remove_owned_configuration(ctx, person=ALICE(home), dry_run=False)
    assert entry.read_text() == mine


def test_no_ca_or_proxy_writes_no_entry(cli, home: Path, root: Path, tmp_path: Path) -> None:
    _deb_kiro(root)
    config = tmp_path / "empty.toml"
    config.write_text("")
    result = cli("configure", "--config", str(config), facts=fixtures.ubuntu2404(home))
    assert result.code == 0, result.stderr
    assert not (home / ".local/share/applications/kiro.desktop").exists()


def test_macos_launch_agent_sets_the_environment_for_the_session(
    cli, home: Path, tmp_path: Path
) -> None:
    config, ca = write_config(tmp_path)
    result = cli("configure", "--config", str(config), facts=fixtures.macos14_arm64(home))
    assert result.code == 0, result.stderr
    agent = home / "Library/LaunchAgents/dev.kiro.bootstrap.environment.plist"
    data = plistlib.loads(agent.read_bytes())
    assert data["RunAtLoad"] is True
    program, flag, script = data["ProgramArguments"]
    assert (program, flag) == ("/bin/sh", "-c")
    assert f"/bin/launchctl setenv NODE_EXTRA_CA_CERTS '{ca}'" in script
    assert f"/bin/launchctl setenv HTTPS_PROXY {PROXY}" in script
    assert "s3cret" not in agent.read_text()


def _user_environment(calls: list[tuple[str, ...]]) -> dict[str, str]:
    return {call[4]: call[8] for call in calls if call[:3] == ("reg", "add", USER_ENVIRONMENT)}


def test_windows_user_environment_is_written_by_the_person_themselves(
    cli, tmp_path: Path, root: Path, isolated: dict[str, str]
) -> None:
    (root / "C/Users/alice").mkdir(parents=True)  # alice has signed in once
    config, ca = write_config(tmp_path)
    runner = RecordedRunner().add(["reg"], "done").add(["icacls"], "processed 1 file")
    result = cli("configure", "--config", str(config), facts=fixtures.windows11_user(),
                 runner=runner)  # fmt: skip
    assert result.code == 0, result.stderr
    added = _user_environment(runner.calls)
    assert added["NODE_EXTRA_CA_CERTS"] == str(ca)
    assert added["HTTPS_PROXY"] == PROXY
    assert "s3cret" not in json.dumps(runner.calls)
    # As SYSTEM, HKCU is SYSTEM's own: alice's agent, run by her scheduled task, writes hers.
    recorded = RecordedRunner().add(["reg"], "done").add(["icacls"], "processed 1 file")
    task = signed_in_alice(recorded, root, isolated)
    result = cli("configure", "--config", str(config), facts=fixtures.windows11_system(),
                 runner=task)  # fmt: skip
    assert result.code == 0, result.stderr
    assert [argv[0] for argv in task.person_runs] == ["person-step"]
    assert _user_environment(recorded.calls) == added


def test_exec_prefix_round_trips_through_the_spec_quoting() -> None:
    launch = desktop_entry.exec_value(["/home/Jane Doe/kiro"])
    variables = {"NODE_EXTRA_CA_CERTS": "/etc/ssl/corp $ca.pem"}
    prefixed = desktop_entry.with_environment(launch, variables)
    assert desktop_entry.split_environment(prefixed) == (variables, launch)
    assert desktop_entry.with_environment(prefixed, {}) == launch
