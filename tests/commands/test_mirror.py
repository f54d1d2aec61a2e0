"""`mirror`: a verified copy in Kiro's layout that downloads work from without the origin."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kiro_bootstrap.fetch.obtain import obtain_verified_build
from kiro_bootstrap.layout.targets import TARGET_SPECS, UPDATER_FEEDS
from tests.host import fixtures
from tests.release import support
from tests.release.support import (
    LATEST,
    TAR,
    download,
    make_context,
    origin_env,
)

# Fixtures shared with tests/release (pytest finds them by name in this module).
origin = support.origin
release_tree = support.release_tree


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def mirror_host(tmp_path) -> Iterator[tuple[Path, str]]:
    """A plain static web server over an empty folder: where the mirror will be hosted."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_port}/kiro"
    server.shutdown()
    server.server_close()
    thread.join()


def pins_for(server, targets) -> dict[str, str]:
    return {
        "KIRO_BOOTSTRAP_RELEASE__VERSION": LATEST,
        "KIRO_BOOTSTRAP_RELEASE__SHA256": json.dumps(
            {target: server.tree.artifact(target).sha256 for target in targets}
        ),
    }


def run_mirror(cli, server, dest, base_url, *targets, env=None):
    argv = ["mirror", "--json", "--dest", str(dest), "--base-url", base_url]
    for target in targets:
        argv += ["--target", target]
    return cli(*argv, facts=fixtures.ubuntu2404(), env={**origin_env(server), **(env or {})})


def test_mirror_is_built_served_and_downloaded_from_without_the_origin(
    cli, origin, mirror_host, isolated
):
    folder, mirror_url = mirror_host
    dest = folder / "kiro"
    targets = [TAR, "darwin-arm64"]
    built = run_mirror(
        cli, origin, dest, mirror_url, *targets, env=pins_for(origin, ["darwin-arm64"])
    )
    assert built.code == 0, built.stdout
    manifest = json.loads((dest / "kiro-bootstrap-mirror.json").read_text())
    assert [item["target"] for item in manifest["targets"]] == [
        TAR,
        "darwin-arm64",
        "darwin-arm64-zip",
    ]
    for item in manifest["targets"]:
        for file in item["files"]:
            assert (dest / file["path"]).stat().st_size == file["size"]
    deferred = {item["target"]: item["deferred"] for item in manifest["targets"]}
    assert deferred["darwin-arm64"] == ["macos-codesign", "macos-team-id", "macos-gatekeeper"]
    # Metadata rewritten to the mirror, in Kiro's layout, including the updater's zip feed.
    feed = json.loads((dest / UPDATER_FEEDS["darwin-arm64"].metadata_path("stable")).read_text())
    assert feed["currentRelease"] == LATEST
    assert feed["releases"][0]["updateTo"]["url"].startswith(f"{mirror_url}/releases/stable/")
    assert feed["releases"][0]["updateTo"]["pub_date"] == "2026-08-13"
    tar_metadata = json.loads((dest / TARGET_SPECS[TAR].metadata_path("stable")).read_text())
    names = sorted(entry["updateTo"]["url"].rsplit("/", 1)[1] for entry in tar_metadata["releases"])
    assert names == [
        "certificate.pem",
        f"kiro-ide-{LATEST}-stable-linux-x64.tar.gz",
        "signature.bin",
    ]

    # Install from the mirror in a fresh cache: the origin sees nothing.
    origin.reset_counters()
    (Path(isolated["XDG_CACHE_HOME"])).rename(Path(isolated["HOME"]) / "old-cache")
    env = {"KIRO_BOOTSTRAP_RELEASE__BASE_URL": mirror_url}
    result = download(cli, origin, env=env)
    assert result.code == 0, result.stdout
    assert result.json["sha256"] == origin.tree.artifact(TAR).sha256
    assert result.json["url"].startswith(mirror_url)
    assert {check["id"]: check["status"] for check in result.json["checks"]}[
        "linux-cert-pin"
    ] == "pass"
    mac = download(
        cli, origin, "--target", "darwin-arm64", env={**env, **pins_for(origin, ["darwin-arm64"])}
    )
    assert mac.code == 0, mac.stdout
    assert origin.requests == []


def test_mirror_folder_works_as_a_local_source(cli, origin, tmp_path):
    dest = tmp_path / "mirror"
    assert run_mirror(cli, origin, dest, "https://mirror.example.com/kiro", TAR).code == 0
    origin.reset_counters()
    # A folder (install --from DIR) is read from disk: no network at all, even offline.
    ctx = make_context(origin_env(origin), offline=True)
    build = obtain_verified_build(ctx, target=TAR, base_url=str(dest))
    assert build.sha256 == origin.tree.artifact(TAR).sha256
    assert origin.requests == []


def test_mirror_of_a_macos_target_without_a_pin_is_exit_5_and_writes_nothing(cli, origin, tmp_path):
    dest = tmp_path / "mirror"
    result = run_mirror(cli, origin, dest, "https://mirror.example.com/kiro", TAR, "darwin-x64")
    assert result.code == 5
    assert "release.sha256.darwin-x64" in result.json["error"]["hint"]
    assert [path for path in dest.rglob("*") if path.is_file()] == []


def test_mirror_base_url_must_be_https(cli, origin, tmp_path):
    result = run_mirror(cli, origin, tmp_path / "m", "http://mirror.example.com/kiro", TAR)
    assert result.code == 2


def test_a_mirror_run_uses_one_http_client_for_every_target(cli, origin, tmp_path):
    targets = [TAR, "darwin-arm64"]
    built = run_mirror(
        cli, origin, tmp_path / "m", "https://mirror.example.com/kiro", *targets,
        env=pins_for(origin, ["darwin-arm64"]),
    )  # fmt: skip
    assert built.code == 0, built.stdout
    # One client keeps one connection alive for the whole run (it was 6: three per target).
    assert origin.connections == 1
    # Three metadata documents, the Linux signature files and three artifacts, each once.
    assert len(origin.requests) == 8
