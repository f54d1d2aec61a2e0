"""Whether the console we print to was opened just for us (a double-click), so it would close."""

from __future__ import annotations

import sys
from collections.abc import Mapping

# What a double-click in Finder looks like from inside: Terminal runs a login shell for us.
_MACOS_LAUNCH_CHAIN = ("login", "Terminal")


def windows_console_is_ours() -> bool:
    """Windows: only this process is attached to the console (Explorer opened it for us)."""
    import ctypes

    processes = (ctypes.c_uint32 * 2)()
    kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined, unused-ignore]
    return int(kernel32.GetConsoleProcessList(processes, 2)) == 1


def macos_console_is_ours(environ: Mapping[str, str]) -> bool:
    """macOS: Terminal started a fresh login shell only to run us (SHLVL 1, login, Terminal)."""
    if environ.get("TERM_PROGRAM") != "Apple_Terminal" or environ.get("SHLVL") != "1":
        return False
    import psutil

    names = [process.name() for process in psutil.Process().parents()[1:3]]
    return tuple(names) == _MACOS_LAUNCH_CHAIN


def console_opened_for_us(os_name: str, environ: Mapping[str, str]) -> bool:
    """True when closing our process would close the window (ask for Enter before leaving)."""
    try:
        if os_name == "windows" and sys.platform == "win32":
            return windows_console_is_ours()
        if os_name == "darwin" and sys.platform == "darwin":
            return macos_console_is_ours(environ)
    except (OSError, AttributeError, ImportError):
        return False
    return False
