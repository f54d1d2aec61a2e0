"""Running a command as the person at the screen, judged by the argv it builds."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath
from xml.etree import ElementTree

import pytest

from kiro_bootstrap.errors import DeploymentError
from kiro_bootstrap.host.runas import (
    TASK_NAMESPACE,
    TaskState,
    build_person_task,
    build_run_as_user,
    read_task_state,
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


# Facts of the Task Scheduler Schema, version 1.2 (learn.microsoft.com, "Task Scheduler
# Schema": taskType, principalType, settingsType, execType, logonType, runLevelType): the
# namespace, the children each element may have, and the values the enumerations allow.
SCHEMA_CHILDREN = {
    "Task": {"RegistrationInfo", "Triggers", "Settings", "Data", "Principals", "Actions"},
    "RegistrationInfo": {"URI", "SecurityDescriptor", "Source", "Date", "Author", "Version",
                         "Description", "Documentation"},
    "Principals": {"Principal"},
    "Principal": {"UserId", "LogonType", "GroupId", "DisplayName", "RunLevel",
                  "ProcessTokenSidType", "RequiredPrivileges"},
    "Settings": {"AllowStartOnDemand", "RestartOnFailure", "MultipleInstancesPolicy",
                 "DisallowStartIfOnBatteries", "StopIfGoingOnBatteries", "AllowHardTerminate",
                 "StartWhenAvailable", "NetworkProfileName", "RunOnlyIfNetworkAvailable",
                 "WakeToRun", "Enabled", "Hidden", "DeleteExpiredTaskAfter", "IdleSettings",
                 "NetworkSettings", "ExecutionTimeLimit", "Priority", "RunOnlyIfIdle"},
    "Actions": {"Exec", "ComHandler", "SendEmail", "ShowMessage"},
    "Exec": {"Command", "Arguments", "WorkingDirectory"},
}  # fmt: skip
LOGON_TYPES = {"S4U", "Password", "InteractiveToken", "InteractiveTokenOrPassword"}
RUN_LEVELS = {"LeastPrivilege", "HighestAvailable"}
SID = "S-1-12-1-2133216043-1286360327-3015424187-3962349380"
EXE = "C:\\Program Files\\kiro-bootstrap\\kiro-bootstrap.exe"


def task_document(xml: bytes) -> ElementTree.Element:
    """The task as Task Scheduler reads it: UTF-16 with a byte order mark, every element in
    the task namespace and allowed by the schema where it stands."""
    assert xml.startswith(b"\xff\xfe")  # UTF-16 little endian, as Task Scheduler exports
    text = xml.decode("utf-16")
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    root = ElementTree.fromstring(text.split("?>", 1)[1])  # noqa: S314 - our own bytes
    prefix = f"{{{TASK_NAMESPACE}}}"
    assert root.tag == f"{prefix}Task"
    assert root.get("version") == "1.2"
    for parent in root.iter():
        assert parent.tag.startswith(prefix), parent.tag
        allowed = SCHEMA_CHILDREN.get(parent.tag.removeprefix(prefix))
        for child in parent:
            assert allowed is not None, f"{parent.tag} has no children in the schema"
            assert child.tag.removeprefix(prefix) in allowed, child.tag
    return root


def find(root: ElementTree.Element, path: str) -> str:
    node = root.find("/".join(f"{{{TASK_NAMESPACE}}}{part}" for part in path.split("/")))
    assert node is not None, path
    return node.text or ""


def test_windows_task_runs_as_the_persons_sid_interactively_on_battery(tmp_path: Path):
    argv = [EXE, "install", "--note", 'say "hi"', "--dir", "C:\\Temp dir\\", ""]
    task = build_person_task("kb-42", SID, argv, folder=tmp_path, time_limit_seconds=1020)
    root = task_document(task.xml)
    assert find(root, "Principals/Principal/UserId") == SID
    assert find(root, "Principals/Principal/LogonType") == "InteractiveToken"
    assert find(root, "Principals/Principal/RunLevel") == "LeastPrivilege"
    assert {find(root, "Principals/Principal/LogonType")} <= LOGON_TYPES
    assert {find(root, "Principals/Principal/RunLevel")} <= RUN_LEVELS
    # Both default to true in the schema: on an unplugged laptop the task would never start.
    assert find(root, "Settings/DisallowStartIfOnBatteries") == "false"
    assert find(root, "Settings/StopIfGoingOnBatteries") == "false"
    assert find(root, "Settings/ExecutionTimeLimit") == "PT1020S"
    principal = root.find(f"{{{TASK_NAMESPACE}}}Principals/{{{TASK_NAMESPACE}}}Principal")
    actions = root.find(f"{{{TASK_NAMESPACE}}}Actions")
    assert principal is not None
    assert actions is not None
    assert actions.get("Context") == principal.get("id")
    # No trigger: it runs only when /Run starts it.
    assert root.find(f"{{{TASK_NAMESPACE}}}Triggers") is None
    # The program path holds a space, so it is quoted; the arguments survive the task's split.
    assert find(root, "Actions/Exec/Command") == f'"{EXE}"'
    assert split_windows_command_line(find(root, "Actions/Exec/Arguments")) == argv[1:]


def test_windows_task_steps_register_from_the_xml_run_and_delete(tmp_path: Path):
    task = build_person_task("kb-42", SID, ["C:\\kb.exe"], folder=tmp_path, time_limit_seconds=60)
    assert task.xml_file == tmp_path / "kb-42.xml"
    assert task.create_argv() == [
        "schtasks", "/Create", "/TN", "kb-42", "/XML", str(tmp_path / "kb-42.xml"), "/F"
    ]  # fmt: skip
    assert task.run_argv() == ["schtasks", "/Run", "/TN", "kb-42"]
    assert task.delete_argv() == ["schtasks", "/Delete", "/TN", "kb-42", "/F"]
    assert task.query_argv() == ["schtasks", "/Query", "/TN", "kb-42", "/V", "/FO", "CSV", "/NH"]
    # A command with no arguments has no Arguments element; a long one is fine (no /TR limit).
    assert task_document(task.xml).find(f".//{{{TASK_NAMESPACE}}}Arguments") is None
    long = build_person_task("kb", SID, ["C:\\kb.exe", "x" * 2000], folder=tmp_path,
                             time_limit_seconds=60)  # fmt: skip
    assert find(task_document(long.xml), "Actions/Exec/Arguments") == "x" * 2000


def test_windows_needs_a_task_not_an_argv():
    with pytest.raises(DeploymentError, match="scheduled task"):
        build_run_as_user(windows11_system(), "alice", ["a.exe"])
    assert PureWindowsPath(EXE).name == "kiro-bootstrap.exe"


def test_task_state_tells_not_started_running_and_finished():
    assert read_task_state(read_sample("schtasks-query-not-started.csv")) == TaskState(False, None)
    assert read_task_state(read_sample("schtasks-query-running.csv")) == TaskState(True, None)
    assert read_task_state(read_sample("schtasks-query-finished.csv")) == TaskState(True, 3)
    assert read_task_state("") == TaskState(False, None)


def test_task_that_could_not_start_reports_a_negative_hresult():
    row = read_sample("schtasks-query-finished.csv").replace('"3"', '"-2147024894"')
    assert read_task_state(row) == TaskState(True, -2147024894)
