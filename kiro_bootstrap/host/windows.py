"""Pure parsers for what Windows tells us: reg query, whoami, query user, CIM, netsh winhttp."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from kiro_bootstrap.host.facts import ProxySettings
from kiro_bootstrap.host.proxy import (
    convert_bypass_list,
    parse_windows_proxy_server,
    split_windows_bypass,
)

CURRENT_VERSION_KEY = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"
INTERNET_SETTINGS_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
# The per-user key as SYSTEM reaches it: through the person's loaded hive under HKEY_USERS.
USER_INTERNET_SETTINGS_KEY = (
    r"HKU\{sid}\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
)
PROFILE_LIST_KEY = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList"
LOCAL_SYSTEM_SID = "S-1-5-18"
# Mandatory integrity labels: an elevated token is High, LocalSystem is System. SIDs are not
# translated, unlike the group names next to them, so they work on every display language.
HIGH_INTEGRITY_SID = "S-1-16-12288"
SYSTEM_INTEGRITY_SID = "S-1-16-16384"
FIRST_WINDOWS_11_BUILD = 22000
# IMAGE_FILE_MACHINE_* values that IsWow64Process2 reports as the native machine.
IMAGE_FILE_MACHINES = {0x8664: "x86_64", 0xAA64: "arm64", 0x014C: "x86", 0x01C4: "arm"}

_REG_VALUE = re.compile(r"^ {4}(?P<name>.*?) {4}(?P<type>REG_[A-Z_]+)(?: {4}(?P<data>.*))?$")
_ENVIRONMENT_REFERENCE = re.compile(r"%([^%]+)%")
_SID = re.compile(r"^S-1-\d+(?:-\d+)*$")
_CONSOLE_ROW = re.compile(r"^[ >](?P<user>.*?)\s+console\s+\d+\s", re.IGNORECASE)


class RegValue(NamedTuple):
    """One value as `reg query` prints it."""

    type: str  # "REG_SZ", "REG_DWORD", ...
    data: str  # as printed: "0x1" for a DWORD


def parse_reg_query(text: str) -> dict[str, RegValue]:
    """The values of the queried key in `reg query <key>` output (subkeys are ignored)."""
    values: dict[str, RegValue] = {}
    seen_key = False
    for line in text.splitlines():
        if line.startswith("HKEY_"):
            if seen_key:  # the next key is a subkey listing: its values are not printed
                break
            seen_key = True
            continue
        match = _REG_VALUE.match(line.rstrip("\r"))
        if match:
            values[match["name"]] = RegValue(match["type"], (match["data"] or "").strip())
    return values


def reg_int(value: RegValue | None) -> int | None:
    """A REG_DWORD/REG_QWORD ("0x1a") or a decimal REG_SZ as an int."""
    if value is None:
        return None
    try:
        return int(value.data, 16 if value.data.lower().startswith("0x") else 10)
    except ValueError:
        return None


def reg_text(values: Mapping[str, RegValue], *names: str) -> str:
    """The data of the first of `names` that is present and not empty, else ""."""
    for name in names:
        value = values.get(name)
        if value is not None and value.data:
            return value.data
    return ""


@dataclass(frozen=True)
class WindowsVersion:
    """Name, dotted version and build of a Windows installation."""

    name: str  # "Windows 11 Pro"
    version: str  # "10.0.22631"
    build: str  # "22631"
    display_version: str | None  # "23H2"


def parse_windows_version(values: Mapping[str, RegValue]) -> WindowsVersion:
    """HKLM\\...\\Windows NT\\CurrentVersion values -> name, version and build."""
    build = reg_text(values, "CurrentBuildNumber", "CurrentBuild")
    major = reg_int(values.get("CurrentMajorVersionNumber"))
    minor = reg_int(values.get("CurrentMinorVersionNumber"))
    if major is None:  # Windows 8.1 and older only have "CurrentVersion" = "6.3"
        legacy = reg_text(values, "CurrentVersion")
        major_text, _, minor_text = legacy.partition(".")
        major = int(major_text) if major_text.isdigit() else 0
        minor = int(minor_text) if minor_text.isdigit() else 0
    name = reg_text(values, "ProductName") or "Windows"
    # Windows 11 still says "Windows 10" in ProductName; only the build tells them apart.
    if build.isdigit() and int(build) >= FIRST_WINDOWS_11_BUILD and name.startswith("Windows 10"):
        name = "Windows 11" + name.removeprefix("Windows 10")
    display = reg_text(values, "DisplayVersion", "ReleaseId")
    return WindowsVersion(
        name=name,
        version=f"{major}.{minor or 0}.{build}",
        build=build,
        display_version=display or None,
    )


def parse_reg_query_internet_settings(text: str) -> ProxySettings:
    """`reg query "HKCU\\...\\Internet Settings"` -> the WinINet (per-user) proxy settings."""
    values = parse_reg_query(text)
    http = https = None
    if reg_int(values.get("ProxyEnable")) == 1:
        http, https = parse_windows_proxy_server(reg_text(values, "ProxyServer"))
    pac_url = reg_text(values, "AutoConfigURL") or None
    auto_detect = reg_int(values.get("AutoDetect")) == 1
    if not (http or https or pac_url or auto_detect):
        return ProxySettings()
    override = reg_text(values, "ProxyOverride")
    return ProxySettings(
        http=http,
        https=https,
        no_proxy=convert_bypass_list(split_windows_bypass(override)),
        pac_url=pac_url,
        source="wininet",
        auto_detect=auto_detect,
    )


def parse_netsh_winhttp(text: str) -> ProxySettings:
    """`netsh winhttp show proxy` -> the machine-wide WinHTTP proxy.

    The labels are translated on non-English Windows, so the first "label : value" line is
    read as the proxy and the second as the bypass list; "Direct access" prints neither.
    """
    fields: list[str] = []
    for line in text.splitlines():
        # A label ends at the first colon followed by a space; "host:8080" has none.
        match = re.match(r"^\s*[^:]+?\s*:\s+(\S.*)$", line)
        if match:
            fields.append(match.group(1).strip())
    if not fields:
        return ProxySettings()
    http, https = parse_windows_proxy_server(fields[0])
    if not (http or https):
        return ProxySettings()
    bypass = fields[1] if len(fields) > 1 else ""
    if bypass.startswith("(") and bypass.endswith(")"):  # "(none)", translated: no list at all
        bypass = ""
    return ProxySettings(
        http=http,
        https=https,
        no_proxy=convert_bypass_list(split_windows_bypass(bypass)),
        source="winhttp",
    )


def extended_length_path(path: str) -> str:
    """`C:\\x` -> `\\\\?\\C:\\x`, `\\\\server\\share\\x` -> `\\\\?\\UNC\\server\\share\\x`.

    The prefix lifts MAX_PATH (260 characters) for the file APIs, so deleting a deep tree
    (extensions under AppData) cannot fail half-way. It needs an absolute path; others and
    already prefixed ones are returned unchanged.
    """
    if path.startswith("\\\\?\\"):
        return path
    if path.startswith("\\\\"):
        return "\\\\?\\UNC\\" + path[2:]
    if re.match(r"^[A-Za-z]:\\", path):
        return "\\\\?\\" + path
    return path


def parse_profile_image_path(text: str, environ: Mapping[str, str]) -> str | None:
    """`reg query "HKLM\\...\\ProfileList\\<SID>" /v ProfileImagePath` -> the profile folder.

    The value is REG_EXPAND_SZ; Windows itself writes `%SystemDrive%\\Users\\…` on some
    builds, so the references are expanded from the environment (case-insensitively).
    """
    value = parse_reg_query(text).get("ProfileImagePath")
    if value is None or not value.data:
        return None
    upper = {name.upper(): data for name, data in environ.items()}
    return _ENVIRONMENT_REFERENCE.sub(
        lambda match: upper.get(match.group(1).upper(), match.group(0)), value.data
    )


def parse_query_user(text: str) -> str | None:
    """`query user` -> the user of the "console" session (the one at the screen), or None.

    Column titles and states are translated, but the session name "console" is not; user
    names may hold spaces, so the name is everything before it.
    """
    for line in text.splitlines()[1:]:
        match = _CONSOLE_ROW.match(line)
        if match and match["user"].strip():
            return match["user"].strip()
    return None


def parse_cim_computer_system_json(text: str) -> str | None:
    """`Get-CimInstance Win32_ComputerSystem | Select-Object UserName | ConvertTo-Json`.

    UserName is "DOMAIN\\user" (kept whole: schtasks /RU needs it for Entra ID accounts) or
    null when nobody is signed in at the console.
    """
    try:
        document = json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        return None
    if isinstance(document, list):
        document = document[0] if document else None
    if not isinstance(document, dict):
        return None
    user = document.get("UserName")
    return (user.strip() or None) if isinstance(user, str) else None


@dataclass(frozen=True)
class WhoAmI:
    """The account and token of this process, from `whoami /user /groups /fo csv /nh`."""

    account: str  # "desktop-1\\alice", "nt authority\\system"
    sid: str
    group_sids: frozenset[str]

    @property
    def user_name(self) -> str:
        """The account without its domain: "alice"."""
        return self.account.rpartition("\\")[2]

    @property
    def is_system(self) -> bool:
        """True for LocalSystem, the account MDM agents (Intune, SCCM) run scripts as."""
        return self.sid == LOCAL_SYSTEM_SID

    @property
    def is_elevated(self) -> bool:
        """True when the token runs at High or System integrity (elevated admin or SYSTEM)."""
        return bool({HIGH_INTEGRITY_SID, SYSTEM_INTEGRITY_SID} & self.group_sids) or self.is_system


def parse_whoami(text: str) -> WhoAmI | None:
    """Parse `whoami /user /groups /fo csv /nh`; section titles and headers are skipped."""
    account = sid = None
    groups: set[str] = set()
    for row in csv.reader(line for line in text.splitlines() if line.startswith('"')):
        if len(row) == 2 and _SID.match(row[1]) and account is None:
            account, sid = row[0], row[1]
        elif len(row) >= 3 and _SID.match(row[2]):
            groups.add(row[2])
    if account is None or sid is None:
        return None
    return WhoAmI(account=account, sid=sid, group_sids=frozenset(groups))


def is_system_account_name(user: str, computer_name: str | None) -> bool:
    """Without a SID: "SYSTEM", or "<COMPUTERNAME>$" as SYSTEM's USERNAME variable reads."""
    name = user.rpartition("\\")[2]
    if name.upper() == "SYSTEM":
        return True
    return bool(computer_name) and name.upper() == f"{computer_name}$".upper()


def resolve_windows_arch(
    process_arch: str, native_machine: int | None, environ: Mapping[str, str]
) -> tuple[str, bool]:
    """(native arch, translated) for a Windows process of `process_arch`.

    IsWow64Process2's native machine is the truth. Without it, a 32-bit process under WOW64
    sees PROCESSOR_ARCHITEW6432; an x64 process emulated on ARM64 sees AMD64 everywhere.
    """
    native = IMAGE_FILE_MACHINES.get(native_machine or 0)
    if native is None:
        raw = environ.get("PROCESSOR_ARCHITEW6432") or environ.get("PROCESSOR_ARCHITECTURE")
        native = {"AMD64": "x86_64", "ARM64": "arm64", "X86": "x86"}.get(
            (raw or "").upper(), process_arch
        )
    # A 32-bit process under WOW64 on x64 is not emulated; x64 or x86 code on ARM64 is.
    return native, native == "arm64" and process_arch != "arm64"
