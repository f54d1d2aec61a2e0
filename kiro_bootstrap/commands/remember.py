"""The sign-in flags (--start-url, --idc-region), and keeping the sign-in a person gave
(onboarding answers, the flags) in their own settings file."""

from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.files import write_atomic

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context

HEADER = "# kiro-bootstrap settings (the sign-in you gave; see config/example.toml)\n"


def add_sign_in_flags(parser: argparse.ArgumentParser) -> None:
    """`--start-url` and `--idc-region`: the organisation's sign-in without a settings file."""
    parser.add_argument(
        "--start-url", metavar="URL", help="IAM Identity Center start URL (sets the setting)"
    )
    parser.add_argument(
        "--idc-region", metavar="REGION", help="IAM Identity Center region (sets the setting)"
    )


def sign_in_flags(args: argparse.Namespace) -> dict[str, tuple[Any, str]]:
    """The sign-in flags as settings: validated like the file's values, origin `flag`."""
    flags: dict[str, tuple[Any, str]] = {}
    if getattr(args, "start_url", None):
        flags["identity_center.start_url"] = (args.start_url, "--start-url")
    if getattr(args, "idc_region", None):
        flags["identity_center.region"] = (args.idc_region, "--idc-region")
    return flags


def remember_sign_in(path: Path, start_url: str, region: str) -> bool:
    """Add `[identity_center]` to the person's file; False when it has one or cannot be read.

    A table the person wrote is never edited behind their back, and a file that does not parse
    is left alone (the next run reports it).
    """
    try:
        before = path.read_text(encoding="utf-8") if path.exists() else ""
        if "identity_center" in tomllib.loads(before):
            return False
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    # JSON strings are TOML basic strings for these validated, printable values.
    table = (
        f"[identity_center]\nstart_url = {json.dumps(start_url)}\nregion = {json.dumps(region)}\n"
    )
    text = f"{before.rstrip()}\n\n{table}" if before.strip() else HEADER + table
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The person's own file: a dotfile link is theirs to have (never called as root).
    write_atomic(path, text.encode("utf-8"), mode=0o600, follow_links=True)
    return True


def remember_flagged_sign_in(ctx: Context) -> Path | None:
    """A sign-in given on the command line by a person for themselves: kept for later runs.

    Never as root/Administrator: with sudo, HOME may still be the person's, and root must not
    write (nor later trust) a file there.
    """
    idc = ctx.settings.identity_center
    given = ctx.loaded.origin_of("identity_center.start_url").kind == "flag"
    if ctx.facts.is_admin or not given or idc.start_url is None or idc.region is None:
        return None
    path = ctx.paths.user_config_file
    return path if remember_sign_in(path, idc.start_url, idc.region) else None
