"""`verify FILE`: check a Kiro artifact already on disk, as a download would."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiro_bootstrap.context import Context
from kiro_bootstrap.output import Result
from kiro_bootstrap.settings.targets import TARGETS


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
    from kiro_bootstrap.verify.report import rejected_result, verified_result

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
