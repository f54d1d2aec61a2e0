"""Where the status files live and how a run records itself in them.

Machine-wide: `/var/lib/kiro-bootstrap/status.json`, `/Library/Application Support/kiro-bootstrap/
status.json`, `C:\\ProgramData\\kiro-bootstrap\\status.json` (under the root override), written
only by root/admin runs. Per user: the person's state folder (`~/.local/state/kiro-bootstrap`,
`~/Library/Application Support/kiro-bootstrap`, `%LOCALAPPDATA%\\kiro-bootstrap`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap import NAME, __version__
from kiro_bootstrap.files import write_json
from kiro_bootstrap.privsep.person import ForPerson
from kiro_bootstrap.privsep.steps import PersonStep, needs_separate_process, run_person_step
from kiro_bootstrap.state.files import STATE_FILE_MODE, STATE_FOLDER_MODE, read_json_document
from kiro_bootstrap.state.fleet import complete_record
from kiro_bootstrap.state.model import STATUS_SCHEMA, InstallRecord, MachineStatus, UserStatus

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.privsep.person import Person

STATUS_FILE_NAME = "status.json"
LOCK_FILE_NAME = "install.lock"
# A person's state folder relative to their home, when we act for someone else (root, SYSTEM).
_USER_STATE_FOLDERS = {
    "linux": f".local/state/{NAME}",
    "darwin": f"Library/Application Support/{NAME}",
    "windows": f"AppData/Local/{NAME}",
}


@dataclass(frozen=True)
class StatusSnapshot:
    """Both status files as read at one moment."""

    machine: MachineStatus | None
    user: UserStatus | None

    def install_record(self, scope: str) -> InstallRecord | None:
        """Our record of the install in `scope` (system: machine-wide file; user: per-user)."""
        if scope == "system":
            return self.machine.install if self.machine else None
        return self.user.install if self.user else None


@dataclass(frozen=True)
class StatusStore(ForPerson):
    """The two status files of one person on this machine.

    Acting for someone else, root never reads the person's file: their record is the one root
    keeps in the machine file (built from what root observed and what their step reported),
    and their own file is written by their step.
    """

    ctx: Context
    person: Person
    machine_file: Path
    user_file: Path
    can_write_machine: bool  # only root/admin may write the machine-wide file

    @property
    def through_person_step(self) -> bool:
        """True when the person's file is someone else's: only their step touches it."""
        return self.person.for_someone_else and needs_separate_process(self.ctx, self.person)

    def load(self) -> StatusSnapshot:
        """Read both files (missing or damaged ones read as None)."""
        machine = MachineStatus.from_json(read_json_document(self.machine_file))
        user = None
        if not self.through_person_step:
            user = UserStatus.from_json(read_json_document(self.user_file))
        if user is None and machine is not None:
            user = machine.users.get(self.user)
        return StatusSnapshot(machine, user)

    def save(
        self,
        record: UserStatus,
        *,
        system_install: InstallRecord | None,
        keep_system_install: bool,
        check_only: bool = False,
    ) -> list[Path]:
        """Write the person's record to both files; returns the files written.

        `check_only` (a `status` run): the machine-wide last command and exit code stay those of
        the last run that acted.
        """
        written: list[Path] = []
        # What the agent observed (host verdict, organisation, subscription) and the fleet state.
        folder = None if self.through_person_step else self.user_file.parent
        record = complete_record(self.ctx, record, folder)
        if self.can_write_machine:
            previous = self.load().machine
            install = system_install
            if keep_system_install and previous is not None:
                install = previous.install
            users = dict(previous.users) if previous else {}
            if not self.person.at_login_window:  # nobody to record at the login window
                users[self.user] = record
            last_run = previous if check_only else record
            machine = MachineStatus(
                agent_version=record.agent_version,
                updated_at=record.updated_at,
                last_command=last_run.last_command if last_run else None,
                last_exit_code=last_run.last_exit_code if last_run else None,
                install=install,
                users=users,
                # The machine's `state` is that of the person this run was for.
                extra={**(previous.extra if previous else {}), **_machine_fields(record)},
            )
            write_json(
                self.machine_file,
                machine.to_json(),
                mode=STATE_FILE_MODE,
                folder_mode=STATE_FOLDER_MODE,
            )
            written.append(self.machine_file)
        document = {"schema": STATUS_SCHEMA, **record.to_json()}
        if self.person.at_login_window:
            return written
        if self.through_person_step:
            run_person_step(self.ctx, self.person, WRITE_STATUS_STEP, {"document": document})
        else:
            write_json(
                self.user_file, document, mode=STATE_FILE_MODE, folder_mode=STATE_FOLDER_MODE
            )
        written.append(self.user_file)
        return written


def _machine_fields(record: UserStatus) -> dict[str, Any]:
    names = ("state", "hostname", "host")
    return {name: record.extra[name] for name in names if name in record.extra}


def write_own_status(ctx: Context, document: dict[str, Any]) -> None:
    """The person's step writes their status file (the document comes from root)."""
    write_json(
        ctx.paths.user_state_dir / STATUS_FILE_NAME,
        document,
        mode=STATE_FILE_MODE,
        folder_mode=STATE_FOLDER_MODE,
    )


def user_state_folder(ctx: Context, person: Person) -> Path:
    """The person's state folder: ours from platformdirs, or the default under their home."""
    if not person.for_someone_else:
        return ctx.paths.user_state_dir
    return person.home / _USER_STATE_FOLDERS[ctx.facts.os]


def open_status_store(ctx: Context, person: Person) -> StatusStore:
    """The status files of `person` on this machine."""
    return StatusStore(
        ctx=ctx,
        person=person,
        machine_file=ctx.paths.system_state_dir / STATUS_FILE_NAME,
        user_file=user_state_folder(ctx, person) / STATUS_FILE_NAME,
        can_write_machine=ctx.facts.is_admin,
    )


def new_user_status(
    user: str,
    *,
    command: str,
    exit_code: int,
    now: datetime,
    previous: UserStatus | None,
    error: str | None = None,
) -> UserStatus:
    """A fresh record for this run, carrying over what the previous one knew."""
    base = previous or UserStatus(user, __version__, "", command, exit_code)
    stamp = now.isoformat(timespec="seconds")
    return dataclasses.replace(
        base,
        user=user,
        agent_version=__version__,
        updated_at=stamp,
        last_command=command,
        last_exit_code=exit_code,
        last_run_at=stamp,
        last_error=error,
    )


def _write_person_status(ctx: Context, person: Person, request: dict[str, Any]) -> dict[str, Any]:
    """As the person: write the status document root built for them into their state folder."""
    del person
    document = request.get("document")
    if not isinstance(document, dict):
        return {"written": False}
    write_own_status(ctx, document)
    return {"written": True}


WRITE_STATUS_STEP = PersonStep("write-status", _write_person_status)
