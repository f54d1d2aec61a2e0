"""`admin package`: the binary and the organisation's settings, as the company portal publishes."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.output import Result

PACKAGE_TARGETS = ("linux-x64", "darwin-arm64", "darwin-x64", "win32-x64")


def register(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `admin package`."""
    parser = actions.add_parser(
        "package",
        parents=[common],
        help="write the binary and the organisation's settings for the company portal",
        description="Writes DEST/TARGET/kiro-bootstrap and kiro-bootstrap.toml beside it (the "
        "--config file, which must validate and pin the Linux signing certificate), and "
        "DEST/kiro-bootstrap-package.json with the SHA-256 of both. Run once per target binary.",
    )
    parser.add_argument("--dest", type=Path, required=True, metavar="DIR", help="output folder")
    parser.add_argument(
        "--binary",
        type=Path,
        metavar="PATH",
        help="the kiro-bootstrap binary to publish (default: this one, when it is the binary)",
    )
    parser.add_argument(
        "--target",
        choices=PACKAGE_TARGETS,
        help="which OS the binary is for (default: this host's)",
    )
    parser.set_defaults(handler=run, command_name="admin package")


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Check the settings, copy both files, write the manifest."""
    import sys

    from kiro_bootstrap.admin.package import package_target
    from kiro_bootstrap.layout.targets import host_target

    config = ctx.options.config
    if not isinstance(config, Path):
        raise UsageError(
            "admin package needs --config FILE: the organisation's settings to publish.",
            hint="kiro-bootstrap admin package --config org.toml --dest DIR",
        )
    binary = args.binary
    if binary is None and getattr(sys, "frozen", False):
        binary = ctx.env.program
    if binary is None:
        raise UsageError(
            "Name the binary to publish with --binary PATH (this run is not the binary).",
            hint="make binary builds dist/kiro-bootstrap.",
        )
    target = args.target or host_target(ctx.facts)
    if target is None or target == "linux-x64-deb":
        raise UsageError("Name the binary's OS with --target.", hint=", ".join(PACKAGE_TARGETS))
    entry = package_target(config, binary, args.dest, target)
    result = Result(data=entry)
    result.say(f"Packaged kiro-bootstrap for {target} in {args.dest / target}:", "ok")
    for key in ("binary", "settings"):
        item = entry[key]
        result.say(f"  {item['path']}  sha256 {item['sha256']}  ({item['size']} bytes)")
    result.say(f"Manifest (publish its digests on the portal page): {entry['manifest']}")
    return result
