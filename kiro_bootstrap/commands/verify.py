"""`verify FILE`: check a Kiro artifact already on disk, as a download would.

How a verified (or rejected) build reads is here too: `download` and `mirror` render theirs
the same way.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.checks import Check
from kiro_bootstrap.output import Result
from kiro_bootstrap.settings.targets import TARGETS

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context
    from kiro_bootstrap.verify.chain import ChainFailedError


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `verify`."""
    parser = commands.add_parser(
        "verify",
        parents=[common],
        help="verify a Kiro artifact on disk",
        description="Run the verification chain over FILE: the SHA-256 (--sha256, else "
        "release.sha256), then the target's signature. A Linux artifact needs --signature and "
        "--certificate, or --sha256.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the artifact to check")
    parser.add_argument("--target", choices=TARGETS, required=True, help="which build it is")
    parser.add_argument("--signature", type=Path, metavar="F", help="Linux: signature.bin")
    parser.add_argument("--certificate", type=Path, metavar="F", help="Linux: certificate.pem")
    parser.add_argument("--sha256", metavar="H", help="the SHA-256 the file must have")
    parser.set_defaults(handler=run, command_name="verify")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Verify and report."""
    from kiro_bootstrap.verify.chain import ChainFailedError
    from kiro_bootstrap.verify.local_file import verify_local_file

    fields: dict[str, Any] = {"target": args.target, "path": args.file}
    try:
        verdict = verify_local_file(
            ctx,
            args.file,
            target=args.target,
            signature=args.signature,
            certificate=args.certificate,
            sha256=args.sha256,
        )
    except ChainFailedError as failed:
        return rejected_result(failed, fields)
    outcome = verdict.outcome
    fields |= {"sha256": verdict.sha256, "size": verdict.size, "pinned": outcome.pinned}
    return verified_result(outcome.checks, fields, outcome.deferred)


def verified_result(
    checks: tuple[Check, ...], fields: dict[str, Any], deferred: tuple[str, ...]
) -> Result:
    """Exit 0 with every check, the build's fields (JSON) and one line per field (text)."""
    result = Result(data={**fields, "deferred": list(deferred)}, checks=list(checks))
    width = max(len(name) for name in fields)
    for name, value in fields.items():
        if value is not None:
            result.say(f"{name:<{width}}  {value}")
    if deferred:
        result.say(
            f"Deferred to another OS: {', '.join(deferred)} (accepted: the org pin matched).",
            "dim",
        )
    return result


def rejected_result(failed: ChainFailedError, fields: dict[str, Any]) -> Result:
    """Exit 5 (the error's own status) with the checks that ran: which step failed and why."""
    error = {"code": failed.code, "message": failed.message, "hint": failed.hint}
    result = Result(
        status=failed.exit_status, data={**fields, "error": error}, checks=list(failed.checks)
    )
    result.say(f"error: {failed.message}", "fail")
    if failed.hint:
        result.say(f"hint: {failed.hint}", "dim")
    return result
