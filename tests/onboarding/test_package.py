"""`admin package`: what the portal publishes, and a packaged agent using the file beside it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kiro_bootstrap.errors import ExitStatus
from tests.conftest import CliRunner
from tests.host import fixtures
from tests.onboarding.support import IDC_REGION, START_URL, write_organisation


def _fake_binary(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    binary = folder / "kiro-bootstrap"
    binary.write_bytes(b"\x7fELF a stand-in for the built binary")
    return binary


def test_package_writes_binary_settings_and_manifest_with_digests(
    cli: CliRunner, tmp_path: Path
) -> None:
    org = write_organisation(tmp_path / "admin", None)
    binary = _fake_binary(tmp_path / "dist")
    dest = tmp_path / "portal"
    result = cli(
        "--json", "--config", str(org), "admin", "package",
        "--dest", str(dest), "--binary", str(binary), "--target", "linux-x64",
        facts=fixtures.ubuntu2404(),
    )  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    assert result.json["command"] == "admin package"
    published = dest / "linux-x64" / "kiro-bootstrap"
    beside = dest / "linux-x64" / "kiro-bootstrap.toml"
    assert published.read_bytes() == binary.read_bytes()
    assert published.stat().st_mode & 0o777 == 0o755
    assert beside.read_bytes() == org.read_bytes()  # verbatim: comments and all
    assert beside.stat().st_mode & 0o777 == 0o644
    manifest = json.loads((dest / "kiro-bootstrap-package.json").read_text())
    entry = manifest["targets"]["linux-x64"]
    assert entry["binary"]["sha256"] == hashlib.sha256(binary.read_bytes()).hexdigest()
    assert entry["settings"]["sha256"] == hashlib.sha256(org.read_bytes()).hexdigest()
    assert entry["settings"]["path"] == "linux-x64/kiro-bootstrap.toml"


def test_a_second_target_joins_the_same_manifest(cli: CliRunner, tmp_path: Path) -> None:
    org = write_organisation(tmp_path / "admin", None)
    binary = _fake_binary(tmp_path / "dist")
    dest = tmp_path / "portal"
    for target in ("linux-x64", "win32-x64"):
        argv = ["--config", str(org), "admin", "package", "--dest", str(dest)]
        result = cli(*argv, "--binary", str(binary), "--target", target)
        assert result.code == 0, result.stderr
    manifest = json.loads((dest / "kiro-bootstrap-package.json").read_text())
    assert sorted(manifest["targets"]) == ["linux-x64", "win32-x64"]
    assert (dest / "win32-x64" / "kiro-bootstrap.exe").is_file()


def test_package_refuses_settings_without_the_linux_pin(cli: CliRunner, tmp_path: Path) -> None:
    org = write_organisation(tmp_path / "admin", None, pin=False)
    binary = _fake_binary(tmp_path / "dist")
    dest = tmp_path / "portal"
    result = cli(
        "--config", str(org), "admin", "package", "--dest", str(dest),
        "--binary", str(binary), "--target", "linux-x64",
    )  # fmt: skip
    assert result.code == ExitStatus.USAGE
    assert "linux_cert_sha256" in result.stderr
    assert not dest.exists()


def test_package_needs_a_config_file(cli: CliRunner, tmp_path: Path) -> None:
    binary = _fake_binary(tmp_path / "dist")
    result = cli("admin", "package", "--dest", str(tmp_path / "p"), "--binary", str(binary))
    assert result.code == ExitStatus.USAGE
    assert "needs --config FILE" in result.stderr


def test_packaged_settings_are_the_organisation_layer_for_the_person(
    cli: CliRunner, tmp_path: Path
) -> None:
    org = write_organisation(tmp_path / "admin", None)
    folder = tmp_path / "Downloads"
    program = _fake_binary(folder)
    (folder / "kiro-bootstrap.toml").write_bytes(org.read_bytes())
    result = cli("--json", "config", "show", facts=fixtures.ubuntu2404(), program=program)
    assert result.code == 0, result.stderr
    settings = result.json["settings"]
    assert settings["identity_center.start_url"]["value"] == START_URL
    origin = settings["identity_center.start_url"]["origin"]
    assert origin == f"organisation {folder / 'kiro-bootstrap.toml'}"


def test_root_refuses_settings_beside_a_binary_in_a_person_writable_folder(
    cli: CliRunner, tmp_path: Path
) -> None:
    org = write_organisation(tmp_path / "admin", None)
    folder = tmp_path / "Downloads"  # under /tmp: a folder everyone may write
    program = _fake_binary(folder)
    (folder / "kiro-bootstrap.toml").write_bytes(org.read_bytes())
    facts = fixtures.ubuntu2404(is_admin=True)
    result = cli("--json", "config", "show", facts=facts, program=program)
    assert result.code == 0
    assert "not used when running as root/Administrator" in result.stderr
    assert "MDM policy" in result.stderr
    settings = result.json["settings"]
    assert settings["identity_center.start_url"]["value"] is None
    assert IDC_REGION not in result.stdout
