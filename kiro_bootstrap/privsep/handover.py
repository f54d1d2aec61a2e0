"""Windows: SYSTEM hands the person-side step to the signed-in person through a file.

There is no fork on Windows. SYSTEM writes the request into a folder whose ACL grants only
SYSTEM, Administrators and that person, and a scheduled task runs the agent (from its own,
administrator-owned install path) as the person: `kiro-bootstrap person-step --handover FILE`.
The agent, now the person, does the step and writes its JSON-lines report beside the request.
SYSTEM reads that report as untrusted input, exactly like the POSIX child's pipe.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.errors import DeploymentError, UsageError
from kiro_bootstrap.files import make_folders, write_atomic
from kiro_bootstrap.privsep.fork import MAX_REPORT_BYTES, parse_report
from kiro_bootstrap.privsep.windows_task import run_as_person

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.privsep.person import Person

HANDOVER_FOLDER = "handover"
REPORT_SUFFIX = ".report"
STEP_TIMEOUT_SECONDS = 900.0
SID_SYSTEM = "*S-1-5-18"
SID_ADMINISTRATORS = "*S-1-5-32-544"


def agent_command() -> list[str]:
    """How to start this agent again: the frozen binary itself, else this interpreter."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "kiro_bootstrap"]


def handover_folder(ctx: Context) -> Path:
    """Where SYSTEM leaves requests for people (under its own state folder)."""
    return ctx.paths.system_state_dir / HANDOVER_FOLDER


def _secure(ctx: Context, folder: Path, person: Person) -> None:
    """Only SYSTEM, Administrators and this person may reach the hand-over folder."""
    make_folders(folder, mode=0o700)
    argv = ["icacls", str(folder), "/inheritance:r", "/grant:r",
            f"{SID_SYSTEM}:(OI)(CI)F", f"{SID_ADMINISTRATORS}:(OI)(CI)F",
            f"{person.name}:(OI)(CI)M"]  # fmt: skip
    done = ctx.env.runner(argv)
    if not done.ok:
        reason = (done.stderr or done.stdout).strip() or f"exit {done.returncode}"
        raise DeploymentError(
            f"Could not secure {folder} for {person.name} (icacls: {reason}); nothing was "
            "written there.",
            hint="Run from an elevated prompt (SYSTEM or an administrator).",
        )


def run_through_task(
    ctx: Context, person: Person, step: str, request: dict[str, Any]
) -> list[dict[str, Any]]:
    """Hand `step` to the person's own agent through a scheduled task; return their events."""
    folder = handover_folder(ctx) / person.name.rpartition("\\")[2]
    _secure(ctx, folder, person)
    request_file = folder / f"{secrets.token_hex(8)}.json"
    report_file = request_file.with_name(request_file.name + REPORT_SUFFIX)
    # The options travel in the file, read by the person's agent before it builds its context.
    options = {"config": ctx.options.config, "root": ctx.options.root}
    passed = {name: str(value) for name, value in options.items() if value}
    document = {"step": step, "request": request, "person": person.name, "options": passed}
    write_atomic(request_file, json.dumps(document).encode("utf-8"), mode=0o600)
    argv = [*agent_command(), "person-step", "--handover", str(request_file)]
    try:
        code = run_as_person(ctx, person.name, argv, timeout=STEP_TIMEOUT_SECONDS)
        raw = _read_report(report_file)
    finally:
        request_file.unlink(missing_ok=True)
        report_file.unlink(missing_ok=True)
    events = parse_report(raw)
    if not any(event["event"] in {"result", "error"} for event in events):
        raise DeploymentError(
            f"The step run as {person.name} ended without a report (exit {code}).",
            hint="Check that the agent is installed where every account can run it.",
            code="person-step-failed",
        )
    return events


def _read_report(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_REPORT_BYTES + 1)
    except FileNotFoundError:
        return b""
    if len(raw) > MAX_REPORT_BYTES:
        raise DeploymentError("The step run as the person sent more than its report may hold.")
    return raw


def read_handover(file: Path) -> dict[str, Any]:
    """The request SYSTEM left (exit 2 when it is not one)."""
    if file.parent.parent.name != HANDOVER_FOLDER:
        raise UsageError(f"{file} is not a hand-over file of this machine's agent.")
    try:
        document = json.loads(file.read_text("utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise UsageError(f"The hand-over file {file} cannot be read ({error}).") from None
    if not isinstance(document, dict) or not isinstance(document.get("request"), dict):
        raise UsageError(f"The hand-over file {file} is not a request.")
    return document


def check_handover(ctx: Context, file: Path, document: dict[str, Any]) -> None:
    """The file sits in this machine's hand-over folder and is for this account."""
    folder = handover_folder(ctx)
    if Path(file).parent.parent != folder:
        raise UsageError(f"{file} is not in this machine's hand-over folder {folder}.")
    person = str(document.get("person", "")).rpartition("\\")[2].casefold()
    if person != ctx.facts.current_user.rpartition("\\")[2].casefold():
        raise UsageError(f"The hand-over file {file} is for another account.")
