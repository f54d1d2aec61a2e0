"""The only place that looks at the real machine: read the process, then collect per OS."""

from __future__ import annotations

import getpass
import os
import platform
import struct
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path

from kiro_bootstrap.errors import HostUnsupportedError
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.process import ProcessView
from kiro_bootstrap.host.runner import Runner, run_process

# A 32-bit userland on a 64-bit kernel: uname says the kernel's machine, we want the process's.
_THIRTY_TWO_BIT_VIEW = {"x86_64": "i686", "aarch64": "armv7l", "arm64": "armv7l"}


def gather_host_facts(
    *,
    runner: Runner = run_process,
    environ: Mapping[str, str] = os.environ,
    fs_root: Path = Path("/"),
) -> HostFacts:
    """Gather this machine's facts once; the caller keeps the result (it does not cache)."""
    # Each OS's collector is imported only on that OS: the others' parsers are dead weight.
    if sys.platform.startswith("linux"):
        from kiro_bootstrap.host.gather_linux import collect_linux_facts

        return collect_linux_facts(
            _posix_process_view(environ), runner=runner, environ=environ, fs_root=fs_root
        )
    if sys.platform == "darwin":
        from kiro_bootstrap.host.gather_macos import collect_macos_facts

        return collect_macos_facts(
            _posix_process_view(environ, macos=True),
            runner=runner,
            environ=environ,
            fs_root=fs_root,
        )
    if sys.platform == "win32":
        from kiro_bootstrap.host.gather_windows import collect_windows_facts

        return collect_windows_facts(
            _windows_process_view(environ), runner=runner, environ=environ, fs_root=fs_root
        )
    raise HostUnsupportedError(
        f"This operating system ({sys.platform}) is not supported.",
        hint="Kiro runs on Linux, macOS and Windows.",
    )


def _posix_process_view(environ: Mapping[str, str], *, macos: bool = False) -> ProcessView:
    if sys.platform == "win32":  # keeps mypy honest when it checks for Windows
        raise NotImplementedError
    import pwd

    machine = platform.machine()
    if struct.calcsize("P") == 4:
        machine = _THIRTY_TWO_BIT_VIEW.get(machine, machine)
    euid = os.geteuid()
    try:
        entry = pwd.getpwuid(euid)
        user_name, user_home = entry.pw_name, entry.pw_dir
    except KeyError:  # containers run arbitrary uids with no passwd entry
        user_name, user_home = environ.get("USER") or str(euid), None
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):  # musl and macOS do not know the name
        glibc = None
    console_owner = None
    if macos:
        # What `stat -f%Su /dev/console` prints, without starting stat.
        try:
            console_owner = pwd.getpwuid(Path("/dev/console").stat().st_uid).pw_name
        except (OSError, KeyError):
            console_owner = None
    return ProcessView(
        machine=machine,
        user_name=user_name,
        memory_bytes=_posix_memory_bytes(),
        euid=euid,
        user_home=user_home,
        glibc=glibc,
        console_owner=console_owner,
        platform_version=(platform.mac_ver()[0] or None) if macos else None,
    )


def _posix_memory_bytes() -> int:
    if sys.platform == "win32":
        raise NotImplementedError
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):  # macOS lacks SC_PHYS_PAGES on some versions
        import psutil

        return int(psutil.virtual_memory().total)


def _windows_process_view(environ: Mapping[str, str]) -> ProcessView:
    import psutil

    from kiro_bootstrap.host.win32 import is_user_an_admin, list_signed_in, native_machine

    signed_in = list_signed_in()
    # sysconfig names the interpreter's own build ("win-amd64"); platform.machine() reports
    # what emulation shows, which is not always the process.
    return ProcessView(
        machine=sysconfig.get_platform(),
        user_name=environ.get("USERNAME") or getpass.getuser(),
        memory_bytes=int(psutil.virtual_memory().total),
        native_machine=native_machine(),
        is_elevated=is_user_an_admin(),
        platform_version=platform.version() or None,
        signed_in=None if signed_in is None else tuple(signed_in),
    )
