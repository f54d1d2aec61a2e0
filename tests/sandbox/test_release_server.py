"""The sandbox release host: real artifacts, real HTTP, and every fault a download must survive."""

from __future__ import annotations

import hashlib
import io
import json
import plistlib
import subprocess
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator

import httpx
import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from sandbox.faults import Fault
from sandbox.release_process import ReleaseServerProcess
from sandbox.release_server import ReleaseServer
from sandbox.release_tree import TARGETS, ReleaseTree, build_release_tree
from sandbox.test_keys import SigningKey, generate_keys, load_or_create_keys, verify_signature

VERSIONS = ["1.0.309", "1.0.310"]
TAR = "linux-x64"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> ReleaseTree:
    return build_release_tree(tmp_path_factory.mktemp("host"), VERSIONS, keys=generate_keys())


@pytest.fixture
def server(tree: ReleaseTree) -> Iterator[ReleaseServer]:
    with ReleaseServer(tree) as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10, trust_env=False) as http:
        yield http


def get_partial(client: httpx.Client, url: str) -> bytes:
    """Download until the server cuts the connection, returning what arrived."""
    received = bytearray()
    with pytest.raises(httpx.RemoteProtocolError), client.stream("GET", url) as response:  # noqa: PT012
        for chunk in response.iter_raw():
            received.extend(chunk)
    return bytes(received)


def test_metadata_lists_certificate_first_with_absolute_urls(server, client, tree):
    document = client.get(server.metadata_url(TAR)).json()
    assert document["currentRelease"] == "1.0.310"
    urls = [entry["updateTo"]["url"] for entry in document["releases"]]
    names = [url.rsplit("/", 1)[1] for url in urls]
    assert names == ["certificate.pem", "kiro-ide-1.0.310-stable-linux-x64.tar.gz", "signature.bin"]
    assert all(url.startswith(f"{server.base_url}/releases/stable/linux-x64/") for url in urls)
    entry = document["releases"][1]
    assert entry["version"] == entry["updateTo"]["version"] == "1.0.310"
    assert entry["updateTo"]["pub_date"] == "2026-08-13"
    assert all(client.get(url).status_code == 200 for url in urls)


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_every_metadata_document_leads_to_its_artifact(server, client, tree, target):
    document = client.get(server.url(target.metadata_path)).json()
    (url,) = [
        entry["updateTo"]["url"]
        for entry in document["releases"]
        if entry["updateTo"]["url"].endswith(f".{target.extension}")
    ]
    body = client.get(url).content
    assert hashlib.sha256(body).hexdigest() == tree.artifact(target.name).sha256
    assert len(body) == tree.artifact(target.name).size


def test_metadata_can_list_all_versions_or_point_at_a_foreign_host(tree, client):
    with ReleaseServer(tree, all_versions=True, metadata_base_url="https://mirror.test/") as srv:
        document = client.get(srv.metadata_url("darwin-arm64-zip")).json()
    versions = [entry["version"] for entry in document["releases"]]
    assert versions == ["1.0.310", "1.0.309"]
    url = document["releases"][0]["updateTo"]["url"]
    assert url == f"https://mirror.test/{srv.tree.artifact('darwin-arm64-zip').relative_path}"


def test_tarball_and_macos_zip_are_real_and_dmg_and_exe_look_the_part(server, client):
    body = client.get(server.artifact_url(TAR, "1.0.309")).content
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        members = {member.name: member for member in archive.getmembers()}
        product = json.load(archive.extractfile("Kiro/resources/app/product.json"))
        icon = archive.extractfile("Kiro/resources/app/resources/linux/code.png").read()
    assert members["Kiro/kiro"].mode == members["Kiro/bin/kiro"].mode == 0o755
    assert product["version"] == "1.0.309"
    assert product["vsCodeVersion"] == "1.94.0"
    assert icon.startswith(b"\x89PNG\r\n\x1a\n")
    zipped = zipfile.ZipFile(io.BytesIO(client.get(server.artifact_url("darwin-x64-zip")).content))
    info = plistlib.loads(zipped.read("Kiro.app/Contents/Info.plist"))
    assert info["CFBundleIdentifier"] == "dev.kiro.desktop"
    assert info["CFBundleShortVersionString"] == "1.0.310"
    dmg = client.get(server.artifact_url("darwin-arm64")).content
    assert dmg.startswith(b"KIRO-SANDBOX-DMG")
    assert b"1.0.310" in dmg
    assert client.get(server.artifact_url("win32-x64")).content.startswith(b"MZ")


def test_deb_is_a_package_dpkg_accepts(server, client, tmp_path):
    deb = tmp_path / "kiro.deb"
    deb.write_bytes(client.get(server.artifact_url("linux-x64-deb")).content)
    info = subprocess.run(["dpkg-deb", "--info", deb], capture_output=True, text=True, check=True)
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True)
    assert "Package: kiro\n Version: 1.0.310\n Architecture: amd64" in info.stdout
    assert "./usr/bin/kiro -> /usr/share/kiro/bin/kiro" in listing.stdout
    assert "./usr/share/kiro/resources/app/product.json" in listing.stdout


@pytest.mark.parametrize("role", ["release", "ecdsa"])
def test_signature_verifies_like_openssl_and_a_strangers_key_does_not(role, tmp_path, client):
    keys = generate_keys()
    signer: SigningKey = getattr(keys, role)
    signed = build_release_tree(tmp_path, ["1.0.310"], keys=keys, signing_key=signer)
    with ReleaseServer(signed) as srv:
        artifact = signed.artifact(TAR)
        body = client.get(srv.url(artifact.relative_path)).content
        certificate = client.get(srv.url(artifact.certificate_path or "")).content
        signature = client.get(srv.url(artifact.signature_path or "")).content
    verify_signature(certificate, signature, body)
    with pytest.raises(InvalidSignature):
        verify_signature(keys.other.certificate_pem, signature, body)
    der = x509.load_pem_x509_certificate(certificate).public_bytes(serialization.Encoding.DER)
    assert signer.fingerprint_sha256 == hashlib.sha256(der).hexdigest()
    for name, data in {"pub.pem": signer.public_key_pem(), "sig": signature, "art": body}.items():
        (tmp_path / name).write_bytes(data)
    openssl = ["openssl", "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", "art"]
    verdict = subprocess.run(openssl, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert verdict.stdout.strip() == "Verified OK"


def test_ranges_if_range_and_head(server, client, tree):
    url = server.artifact_url(TAR)
    whole = client.get(url)
    etag, date, size = whole.headers["etag"], whole.headers["last-modified"], len(whole.content)
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert (part.status_code, part.content) == (206, whole.content[10:20])
    assert part.headers["content-range"] == f"bytes 10-19/{size}"
    assert client.get(url, headers={"Range": "bytes=-5"}).content == whole.content[-5:]
    tail = client.get(url, headers={"Range": "bytes=100-", "If-Range": etag})
    assert (tail.status_code, tail.content) == (206, whole.content[100:])
    assert client.get(url, headers={"Range": "bytes=100-", "If-Range": date}).status_code == 206
    for stale in ('"0000"', "Thu, 01 Jan 2015 00:00:00 GMT"):
        changed = client.get(url, headers={"Range": "bytes=100-", "If-Range": stale})
        assert (changed.status_code, changed.content) == (200, whole.content)
    beyond = client.get(url, headers={"Range": f"bytes={size}-"})
    assert (beyond.status_code, beyond.headers["content-range"]) == (416, f"bytes */{size}")
    head = client.head(url)
    assert (head.headers["content-length"], head.content) == (str(size), b"")
    assert head.headers["etag"] == f'"{tree.artifact(TAR).sha256[:32]}"'
    assert client.get(server.url("releases/nothing-here")).status_code == 404


def test_drop_lie_and_tamper_faults_corrupt_exactly_what_they_say(server, client, tree):
    url = server.artifact_url(TAR)
    original = tree.path_of(tree.artifact(TAR).relative_path).read_bytes()
    server.add_fault(Fault.drop_at(300, path=".tar.gz"))
    assert client.head(url).status_code == 200  # a HEAD has no body to drop: fault kept
    assert get_partial(client, url) == original[:300]
    assert server.bytes_served(".tar.gz") == 300
    server.add_fault(Fault.lie_length(10))
    assert get_partial(client, url) == original
    server.add_fault(Fault.lie_length(-10))
    assert client.get(url).content == original[:-10]
    server.add_fault(Fault.tamper(42))
    tampered = client.get(url).content
    assert [i for i, (a, b) in enumerate(zip(tampered, original, strict=True)) if a != b] == [42]
    assert client.get(url).content == original


def test_status_redirect_and_wrong_signature_faults(server, client, tree):
    url = server.artifact_url(TAR)
    server.add_fault(Fault.status(429, retry_after=7, path="linux-x64", times=2))
    server.add_fault(Fault.status(503))
    first, second = client.get(url), client.get(server.metadata_url(TAR))
    assert (first.status_code, first.headers["retry-after"]) == (429, "7")
    assert second.status_code == 429
    assert client.get(url).status_code == 503
    assert client.get(url).status_code == 200
    target = server.artifact_url(TAR, "1.0.309")
    server.add_fault(Fault.redirect(target, code=307))
    assert client.get(url, follow_redirects=True).url == httpx.URL(target)
    artifact = tree.artifact(TAR)
    server.add_fault(Fault.wrong_signature())
    signature_url = server.url(artifact.signature_path or "")
    forged, genuine = client.get(signature_url).content, client.get(signature_url).content
    body = tree.path_of(artifact.relative_path).read_bytes()
    verify_signature(tree.keys.other.certificate_pem, forged, body)
    verify_signature(tree.keys.release.certificate_pem, genuine, body)


def test_endless_body_has_no_length_and_stops_when_the_client_hangs_up(server, client, tree):
    server.add_fault(Fault.endless())
    received = 0
    with client.stream("GET", server.artifact_url(TAR)) as response:
        assert "content-length" not in response.headers
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > 4 * 1024 * 1024:
                break
    assert received > tree.artifact(TAR).size
    assert server.bytes_served() >= received


def test_stall_delays_only_its_own_request_and_shutdown_cuts_it_short(tree, client):
    server = ReleaseServer(tree).start()
    try:
        server.add_fault(Fault.stall(0.3, after_bytes=50))
        started = time.monotonic()
        assert client.get(server.artifact_url(TAR)).status_code == 200
        assert time.monotonic() - started >= 0.3
        server.add_fault(Fault.stall(60, after_bytes=100))
        stalled = threading.Thread(target=get_partial, args=(client, server.artifact_url(TAR)))
        stalled.start()
        deadline = time.monotonic() + 5
        while server.bytes_served() < 100 + tree.artifact(TAR).size and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        with httpx.Client(timeout=5, trust_env=False) as other:
            assert other.get(server.metadata_url(TAR)).status_code == 200
    finally:
        server.stop()
    stalled.join(5)
    assert time.monotonic() - started < 2  # the 60 s stall ended with the server


def test_counters_and_request_log(server, client):
    client.get(server.artifact_url(TAR), headers={"Range": "bytes=0-99"})
    client.head(server.metadata_url(TAR))
    client.get(f"{server.base_url}/_control/stats")
    assert server.bytes_served(".tar.gz") == 100
    assert server.bytes_served("nothing") == 0
    records = [(r.method, r.range, r.status) for r in server.requests]
    assert records == [("GET", "bytes=0-99", 206), ("HEAD", None, 200)]
    server.reset_counters()
    assert (server.bytes_served(), server.requests) == (0, [])


def test_stopping_leaves_no_threads_and_frees_the_port(tree, client):
    before = set(threading.enumerate())
    with ReleaseServer(tree) as srv:
        assert client.get(srv.metadata_url(TAR)).status_code == 200  # keep-alive stays open
        url = srv.metadata_url(TAR)
    assert set(threading.enumerate()) <= before
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


def test_own_process_serves_until_sigterm(tmp_path):
    keys = load_or_create_keys(tmp_path / "keys")
    process = ReleaseServerProcess(tmp_path, versions=["1.0.310"]).start()
    try:
        assert process.base_url.startswith("http://127.0.0.1:")
        assert process.tree()["signing_fingerprint_sha256"] == keys.release.fingerprint_sha256
        metadata = f"{process.base_url}/stable/metadata-linux-x64-stable.json"
        process.set_faults([Fault.status(503, path="metadata")])
        assert httpx.get(metadata, trust_env=False).status_code == 503
        assert httpx.get(metadata, trust_env=False).status_code == 200
        assert [r["status"] for r in process.stats()["requests"]] == [503, 200]
        typo = httpx.post(f"{process.base_url}/_control/faults", json=[{"kind": "drop"}])
        assert typo.status_code == 400
        process.set_faults([Fault.stall(1.5, after_bytes=10, path="deb", times=None)])
        assert process.stats()["faults"][0]["remaining"] is None
        process.reset()
        assert process.stats()["total_bytes"] == 0
    finally:
        exit_code = process.stop()
    assert exit_code == 0


@pytest.mark.slow
def test_padded_artifacts_are_big_cached_and_resumable(tmp_path, client):
    size = 8 * 1024 * 1024
    big = build_release_tree(tmp_path, ["1.0.310"], keys=generate_keys(), artifact_size=size)
    artifact = big.artifact(TAR)
    assert size <= artifact.size < size * 1.01
    written = [path.stat().st_mtime_ns for path in tmp_path.rglob("kiro-ide-*")]
    again = build_release_tree(tmp_path, ["1.0.310"], keys=generate_keys(), artifact_size=size)
    assert again.artifact(TAR) == artifact
    assert [path.stat().st_mtime_ns for path in tmp_path.rglob("kiro-ide-*")] == written
    with ReleaseServer(big) as srv:
        srv.add_fault(Fault.drop_at(size // 2))
        head = get_partial(client, srv.artifact_url(TAR))
        rest = client.get(srv.artifact_url(TAR), headers={"Range": f"bytes={len(head)}-"})
    assert hashlib.sha256(head + rest.content).hexdigest() == artifact.sha256
    with tarfile.open(big.path_of(artifact.relative_path)) as archive:
        assert archive.getmember("Kiro/resources/app/padding.bin").size == size
