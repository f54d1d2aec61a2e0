"""release.signing.linux_trust: who may sign a Linux build that root installs."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from sandbox.release_server import ReleaseServer
from sandbox.release_tree import ReleaseTree, build_release_tree
from sandbox.test_keys import generate_keys
from tests.host import fixtures
from tests.release.support import TAR_SUFFIX, artifact_bytes, download, origin_env

ROOT = fixtures.ubuntu2404(Path("/root"), is_admin=True)
NO_PIN = {"KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_CERT_SHA256": "[]"}


@pytest.fixture(scope="module")
def other_tree(tmp_path_factory: pytest.TempPathFactory) -> ReleaseTree:
    """The same version signed by the certificate of another key (an attacker's host)."""
    keys = generate_keys()
    return build_release_tree(
        tmp_path_factory.mktemp("other-host"), ["1.0.310"], keys=keys, signing_key=keys.other
    )


def certificate_check(result):
    return next(check for check in result.json["checks"] if check["id"] == "linux-cert-pin")


def first_use_record(isolated: dict[str, str]) -> Path:
    return Path(isolated["KIRO_BOOTSTRAP_ROOT"]) / "var/lib/kiro-bootstrap/linux-certificate.json"


def test_root_refuses_an_unpinned_certificate_before_downloading_the_artifact(cli, origin):
    result = download(cli, origin, env=NO_PIN, facts=ROOT)
    fingerprint = origin.tree.signing_key.fingerprint_sha256
    assert result.code == 5
    error = result.json["error"]
    assert fingerprint in error["message"]
    assert "CN=Kiro Test Release Signing" in error["message"]
    assert "running as root/Administrator" in error["message"]
    assert "openssl x509 -in certificate.pem -noout -fingerprint -sha256" in error["hint"]
    assert f'linux_cert_sha256 = ["{fingerprint}"]' in error["hint"]
    # Issue 16 item 6: the refusal costs the certificate, not the artifact.
    assert artifact_bytes(origin) == 0


def test_root_with_the_pin_installs_and_a_person_without_one_gets_a_warning(cli, origin):
    assert download(cli, origin, facts=ROOT).code == 0
    person = download(cli, origin, env=NO_PIN)
    assert person.code == 0
    pin_check = certificate_check(person)
    assert pin_check["status"] == "warn"
    assert "integrity only" in pin_check["summary"]


def test_download_text_prints_the_pin_line(cli, origin):
    fingerprint = origin.tree.signing_key.fingerprint_sha256
    result = cli("download", facts=fixtures.ubuntu2404(), env={
        "KIRO_BOOTSTRAP_RELEASE__BASE_URL": origin.base_url})  # fmt: skip
    assert f'[release.signing]: linux_cert_sha256 = ["{fingerprint}"]' in result.stdout


def test_pinned_mode_refuses_a_person_too(cli, origin):
    env = {**NO_PIN, "KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_TRUST": "pinned"}
    result = download(cli, origin, env=env)
    assert result.code == 5
    assert "linux_trust = 'pinned'" in result.json["error"]["message"]


def test_any_mode_lets_root_take_an_unpinned_certificate_with_a_warning(cli, origin):
    env = {**NO_PIN, "KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_TRUST": "any"}
    result = download(cli, origin, env=env, facts=ROOT)
    assert result.code == 0
    assert certificate_check(result)["status"] == "warn"


def test_first_use_records_then_refuses_another_certificate_until_forgotten(
    cli, origin, other_tree, isolated
):
    env = {**NO_PIN, "KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_TRUST": "first-use"}
    first = download(cli, origin, env=env, facts=ROOT)
    assert first.code == 0
    record = first_use_record(isolated)
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert json.loads(record.read_text())["sha256"] == origin.tree.signing_key.fingerprint_sha256
    assert download(cli, origin, env=env, facts=ROOT).code == 0  # the same one again

    with ReleaseServer(other_tree) as other:
        refused = download(cli, other, env=env, facts=ROOT)
        assert refused.code == 5
        assert "differs from the certificate first seen" in refused.json["error"]["message"]
        assert "kiro-bootstrap trust forget" in refused.json["error"]["hint"]
        assert artifact_bytes(other, TAR_SUFFIX) == 0
        shown = cli("trust", "show", "--json", facts=ROOT, env=env)
        assert shown.json["first_use"]["sha256"] == origin.tree.signing_key.fingerprint_sha256

        forgot = cli("trust", "forget", "--json", facts=ROOT, env=env)
        assert forgot.code == 0
        assert forgot.json["forgotten"] is True
        assert not record.exists()
        assert download(cli, other, env=env, facts=ROOT).code == 0
    assert json.loads(record.read_text())["sha256"] == other_tree.signing_key.fingerprint_sha256


def test_require_pins_is_a_deprecated_alias_of_pinned(cli, origin):
    env = {**NO_PIN, "KIRO_BOOTSTRAP_RELEASE__SIGNING__REQUIRE_PINS": "true"}
    result = download(cli, origin, env=env)
    assert result.code == 5
    assert "require_pins is deprecated" in result.stderr
    shown = cli("trust", "show", "--json", env=env)
    assert shown.json["linux_trust"] == "pinned"


def test_an_unknown_trust_value_is_exit_2(cli, origin):
    result = download(cli, origin, env={"KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_TRUST": "tofu"})
    assert result.code == 2
    assert "linux_trust" in result.json["error"]["message"]


def test_mirror_prints_the_pin_line(cli, origin, tmp_path):
    fingerprint = origin.tree.signing_key.fingerprint_sha256
    result = cli(
        "mirror", "--dest", str(tmp_path / "mirror"), "--base-url", "https://mirror.example.com",
        "--target", "linux-x64", facts=fixtures.ubuntu2404(), env=origin_env(origin),
    )  # fmt: skip
    assert result.code == 0, result.stdout
    assert f'[release.signing]: linux_cert_sha256 = ["{fingerprint}"]' in result.stdout
