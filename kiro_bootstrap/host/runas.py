"""Run a command as another user (the person at the screen) from root, admin or SYSTEM.

POSIX: `build_run_as_user` gives one argv (`launchctl asuser`, `runuser`). Windows has no such
command: SYSTEM registers a one-shot scheduled task from a Task Scheduler XML definition
(`build_person_task`) whose principal is the person's SID with an interactive token, runs it,
polls `schtasks /Query` for its Last Result (the program's exit code) and deletes it.

The XML is needed because no `schtasks /Create` switch turns off the defaults "do not start
on batteries" and "stop when going on batteries": on an unplugged laptop such a task never
starts, and unplugging mid-install kills the installer.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from kiro_bootstrap import NAME
from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.users import same_user

TASK_NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"
TASK_SCHEMA_VERSION = "1.2"  # Windows 7 and later; every element used here exists in 1.2
_PRINCIPAL_ID = "Person"
# Task Scheduler "Last Result" codes that are states, not exit codes (SCHED_S_TASK_*).
SCHED_S_TASK_RUNNING = 0x41301
SCHED_S_TASK_HAS_NOT_RUN = 0x41303
# Columns of `schtasks /Query /V /FO CSV /NH`: "HostName","TaskName","Next Run Time","Status",
# "Logon Mode","Last Run Time","Last Result",... (positions hold in every display language).
_LAST_RESULT_COLUMN = 6


def _uid_of(user: str) -> int:
    if sys.platform == "win32":
        raise LookupError("user ids exist only on POSIX systems")
    import pwd

    return pwd.getpwnam(user).pw_uid


def build_run_as_user(
    facts: HostFacts,
    user: str,
    argv: Sequence[str],
    *,
    uid: int | None = None,
) -> list[list[str]]:
    """The argv steps that run `argv` as `user`; just [argv] when we already are that user.

    macOS runs it in the user's login (GUI) session with `launchctl asuser`, so the keychain
    and `open` work; Linux uses `runuser`.
    """
    if not argv:
        raise ValueError("build_run_as_user needs a command to run")
    if same_user(user, facts.current_user, facts):
        return [list(argv)]
    if not (facts.is_admin or facts.is_system):
        raise DeploymentError(
            f"Cannot run a command as {user} while running as {facts.current_user}.",
            hint="Run as root or an administrator, or run the tool as that user.",
        )
    if facts.os == "darwin":
        user_id = _uid_of(user) if uid is None else uid
        return [["launchctl", "asuser", str(user_id), "sudo", "-u", user, *argv]]
    if facts.os == "linux":
        return [["runuser", "-u", user, "--", *argv]]
    raise DeploymentError(
        f"Running a command as {user} on Windows needs a scheduled task (build_person_task)."
    )


@dataclass(frozen=True)
class PersonTask:
    """A one-shot task that runs a command as a signed-in person, and the schtasks steps."""

    name: str
    xml_file: Path  # in a folder only SYSTEM and Administrators can write
    xml: bytes  # UTF-16 with a byte order mark, as `schtasks /Create /XML` reads it

    def create_argv(self) -> list[str]:
        """Register (or replace) the task from its XML definition."""
        return ["schtasks", "/Create", "/TN", self.name, "/XML", str(self.xml_file), "/F"]

    def run_argv(self) -> list[str]:
        """Start it now; it has no trigger, so it never starts by itself."""
        return ["schtasks", "/Run", "/TN", self.name]

    def query_argv(self) -> list[str]:
        """Its state; feed the stdout to `read_task_state`."""
        return ["schtasks", "/Query", "/TN", self.name, "/V", "/FO", "CSV", "/NH"]

    def delete_argv(self) -> list[str]:
        """Remove it, whatever happened."""
        return ["schtasks", "/Delete", "/TN", self.name, "/F"]


def build_task_xml(sid: str, argv: Sequence[str], *, time_limit_seconds: float) -> bytes:
    """A Task Scheduler 1.2 definition running `argv` as `sid` in their own session.

    InteractiveToken uses the token of the person's signed-in session (no stored password;
    the task cannot start when they are signed out); LeastPrivilege keeps it unelevated.
    Both battery conditions, which default to true, are off; ExecutionTimeLimit stops a hung
    run. No trigger: `schtasks /Run` starts it once.
    """
    if not argv:
        raise ValueError("build_task_xml needs a command to run")

    def element(
        parent: ElementTree.Element, tag: str, text: str | None = None
    ) -> ElementTree.Element:
        child = ElementTree.SubElement(parent, tag)
        child.text = text
        return child

    # Plain names under a default xmlns: the form Task Scheduler itself exports.
    task = ElementTree.Element("Task", version=TASK_SCHEMA_VERSION, xmlns=TASK_NAMESPACE)
    info = element(task, "RegistrationInfo")
    element(info, "Author", NAME)
    element(info, "Description", "Runs kiro-bootstrap's per-person step; deleted after the run.")
    principal = element(element(task, "Principals"), "Principal")
    principal.set("id", _PRINCIPAL_ID)
    element(principal, "UserId", sid)
    element(principal, "LogonType", "InteractiveToken")
    element(principal, "RunLevel", "LeastPrivilege")
    settings = element(task, "Settings")
    for name, value in (
        ("MultipleInstancesPolicy", "IgnoreNew"),
        ("DisallowStartIfOnBatteries", "false"),
        ("StopIfGoingOnBatteries", "false"),
        ("AllowHardTerminate", "true"),
        ("StartWhenAvailable", "false"),
        ("RunOnlyIfNetworkAvailable", "false"),
        ("AllowStartOnDemand", "true"),
        ("Enabled", "true"),
        ("Hidden", "true"),
        ("RunOnlyIfIdle", "false"),
        ("WakeToRun", "false"),
        ("ExecutionTimeLimit", f"PT{max(60, round(time_limit_seconds))}S"),
    ):
        element(settings, name, value)
    actions = element(task, "Actions")
    actions.set("Context", _PRINCIPAL_ID)
    run = element(actions, "Exec")
    program = argv[0]
    element(run, "Command", f'"{program}"' if " " in program else program)
    if len(argv) > 1:
        # Split by CommandLineToArgvW's rules when the task starts, which list2cmdline quotes for.
        element(run, "Arguments", subprocess.list2cmdline(list(argv[1:])))
    text = ElementTree.tostring(task, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-16"?>\n' + text).encode("utf-16")


def build_person_task(
    name: str, sid: str, argv: Sequence[str], *, folder: Path, time_limit_seconds: float
) -> PersonTask:
    """The task running `argv` as the person `sid`; its XML goes to `folder`/<name>.xml."""
    xml = build_task_xml(sid, argv, time_limit_seconds=time_limit_seconds)
    return PersonTask(name, folder / f"{name}.xml", xml)


@dataclass(frozen=True)
class TaskState:
    """What `schtasks /Query` says of a task: started yet, and its exit code once finished."""

    started: bool
    exit_code: int | None  # None: not finished (or not started)


def read_task_state(csv_text: str) -> TaskState:
    """The state from `schtasks /Query /V /FO CSV /NH`'s Last Result column.

    Failures to start show as negative HRESULTs (-2147024894: file not found).
    """
    for row in csv.reader(line for line in csv_text.splitlines() if line.strip()):
        if len(row) <= _LAST_RESULT_COLUMN:
            continue
        try:
            result = int(row[_LAST_RESULT_COLUMN])
        except ValueError:  # a header row, when /NH was not given
            continue
        if result == SCHED_S_TASK_HAS_NOT_RUN:
            return TaskState(started=False, exit_code=None)
        if result == SCHED_S_TASK_RUNNING:
            return TaskState(started=True, exit_code=None)
        return TaskState(started=True, exit_code=result)
    return TaskState(started=False, exit_code=None)
