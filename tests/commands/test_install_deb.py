"""The .deb (system scope): a real package, checked with dpkg-deb, installed with real dpkg into
the test root's own database, never into this machine's."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kiro_bootstrap.install.deb import deb_install_argv, deb_remove_argv
from kiro_bootstrap.paths import build_paths
from tests.host import fixtures
from tests.install.support import admin_host, root_of, run_install, user_host
from tests.release import support
from tests.release.support import LATEST

origin = support.origin
release_tree = support.release_tree
DEB = ("--target", "linux-x64-deb")


def test_the_sandbox_deb_is_a_real_package(release_tree):
    deb = release_tree.path_of(release_tree.artifact("linux-x64-deb").relative_path)
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Version", "Architecture"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert fields.splitlines() == ["Package: kiro", f"Version: {LATEST}", "Architecture: amd64"]
    contents = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    assert "./usr/share/kiro/bin/kiro" in contents


def test_deb_installs_with_dpkg_into_the_test_root_and_uninstalls(cli, origin, isolated):
    result = run_install(cli, origin, isolated, *DEB)
    assert result.code == 0, result.stdout + result.stderr
    root = root_of(isolated)
    product = root / "usr/share/kiro/resources/app/product.json"
    assert f'"version": "{LATEST}"' in product.read_text()
    database = (root / "var/lib/dpkg/status").read_text()
    assert "Package: kiro\nStatus: install ok installed" in database
    assert result.json["location"] == str(root / "usr/share/kiro")
    assert list((root / "var/cache/kiro-bootstrap/installers").glob("*.deb")) == []
    again = run_install(cli, origin, isolated, *DEB)
    assert again.json["action"] == "up-to-date"
    removed = cli("uninstall", "--json", facts=admin_host(isolated))
    assert removed.code == 0, removed.stdout
    assert not product.exists()
    assert "Package: kiro" not in (root / "var/lib/dpkg/status").read_text()


def test_deb_for_a_user_scope_is_exit_9(cli, origin, isolated):
    result = run_install(cli, origin, isolated, *DEB, facts=user_host(isolated))
    assert result.code == 9
    assert "installs system-wide" in result.json["error"]["message"]


def test_on_the_live_root_apt_get_installs_it_non_interactively():
    paths = build_paths(fixtures.ubuntu2404(is_admin=True), Path("/"))
    deb = Path("/var/cache/kiro-bootstrap/installers/kiro-ide-1.0.310-stable-linux-x64.deb")
    assert deb_install_argv(paths, deb) == [
        "apt-get", "install", "--yes", "--allow-downgrades",
        "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
        str(deb),
    ]  # fmt: skip
    assert deb_remove_argv(paths, purge=True) == ["apt-get", "purge", "--yes", "kiro"]
