"""The API `install` calls: resolve_release and obtain_verified_build."""

from __future__ import annotations

import io
import json

import pytest

from kiro_bootstrap.errors import UnavailableError, UsageError, VerificationError
from kiro_bootstrap.fetch.obtain import obtain_verified_build, resolve_release
from kiro_bootstrap.net.progress import RichProgress
from sandbox.faults import Fault
from tests.release.support import (
    LATEST,
    TAR,
    TAR_SUFFIX,
    cache_root,
    make_context,
    origin_env,
)


def test_resolve_release_names_the_build_without_downloading_it(origin):
    resolved = resolve_release(make_context(origin_env(origin)), target=TAR)
    artifact = origin.tree.artifact(TAR)
    assert (resolved.target, resolved.version) == (TAR, LATEST)
    assert resolved.artifact_url == origin.url(artifact.relative_path)
    assert resolved.signature_url == origin.url(artifact.signature_path)
    assert resolved.certificate_url == origin.url(artifact.certificate_path)
    assert resolved.pinned_sha256 is None
    assert origin.bytes_served(TAR_SUFFIX) == 0


def test_resolve_release_of_a_pinned_version(origin):
    ctx = make_context(origin_env(origin))
    resolved = resolve_release(ctx, target="win32-x64", version="1.0.309")
    assert resolved.artifact_url.endswith(
        "/win32-x64/signed/1.0.309/kiro-ide-1.0.309-stable-win32-x64.exe"
    )
    assert resolved.certificate_url is None
    with pytest.raises(UsageError, match="not published"):
        resolve_release(ctx, target="win32-x64", version="1.0.1")
    with pytest.raises(UnavailableError):
        resolve_release(make_context(origin_env(origin), offline=True), target=TAR)


def test_obtain_returns_the_verified_build_and_a_dest_hardlink(origin, tmp_path):
    ctx = make_context(origin_env(origin))
    build = obtain_verified_build(ctx, target=TAR, dest=tmp_path / "dest")
    artifact = origin.tree.artifact(TAR)
    assert (build.sha256, build.size, build.version) == (artifact.sha256, artifact.size, LATEST)
    assert build.path.name == artifact.sha256
    assert [check.id for check in build.checks] == [
        "org-pin", "linux-signature", "linux-cert-pin", "artifact-version"]  # fmt: skip
    assert (build.pinned, build.deferred) == (False, ())
    assert build.dest_path.stat().st_ino == build.path.stat().st_ino
    assert (
        build.signature_path.read_bytes()
        == origin.tree.path_of(artifact.signature_path).read_bytes()
    )


def test_a_foreign_base_url_argument_is_allowed_but_its_redirects_are_not(origin, release_tree):
    ctx = make_context(origin_env(origin))
    origin.add_fault(Fault.redirect("https://elsewhere.example.net/x.json", path="metadata"))
    with pytest.raises(VerificationError, match=r"elsewhere\.example\.net"):
        obtain_verified_build(ctx, target=TAR, base_url=origin.base_url)


def test_too_many_redirects_is_unavailable(origin):
    origin.add_fault(
        Fault.redirect("/stable/metadata-linux-x64-stable.json", path="metadata", times=None)
    )
    with pytest.raises(UnavailableError, match="Too many redirects"):
        obtain_verified_build(make_context(origin_env(origin)), target=TAR)


def test_a_part_whose_file_changed_on_the_server_is_restarted(origin, isolated):
    ctx = make_context(origin_env(origin))
    resolved = resolve_release(ctx, target=TAR)
    key = f"{TAR}|{resolved.version}|{resolved.artifact_url}"
    from kiro_bootstrap.fetch.cache import BuildCache

    part = BuildCache(cache_root(isolated)).partial(key, resolved.file_name)
    part.parent.mkdir(parents=True)
    part.write_bytes(b"bytes of an older build")
    part.with_name(part.name + ".json").write_text(
        json.dumps({"url": resolved.artifact_url, "validator": '"stale-etag"'})
    )
    origin.reset_counters()
    build = obtain_verified_build(ctx, target=TAR)
    assert build.sha256 == origin.tree.artifact(TAR).sha256
    (request,) = [r for r in origin.requests if r.path.endswith(TAR_SUFFIX)]
    assert (request.range, request.status) == ("bytes=23-", 200)  # If-Range failed: whole file


def test_progress_bar_only_when_interactive(origin):
    ctx = make_context(origin_env(origin))
    ctx.output.interactive = True
    stream = io.StringIO()
    ctx.output.stderr = stream
    obtain_verified_build(ctx, target=TAR, version="1.0.309")
    assert "\x1b[?25l" in stream.getvalue()  # rich took the terminal (hid the cursor)
    quiet = make_context(origin_env(origin))
    obtain_verified_build(quiet, target=TAR)
    assert quiet.output.stderr.getvalue() == ""


def test_rich_progress_draws_a_bar():
    stream = io.StringIO()
    with RichProgress(stream) as progress:
        progress.begin("Kiro 1.0.310 (linux-x64)", 1000, 0)
        progress.advance(500)
        progress.end()
    assert "Kiro 1.0.310" in stream.getvalue()
