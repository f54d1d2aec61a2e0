"""Whom we act for, and where that person's home is."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path, PureWindowsPath

from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.process import is_live_root
from kiro_bootstrap.host.win32 import profile_of_account
from kiro_bootstrap.host.windows_sessions import find_session

HomeLookup = Callable[[str], str]


def account_name(user: str) -> str:
    """The account without its domain: "AzureAD\\alice" -> "alice"."""
    return user.rpartition("\\")[2]


def same_user(first: str, second: str, facts: HostFacts) -> bool:
    """Whether two names are one account: Windows ignores case and the domain prefix."""
    if facts.os == "windows":
        return account_name(first).casefold() == account_name(second).casefold()
    return first == second


def resolve_target_user(for_user: str | None, environ: Mapping[str, str], facts: HostFacts) -> str:
    """`--for-user`, else SUDO_USER (not root), else the console user, else the current user.

    SUDO_USER and the console user count only when we run as root, an elevated administrator
    or SYSTEM: a regular user cannot act for anyone else, so over SSH they mean themselves.
    """
    if for_user and for_user.strip():
        return for_user.strip()
    if facts.is_admin or facts.is_system:
        sudo_user = environ.get("SUDO_USER", "").strip()
        if sudo_user and sudo_user != "root":
            return sudo_user
        if facts.console_user:
            return facts.console_user
    return facts.current_user


def _password_database_home(user: str) -> str:
    if sys.platform == "win32":
        raise KeyError(user)  # Windows has no password database; home_of never asks it there
    import pwd

    return pwd.getpwnam(user).pw_dir


def home_of(
    user: str, facts: HostFacts, *, fs_root: Path, lookup: HomeLookup | None = None
) -> Path:
    """The home of `user`; the current user's is facts.home. Unknown users raise LookupError.

    Linux and macOS ask the password database (`lookup`), with the result placed under
    `fs_root`. Windows uses the conventional profile folder <drive>:\\Users\\<account>, which
    under a test root becomes fs_root/C/Users/<account>.
    """
    if same_user(user, facts.current_user, facts):
        return facts.home
    if facts.os == "windows":
        return _windows_profile(user, facts, fs_root, lookup)
    try:
        home = (lookup or _password_database_home)(user)
    except KeyError as missing:
        raise LookupError(f"no user named {user!r} on this machine") from missing
    return _under_root(fs_root, home, facts)


def _windows_profile(user: str, facts: HostFacts, fs_root: Path, lookup: HomeLookup | None) -> Path:
    # The registry's ProfileList names the folder (Entra ID and domain profiles are often not
    # C:\\Users\\<account>): a signed-in person's was read with the host facts; anyone else's
    # is asked for on this machine. Only a test root without either falls back to the convention.

    name = account_name(user)
    if lookup is not None:
        return _under_root(fs_root, lookup(name), facts)
    session = find_session(facts.sessions, user)
    if session is not None and session.profile:
        return _under_root(fs_root, session.profile, facts)
    if is_live_root(fs_root, facts.os):
        profile = profile_of_account(user)
        if profile is None:
            raise LookupError(f"no profile for {name!r} on this machine")
        return Path(profile)
    drive = PureWindowsPath(str(facts.home)).drive or "C:"
    return _under_root(fs_root, f"{drive}\\Users\\{name}", facts)


def _under_root(fs_root: Path, home: str, facts: HostFacts) -> Path:
    """Place an absolute POSIX or Windows path under fs_root; the live root leaves it alone."""
    if is_live_root(fs_root, facts.os):
        return Path(home)
    windows = PureWindowsPath(home)
    if windows.drive:
        return fs_root.joinpath(windows.drive.rstrip(":"), *windows.parts[1:])
    return fs_root / home.lstrip("/")
