"""Unpacking refuses archives that could write outside their folder, and leaves nothing."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from kiro_bootstrap.errors import VerificationError
from kiro_bootstrap.install.archive import unpack_tarball


def _tarball(path: Path, members: list[tarfile.TarInfo], data: bytes = b"x") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            if member.isfile():
                member.size = len(data)
                tar.addfile(member, io.BytesIO(data))
            else:
                tar.addfile(member)
    return path


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, link
    return member


def _everything_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_good_archive_unpacks_to_its_top_folder(tmp_path):
    archive = _tarball(tmp_path / "good.tar.gz", [
        _member("Kiro", tarfile.DIRTYPE), _member("Kiro/kiro"),
        _member("Kiro/bin", tarfile.DIRTYPE), _member("Kiro/bin/kiro", tarfile.SYMTYPE, "../kiro"),
    ])  # fmt: skip
    top = unpack_tarball(archive, tmp_path / "stage")
    assert top == tmp_path / "stage" / "Kiro"
    assert (top / "bin" / "kiro").resolve() == (top / "kiro").resolve()


@pytest.mark.parametrize(
    ("name", "member"),
    [
        ("dot-dot", _member("Kiro/../../evil")),
        ("absolute", _member("/tmp/evil")),
        ("symlink-out", _member("Kiro/evil", tarfile.SYMTYPE, "../../outside")),
        ("symlink-absolute", _member("Kiro/evil", tarfile.SYMTYPE, "/etc/passwd")),
        ("hardlink-out", _member("Kiro/evil", tarfile.LNKTYPE, "/etc/passwd")),
        ("device", _member("Kiro/evil", tarfile.CHRTYPE)),
        ("fifo", _member("Kiro/evil", tarfile.FIFOTYPE)),
        ("second-top", _member("Other/evil")),
    ],
)
def test_malicious_members_are_refused_and_nothing_is_left(tmp_path, name, member):
    work = tmp_path / "work"
    target = work / "prefix"
    target.mkdir(parents=True)
    archive = _tarball(work / f"{name}.tar.gz", [_member("Kiro/ok"), member])
    with pytest.raises(VerificationError) as refused:
        unpack_tarball(archive, target / "stage")
    assert refused.value.exit_status == 5
    assert "Refusing to unpack" in refused.value.message
    assert _everything_under(target) == []
    assert _everything_under(work) == sorted([f"{name}.tar.gz", "prefix"])


def test_a_symlink_then_a_file_through_it_cannot_escape(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    archive = _tarball(tmp_path / "chain.tar.gz", [
        _member("Kiro/link", tarfile.SYMTYPE, "../../outside"), _member("Kiro/link/evil"),
    ])  # fmt: skip
    with pytest.raises(VerificationError):
        unpack_tarball(archive, tmp_path / "prefix" / "stage")
    assert list(outside.iterdir()) == []


def test_a_damaged_archive_is_refused(tmp_path):
    archive = tmp_path / "cut.tar.gz"
    good = _tarball(tmp_path / "whole.tar.gz", [_member("Kiro/kiro")], data=os.urandom(100_000))
    archive.write_bytes(good.read_bytes()[:50_000])  # cut in the middle of the member
    with pytest.raises(VerificationError):
        unpack_tarball(archive, tmp_path / "stage")
    assert not (tmp_path / "stage").exists()


def test_oversized_members_are_refused(tmp_path, monkeypatch):
    from kiro_bootstrap.install import archive as module

    monkeypatch.setattr(module, "MAX_MEMBER_BYTES", 10)
    big = _tarball(tmp_path / "big.tar.gz", [_member("Kiro/big")], data=b"z" * 11)
    with pytest.raises(VerificationError, match="larger than"):
        unpack_tarball(big, tmp_path / "stage")
