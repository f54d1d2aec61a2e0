"""Real (or, where Linux cannot make one, recognisably fake) Kiro artifacts written to disk."""

from __future__ import annotations

import gzip
import io
import json
import os
import plistlib
import shutil
import struct
import subprocess
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from sandbox.byte_streams import (
    STREAM_CHUNK_BYTES,
    BuiltFile,
    HashingWriter,
    PaddingStream,
    hash_file,
    open_part,
)

# Fixed timestamps (the sandbox pub_date, 2026-08-13) so a rebuild gives byte-identical archives.
FIXED_MTIME = 1_786_579_200
FIXED_ZIP_DATE = (2026, 8, 13, 0, 0, 0)
GZIP_LEVEL = 9
# zlib level 1 manages ~45 MB/s on incompressible bytes (20 s per GiB); stored deflate blocks
# stay a valid gzip and run at disk speed, so padded builds use them.
PADDED_GZIP_LEVEL = 0
VS_CODE_VERSION = "1.94.0"
BUNDLE_IDENTIFIER = "dev.kiro.desktop"
DEB_PACKAGE_NAME = "kiro"
DEB_ARCHITECTURE = "amd64"
DMG_MAGIC = b"KIRO-SANDBOX-DMG\n"
# A real UDIF image ends with a 512-byte trailer starting with "koly"; mimic it for sniffers.
DMG_TRAILER_MAGIC = b"koly"
DMG_TRAILER_BYTES = 512
EXE_DOS_HEADER_BYTES = 64
EXECUTABLE_MODE = 0o755
REGULAR_MODE = 0o644

Writer = Callable[[Path, str, str, int], BuiltFile]


def product_json(version: str) -> bytes:
    """Return the Code-OSS style product.json that carries Kiro's version."""
    product = {
        "nameLong": "Kiro",
        "applicationName": "kiro",
        "version": version,
        "vsCodeVersion": VS_CODE_VERSION,
    }
    return json.dumps(product, indent=2).encode() + b"\n"


REPORT_VARIABLE = "KIRO_SANDBOX_REPORT"  # where the fake Kiro reports how it was started


def launcher_script(version: str) -> bytes:
    """Return a shell launcher that says which sandbox build it is.

    With KIRO_SANDBOX_REPORT set it also writes there its arguments (`argv=` lines) and its
    environment (`env`), through a rename so a reader never sees half: how tests see what a
    menu launch (`gio launch`) gave Kiro.
    """
    return (
        "#!/bin/sh\n"
        f'if [ -n "${REPORT_VARIABLE}" ]; then\n'
        f'  {{ for argument in "$@"; do printf "argv=%s\\n" "$argument"; done; env; }}'
        f' > "${REPORT_VARIABLE}.part" && mv "${REPORT_VARIABLE}.part" "${REPORT_VARIABLE}"\n'
        "fi\n"
        f'echo "Kiro {version} (kiro-bootstrap sandbox build)"\n'
    ).encode()


def deb_desktop_entry() -> bytes:
    """The menu entry the .deb ships (dpkg owns it: never edited by kiro-bootstrap)."""
    return (
        b"[Desktop Entry]\nType=Application\nName=Kiro\nExec=/usr/share/kiro/kiro %F\n"
        b"Icon=kiro\nTerminal=false\nCategories=Development;IDE;\n"
    )


def shim_script(version: str) -> bytes:
    """Return a CLI shim answering --version like `code --version` (version, commit, arch)."""
    return (
        "#!/bin/sh\n"
        f'if [ "$1" = "--version" ]; then printf "%s\\n" {version} sandbox x64; exit 0; fi\n'
        'exec "$(dirname "$(readlink -f "$0")")/../kiro" "$@"\n'
    ).encode()


def tiny_png() -> bytes:
    """Return a valid 1x1 RGBA PNG (the icon the Linux desktop entry points at)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        """Frame one PNG chunk with its length and CRC."""
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x8a\x2b\xe2\xff")
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def write_linux_tarball(path: Path, version: str, platform: str, padding: int) -> BuiltFile:
    """Write the Linux tar.gz (launcher, shim, product.json, icon, optional padding)."""
    members = [
        ("Kiro/kiro", launcher_script(version), EXECUTABLE_MODE),
        ("Kiro/bin/kiro", shim_script(version), EXECUTABLE_MODE),
        ("Kiro/resources/app/product.json", product_json(version), REGULAR_MODE),
        ("Kiro/resources/app/resources/linux/code.png", tiny_png(), REGULAR_MODE),
    ]
    folders = ["Kiro", "Kiro/bin", "Kiro/resources", "Kiro/resources/app"]
    folders += ["Kiro/resources/app/resources", "Kiro/resources/app/resources/linux"]
    level = PADDED_GZIP_LEVEL if padding else GZIP_LEVEL
    with open_part(path) as raw:
        hashing = HashingWriter(raw)
        with (
            _gzip_writer(hashing, level) as compressed,
            tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            for folder in folders:
                tar.addfile(_tar_entry(folder, 0, EXECUTABLE_MODE, tarfile.DIRTYPE))
            for name, data, mode in members:
                tar.addfile(_tar_entry(name, len(data), mode), io.BytesIO(data))
            if padding:
                entry = _tar_entry("Kiro/resources/app/padding.bin", padding, REGULAR_MODE)
                tar.addfile(entry, PaddingStream(f"{path.name}:{version}", padding))
        return hashing.result()


def write_deb(path: Path, version: str, platform: str, padding: int) -> BuiltFile:
    """Build a real .deb with dpkg-deb (package kiro, files under /usr/share/kiro)."""
    dpkg_deb = shutil.which("dpkg-deb")
    if dpkg_deb is None:
        raise RuntimeError("dpkg-deb is needed to build the sandbox .deb; install dpkg")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".deb-root-") as staging_name:
        staging = Path(staging_name)
        share = staging / "usr/share/kiro"
        files = {
            staging / "DEBIAN/control": (_deb_control(version), REGULAR_MODE),
            share / "kiro": (launcher_script(version), EXECUTABLE_MODE),
            share / "bin/kiro": (shim_script(version), EXECUTABLE_MODE),
            share / "resources/app/product.json": (product_json(version), REGULAR_MODE),
            share / "resources/app/resources/linux/code.png": (tiny_png(), REGULAR_MODE),
            staging / "usr/share/applications/kiro.desktop": (deb_desktop_entry(), REGULAR_MODE),
        }
        for file_path, (data, mode) in files.items():
            file_path.parent.mkdir(parents=True, exist_ok=True)
            file_path.write_bytes(data)
            file_path.chmod(mode)
        if padding:
            with (share / "resources/app/padding.bin").open("wb") as sink:
                shutil.copyfileobj(PaddingStream(f"{path.name}:{version}", padding), sink)
        (staging / "usr/bin").mkdir(parents=True)
        (staging / "usr/bin/kiro").symlink_to("/usr/share/kiro/bin/kiro")
        # A umask of 077 would give folders dpkg-deb rejects ("must be >=0755 and <=0775").
        for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            folder.chmod(EXECUTABLE_MODE)
        compression = "-Znone" if padding else "-Zgzip"
        part = path.with_name(f".{path.name}.part")
        environment = {**os.environ, "SOURCE_DATE_EPOCH": str(FIXED_MTIME)}
        completed = subprocess.run(
            [dpkg_deb, "--build", "--root-owner-group", compression, str(staging), str(part)],
            capture_output=True,
            text=True,
            check=False,
            env=environment,
        )
        if completed.returncode != 0:
            part.unlink(missing_ok=True)
            raise RuntimeError(f"dpkg-deb failed: {completed.stderr.strip()}")
        part.replace(path)
    return hash_file(path)


def write_macos_zip(path: Path, version: str, platform: str, padding: int) -> BuiltFile:
    """Write the signed-app zip that Kiro's own macOS updater downloads (a real zip)."""
    info_plist = {
        "CFBundleIdentifier": BUNDLE_IDENTIFIER,
        "CFBundleName": "Kiro",
        "CFBundleExecutable": "Kiro",
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
    }
    members = [
        ("Kiro.app/Contents/Info.plist", plistlib.dumps(info_plist), REGULAR_MODE),
        ("Kiro.app/Contents/MacOS/Kiro", launcher_script(version), EXECUTABLE_MODE),
        ("Kiro.app/Contents/Resources/app/bin/code", shim_script(version), EXECUTABLE_MODE),
        ("Kiro.app/Contents/Resources/app/product.json", product_json(version), REGULAR_MODE),
    ]
    part = path.with_name(f".{path.name}.part")
    with zipfile.ZipFile(part, "w") as archive:
        for name, data, mode in members:
            archive.writestr(_zip_entry(name, mode, zipfile.ZIP_DEFLATED), data)
        if padding:
            entry = _zip_entry("Kiro.app/Contents/Resources/app/padding.bin", REGULAR_MODE)
            with archive.open(entry, "w", force_zip64=True) as sink:
                shutil.copyfileobj(PaddingStream(f"{path.name}:{version}", padding), sink)
    part.replace(path)
    return hash_file(path)


def write_dmg_like(path: Path, version: str, platform: str, padding: int) -> BuiltFile:
    """Write DMG-like bytes: a real UDIF image cannot be made on Linux, so only its shape."""
    text = f"Kiro {version} {platform} (sandbox stand-in, not a disk image)\n"
    trailer = DMG_TRAILER_MAGIC.ljust(DMG_TRAILER_BYTES, b"\x00")
    return _write_stream(
        path, DMG_MAGIC + text.encode(), f"{path.name}:{version}", padding, trailer
    )


def write_exe_like(path: Path, version: str, platform: str, padding: int) -> BuiltFile:
    """Write exe-like bytes starting with MZ (an Inno Setup installer cannot be made here)."""
    dos_header = b"MZ".ljust(EXE_DOS_HEADER_BYTES, b"\x00")
    text = f"This program cannot be run in DOS mode.\r\nKiro {version} sandbox installer stand-in\n"
    return _write_stream(path, dos_header + text.encode(), f"{path.name}:{version}", padding, b"")


def _write_stream(path: Path, head: bytes, seed: str, padding: int, tail: bytes) -> BuiltFile:
    """Write head, streamed padding and tail, hashing while writing."""
    with open_part(path) as raw:
        hashing = HashingWriter(raw)
        hashing.write(head)
        stream = PaddingStream(seed, padding)
        while chunk := stream.read(STREAM_CHUNK_BYTES):
            hashing.write(chunk)
        hashing.write(tail)
        return hashing.result()


def _gzip_writer(target: HashingWriter, level: int) -> gzip.GzipFile:
    """Open a gzip stream without a file name or timestamp in its header (reproducible)."""
    return gzip.GzipFile(filename="", mode="wb", fileobj=target, compresslevel=level, mtime=0)


def _tar_entry(name: str, size: int, mode: int, kind: bytes = tarfile.REGTYPE) -> tarfile.TarInfo:
    """Describe one tar member owned by root with the fixed timestamp."""
    entry = tarfile.TarInfo(name)
    entry.size, entry.mode, entry.type, entry.mtime = size, mode, kind, FIXED_MTIME
    entry.uname = entry.gname = "root"
    return entry


def _zip_entry(name: str, mode: int, compression: int = zipfile.ZIP_STORED) -> zipfile.ZipInfo:
    """Describe one zip member with Unix permissions, so the app's executable stays executable."""
    entry = zipfile.ZipInfo(name, FIXED_ZIP_DATE)
    entry.external_attr = (0o100000 | mode) << 16
    entry.compress_type = compression
    return entry


def _deb_control(version: str) -> bytes:
    """Return the DEBIAN/control file of the sandbox package."""
    return (
        f"Package: {DEB_PACKAGE_NAME}\n"
        f"Version: {version}\n"
        f"Architecture: {DEB_ARCHITECTURE}\n"
        "Maintainer: kiro-bootstrap sandbox <sandbox@localhost.invalid>\n"
        "Section: devel\n"
        "Priority: optional\n"
        "Description: Kiro IDE (sandbox stand-in built for kiro-bootstrap tests)\n"
    ).encode()


WRITERS: dict[str, Writer] = {
    "tar.gz": write_linux_tarball,
    "deb": write_deb,
    "zip": write_macos_zip,
    "dmg": write_dmg_like,
    "exe": write_exe_like,
}
