"""Pure parsers for what Linux tells us: os-release, glibc, libstdc++, logind sessions, musl."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kiro_bootstrap.host.facts import version_numbers

# The name must start a string: a look-behind here would make the scan 20 times slower (the
# literal prefix could no longer be searched for), so the byte before is checked by hand.
_GLIBCXX = re.compile(rb"GLIBCXX_(\d+(?:\.\d+)+)(?![A-Za-z0-9_.])")
_NAME_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_GLIBC_RELEASE = re.compile(rb"release version (\d+\.\d+(?:\.\d+)?)")
_MUSL_VERSION = re.compile(r"^Version\s+(\d+(?:\.\d+)+)", re.MULTILINE)
_LDD_LAST_NUMBER = re.compile(r"(\d+\.\d+(?:\.\d+)?)\s*$")
# logind session classes a person sits in ("greeter" is the login screen, nobody yet).
USER_SESSION_CLASSES = frozenset({"user", "user-early"})


def parse_key_value_file(text: str) -> dict[str, str]:
    """KEY=value lines with shell quoting (os-release, logind state files); comments skipped."""
    values: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        try:
            words = shlex.split(raw)
        except ValueError:  # an unbalanced quote: keep the text rather than lose the line
            words = [raw.strip("\"'")]
        values[key.strip()] = " ".join(words)
    return values


@dataclass(frozen=True)
class OsRelease:
    """The parts of os-release(5) we use."""

    name: str  # PRETTY_NAME, e.g. "Ubuntu 24.04.1 LTS"
    version: str  # VERSION_ID, e.g. "24.04"
    distro_id: str | None  # ID, e.g. "ubuntu"
    id_like: tuple[str, ...]  # ID_LIKE, e.g. ("debian",)


def parse_os_release(text: str) -> OsRelease:
    """Parse /etc/os-release (or /usr/lib/os-release) text."""
    values = parse_key_value_file(text)
    name = values.get("PRETTY_NAME") or " ".join(
        part for part in (values.get("NAME", "Linux"), values.get("VERSION", "")) if part
    )
    # Rolling releases (Arch) have no VERSION_ID; BUILD_ID is the nearest thing they offer.
    version = values.get("VERSION_ID") or values.get("BUILD_ID") or ""
    return OsRelease(
        name=name,
        version=version,
        distro_id=values.get("ID") or None,
        id_like=tuple(values.get("ID_LIKE", "").split()),
    )


def parse_glibc_version(text: str) -> str | None:
    """The version from confstr's "glibc 2.36" or from `ldd --version`'s first line."""
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    if first_line.lower().startswith("glibc "):
        return first_line.split()[1]
    # ldd --version ends its first line with the bare version, whatever the vendor prefix.
    match = _LDD_LAST_NUMBER.search(first_line)
    if match and ("glibc" in first_line.lower() or "gnu libc" in first_line.lower()):
        return match.group(1)
    return None


def find_glibc_release(data: bytes) -> str | None:
    """The version in libc.so.6's banner ("... stable release version 2.36.")."""
    match = _GLIBC_RELEASE.search(data)
    return match.group(1).decode("ascii") if match else None


def find_glibcxx_versions(data: bytes) -> tuple[str, ...]:
    """Every GLIBCXX_x.y[.z] version name in libstdc++ bytes, oldest first, without repeats."""
    found = {
        match.group(1).decode("ascii")
        for match in _GLIBCXX.finditer(data)
        if match.start() == 0 or data[match.start() - 1] not in _NAME_BYTES
    }
    return tuple(f"GLIBCXX_{version}" for version in sorted(found, key=version_numbers))


def parse_musl_loader_output(text: str) -> str | None:
    """musl's loader run bare prints "musl libc (x86_64)\\nVersion 1.2.4\\n..." -> "1.2.4"."""
    match = _MUSL_VERSION.search(text)
    return match.group(1) if match else None


def linux_multiarch_triplet(machine: str) -> str:
    """The Debian multiarch directory name for a machine: "x86_64" -> "x86_64-linux-gnu"."""
    raw = {"arm64": "aarch64", "x86": "i386", "i686": "i386"}.get(machine, machine)
    if raw.startswith("armv7"):
        return "arm-linux-gnueabihf"
    return f"{raw}-linux-gnu"


# --- who sits at the screen -------------------------------------------------------------------


def console_user_from_logind_files(
    seat_text: str | None, read_session: Callable[[str], str | None]
) -> str | None:
    """The user of seat0's active session from logind's state files (what sd-login reads).

    `seat_text` is /run/systemd/seats/seat0; `read_session(id)` returns
    /run/systemd/sessions/<id>. Returns None when nobody (or only the login screen) is active.
    """
    if not seat_text:
        return None
    seat = parse_key_value_file(seat_text)
    session_id = seat.get("ACTIVE")
    if not session_id:
        return None
    session_text = read_session(session_id)
    if not session_text:
        return None
    return _person_in_session(parse_key_value_file(session_text), active_key="STATE")


def _person_in_session(session: Mapping[str, str], *, active_key: str) -> str | None:
    active = session.get(active_key, "").lower() in {"active", "yes", "1"}
    person = session.get("CLASS", session.get("Class", "")).lower() in USER_SESSION_CLASSES
    name = session.get("USER") or session.get("Name")
    return name if active and person and name else None


def parse_loginctl_sessions(text: str) -> list[tuple[str, str, str | None]]:
    """`loginctl list-sessions --no-legend` -> [(session id, user, seat or None)].

    Columns are SESSION UID USER SEAT TTY [STATE IDLE SINCE]; an empty SEAT leaves no gap in
    the text, so the seat is the fourth word only when it looks like one.
    """
    sessions: list[tuple[str, str, str | None]] = []
    for line in text.splitlines():
        words = line.split()
        if len(words) < 3 or not words[1].isdigit():
            continue
        seat = words[3] if len(words) > 3 and words[3].startswith("seat") else None
        sessions.append((words[0], words[2], seat))
    return sessions


def parse_loginctl_show_session(text: str) -> str | None:
    """`loginctl show-session N -p Name -p Active -p Type -p Class` -> the person, if any."""
    values = parse_key_value_file(text)
    return _person_in_session(values, active_key="Active")
