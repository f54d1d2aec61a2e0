"""`person-step` (hidden): the person's own agent doing the step SYSTEM handed over (Windows)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.errors import KiroBootstrapError, UsageError
from kiro_bootstrap.output import Result

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `person-step` (not listed in --help: only the agent itself starts it)."""
    parser = commands.add_parser("person-step", parents=[common], help=argparse.SUPPRESS)
    parser.add_argument("--handover", type=Path, required=True, metavar="FILE")
    parser.set_defaults(handler=run, command_name="person-step")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Do the handed-over step as this account; its report goes beside the request."""
    from kiro_bootstrap.configure.run import CONFIGURE_STEP, DRIFT_STEP
    from kiro_bootstrap.context import GlobalOptions, build_context
    from kiro_bootstrap.files import write_atomic
    from kiro_bootstrap.install.person_side import INSPECT_INSTALL_STEP, PLACE_INSTALL_STEP
    from kiro_bootstrap.install.removal import REMOVE_INSTALL_STEP
    from kiro_bootstrap.privsep.handover import REPORT_SUFFIX, check_handover, read_handover
    from kiro_bootstrap.privsep.person import Person
    from kiro_bootstrap.state.store import WRITE_STATUS_STEP

    steps = {
        step.name: step
        for step in (CONFIGURE_STEP, DRIFT_STEP, INSPECT_INSTALL_STEP, PLACE_INSTALL_STEP,
                     REMOVE_INSTALL_STEP, WRITE_STATUS_STEP)
    }  # fmt: skip

    document = read_handover(args.handover)
    passed = document.get("options")
    options: dict[str, Any] = passed if isinstance(passed, dict) else {}
    config, root = options.get("config"), options.get("root")
    ctx = build_context(
        GlobalOptions(config=Path(config) if config else None, root=Path(root) if root else None),
        ctx.env, ctx.output, {},
    )  # fmt: skip
    check_handover(ctx, args.handover, document)
    step, request = str(document.get("step", "")), document["request"]
    if step not in steps:
        raise UsageError(f"Unknown person-side step {step!r}.")
    person = Person(ctx.facts.current_user, ctx.facts.home, for_someone_else=False, stepped=True)
    event: dict[str, Any]
    try:
        event = {"event": "result", "report": steps[step].function(ctx, person, request)}
    except KiroBootstrapError as error:
        event = {"event": "error", "exit_code": int(error.exit_status), "code": error.code,
                 "message": error.message, "hint": error.hint}  # fmt: skip
    report = args.handover.with_name(args.handover.name + REPORT_SUFFIX)
    write_atomic(report, (json.dumps(event, default=str) + "\n").encode("utf-8"), mode=0o600)
    return Result(data={"step": step})
