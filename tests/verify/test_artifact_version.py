"""The version inside an artifact must be its label: a signed old build cannot pose as a new one."""

from __future__ import annotations

import dataclasses
import io
import json
import plistlib
import shutil
import tarfile
from pathlib import Path

import pytest

from kiro_bootstrap.host.runner import RecordedRunner
from kiro_bootstrap.layout.targets import TARGET_SPECS
from kiro_bootstrap.verify.artifact_version import check_artifact_version, normalise_version
from sandbox.artifacts import write_deb
from sandbox.release_server import ReleaseServer
from sandbox.release_tree import ReleaseTree
from tests.release.support import TAR, cache_root, download, leftovers

LABEL = "1.0.310"
PIP_LAUNCHER = Path(pytest.importorskip("pip").__file__).parent / "_vendor/distlib/t64.exe"


def check(target: str, artifact: Path, *, field: str = "version", runner=None, mac=False):
    return check_artifact_version(
        TARGET_SPECS[target],
        artifact,
        LABEL,
        version_field=field,
        runner=runner or RecordedRunner(),
        can_attach_dmg=mac,
    )


def tarball(tmp_path: Path, product: dict[str, object] | bytes) -> Path:
    data = product if isinstance(product, bytes) else json.dumps(product).encode()
    path = tmp_path / "kiro.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, body in (("Kiro/kiro", b"#!/bin/sh\n"), (
            "Kiro/resources/app/product.json", data)):  # fmt: skip
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return path


@pytest.mark.parametrize(
    ("product", "field", "status"),
    [
        ({"version": LABEL, "vsCodeVersion": "1.94.0"}, "version", "pass"),
        ({"version": "1.0.309", "vsCodeVersion": "1.94.0"}, "version", "fail"),
        # Realistic shapes: no `version` at all, or `version` holding the Code-OSS version and
        # Kiro's own version elsewhere. The default must not refuse these builds.
        ({"nameLong": "Kiro", "vsCodeVersion": "1.94.0"}, "version", "warn"),
        ({"version": "1.94.0", "vsCodeVersion": "1.94.0", "kiroVersion": LABEL}, "version", "warn"),
        ({"version": "1.94.0", "vsCodeVersion": "1.94.0", "kiroVersion": LABEL}, "kiroVersion",
         "pass"),
        ({"version": "1.94.0", "vsCodeVersion": "1.94.0", "kiroVersion": "1.0.1"}, "kiroVersion",
         "fail"),
        (b"[" * 10_000, "version", "warn"),
    ],
)  # fmt: skip
def test_product_json_shapes(tmp_path, product, field, status):
    result = check(TAR, tarball(tmp_path, product), field=field)
    assert result.status == status
    if status == "fail":
        assert LABEL in result.summary
        assert f"product.json field {field!r}" in result.summary
        assert "kiro.version_field" in result.remedy
    if status == "warn":
        assert f"taken as {LABEL}" in result.summary


def test_deb_control_version(tmp_path):
    good = write_deb(tmp_path / "good.deb", LABEL, "linux-x64", 0)
    assert good.sha256
    assert check("linux-x64-deb", tmp_path / "good.deb").status == "pass"
    write_deb(tmp_path / "old.deb", "1.0.309", "linux-x64", 0)
    refused = check("linux-x64-deb", tmp_path / "old.deb")
    assert refused.status == "fail"
    assert "1.0.309" in refused.summary
    assert "control file" in refused.summary


def patched_launcher(tmp_path: Path, version: str) -> Path:
    """pip's Windows launcher with its ProductVersion string resource set to `version`."""
    data = PIP_LAUNCHER.read_bytes()
    old = "1.1.0.14".encode("utf-16-le")
    assert len(version) == len("1.1.0.14")
    path = tmp_path / "installer.exe"
    path.write_bytes(data.replace(old, version.encode("utf-16-le")))
    return path


def test_windows_version_resource_four_parts_are_normalised(tmp_path):
    assert normalise_version("1.0.309.0") == "1.0.309"
    assert normalise_version("2:1.0.309-1") == "1.0.309"
    exe = patched_launcher(tmp_path, "9.0.31.0")
    result = check_artifact_version(
        TARGET_SPECS["win32-x64"], exe, "9.0.31", version_field="version",
        runner=RecordedRunner(), can_attach_dmg=False,
    )  # fmt: skip
    assert result.status == "pass"
    refused = check("win32-x64", exe)
    assert refused.status == "fail"
    assert "9.0.31.0" in refused.summary
    assert "version resource" in refused.summary


def mounted_runner(mount: Path) -> RecordedRunner:
    runner = RecordedRunner()
    attach = plistlib.dumps({"system-entities": [{"mount-point": str(mount)}]}).decode()
    runner.add(["hdiutil", "attach"], attach)
    runner.add(["hdiutil", "detach"], "")
    return runner


@pytest.mark.parametrize(("inside", "status"), [(LABEL, "pass"), ("1.0.309", "fail")])
def test_dmg_app_bundle_version_through_hdiutil(tmp_path, inside, status):
    mount = tmp_path / "volume"
    contents = mount / "Kiro.app/Contents"
    contents.mkdir(parents=True)
    (contents / "Info.plist").write_bytes(
        plistlib.dumps({"CFBundleShortVersionString": inside, "CFBundleVersion": inside})
    )
    runner = mounted_runner(mount)
    result = check("darwin-arm64", tmp_path / "kiro.dmg", runner=runner, mac=True)
    assert result.status == status
    assert runner.calls[-1] == ("hdiutil", "detach", str(mount))
    assert check("darwin-arm64", tmp_path / "kiro.dmg").status == "deferred"  # not on macOS


@pytest.fixture
def rolled_back_tree(release_tree: ReleaseTree, tmp_path: Path) -> ReleaseTree:
    """The host serves the genuinely signed 1.0.309 tarball under 1.0.310's name."""
    old, new = release_tree.artifact(TAR, "1.0.309"), release_tree.artifact(TAR, LABEL)
    root = tmp_path / "hostile-host"
    shutil.copytree(release_tree.root, root)
    files = dict(release_tree.files)
    for source, target in ((old.relative_path, new.relative_path),
                           (old.signature_path, new.signature_path)):  # fmt: skip
        assert source is not None
        assert target is not None
        shutil.copyfile(root / source, root / target)
        files[target] = dataclasses.replace(files[source], relative_path=target)
    return dataclasses.replace(release_tree, root=root, files=files)


def test_a_signed_old_build_served_as_the_new_version_is_exit_5(cli, rolled_back_tree, isolated):
    with ReleaseServer(rolled_back_tree) as server:
        result = download(cli, server)
    assert result.code == 5
    message = result.json["error"]["message"]
    assert "offered as Kiro 1.0.310 is version 1.0.309" in message
    assert "kiro.version_field" in result.json["error"]["hint"]
    assert leftovers(cache_root(isolated)) == []
