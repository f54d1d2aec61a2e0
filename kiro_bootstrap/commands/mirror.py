"""`mirror`: write a self-contained, verified copy of Kiro's release host to a folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiro_bootstrap.checks import Check
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.output import Result, Tone
from kiro_bootstrap.settings.targets import TARGETS


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `mirror`."""
    parser = commands.add_parser(
        "mirror",
        parents=[common],
        help="write a verified mirror of Kiro's downloads to a folder",
        description="Download and verify each target from release.base_url and write them in "
        "Kiro's layout under DIR, with metadata rewritten to --base-url, the macOS updater's "
        "zip feed and a manifest (kiro-bootstrap-mirror.json). Host it, then point "
        "release.base_url and Kiro's UpdateUrl policy at it.",
    )
    parser.add_argument("--dest", type=Path, metavar="DIR", required=True, help="output folder")
    parser.add_argument(
        "--base-url", metavar="URL", required=True, help="where the mirror will be served"
    )
    parser.add_argument(
        "--target",
        dest="targets",
        action="append",
        choices=TARGETS,
        help="a target to mirror (repeat; default: all)",
    )
    parser.set_defaults(handler=run, command_name="mirror")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Build the mirror and list what it holds."""
    from kiro_bootstrap.commands.verify import rejected_result
    from kiro_bootstrap.fetch.mirror import build_mirror
    from kiro_bootstrap.settings.model import check_url
    from kiro_bootstrap.verify.chain import ChainFailedError

    try:
        base_url = check_url(args.base_url, allow_loopback_http=True)
    except ValueError as error:
        raise UsageError(f"--base-url {args.base_url}: {error}.") from None
    targets = list(dict.fromkeys(args.targets or TARGETS))
    try:
        report = build_mirror(ctx, dest=args.dest, base_url=base_url, targets=targets)
    except ChainFailedError as failed:
        return rejected_result(failed, {"dest": args.dest, "base_url": base_url})
    result = Result(
        data={
            "dest": report.dest,
            "base_url": report.base_url,
            "manifest": report.manifest,
            "targets": [item.to_json() for item in report.targets],
        }
    )
    for item in report.targets:
        worst = _worst(item.checks)
        result.say(f"{item.target:<18} {item.version:<10} {worst}", _TONES[worst])
    pins = sorted({item.pin_line for item in report.targets if item.pin_line})
    for line in pins:
        result.say(f"To pin the Linux signer, under [release.signing]: {line}")
    result.say(f"Mirror written to {report.dest}; manifest {report.manifest}.", "ok")
    return result


_TONES: dict[str, Tone] = {"pass": "ok", "warn": "warn", "deferred": "dim", "fail": "fail"}


def _worst(checks: tuple[Check, ...]) -> str:
    """The most serious status among a target's checks."""
    statuses = {check.status for check in checks}
    return next((status for status in ("fail", "warn", "deferred") if status in statuses), "pass")
