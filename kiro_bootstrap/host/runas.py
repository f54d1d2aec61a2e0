"""Run a command as another user (the person at the screen) from root, admin or SYSTEM.

build_run_as_user only builds argv; the caller runs each step with the Runner. On Windows
the steps are: create a one-shot scheduled task that runs interactively in the user's
session, run it, wait, delete it. A scheduled task keeps no stdout and no exit code of its
own for us, so the caller waits like this:

1. run steps[0] (schtasks /Create) and steps[1] (schtasks /Run);
2. every second or so run `build_task_status_query(task_name)` and hand its stdout to
   `parse_task_last_result`: None means "not started yet or still running"; an int is the
   program's exit code (the Task Scheduler's "Last Result"), so no wrapper script or exit
   code file is needed;
3. run steps[2] (schtasks /Delete) whatever happened, with a deadline of your choosing.

The command should write its own log file if the caller needs its output.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Sequence

from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.users import same_user

DEFAULT_TASK_NAME = "kiro-bootstrap-run-as-user"
# schtasks refuses longer /TR values ("Value for '/tr' option cannot be more than 261 ...").
SCHTASKS_TR_MAX_CHARS = 261
# Task Scheduler "Last Result" codes that are states, not exit codes (SCHED_S_TASK_*).
SCHED_S_TASK_RUNNING = 0x41301
SCHED_S_TASK_HAS_NOT_RUN = 0x41303
_NOT_FINISHED = frozenset({SCHED_S_TASK_RUNNING, SCHED_S_TASK_HAS_NOT_RUN})
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
    task_name: str = DEFAULT_TASK_NAME,
) -> list[list[str]]:
    """The argv steps that run `argv` as `user`; just [argv] when we already are that user.

    macOS runs it in the user's login (GUI) session with `launchctl asuser`, so the keychain
    and `open` work; Linux uses `runuser`; Windows a scheduled task (see the module docstring).
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
    return _scheduled_task_steps(user, argv, task_name)


def _scheduled_task_steps(user: str, argv: Sequence[str], task_name: str) -> list[list[str]]:
    # The Task Scheduler splits /TR by the same rules as CommandLineToArgvW, which is what
    # list2cmdline quotes for; the runner then quotes the whole /TR value once more.
    command_line = subprocess.list2cmdline(list(argv))
    if len(command_line) > SCHTASKS_TR_MAX_CHARS:
        raise DeploymentError(
            f"The command to run as {user} is {len(command_line)} characters long; "
            f"schtasks accepts at most {SCHTASKS_TR_MAX_CHARS}.",
            hint="Put the command in a short .cmd file and run that instead.",
        )
    create = ["schtasks", "/Create", "/TN", task_name, "/TR", command_line]
    # ONCE at 00:00 never fires by itself (the time is past); /Run starts it now. /IT runs it
    # in the user's interactive session with their token, which needs no stored password.
    create += ["/SC", "ONCE", "/ST", "00:00", "/RU", user, "/IT", "/RL", "LIMITED", "/F"]
    return [
        create,
        ["schtasks", "/Run", "/TN", task_name],
        ["schtasks", "/Delete", "/TN", task_name, "/F"],
    ]


def build_task_status_query(task_name: str = DEFAULT_TASK_NAME) -> list[str]:
    """The argv that reports a task's state; feed its stdout to parse_task_last_result."""
    return ["schtasks", "/Query", "/TN", task_name, "/V", "/FO", "CSV", "/NH"]


def parse_task_last_result(csv_text: str) -> int | None:
    """A finished task's exit code from `schtasks /Query /V /FO CSV /NH`; None if not finished.

    Failures to start show as negative HRESULTs (-2147024894: file not found).
    """
    for row in csv.reader(line for line in csv_text.splitlines() if line.strip()):
        if len(row) <= _LAST_RESULT_COLUMN:
            continue
        try:
            result = int(row[_LAST_RESULT_COLUMN])
        except ValueError:  # a header row, when /NH was not given
            continue
        return None if result in _NOT_FINISHED else result
    return None
