"""The Task Scheduler, faked: a task whose command is the agent's `person-step` runs the CLI
in-process as the signed-in person (their host facts), so a test sees both sides."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from kiro_bootstrap.cli import main
from kiro_bootstrap.context import Environment
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.host.runas import TASK_NAMESPACE
from kiro_bootstrap.host.runner import Completed
from tests.host import fixtures
from tests.privsep.conftest import GUARD

TASK_ROW = '"PC","\\\\kiro-bootstrap-install","N/A","Ready","Interactive only","now","{code}"\n'


def task_command_line(xml_file: Path) -> str:
    """The Command and Arguments of the task definition SYSTEM registers, as one line."""
    text = xml_file.read_bytes().decode("utf-16").split("?>", 1)[1]
    task = ElementTree.fromstring(text)  # noqa: S314 - the agent's own file
    exec_path = f"{{{TASK_NAMESPACE}}}Actions/{{{TASK_NAMESPACE}}}Exec/{{{TASK_NAMESPACE}}}"
    command = task.findtext(exec_path + "Command") or ""
    return f"{command} {task.findtext(exec_path + 'Arguments') or ''}".strip()


class TaskAsPerson:
    """Wraps a recorded runner; answers schtasks for `person-step` tasks by running them."""

    def __init__(
        self, inner: Callable[..., Completed], person: HostFacts, environ: dict[str, str]
    ) -> None:
        self.inner, self.person, self.environ = inner, person, environ
        self.command: str | None = None
        self.last: int | None = None
        self.person_runs: list[list[str]] = []

    def __call__(self, argv: Sequence[str], **kwargs: Any) -> Completed:
        args = list(argv)
        if args[:2] == ["schtasks", "/Create"]:
            self.command = task_command_line(Path(args[args.index("/XML") + 1]))
            if "person-step" not in self.command:
                self.command = None
                return self.inner(argv, **kwargs)
            return Completed(0, "SUCCESS", "")
        if self.command is not None and args[:2] == ["schtasks", "/Run"]:
            self.last = self._run_as_person(self.command)
            return Completed(0, "SUCCESS", "")
        if self.command is not None and args[:2] == ["schtasks", "/Query"]:
            return Completed(0, TASK_ROW.format(code=self.last), "")
        if self.command is not None and args[:2] == ["schtasks", "/Delete"]:
            self.command = None
            return Completed(0, "SUCCESS", "")
        return self.inner(argv, **kwargs)

    def _run_as_person(self, command: str) -> int:
        parts = command.split()
        argv = parts[parts.index("person-step") :]
        self.person_runs.append(argv)
        paused, GUARD["home"] = GUARD["home"], None  # this part is the person's own process
        try:
            return main(
                argv,
                Environment(
                    environ=dict(self.environ), stdout=io.StringIO(), stderr=io.StringIO(),
                    facts=self.person, runner=self.inner, registry_reader=lambda _key: None,
                    processes=list,
                ),
            )  # fmt: skip
        finally:
            GUARD["home"] = paused


def signed_in_alice(
    inner: Callable[..., Completed], root: Path, isolated: dict[str, str]
) -> TaskAsPerson:
    """SYSTEM's tools, with the scheduled task running alice's own agent for her."""
    return signed_in(inner, root, isolated)


def signed_in(
    inner: Callable[..., Completed],
    root: Path,
    isolated: dict[str, str],
    *,
    profile_folder: str = "alice",
    account: str = "alice",
) -> TaskAsPerson:
    """SYSTEM's tools, with the scheduled task running `account`'s own agent in their profile."""
    profile = root / "C/Users" / profile_folder
    environ = {**isolated, "HOME": str(profile), "USERPROFILE": str(profile),
               "APPDATA": str(profile / "AppData/Roaming"),
               "LOCALAPPDATA": str(profile / "AppData/Local"),
               "XDG_STATE_HOME": str(profile / "AppData/Local"),
               "XDG_CONFIG_HOME": str(profile / "AppData/Roaming"),
               "XDG_CACHE_HOME": str(profile / "AppData/Local/cache"),
               "AWS_CONFIG_FILE": str(profile / ".aws/config")}  # fmt: skip
    person = fixtures.windows11_user(profile, current_user=account, console_user=account)
    return TaskAsPerson(inner, person, environ)
