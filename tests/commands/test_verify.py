"""`verify FILE`: the download's chain over files already on disk."""

from __future__ import annotations

import json

import pytest

from sandbox.release_tree import build_release_tree
from sandbox.test_keys import generate_keys
from tests.host import fixtures
from tests.release import support

TAR = "linux-x64"

# Fixtures shared with tests/release (pytest finds them by name in this module).
release_tree = support.release_tree


def files_of(tree, target=TAR):
    artifact = tree.artifact(target)
    return (
        tree.path_of(artifact.relative_path),
        tree.path_of(artifact.signature_path) if artifact.signature_path else None,
        tree.path_of(artifact.certificate_path) if artifact.certificate_path else None,
    )


def verify(cli, *argv, env=None):
    return cli("verify", "--json", *argv, facts=fixtures.ubuntu2404(), env=env)


def test_linux_artifact_with_signature_and_certificate_passes(cli, release_tree):
    artifact, signature, certificate = files_of(release_tree)
    pin = json.dumps([release_tree.signing_key.fingerprint_sha256])
    result = verify(cli, str(artifact), "--target", TAR, "--signature", str(signature),
                    "--certificate", str(certificate),
                    env={"KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_CERT_SHA256": pin})  # fmt: skip
    assert result.code == 0, result.stdout
    assert result.json["sha256"] == release_tree.artifact(TAR).sha256
    assert [check["status"] for check in result.json["checks"]] == ["warn", "pass", "pass"]


def test_linux_artifact_without_signature_or_sha256_is_exit_2(cli, release_tree):
    artifact, _, _ = files_of(release_tree)
    result = verify(cli, str(artifact), "--target", TAR)
    assert result.code == 2
    assert "--signature and --certificate, or --sha256" in result.json["error"]["message"]


def test_only_one_of_signature_and_certificate_is_exit_2(cli, release_tree):
    artifact, signature, _ = files_of(release_tree)
    result = verify(cli, str(artifact), "--target", TAR, "--signature", str(signature))
    assert result.code == 2


def test_sha256_alone_verifies_a_linux_artifact(cli, release_tree):
    artifact, _, _ = files_of(release_tree)
    digest = release_tree.artifact(TAR).sha256
    result = verify(cli, str(artifact), "--target", TAR, "--sha256", digest.upper())
    assert result.code == 0
    assert result.json["pinned"] is True
    assert result.json["checks"][1]["status"] == "warn"


def test_wrong_sha256_is_exit_5_and_a_malformed_one_exit_2(cli, release_tree):
    artifact, _, _ = files_of(release_tree)
    assert verify(cli, str(artifact), "--target", TAR, "--sha256", "ab" * 32).code == 5
    assert verify(cli, str(artifact), "--target", TAR, "--sha256", "xyz").code == 2


def test_a_file_signed_by_another_key_is_exit_5(cli, release_tree, tmp_path):
    artifact, _, certificate = files_of(release_tree)
    forged = tmp_path / "signature.bin"
    forged.write_bytes(release_tree.keys.other.sign(artifact.read_bytes()))
    result = verify(cli, str(artifact), "--target", TAR, "--signature", str(forged),
                    "--certificate", str(certificate))  # fmt: skip
    assert result.code == 5


def test_ecdsa_signatures_are_accepted(cli, tmp_path):
    keys = generate_keys()
    tree = build_release_tree(tmp_path / "ecdsa", ["1.0.309"], keys=keys, signing_key=keys.ecdsa)
    artifact, signature, certificate = files_of(tree)
    result = verify(cli, str(artifact), "--target", TAR, "--signature", str(signature),
                    "--certificate", str(certificate))  # fmt: skip
    assert result.code == 0, result.stdout
    assert "Kiro Test Release Signing (ECDSA)" in result.json["checks"][2]["summary"]


@pytest.mark.parametrize("target", ["darwin-arm64", "win32-x64"])
def test_other_os_builds_need_a_sha256_here(cli, release_tree, target):
    artifact, _, _ = files_of(release_tree, target)
    assert verify(cli, str(artifact), "--target", target).code == 5
    digest = release_tree.artifact(target).sha256
    pinned = verify(cli, str(artifact), "--target", target, "--sha256", digest)
    assert pinned.code == 0
    assert pinned.json["deferred"]


def test_a_missing_file_is_exit_2(cli, tmp_path):
    result = verify(cli, str(tmp_path / "nope.tar.gz"), "--target", TAR, "--sha256", "ab" * 32)
    assert result.code == 2
