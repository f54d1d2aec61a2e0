"""The content-addressed cache and placing files with hardlinks."""

from __future__ import annotations

import errno
import os

import pytest

from kiro_bootstrap.fetch.cache import BuildCache, CacheEntry, cache_folder, place_at
from kiro_bootstrap.paths import build_paths
from tests.host import fixtures


def test_root_uses_the_system_cache_under_the_root_override(tmp_path):
    root = tmp_path / "root"
    admin = fixtures.ubuntu2404(is_admin=True, current_user="root")
    assert cache_folder(admin, build_paths(admin, root)) == root / "var/cache/kiro-bootstrap/builds"
    windows = fixtures.windows11_system()
    assert cache_folder(windows, build_paths(windows, root)) == (
        root / "C/ProgramData/kiro-bootstrap/cache/builds"
    )
    user = fixtures.ubuntu2404()
    assert cache_folder(user, build_paths(user, root)).name == "builds"
    assert root not in cache_folder(user, build_paths(user, root)).parents


def test_index_survives_and_ignores_entries_whose_blobs_are_gone(tmp_path):
    cache = BuildCache(tmp_path / "cache")
    digest = cache.store_small(b"signature")
    cache.record("k", CacheEntry(artifact=digest, size=9))
    assert BuildCache(tmp_path / "cache").lookup("k") == CacheEntry(artifact=digest, size=9)
    cache.forget_blob(digest)
    assert cache.lookup("k") is None
    (tmp_path / "cache" / "index.json").write_text("{broken")
    assert cache.lookup("k") is None


def test_place_at_hardlinks_and_replaces(tmp_path):
    source = tmp_path / "blob"
    source.write_bytes(b"kiro")
    target = tmp_path / "out" / "kiro.tar.gz"
    target.parent.mkdir()
    target.write_bytes(b"old")
    assert place_at(source, target) is False
    assert target.stat().st_ino == source.stat().st_ino
    assert sorted(path.name for path in target.parent.iterdir()) == ["kiro.tar.gz"]


def test_place_at_copies_only_across_filesystems(tmp_path, monkeypatch):
    source = tmp_path / "blob"
    source.write_bytes(b"kiro")

    def cross_device(*_args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    target = tmp_path / "other-fs" / "kiro.tar.gz"
    assert place_at(source, target) is True
    assert target.read_bytes() == b"kiro"

    def denied(*_args):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "link", denied)
    with pytest.raises(PermissionError):
        place_at(source, tmp_path / "x" / "kiro.tar.gz")
