"""The one person a run acts for: resolved once, checked once, passed down.

Acting for someone else (root/SYSTEM with --for-user, SUDO_USER or the console user) is allowed
only for a real person: a login account with a login shell and a home of their own that exists.
Root acting for itself (cron, Ansible with nobody logged in, the demo) stays allowed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiro_bootstrap.errors import DeploymentError, RetryLaterError, UsageError
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.users import home_of, resolve_target_user, same_user

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context

DEFAULT_UID_MIN = 1000  # /etc/login.defs defaults on Debian, Ubuntu, Fedora
DEFAULT_UID_MAX = 60000
MACOS_FIRST_PERSON_UID = 501  # macOS gives people uids from 501; below are system accounts
NO_LOGIN_SHELLS = frozenset({"nologin", "false", "true", "sync", "halt", "shutdown"})
# Homes that belong to the system: an account living there is a service, never a person.
SYSTEM_HOMES = (
    "/bin", "/boot", "/dev", "/etc", "/lib", "/nonexistent", "/opt", "/proc",
    "/root", "/run", "/sbin", "/srv", "/sys", "/usr", "/var", "/private/var",
)  # fmt: skip


@dataclass(frozen=True)
class Account:
    """What the password database says of one account."""

    name: str
    uid: int
    gid: int
    home: str
    shell: str
    groups: tuple[int, ...]


AccountLookup = Callable[[str], Account]


@dataclass(frozen=True)
class Person:
    """Whom this run acts for, where their home is, and whether they are someone else."""

    name: str
    home: Path
    for_someone_else: bool
    uid: int | None = None  # None on Windows
    gid: int | None = None
    groups: tuple[int, ...] = ()
    # macOS root with nobody at the console (Jamf at the login window): the app may be
    # installed, but there is no person to configure or to record.
    at_login_window: bool = False
    # Inside the person-side step that root started: what the person's own records name is
    # confined to the home (a forged entry elsewhere is refused and reported).
    stepped: bool = False


class ForPerson:
    """A base for what is about one person: `user` and `home` read from its `person`."""

    person: Person

    @property
    def user(self) -> str:
        """The person's account name."""
        return self.person.name

    @property
    def home(self) -> Path:
        """The person's home."""
        return self.person.home


def lookup_account(name: str) -> Account:
    """The POSIX password database entry of `name` (KeyError when there is none)."""
    if sys.platform == "win32":
        raise KeyError(name)
    import pwd

    entry = pwd.getpwnam(name)
    groups = tuple(os.getgrouplist(name, entry.pw_gid))
    return Account(name, entry.pw_uid, entry.pw_gid, entry.pw_dir, entry.pw_shell, groups)


def login_uid_range(login_defs: Path) -> tuple[int, int]:
    """UID_MIN..UID_MAX from /etc/login.defs (defaults when absent or unreadable)."""
    values = {"UID_MIN": DEFAULT_UID_MIN, "UID_MAX": DEFAULT_UID_MAX}
    try:
        lines = login_defs.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return values["UID_MIN"], values["UID_MAX"]
    for line in lines:
        parts = line.split()
        if len(parts) >= 2 and parts[0] in values and parts[1].isdigit():
            values[parts[0]] = int(parts[1])
    return values["UID_MIN"], values["UID_MAX"]


def not_a_person_reason(account: Account, facts: HostFacts, uid_range: tuple[int, int]) -> str:
    """Why `account` is not a real person ("" when it is one)."""
    if facts.os == "darwin":
        if account.uid < MACOS_FIRST_PERSON_UID:
            return f"uid {account.uid} is a system account on macOS (people start at 501)"
    elif not uid_range[0] <= account.uid <= uid_range[1]:
        return f"uid {account.uid} is outside the login range {uid_range[0]}..{uid_range[1]}"
    if Path(account.shell or "/bin/sh").name in NO_LOGIN_SHELLS:
        return f"its shell {account.shell} does not allow a login"
    home = "/" + account.home.strip("/")
    if home == "/" or any(home == top or home.startswith(top + "/") for top in SYSTEM_HOMES):
        return f"its home {account.home} is a system folder"
    return ""


def resolve_person(
    *,
    for_user: str | None,
    environ: Mapping[str, str],
    facts: HostFacts,
    fs_root: Path,
    login_defs: Path,
    lookup: AccountLookup = lookup_account,
) -> Person:
    """The person this run acts for; exit 2 for an unknown or non-person account, 7 without home."""
    name = resolve_target_user(for_user, environ, facts)
    if same_user(name, facts.current_user, facts):
        uid = os.getuid() if hasattr(os, "getuid") else None
        gid = os.getgid() if hasattr(os, "getgid") else None
        login_window = (
            facts.os == "darwin" and facts.is_admin and facts.console_user is None
            and not (for_user or "").strip()
        )  # fmt: skip
        return Person(name, facts.home, False, uid, gid, at_login_window=login_window)
    if not (facts.is_admin or facts.is_system):
        raise DeploymentError(
            f"Acting for {name} needs root or an elevated administrator.",
            hint=f"Run it as {name}, or as an administrator with --for-user {name}.",
        )
    if facts.os == "windows":
        try:
            home = home_of(name, facts, fs_root=fs_root)
        except LookupError as missing:
            raise UsageError(f"{missing}.", hint="Check --for-user.") from None
        return _with_existing_home(Person(name, home, for_someone_else=True))
    try:
        account = lookup(name)
    except KeyError:
        raise UsageError(f"There is no user named {name!r} on this machine.") from None
    reason = not_a_person_reason(account, facts, login_uid_range(login_defs))
    if reason:
        raise UsageError(
            f"{name} is not a person's account ({reason}); kiro-bootstrap acts only for people.",
            hint="Name a person's login with --for-user, or run without it to act for root.",
        )
    home = home_of(name, facts, fs_root=fs_root, lookup=lambda _name: account.home)
    person = Person(name, home, True, account.uid, account.gid, account.groups)
    return _with_existing_home(person)


def _with_existing_home(person: Person) -> Person:
    """A home that does not exist yet is made by the OS at first sign-in, never by us."""
    if not person.home.is_dir() or person.home.is_symlink():
        raise RetryLaterError(
            f"{person.name}'s home {person.home} does not exist yet.",
            hint=f"Ask {person.name} to sign in once, then run again.",
            code="no-home",
        )
    return person


def person_for_run(ctx: Context, for_user: str | None) -> Person:
    """The person of this run, from the context (the one place commands resolve it)."""
    return resolve_person(
        for_user=for_user,
        environ=ctx.environ,
        facts=ctx.facts,
        fs_root=ctx.paths.root,
        login_defs=ctx.paths.system("/etc/login.defs"),
    )
