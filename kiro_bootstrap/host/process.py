"""What only the running interpreter can say about itself, as plain data the collectors take."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from kiro_bootstrap.host.windows_sessions import SignedIn


def is_live_root(fs_root: Path, os_name: str) -> bool:
    """`fs_root` is this machine's own root, and this machine runs `os_name` (facts.os).

    False under a root override (a test tree, a chroot, the demo) and for facts that describe
    another OS than the one running: then paths are mapped under `fs_root`, nothing is asked of
    the live system (apt-get, the registry, the process's own libc).
    """
    on_windows = isinstance(fs_root, PureWindowsPath)
    return fs_root == Path(fs_root.anchor) and on_windows == (os_name == "windows")


@dataclass(frozen=True)
class ProcessView:
    """In-process facts (platform, os, pwd, ctypes answers), read once in `gather.py`.

    Everything else the collectors learn comes from files under `fs_root` and from the
    runner, so a test can hand them a Windows or macOS view on Linux.
    """

    machine: str  # the process's raw arch: "x86_64", "AMD64", "arm64", "i686"
    user_name: str  # the effective user's name (no domain)
    memory_bytes: int
    euid: int | None = None  # POSIX only
    user_home: str | None = None  # the effective user's home from the password database
    glibc: str | None = None  # os.confstr("CS_GNU_LIBC_VERSION"): "glibc 2.36"
    console_owner: str | None = None  # macOS: owner of /dev/console
    native_machine: int | None = None  # Windows: IsWow64Process2's native IMAGE_FILE_MACHINE
    is_elevated: bool | None = None  # Windows: IsUserAnAdmin(), used if whoami fails
    platform_version: str | None = None  # platform.version()/mac_ver(): if the OS tool fails
    # Windows: every signed-in session (WTS, else explorer.exe owners); None: could not ask
    signed_in: tuple[SignedIn, ...] | None = None
