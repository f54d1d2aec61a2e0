"""The few Windows API calls the agent makes itself (ctypes, winreg); nothing here decides.

Each function answers None (or an empty list) when the API is missing or fails, so the
callers fall back; off Windows every one answers None. Callers: `gather.py` (the process view)
and the person lookups (`users.py`, `install/detect.py`). The logic that uses the answers takes
plain data (`windows_sessions.py`) and is tested on any OS.
PowerShell is not used: Constrained Language Mode or AppLocker may block it for SYSTEM.
"""

from __future__ import annotations

import sys

from kiro_bootstrap.host.windows_sessions import SignedIn

PROFILE_LIST_SUBKEY = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList"
# WTS_CONNECTSTATE_CLASS and WTS_INFO_CLASS values (wtsapi32.h).
WTS_ACTIVE = 0
WTS_USER_NAME = 5
WTS_DOMAIN_NAME = 7
WTS_CURRENT_SERVER_HANDLE = 0
_SID_BUFFER_BYTES = 68  # SECURITY_MAX_SID_SIZE
_DOMAIN_BUFFER_CHARS = 256


def list_signed_in() -> list[SignedIn] | None:
    """Every session with a user (WTS), else the owners of explorer.exe; None off Windows."""
    if sys.platform != "win32":
        return None
    sessions = _wts_sessions()
    if sessions is None:
        sessions = _explorer_owners()
    return [SignedIn(account, lookup_account_sid(account), active) for account, active in sessions]


def _wts_sessions() -> list[tuple[str, bool]] | None:
    if sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    class SessionInfo(ctypes.Structure):
        _fields_ = (
            ("SessionId", wintypes.DWORD),
            ("pWinStationName", wintypes.LPWSTR),
            ("State", ctypes.c_int),
        )

    try:
        wtsapi = ctypes.WinDLL("wtsapi32", use_last_error=True)
    except OSError:
        return None
    table = ctypes.POINTER(SessionInfo)()
    count = wintypes.DWORD()
    if not wtsapi.WTSEnumerateSessionsW(
        WTS_CURRENT_SERVER_HANDLE, 0, 1, ctypes.byref(table), ctypes.byref(count)
    ):
        return None

    def query(session_id: int, info_class: int) -> str:
        buffer, size = wintypes.LPWSTR(), wintypes.DWORD()
        if not wtsapi.WTSQuerySessionInformationW(
            WTS_CURRENT_SERVER_HANDLE,
            session_id,
            info_class,
            ctypes.byref(buffer),
            ctypes.byref(size),
        ):
            return ""
        try:
            return buffer.value or ""
        finally:
            wtsapi.WTSFreeMemory(buffer)

    found: list[tuple[str, bool]] = []
    try:
        for index in range(count.value):
            session = table[index]
            user = query(session.SessionId, WTS_USER_NAME)
            if user:
                domain = query(session.SessionId, WTS_DOMAIN_NAME)
                account = f"{domain}\\{user}" if domain else user
                found.append((account, session.State == WTS_ACTIVE))
    finally:
        wtsapi.WTSFreeMemory(table)
    return found


def _explorer_owners() -> list[tuple[str, bool]]:
    import psutil

    owners = []
    for process in psutil.process_iter(["name", "username"]):
        name, owner = process.info["name"], process.info["username"]
        if str(name or "").casefold() == "explorer.exe" and owner:
            owners.append((str(owner), False))  # psutil cannot tell which session is active
    return owners


def lookup_account_sid(account: str) -> str | None:
    """LookupAccountNameW + ConvertSidToStringSidW: "AzureAD\\alice" -> "S-1-12-1-…"."""
    if sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    advapi = ctypes.WinDLL("advapi32", use_last_error=True)
    kernel = ctypes.WinDLL("kernel32", use_last_error=True)
    sid = ctypes.create_string_buffer(_SID_BUFFER_BYTES)
    sid_size = wintypes.DWORD(_SID_BUFFER_BYTES)
    domain = ctypes.create_unicode_buffer(_DOMAIN_BUFFER_CHARS)
    domain_size = wintypes.DWORD(_DOMAIN_BUFFER_CHARS)
    use = wintypes.DWORD()
    if not advapi.LookupAccountNameW(
        None,
        account,
        sid,
        ctypes.byref(sid_size),
        domain,
        ctypes.byref(domain_size),
        ctypes.byref(use),
    ):
        return None
    text = wintypes.LPWSTR()
    if not advapi.ConvertSidToStringSidW(sid, ctypes.byref(text)):
        return None
    try:
        return text.value
    finally:
        kernel.LocalFree(text)


def read_profile_image_path(sid: str) -> str | None:
    """HKLM\\...\\ProfileList\\<SID>\\ProfileImagePath, environment variables expanded."""
    if sys.platform != "win32":
        return None
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, f"{PROFILE_LIST_SUBKEY}\\{sid}") as key:
            value, _kind = winreg.QueryValueEx(key, "ProfileImagePath")
    except OSError:
        return None
    return winreg.ExpandEnvironmentStrings(str(value)) or None


def profile_of_account(account: str) -> str | None:
    """The profile folder Windows made for `account`, from the registry; None if it has none."""
    sid = lookup_account_sid(account)
    return read_profile_image_path(sid) if sid else None


def native_machine() -> int | None:
    """IsWow64Process2's native machine (Windows 10 1709+): the hardware, not the emulation."""
    if sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    is_wow64_process2 = getattr(kernel32, "IsWow64Process2", None)
    if is_wow64_process2 is None:
        return None
    kernel32.GetCurrentProcess.restype = wintypes.HANDLE
    is_wow64_process2.argtypes = [
        wintypes.HANDLE,
        ctypes.POINTER(wintypes.USHORT),
        ctypes.POINTER(wintypes.USHORT),
    ]
    is_wow64_process2.restype = wintypes.BOOL
    process_machine, native_machine = wintypes.USHORT(), wintypes.USHORT()
    if not is_wow64_process2(
        kernel32.GetCurrentProcess(), ctypes.byref(process_machine), ctypes.byref(native_machine)
    ):
        return None
    return int(native_machine.value)


def is_user_an_admin() -> bool | None:
    """shell32's IsUserAnAdmin: True for an elevated token (only a fallback for whoami)."""
    if sys.platform != "win32":
        return None
    import ctypes

    try:
        return bool(ctypes.windll.shell32.IsUserAnAdmin())
    except (AttributeError, OSError):
        return None
