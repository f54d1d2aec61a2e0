"""`download` against a real release server on loopback: the outcomes a person or MDM sees."""

from __future__ import annotations

import hashlib
import json

from sandbox.faults import Fault
from tests.host import fixtures
from tests.release import support
from tests.release.support import (
    LATEST,
    PADDED_BYTES,
    TAR,
    TAR_SUFFIX,
    Sleeps,
    artifact_bytes,
    cache_root,
    download,
    leftovers,
)

# Fixtures shared with tests/release (pytest finds them by name in this module).
origin = support.origin
release_tree = support.release_tree


def test_download_verifies_and_reports_path_version_digest_and_checks(cli, origin, isolated):
    result = download(cli, origin)
    assert result.code == 0, result.stdout
    data = result.json
    artifact = origin.tree.artifact(TAR)
    assert (data["version"], data["sha256"], data["size"]) == (
        LATEST,
        artifact.sha256,
        artifact.size,
    )
    path = cache_root(isolated) / "blobs" / artifact.sha256[:2] / artifact.sha256
    assert data["path"] == str(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == artifact.sha256
    statuses = {check["id"]: check["status"] for check in data["checks"]}
    assert statuses == {"org-pin": "warn", "linux-signature": "pass", "linux-cert-pin": "pass",
                        "artifact-version": "pass"}  # fmt: skip
    assert [path.name for path in leftovers(cache_root(isolated)) if "partial" in path.parts] == []


def test_text_output_lists_each_check_then_the_build(cli, origin):
    result = cli("download", facts=fixtures.ubuntu2404(), env={
        "KIRO_BOOTSTRAP_RELEASE__BASE_URL": origin.base_url})  # fmt: skip
    assert result.code == 0
    assert "linux-signature" in result.stdout
    assert "certificate not pinned (integrity only)" in result.stdout
    assert origin.tree.signing_key.fingerprint_sha256 in result.stdout
    assert f"version     {LATEST}" in result.stdout


def test_rerun_is_a_cache_hit_with_zero_artifact_bytes_served(cli, origin):
    assert download(cli, origin).code == 0
    origin.reset_counters()
    again = download(cli, origin)
    assert again.code == 0
    assert again.json["from_cache"] is True
    assert artifact_bytes(origin) == 0
    assert not any(record.path.endswith(TAR_SUFFIX) for record in origin.requests)


def test_dest_receives_a_hardlink_to_the_cached_file(cli, origin, tmp_path):
    dest = tmp_path / "out"
    result = download(cli, origin, "--dest", str(dest))
    assert result.code == 0
    placed = dest / f"kiro-ide-{LATEST}-stable-linux-x64.tar.gz"
    assert result.json["path"] == str(placed)
    cached = result.json["cache_path"]
    assert placed.stat().st_ino == __import__("os").stat(cached).st_ino


def test_version_flag_downloads_a_version_the_metadata_no_longer_lists(cli, origin):
    result = download(cli, origin, "--version", "1.0.309")
    assert result.code == 0
    assert result.json["sha256"] == origin.tree.artifact(TAR, "1.0.309").sha256


def test_pinned_version_that_is_not_published_is_exit_2(cli, origin, isolated):
    result = download(cli, origin, "--version", "1.0.200")
    assert result.code == 2
    assert "not published" in result.json["error"]["message"]
    assert leftovers(cache_root(isolated)) == []


def test_org_pin_match_is_reported_as_pinned(cli, origin):
    digest = origin.tree.artifact(TAR, "1.0.309").sha256
    env = {"KIRO_BOOTSTRAP_RELEASE__VERSION": "1.0.309",
           "KIRO_BOOTSTRAP_RELEASE__SHA256": json.dumps({TAR: digest})}  # fmt: skip
    result = download(cli, origin, env=env)
    assert result.code == 0
    assert result.json["pinned"] is True
    assert result.json["checks"][0] == {
        "id": "org-pin", "status": "pass", "summary": f"SHA-256 {digest} matches the pin",
        "remedy": "",
    }  # fmt: skip


def test_transient_statuses_are_retried_with_backoff_and_retry_after(cli, origin):
    origin.add_fault(Fault.status(503, path=TAR_SUFFIX))
    origin.add_fault(Fault.status(429, retry_after=7, path=TAR_SUFFIX))
    sleeps = Sleeps()
    result = download(cli, origin, sleeps=sleeps)
    assert result.code == 0
    assert len(sleeps.calls) == 2
    assert 0.25 <= sleeps.calls[0] <= 0.5  # first back-off: 0.5 s with jitter
    assert sleeps.calls[1] >= 7  # the server's Retry-After wins


def test_server_errors_that_never_end_give_exit_4_after_the_attempt_limit(cli, origin, isolated):
    origin.add_fault(Fault.status(502, path=TAR_SUFFIX, times=None))
    sleeps = Sleeps()
    result = download(cli, origin, sleeps=sleeps)
    assert result.code == 4
    assert "HTTP 502" in result.json["error"]["message"]
    assert len(sleeps.calls) == 4  # five attempts, four waits
    # Exponential: the n-th wait lies in [half, all] of 0.5 s x 2^n (jitter).
    assert all(0.25 * 2**n <= call <= 0.5 * 2**n for n, call in enumerate(sleeps.calls))
    assert leftovers(cache_root(isolated)) == []


def test_unreachable_host_is_exit_4(cli, origin):
    env = {"KIRO_BOOTSTRAP_RELEASE__BASE_URL": "http://127.0.0.1:9"}
    result = download(cli, origin, env=env)
    assert result.code == 4
    assert "metadata" in result.json["error"]["message"]


def test_offline_latest_is_exit_4_and_offline_pinned_reinstalls_from_the_cache(cli, origin):
    pinned = {"KIRO_BOOTSTRAP_RELEASE__VERSION": LATEST}
    offline_latest = download(cli, origin, "--offline")
    assert offline_latest.code == 4
    assert "--offline" in offline_latest.json["error"]["message"]
    assert download(cli, origin, "--offline", env=pinned).code == 4  # not cached yet
    assert download(cli, origin, env=pinned).code == 0
    origin.reset_counters()
    again = download(cli, origin, "--offline", env=pinned)
    assert again.code == 0
    assert again.json["from_cache"] is True
    assert origin.requests == []


def test_a_damaged_cache_blob_is_fetched_again(cli, origin, isolated):
    first = download(cli, origin).json
    blob = cache_root(isolated) / "blobs" / first["sha256"][:2] / first["sha256"]
    blob.write_bytes(b"not the artifact")
    again = download(cli, origin)
    assert again.code == 0
    assert again.json["from_cache"] is False
    assert "damaged" in again.stderr
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == first["sha256"]


def test_host_without_a_build_needs_target(cli, origin):
    arm_linux = fixtures.ubuntu2404(arch="arm64", native_arch="arm64")
    result = download(cli, origin, facts=arm_linux)
    assert result.code == 2
    assert "--target" in result.json["error"]["hint"]
    assert download(cli, origin, "--target", TAR, facts=arm_linux).code == 0


def test_debian_12_can_still_download_for_other_hosts(cli, origin):
    # download does not apply doctor's verdict (glibc 2.36 cannot run Kiro, but can fetch it).
    result = download(cli, origin, "--target", "linux-x64-deb", facts=fixtures.debian12())
    assert result.code == 0
    assert result.json["sha256"] == origin.tree.artifact("linux-x64-deb").sha256


def test_padded_artifact_is_the_size_the_tree_built(origin):
    assert origin.tree.artifact(TAR).size > PADDED_BYTES
