"""Who is signed in to Windows, as plain data: every session, not only the console's.

`win32.py` asks the WTS session API (or, failing that, the owners of explorer.exe) and hands
over `SignedIn` rows; the choice of whom to act for is made here, so it runs on any OS.
RDP, Azure Virtual Desktop and Windows 365 Cloud PC users have no console session at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kiro_bootstrap.host.facts import WindowsSession

# Autopilot and the out-of-box experience sign in as defaultuser0 (defaultuser100000 on
# some builds) before the real person: never a person to install for.
_SETUP_ACCOUNT = re.compile(r"^defaultuser\d+$", re.IGNORECASE)
_SERVICE_ACCOUNTS = frozenset({"system", "local service", "network service"})


@dataclass(frozen=True)
class SignedIn:
    """One signed-in session as the OS reports it (WTS or an explorer.exe owner)."""

    account: str  # "AzureAD\\AliceSmith", "CORP\\alice", "DESKTOP-1\\alice"
    sid: str | None  # LookupAccountNameW's answer; None when the lookup failed
    active: bool  # WTSActive: the session at the screen (console or a connected RDP window)


def is_setup_account(account: str) -> bool:
    """defaultuserN (Autopilot, OOBE) or a service account: nobody to install Kiro for."""
    name = account.rpartition("\\")[2].strip()
    return not name or bool(_SETUP_ACCOUNT.match(name)) or name.casefold() in _SERVICE_ACCOUNTS


def people_signed_in(rows: Iterable[SignedIn]) -> list[SignedIn]:
    """One row per person, setup accounts left out; a person's active session wins."""
    people: dict[str, SignedIn] = {}
    for row in rows:
        if is_setup_account(row.account):
            continue
        key = row.account.casefold()
        if key not in people or (row.active and not people[key].active):
            people[key] = row
    return list(people.values())


def choose_person(sessions: Iterable[WindowsSession]) -> WindowsSession | None:
    """Whom to act for without --for-user: the active session, else the only person signed in.

    Several people signed in and none at the screen: None (the caller asks for --for-user).
    """
    people = list(sessions)
    active = [session for session in people if session.active]
    if len(active) == 1:
        return active[0]
    if len(people) == 1:
        return people[0]
    return None


def find_session(sessions: Iterable[WindowsSession], user: str) -> WindowsSession | None:
    """The session of `user` ("alice" or "AzureAD\\alice"; Windows ignores case)."""
    wanted = user.casefold()
    for session in sessions:
        if wanted in (session.account.casefold(), session.name.casefold()):
            return session
    return None


def describe_choice(sessions: Iterable[WindowsSession], chosen: str) -> str | None:
    """A sentence saying whom we act for when more than one person is signed in."""
    names = [session.account for session in sessions]
    if len(names) < 2:
        return None
    return (
        f"{len(names)} people are signed in ({', '.join(names)}); acting for {chosen}. "
        "Name another with --for-user."
    )
