"""Host facts: one plain, immutable record of the machine, gathered once and passed down."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

OsName = Literal["linux", "darwin", "windows"]

# Raw machine names as platform.machine(), uname, sysconfig and Windows report them.
_ARCH_ALIASES = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "x64": "x86_64",
    "win-amd64": "x86_64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "aarch64_be": "arm64",
    "win-arm64": "arm64",
    "win32": "x86",
}

_NUMBER = re.compile(r"\d+")


def normalize_arch(raw: str) -> str:
    """Map a raw machine name to "x86_64" or "arm64"; anything else is returned as given."""
    return _ARCH_ALIASES.get(raw.strip().lower(), raw.strip())


def version_numbers(text: str | None) -> tuple[int, ...]:
    """The leading dotted numbers of a version string: "2.39-0ubuntu8" -> (2, 39)."""
    if not text:
        return ()
    match = re.match(r"\s*v?(\d+(?:\.\d+)*)", text)
    if match is None:
        return ()
    return tuple(int(part) for part in _NUMBER.findall(match.group(1)))


@dataclass(frozen=True)
class ProxySettings:
    """The proxy the host is configured with, and where that configuration came from."""

    http: str | None = None
    https: str | None = None
    no_proxy: str | None = None  # comma separated, curl/httpx style (".corp.example")
    pac_url: str | None = None  # the OS says "use this PAC": we do not evaluate PAC files
    source: str = "none"  # "env" | "macos-system" | "wininet" | "winhttp" | "none"
    auto_detect: bool = False  # WPAD auto-discovery is on: also unsupported, worth a warning

    @property
    def configured(self) -> bool:
        """True when any proxy, PAC or auto-discovery setting is present."""
        return bool(self.http or self.https or self.pac_url or self.auto_detect)


@dataclass(frozen=True)
class WindowsSession:
    """A signed-in person and what root learned about them from the machine's registry."""

    account: str
    sid: str | None
    active: bool
    profile: str | None = None  # HKLM\...\ProfileList\<SID>\ProfileImagePath
    hive_loaded: bool = False  # HKU\<SID> is there: their HKCU can be read and changed
    proxy: ProxySettings | None = None  # their WinINet settings, read from HKU\<SID>

    @property
    def name(self) -> str:
        """The account without its domain: "AliceSmith"."""
        return self.account.rpartition("\\")[2]


@dataclass(frozen=True, kw_only=True)
class HostFacts:
    """Everything the tool needs to know about the machine, in one place.

    Each OS passes what it knows; the defaults are what an OS without that fact has.
    """

    os: OsName
    os_name: str  # "Ubuntu 24.04.1 LTS", "macOS 14.5", "Windows 11 Pro"
    os_version: str  # "24.04", "14.5", "10.0.22631"
    os_build: str | None = None  # Windows build "22631", macOS build "23F79"
    distro_id: str | None = None  # Linux os-release ID ("ubuntu", "debian", "fedora")
    arch: str  # the process's arch: "x86_64" | "arm64" | other raw value
    native_arch: str  # the hardware's arch (differs under Rosetta 2 or x64 emulation on ARM)
    translated: bool = False  # True under Rosetta 2 / x64 emulation on Windows ARM
    libc: str | None = None  # "glibc" | "musl" | None (non-Linux)
    libc_version: str | None = None  # "2.39"
    # ("GLIBCXX_3.4", ..., "GLIBCXX_3.4.30") as libstdc++ defines them; None: no libstdc++ found
    glibcxx_versions: tuple[str, ...] | None = None
    is_admin: bool  # root (euid 0) / elevated Administrator / SYSTEM
    is_system: bool = False  # Windows LocalSystem (the MDM context)
    current_user: str
    console_user: str | None  # who sits at the screen; None: nobody signed in
    home: Path  # the current user's home
    memory_bytes: int
    proxy: ProxySettings = ProxySettings()
    # Windows: every person signed in (any session: console, RDP, Cloud PC), their SID,
    # registry profile folder and whether their hive is loaded; empty elsewhere
    sessions: tuple[WindowsSession, ...] = ()

    def version_tuple(self) -> tuple[int, ...]:
        """The OS version as numbers: (24, 4), (14, 5), (10, 0, 22631)."""
        return version_numbers(self.os_version)

    def libc_version_tuple(self) -> tuple[int, ...] | None:
        """The C library version as numbers, or None when unknown."""
        numbers = version_numbers(self.libc_version)
        return numbers or None

    def build_number(self) -> int | None:
        """The Windows build as a number (22631); None elsewhere or when unknown."""
        if self.os_build is None or not self.os_build.isdigit():
            return None
        return int(self.os_build)

    def has_glibcxx(self, version: str) -> bool | None:
        """Whether libstdc++ defines GLIBCXX_<version>; None when libstdc++ was not found."""
        if self.glibcxx_versions is None:
            return None
        name = version if version.startswith("GLIBCXX_") else f"GLIBCXX_{version}"
        return name in self.glibcxx_versions
