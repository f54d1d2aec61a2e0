"""The menu entry of a tar.gz install, checked by its real consumers: desktop-file-validate and
GLib's `gio launch` (which must start Kiro even with a space in HOME), and a person's edit kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiro_bootstrap.configure import desktop_entry
from kiro_bootstrap.install.integration import (
    desktop_entry_state,
    desktop_entry_text,
    integration_complete,
    write_integration,
)
from kiro_bootstrap.layout.locations import LinuxLayout
from sandbox.artifacts import launcher_script, shim_script
from tests.install.launching import gio_launch, validate
from tests.install.support import run_install, user_host
from tests.release import support
from tests.release.support import LATEST

origin = support.origin
release_tree = support.release_tree
PREVIOUS = "1.0.309"


def _layout_in(home: Path) -> LinuxLayout:
    """A user-scope layout under `home`, with a fake Kiro as `current`."""
    prefix = home / ".local/share/kiro-bootstrap/kiro"
    version = prefix / "1.0.0"
    (version / "bin").mkdir(parents=True)
    (version / "kiro").write_bytes(launcher_script("1.0.0"))
    (version / "bin/kiro").write_bytes(shim_script("1.0.0"))
    for program in (version / "kiro", version / "bin/kiro"):
        program.chmod(0o755)
    (prefix / "current").symlink_to("1.0.0")
    share = home / ".local/share"
    return LinuxLayout(
        prefix=prefix,
        shim=home / ".local/bin/kiro",
        desktop_entry=share / "applications/kiro.desktop",
        icon=share / "icons/hicolor/512x512/apps/kiro.png",
    )


@pytest.mark.parametrize("home_name", ["Jane Doe", "o'brien $HOME (dev)"])
def test_the_menu_entry_launches_kiro_with_awkward_characters_in_home(tmp_path, home_name):
    layout = _layout_in(tmp_path / home_name)
    write_integration(layout, {}, previous_created=(), previous_replaced={})
    assert validate(layout.desktop_entry) == ""
    opened = tmp_path / "a file.txt"
    launched = gio_launch(layout.desktop_entry, tmp_path / "report", str(opened))
    assert launched.argv == [str(opened)]


def test_the_unquoted_entry_of_earlier_versions_is_upgraded_not_reported(tmp_path):
    layout = _layout_in(tmp_path / "Jane Doe")
    legacy = desktop_entry_text(layout, launch=f"{layout.current / 'kiro'} %F")
    layout.desktop_entry.parent.mkdir(parents=True)
    layout.desktop_entry.write_text(legacy)
    assert desktop_entry_state(layout) == "outdated"
    written = write_integration(layout, {}, previous_created=(), previous_replaced={})
    assert written.notes == []
    assert layout.desktop_entry.read_text() == desktop_entry_text(layout)


def test_a_launch_environment_from_configure_is_neither_an_edit_nor_lost(tmp_path):
    layout = _layout_in(tmp_path / "Jane Doe")
    write_integration(layout, {}, previous_created=(), previous_replaced={})
    text = layout.desktop_entry.read_text()
    launch = desktop_entry.read_key(text, "Desktop Entry", "Exec") or ""
    with_ca = desktop_entry.with_environment(launch, {"NODE_EXTRA_CA_CERTS": "/etc/corp ca.pem"})
    layout.desktop_entry.write_text(text.replace(launch, with_ca))
    assert desktop_entry_state(layout) == "ours"
    assert integration_complete(layout)
    launched = gio_launch(layout.desktop_entry, tmp_path / "report")
    assert launched.environ["NODE_EXTRA_CA_CERTS"] == "/etc/corp ca.pem"


def test_a_persons_edit_is_kept_and_reported_on_upgrade(cli, origin, isolated):
    facts = user_host(isolated)
    pin = {"KIRO_BOOTSTRAP_RELEASE__VERSION": PREVIOUS}
    assert run_install(cli, origin, isolated, facts=facts, env=pin).code == 0
    entry = Path(isolated["HOME"]) / ".local/share/applications/kiro.desktop"
    edited = entry.read_text().replace("Name=Kiro", "Name=Kiro (work)")
    entry.write_text(edited)
    again = run_install(cli, origin, isolated, facts=facts, env=pin)
    assert again.json["action"] == "up-to-date"  # never "Finished the interrupted install"
    upgraded = run_install(cli, origin, isolated, facts=facts)
    assert upgraded.code == 0, upgraded.stdout
    assert (upgraded.json["action"], upgraded.json["version"]) == ("upgrade", LATEST)
    assert entry.read_text() == edited
    assert any("edited by hand" in note for note in upgraded.json["notes"])
