"""`download`: resolve, fetch and verify a Kiro build (any target, whatever this host is)."""

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
    """Add `download`."""
    parser = commands.add_parser(
        "download",
        parents=[common],
        help="download and verify a Kiro build",
        description="Download a Kiro build into the cache (resuming, retrying), verify it (org "
        "pin, then the platform's signature) and print its path, version, SHA-256 and checks. "
        "A rerun downloads nothing. The host's own verdict (doctor) is not applied.",
    )
    parser.add_argument("--target", choices=TARGETS, help="which build (default: this host's)")
    parser.add_argument(
        "--version", metavar="V", help="a version such as 1.0.309, or latest (release.version)"
    )
    parser.add_argument(
        "--dest", type=Path, metavar="DIR", help="also place the file in DIR (a hardlink)"
    )
    parser.set_defaults(handler=run, command_name="download", setting_flags=setting_flags)


def setting_flags(args: argparse.Namespace) -> dict[str, tuple[Any, str]]:
    """`--version` takes part in settings precedence (and its validation)."""
    return {"release.version": (args.version, "--version")} if args.version else {}


def run(ctx: Context, args: argparse.Namespace) -> Result:
    """Obtain the verified build and report it."""
    from kiro_bootstrap.commands.verify import rejected_result, verified_result
    from kiro_bootstrap.fetch.obtain import obtain_verified_build
    from kiro_bootstrap.layout.targets import choose_target
    from kiro_bootstrap.verify.chain import ChainFailedError

    spec = choose_target(args.target, ctx.facts)
    try:
        build = obtain_verified_build(ctx, target=spec.name, dest=args.dest)
    except ChainFailedError as failed:
        return rejected_result(failed, {"target": spec.name})
    fields: dict[str, Any] = {
        "target": build.target,
        "version": build.version,
        "path": build.dest_path or build.path,
        "cache_path": build.path if build.dest_path else None,
        "sha256": build.sha256,
        "size": build.size,
        "url": build.url,
        "pinned": build.pinned,
        "from_cache": build.from_cache,
    }
    result = verified_result(build.checks, fields, build.deferred)
    if build.certificate is not None:
        result.data["linux_cert_sha256"] = build.certificate.sha256
        result.say(f"To pin this signer, under [release.signing]: {build.certificate.pin_line}")
    return result
