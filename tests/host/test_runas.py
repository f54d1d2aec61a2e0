"""Running a command as the person at the screen, judged by the argv it builds."""

from __future__ import annotations

import subprocess

import pytest

from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.host.runas import (
    DEFAULT_TASK_NAME,
    SCHTASKS_TR_MAX_CHARS,
    build_run_as_user,
    build_task_status_query,
    parse_task_last_result,
)
from tests.host.fixtures import (
    debian12,
    macos14_arm64,
    read_sample,
    ubuntu2404,
    windows11_system,
    windows11_user,
)

COMMAND = ["/opt/kiro-bootstrap/kiro-bootstrap", "install", "--step", "user"]


def split_windows_command_line(line: str) -> list[str]:
    """What CommandLineToArgvW (and the MS C runtime) makes of a command line."""
    args: list[str] = []
    current, in_quotes, has_arg, i = "", False, False, 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            run = len(line[i:]) - len(line[i:].lstrip("\\"))
            if i + run < len(line) and line[i + run] == '"':
                current += "\\" * (run // 2)
                if run % 2:
                    current += '"'
                    i += run + 1
                else:
                    i += run
                has_arg = True
                continue
            current += "\\" * run
            i += run
            has_arg = True
            continue
        if char == '"':
            in_quotes = not in_quotes
            has_arg = True
        elif char in " \t" and not in_quotes:
            if has_arg:
                args.append(current)
            current, has_arg = "", False
        else:
            current += char
            has_arg = True
        i += 1
    if has_arg:
        args.append(current)
    return args


def test_same_user_runs_the_command_directly():
    assert build_run_as_user(ubuntu2404(), "alice", COMMAND) == [COMMAND]
    # Windows names ignore case and the domain.
    assert build_run_as_user(windows11_user(), "DESKTOP-1\\Alice", ["x.exe"]) == [["x.exe"]]


def test_macos_root_runs_in_the_users_gui_session():
    facts = macos14_arm64(is_admin=True, current_user="root")
    steps = build_run_as_user(facts, "alice", COMMAND, uid=501)
    assert steps == [["launchctl", "asuser", "501", "sudo", "-u", "alice", *COMMAND]]


def test_linux_root_uses_runuser():
    facts = debian12(is_admin=True, current_user="root")
    assert build_run_as_user(facts, "alice", COMMAND) == [
        ["runuser", "-u", "alice", "--", *COMMAND]
    ]


def test_a_regular_user_cannot_act_for_someone_else():
    with pytest.raises(DeploymentError, match="as bob"):
        build_run_as_user(ubuntu2404(), "bob", COMMAND)


def test_windows_system_uses_a_one_shot_interactive_scheduled_task():
    exe = "C:\\Program Files\\Kiro Bootstrap\\kiro-bootstrap.exe"
    argv = [exe, "install", "--note", 'say "hi"', "--dir", "C:\\Temp dir\\", ""]
    create, run, delete = build_run_as_user(windows11_system(), "AzureAD\\AliceSmith", argv)
    assert create[:4] == ["schtasks", "/Create", "/TN", DEFAULT_TASK_NAME]
    assert create[6:] == [
        "/SC",
        "ONCE",
        "/ST",
        "00:00",
        "/RU",
        "AzureAD\\AliceSmith",
        "/IT",
        "/RL",
        "LIMITED",
        "/F",
    ]
    assert run == ["schtasks", "/Run", "/TN", DEFAULT_TASK_NAME]
    assert delete == ["schtasks", "/Delete", "/TN", DEFAULT_TASK_NAME, "/F"]
    # The runner quotes the step for CreateProcess; schtasks splits it back; the task's /TR
    # is split again when the task starts. Every argument must survive both trips intact.
    arrived = split_windows_command_line(subprocess.list2cmdline(create))
    assert arrived == create
    assert split_windows_command_line(arrived[5]) == argv


def test_windows_task_name_is_the_callers():
    steps = build_run_as_user(windows11_system(), "alice", ["a.exe"], task_name="kb-42")
    assert [step[3] for step in steps] == ["kb-42", "kb-42", "kb-42"]


def test_windows_command_longer_than_schtasks_accepts_is_refused():
    argv = ["C:\\kb.exe", "x" * SCHTASKS_TR_MAX_CHARS]
    with pytest.raises(DeploymentError, match="at most 261"):
        build_run_as_user(windows11_system(), "alice", argv)


def test_task_last_result_is_the_exit_code_once_finished():
    assert parse_task_last_result(read_sample("schtasks-query-running.csv")) is None
    assert parse_task_last_result(read_sample("schtasks-query-not-started.csv")) is None
    assert parse_task_last_result(read_sample("schtasks-query-finished.csv")) == 3
    assert parse_task_last_result("") is None
    assert build_task_status_query("kb") == [
        "schtasks",
        "/Query",
        "/TN",
        "kb",
        "/V",
        "/FO",
        "CSV",
        "/NH",
    ]


def test_task_that_could_not_start_reports_a_negative_hresult():
    row = read_sample("schtasks-query-finished.csv").replace('"3"', '"-2147024894"')
    assert parse_task_last_result(row) == -2147024894
