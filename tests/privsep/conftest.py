"""A real unprivileged account, and a guard that fails any root access under its home.

These tests run as root (CI is root): they fail, never skip, when it is not.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.release.support import origin, release_tree  # noqa: F401 - fixtures for the tests

# One account per test process: parallel sessions on one machine never share it.
PERSON = f"kbp{os.getpid()}"
FIRST_FREE_UID = 42000  # inside the default login range 1000..60000
# Audit events of the calls that could touch a file, and the argument holding its path.
_PATH_EVENTS = {"open": 0, "os.mkdir": 0, "os.rename": 0, "os.chown": 0, "os.remove": 0,
                "os.rmdir": 0, "os.chmod": 0, "os.symlink": 1, "shutil.rmtree": 0}  # fmt: skip
GUARD: dict[str, Any] = {"home": None, "pid": None, "hits": []}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    home, position = GUARD["home"], _PATH_EVENTS.get(event)
    if home is None or position is None or os.getpid() != GUARD["pid"] or len(args) <= position:
        return
    path = args[position]
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if isinstance(path, str | os.PathLike) and Path(path).is_absolute():
        normalised = os.path.normpath(os.fspath(path))
        if normalised == home or normalised.startswith(home + os.sep):
            GUARD["hits"].append((event, normalised))


sys.addaudithook(_audit)


@pytest.fixture(scope="session")
def person_account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pwd.struct_passwd]:
    """A real login account for the session (removed at the end)."""
    assert os.geteuid() == 0, "the privilege-separation tests must run as root (CI does)"
    base = tmp_path_factory.getbasetemp()
    for folder in (base, base.parent):  # the account must reach the test roots below
        folder.chmod(0o755)
    subprocess.run(["userdel", PERSON], capture_output=True, check=False)
    taken = {entry.pw_uid for entry in pwd.getpwall()}
    uid = next(uid for uid in range(FIRST_FREE_UID, 60000) if uid not in taken)
    subprocess.run(
        ["useradd", "--no-create-home", "--home-dir", f"/home/{PERSON}", "--shell", "/bin/bash",
         "--uid", str(uid), PERSON],
        check=True,
    )  # fmt: skip
    try:
        yield pwd.getpwnam(PERSON)
    finally:
        subprocess.run(["userdel", PERSON], capture_output=True, check=False)


@pytest.fixture
def person_home(person_account: pwd.struct_passwd, isolated: dict[str, str]) -> Path:
    """The person's home under the test root, owned by them (as after their first sign-in)."""
    home = Path(isolated["KIRO_BOOTSTRAP_ROOT"]) / "home" / PERSON
    home.mkdir(parents=True)
    for folder in home.parents:  # pytest makes each test folder 0700: let the person through
        if folder == Path("/tmp"):
            break
        folder.chmod(folder.stat().st_mode | 0o055)
    os.chown(home, person_account.pw_uid, person_account.pw_gid)
    home.chmod(0o750)
    return home


@pytest.fixture
def guard_home(person_home: Path) -> Iterator[list[tuple[str, str]]]:
    """Fail on any file access of this (root) process under the person's home."""
    GUARD.update(home=os.path.normpath(person_home), pid=os.getpid(), hits=[])
    try:
        yield GUARD["hits"]
    finally:
        GUARD.update(home=None, pid=None)


def tree_state(root: Path, *, skip: Path) -> dict[str, tuple[Any, ...]]:
    """Everything under `root` but `skip`: kind, owner, mode and content (or link target)."""
    state: dict[str, tuple[Any, ...]] = {}
    for current, folders, files in os.walk(root):
        here = Path(current)
        folders[:] = [name for name in folders if here / name != skip]
        for name in [*folders, *files]:
            path = here / name
            info = path.lstat()
            if path.is_symlink():
                content: Any = str(path.readlink())
            elif path.is_file():
                content = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                content = None
            state[str(path)] = (info.st_mode, info.st_uid, info.st_gid, content)
    return state


def as_person(path: Path, account: pwd.struct_passwd) -> None:
    """Hand something the attacker planted to them (they made it)."""
    os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
