"""`doctor`: can this machine run Kiro?"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kiro_bootstrap.errors import ExitStatus
from kiro_bootstrap.output import Result

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `doctor`."""
    parser = commands.add_parser(
        "doctor",
        parents=[common],
        help="check whether this machine can run Kiro",
        description="Check the OS, architecture, C library, disk, memory, context, proxy and "
        "network. Exit 3 when Kiro cannot run here; warnings keep exit 0.",
    )
    parser.set_defaults(handler=run, command_name="doctor")


def run(ctx: Context, _args: argparse.Namespace) -> Result:
    """Run the checks and give the verdict."""
    from kiro_bootstrap.doctor.host_checks import is_supported
    from kiro_bootstrap.doctor.run import run_doctor

    checks = run_doctor(ctx)
    supported = is_supported(checks)
    result = Result(
        status=ExitStatus.OK if supported else ExitStatus.HOST_UNSUPPORTED,
        data={"verdict": "supported" if supported else "unsupported"},
        checks=checks,
    )
    if supported:
        result.say("Verdict: Kiro can run on this machine.", "ok")
    else:
        result.say("Verdict: Kiro cannot run on this machine (see the failed checks).", "fail")
    return result
