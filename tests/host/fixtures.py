"""Host facts for the platforms we support, as plain constructors any test can call.

    facts = windows11_system()  # Windows 11 x64 under SYSTEM, alice at the screen
    facts = ubuntu2404(tmp_path / "home/alice")  # home where the test wants it
    facts = macos14_arm64(is_admin=True, current_user="root")  # any field can be overridden

Also the sample loader and builders of real bytes (a tiny ELF library, an ld.so.cache) that
the host tests feed to the parsers.
"""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path
from typing import Any

from kiro_bootstrap.host.facts import HostFacts, WindowsSession

SAMPLES = Path(__file__).parent / "samples"
GIB = 1024**3
# alice's account on the Windows fixtures: a local account's SID and the profile Windows made.
ALICE_SID = "S-1-5-21-1004336348-1177238915-682003330-1001"
ALICE_SESSION = WindowsSession("alice", ALICE_SID, True, "C:\\Users\\alice", True)
# An Entra ID account: its profile folder is not C:\Users\<account name>.
ENTRA_SID = "S-1-12-1-2133216043-1286360327-3015424187-3962349380"
ENTRA_SESSION = WindowsSession(
    "AzureAD\\AliceSmith", ENTRA_SID, True, "C:\\Users\\AliceSmith.CONTOSO", True
)


def read_sample(name: str) -> str:
    """The text of tests/host/samples/<name>."""
    return (SAMPLES / name).read_text(encoding="utf-8")


def glibcxx_up_to(last: int) -> tuple[str, ...]:
    """GLIBCXX_3.4 ... GLIBCXX_3.4.<last>: every libstdc++ defines the whole run."""
    return ("GLIBCXX_3.4", *(f"GLIBCXX_3.4.{n}" for n in range(1, last + 1)))


def _facts(overrides: dict[str, Any], **values: Any) -> HostFacts:
    defaults: dict[str, Any] = {
        "is_admin": False,
        "current_user": "alice",
        "console_user": "alice",
        "memory_bytes": 16 * GIB,
    }
    return HostFacts(**{**defaults, **values, **overrides})


# --- Windows ------------------------------------------------------------------------------------


def windows11_user(home: Path = Path("C:/Users/alice"), **overrides: Any) -> HostFacts:
    """Windows 11 Pro 23H2 x64, alice signed in and running us without elevation."""
    return _facts(
        overrides,
        os="windows",
        os_name="Windows 11 Pro",
        os_version="10.0.22631",
        os_build="22631",
        arch="x86_64",
        native_arch="x86_64",
        home=home,
    )


def windows11_system(
    home: Path = Path("C:/Windows/system32/config/systemprofile"), **overrides: Any
) -> HostFacts:
    """Windows 11 x64 under SYSTEM (Intune, SCCM), alice signed in at the screen."""
    values = {
        "is_admin": True,
        "is_system": True,
        "current_user": "SYSTEM",
        "sessions": (ALICE_SESSION,),
        **overrides,
    }
    return windows11_user(home, **values)


def windows11_system_entra(
    home: Path = Path("C:/Windows/system32/config/systemprofile"), **overrides: Any
) -> HostFacts:
    """Windows 11 under SYSTEM with an Entra ID person signed in (profile AliceSmith.CONTOSO)."""
    values = {"console_user": ENTRA_SESSION.account, "sessions": (ENTRA_SESSION,), **overrides}
    return windows11_system(home, **values)


def windows_on_arm(home: Path = Path("C:/Users/alice"), **overrides: Any) -> HostFacts:
    """Windows 11 24H2 on ARM64 hardware, running us as x64 code under emulation."""
    values: dict[str, Any] = {
        "os_version": "10.0.26100",
        "os_build": "26100",
        "native_arch": "arm64",
        "translated": True,
        **overrides,
    }
    return windows11_user(home, **values)


# --- macOS --------------------------------------------------------------------------------------


def macos14_arm64(home: Path = Path("/Users/alice"), **overrides: Any) -> HostFacts:
    """macOS Sonoma 14.5 on Apple silicon, native arm64, alice running us."""
    return _facts(
        overrides,
        os="darwin",
        os_name="macOS 14.5",
        os_version="14.5",
        os_build="23F79",
        arch="arm64",
        native_arch="arm64",
        home=home,
    )


def macos14_rosetta(home: Path = Path("/Users/alice"), **overrides: Any) -> HostFacts:
    """macOS 14.5 on Apple silicon, with us running as x86_64 under Rosetta 2."""
    values = {"arch": "x86_64", "translated": True, **overrides}
    return macos14_arm64(home, **values)


def macos11_x64(home: Path = Path("/Users/alice"), **overrides: Any) -> HostFacts:
    """macOS Big Sur 11.7.10 on an Intel Mac."""
    return _facts(
        overrides,
        os="darwin",
        os_name="macOS 11.7.10",
        os_version="11.7.10",
        os_build="20G1427",
        arch="x86_64",
        native_arch="x86_64",
        home=home,
    )


# --- Linux --------------------------------------------------------------------------------------


def _linux(
    overrides: dict[str, Any],
    home: Path,
    *,
    name: str,
    version: str,
    distro: str,
    glibc: str,
    glibcxx_last: int,
) -> HostFacts:
    return _facts(
        overrides,
        os="linux",
        os_name=name,
        os_version=version,
        distro_id=distro,
        arch="x86_64",
        native_arch="x86_64",
        libc="glibc",
        libc_version=glibc,
        glibcxx_versions=glibcxx_up_to(glibcxx_last),
        home=home,
    )


def ubuntu2204(home: Path = Path("/home/alice"), **overrides: Any) -> HostFacts:
    """Ubuntu 22.04: glibc 2.35 and GCC 12's libstdc++ (no GLIBCXX_3.4.31): too old for Kiro."""
    return _linux(
        overrides,
        home,
        name="Ubuntu 22.04.4 LTS",
        version="22.04",
        distro="ubuntu",
        glibc="2.35",
        glibcxx_last=30,
    )


def ubuntu2404(home: Path = Path("/home/alice"), **overrides: Any) -> HostFacts:
    """Ubuntu 24.04: glibc 2.39 and GCC 14's libstdc++ (up to GLIBCXX_3.4.33)."""
    return _linux(
        overrides,
        home,
        name="Ubuntu 24.04.1 LTS",
        version="24.04",
        distro="ubuntu",
        glibc="2.39",
        glibcxx_last=33,
    )


def debian12(home: Path = Path("/home/alice"), **overrides: Any) -> HostFacts:
    """Debian 12 bookworm: glibc 2.36 and GCC 12's libstdc++ (up to GLIBCXX_3.4.30)."""
    return _linux(
        overrides,
        home,
        name="Debian GNU/Linux 12 (bookworm)",
        version="12",
        distro="debian",
        glibc="2.36",
        glibcxx_last=30,
    )


ALL_PLATFORMS = {
    "windows11_user": windows11_user,
    "windows11_system": windows11_system,
    "windows11_system_entra": windows11_system_entra,
    "windows_on_arm": windows_on_arm,
    "macos14_arm64": macos14_arm64,
    "macos14_rosetta": macos14_rosetta,
    "macos11_x64": macos11_x64,
    "ubuntu2204": ubuntu2204,
    "ubuntu2404": ubuntu2404,
    "debian12": debian12,
}


def with_overrides(facts: HostFacts, **changes: Any) -> HostFacts:
    """A copy of `facts` with some fields changed."""
    return dataclasses.replace(facts, **changes)


# --- real bytes for the Linux readers -----------------------------------------------------------

EM_X86_64 = 62
EM_AARCH64 = 183
SHT_STRTAB = 3
SHT_GNU_VERDEF = 0x6FFFFFFD


def build_elf_library(
    version_names: list[str], *, machine: int = EM_X86_64, bits: int = 64, rodata: bytes = b""
) -> bytes:
    """A minimal little-endian ELF shared object: .dynstr, a .gnu.version_d linked to it,
    and a .rodata blob (for strings that must NOT be read as version names)."""
    dynstr = (
        b"\0libstdc++.so.6\0libc.so.6\0" + b"\0".join(n.encode() for n in version_names) + b"\0"
    )
    verdef = b"\0" * 20  # the reader only follows the section's link to .dynstr
    shstrtab = b"\0.dynstr\0.gnu.version_d\0.rodata\0.shstrtab\0"
    header_size, entry_size = (64, 64) if bits == 64 else (52, 40)
    blobs = [dynstr, verdef, rodata, shstrtab]
    offsets, position = [], header_size
    for blob in blobs:
        offsets.append(position)
        position += len(blob)
    shoff = position
    # (name offset in shstrtab, type, blob index, link)
    sections = [
        (1, SHT_STRTAB, 0, 0),
        (9, SHT_GNU_VERDEF, 1, 1),
        (24, 1, 2, 0),
        (32, SHT_STRTAB, 3, 0),
    ]
    table = b"\0" * entry_size  # section 0 is the null section
    for name, kind, blob, link in sections:
        if bits == 64:
            table += struct.pack(
                "<IIQQQQIIQQ", name, kind, 2, 0, offsets[blob], len(blobs[blob]), link, 0, 1, 0
            )
        else:
            table += struct.pack(
                "<IIIIIIIIII", name, kind, 2, 0, offsets[blob], len(blobs[blob]), link, 0, 1, 0
            )
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 1, 1, 0]) + b"\0" * 8
    if bits == 64:
        header = ident + struct.pack(
            "<HHIQQQIHHHHHH",
            3,
            machine,
            1,
            0,
            0,
            shoff,
            0,
            64,
            56,
            0,
            64,
            len(sections) + 1,
            len(sections),
        )
    else:
        header = ident + struct.pack(
            "<HHIIIIIHHHHHH",
            3,
            machine,
            1,
            0,
            0,
            shoff,
            0,
            52,
            32,
            0,
            40,
            len(sections) + 1,
            len(sections),
        )
    return header + b"".join(blobs) + table


def build_ld_so_cache(paths: list[str]) -> bytes:
    """An /etc/ld.so.cache in glibc's "glibc-ld.so.cache1.1" format naming `paths`."""
    strings = b""
    entries = b""
    for path in paths:
        key = path.rsplit("/", 1)[-1]
        key_offset = len(strings)
        strings += key.encode() + b"\0"
        value_offset = len(strings)
        strings += path.encode() + b"\0"
        entries += struct.pack("<iIIIQ", 0x0303, key_offset, value_offset, 0, 0)
    header = b"glibc-ld.so.cache1.1" + struct.pack("<IIB3xI12x", len(paths), len(strings), 2, 0)
    return header + entries + strings
