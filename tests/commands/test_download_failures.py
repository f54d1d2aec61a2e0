"""Every way a download must fail closed, and that each leaves nothing partial behind."""

from __future__ import annotations

import json
import random
import time

import pytest

from sandbox.faults import Fault
from sandbox.release_server import ReleaseServer
from tests.release import support
from tests.release.support import (
    PADDED_BYTES,
    TAR,
    TAR_SUFFIX,
    Sleeps,
    cache_root,
    download,
    leftovers,
)

DROP_SEED = 20260813
DROP_COUNT = 24

# Fixtures shared with tests/release (pytest finds them by name in this module).
origin = support.origin
release_tree = support.release_tree


def assert_nothing_left(isolated, dest=None):
    assert leftovers(cache_root(isolated)) == []
    assert not (cache_root(isolated) / "index.json").exists()
    if dest is not None:
        assert not dest.exists() or list(dest.iterdir()) == []


def test_tampered_artifact_is_exit_5(cli, origin, isolated, tmp_path):
    origin.add_fault(Fault.tamper(PADDED_BYTES // 2, path=TAR_SUFFIX))
    result = download(cli, origin, "--dest", str(tmp_path / "out"))
    assert result.code == 5
    checks = {check["id"]: check["status"] for check in result.json["checks"]}
    assert checks["linux-signature"] == "fail"
    assert_nothing_left(isolated, tmp_path / "out")


def test_signature_by_another_key_is_exit_5(cli, origin, isolated):
    origin.add_fault(Fault.wrong_signature())
    result = download(cli, origin)
    assert result.code == 5
    assert "signature.bin does not match" in result.json["error"]["message"]
    assert_nothing_left(isolated)


def test_another_pinned_certificate_is_exit_5(cli, origin, isolated):
    env = {"KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_CERT_SHA256": json.dumps(["ab" * 32])}
    result = download(cli, origin, env=env)
    assert result.code == 5
    assert result.json["checks"][-1]["id"] == "linux-cert-pin"
    assert result.json["checks"][-1]["status"] == "fail"
    assert_nothing_left(isolated)


def test_unpinned_certificate_with_require_pins_is_exit_5(cli, origin, isolated):
    env = {"KIRO_BOOTSTRAP_RELEASE__SIGNING__LINUX_CERT_SHA256": "[]",
           "KIRO_BOOTSTRAP_RELEASE__SIGNING__REQUIRE_PINS": "true"}  # fmt: skip
    result = download(cli, origin, env=env)
    assert result.code == 5
    fingerprint = origin.tree.signing_key.fingerprint_sha256
    assert "is not pinned" in result.json["error"]["message"]
    assert fingerprint in result.json["error"]["message"]
    assert f'linux_cert_sha256 = ["{fingerprint}"]' in result.json["error"]["hint"]
    assert "require_pins is deprecated" in result.stderr
    assert_nothing_left(isolated)


def test_org_pin_mismatch_is_exit_5(cli, origin, isolated):
    env = {"KIRO_BOOTSTRAP_RELEASE__VERSION": "1.0.310",
           "KIRO_BOOTSTRAP_RELEASE__SHA256": json.dumps({TAR: "00" * 32})}  # fmt: skip
    result = download(cli, origin, env=env)
    assert result.code == 5
    assert result.json["checks"] == [result.json["checks"][0]]
    assert result.json["checks"][0]["id"] == "org-pin"
    assert_nothing_left(isolated)


def test_redirect_to_a_foreign_host_is_exit_5_before_contacting_it(cli, origin, isolated):
    # The test network guard fails any connection off loopback: exit 5 (not 4) shows none began.
    origin.add_fault(Fault.redirect("https://downloads.example.com/kiro.tar.gz", path=TAR_SUFFIX))
    result = download(cli, origin)
    assert result.code == 5
    assert (
        "downloads.example.com is not an allowed download host" in result.json["error"]["message"]
    )
    assert_nothing_left(isolated)


def test_redirect_within_the_host_is_followed(cli, origin):
    target = origin.tree.artifact(TAR).relative_path
    origin.add_fault(Fault.redirect(f"/{target}", path=TAR_SUFFIX))
    assert download(cli, origin).code == 0


def test_redirect_to_plain_http_off_loopback_is_exit_5(cli, origin, isolated):
    origin.add_fault(Fault.redirect("http://prod.download.desktop.kiro.dev/x", path=TAR_SUFFIX))
    result = download(cli, origin)
    assert result.code == 5
    assert "only https is allowed" in result.json["error"]["message"]
    assert_nothing_left(isolated)


@pytest.mark.parametrize(
    ("metadata_base", "message"),
    [
        ("https://evil.example.com", "evil.example.com is not an allowed download host"),
        ("http://downloads.example.com", "only https is allowed"),
    ],
)
def test_metadata_pointing_off_the_allowed_hosts_is_exit_5(
    cli, release_tree, isolated, metadata_base, message
):
    with ReleaseServer(release_tree, metadata_base_url=metadata_base) as server:
        result = download(cli, server)
        assert result.code == 5
        assert message in result.json["error"]["message"]
        assert [record.path for record in server.requests] == [
            "/stable/metadata-linux-x64-stable.json"
        ]
    assert_nothing_left(isolated)


def test_dropped_connections_at_seeded_offsets_each_resume_to_the_right_digest(
    cli, origin, isolated
):
    artifact = origin.tree.artifact(TAR)
    offsets = random.Random(DROP_SEED).sample(range(1, artifact.size), DROP_COUNT)
    for offset in offsets:
        origin.reset_counters()
        origin.add_fault(Fault.drop_at(offset, path=TAR_SUFFIX))
        result = download(cli, origin, "--dest", str(isolated["HOME"]) + f"/out-{offset}")
        assert result.code == 0, (offset, result.stdout)
        assert result.json["sha256"] == artifact.sha256
        ranges = [r.range for r in origin.requests if r.path.endswith(TAR_SUFFIX)]
        assert ranges == [None, f"bytes={offset}-"], offset
        # The resume fetched only what was missing.
        assert origin.bytes_served(TAR_SUFFIX) == artifact.size
        # Next round must download again: empty the cache (not the resume logic's job).
        for path in leftovers(cache_root(isolated)):
            path.unlink()
        (cache_root(isolated) / "index.json").unlink()
        assert list((cache_root(isolated) / "partial").rglob("*.part")) == []


def test_a_rerun_resumes_the_part_an_interrupted_run_left(cli, origin, isolated):
    artifact = origin.tree.artifact(TAR)
    origin.add_fault(Fault.drop_at(PADDED_BYTES // 3, path=TAR_SUFFIX, times=None))
    first = download(cli, origin)
    assert first.code == 4  # no progress after the first drop: attempts run out
    parts = list((cache_root(isolated) / "partial").rglob("*.part"))
    assert [part.stat().st_size for part in parts] == [PADDED_BYTES // 3]
    origin.clear_faults()
    origin.reset_counters()
    second = download(cli, origin)
    assert second.code == 0
    assert second.json["sha256"] == artifact.sha256
    assert origin.bytes_served(TAR_SUFFIX) == artifact.size - PADDED_BYTES // 3
    assert list((cache_root(isolated) / "partial").rglob("*.part")) == []


def test_a_stall_is_exit_4_within_the_configured_timeout(cli, origin, isolated):
    origin.add_fault(Fault.stall(60, path=TAR_SUFFIX, times=None))
    env = {"KIRO_BOOTSTRAP_NETWORK__READ_TIMEOUT": "0.2"}
    started = time.monotonic()
    result = download(cli, origin, env=env)
    elapsed = time.monotonic() - started
    assert result.code == 4
    assert "ReadTimeout" in result.json["error"]["message"]
    assert elapsed < 5 * 0.2 + 2  # five attempts of one timeout each, back-off not slept
    assert_nothing_left(isolated)


@pytest.fixture
def lower_cap(monkeypatch):
    """Lower the 2 GiB download cap so a test reaches it in a few MiB."""

    def lower(cap: int) -> None:
        monkeypatch.setattr("kiro_bootstrap.fetch.obtain.MAX_DOWNLOAD_BYTES", cap)

    return lower


def test_an_endless_body_is_exit_5_at_the_cap(cli, origin, isolated, lower_cap):
    cap = 5 * 1024 * 1024
    lower_cap(cap)
    origin.add_fault(Fault.endless(path=TAR_SUFFIX))
    result = download(cli, origin)
    assert result.code == 5
    assert f"{cap:,}-byte cap" in result.json["error"]["message"]
    # It stopped near the cap (the server counts what sat in socket buffers too), not at 2 GiB.
    assert origin.bytes_served(TAR_SUFFIX) < cap + 64 * 1024 * 1024
    assert_nothing_left(isolated)


def test_a_declared_length_over_the_cap_is_refused_before_reading(cli, origin, isolated, lower_cap):
    lower_cap(1024)
    result = download(cli, origin)
    assert result.code == 5
    assert "1,024-byte cap" in result.json["error"]["message"]
    assert_nothing_left(isolated)


def test_a_body_shorter_than_announced_is_resumed(cli, origin):
    origin.add_fault(Fault.lie_length(+4096, path=TAR_SUFFIX))
    result = download(cli, origin, sleeps=Sleeps())
    assert result.code == 0
    assert result.json["sha256"] == origin.tree.artifact(TAR).sha256


def test_a_body_longer_than_announced_fails_verification(cli, origin, isolated):
    # The client reads what Content-Length announced; the truncated file fails the signature.
    origin.add_fault(Fault.lie_length(-4096, path=TAR_SUFFIX))
    result = download(cli, origin)
    assert result.code == 5
    assert_nothing_left(isolated)
