"""`config show`: every effective setting and where it came from."""

from __future__ import annotations

import argparse
import json
import re
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.output import Result

if TYPE_CHECKING:
    from kiro_bootstrap.context import Context

MASK = "****"
# Keys whose values are secrets wherever they appear (MCP env and headers, tokens).
_SECRET_KEY = re.compile(r"(?i)(token|secret|password|authorization|api[_-]?key|\.env\.|headers)")
_URL_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `config show`."""
    parser = commands.add_parser("config", parents=[common], help="show the effective settings")
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show",
        parents=[common],
        help="print every effective setting and its origin (secrets masked)",
    )
    show.set_defaults(handler=run_show, command_name="config show")


def mask(key: str, value: Any) -> Any:
    """Hide secrets: values under secret-looking keys, credentials inside URLs."""
    if isinstance(value, dict):
        return {name: mask(f"{key}.{name}", item) for name, item in value.items()}
    if isinstance(value, list):
        return [mask(key, item) for item in value]
    if isinstance(value, str):
        if _SECRET_KEY.search(key) and value:
            return MASK
        return _URL_CREDENTIALS.sub(rf"\1{MASK}@", value)
    return value


def run_show(ctx: Context, _args: argparse.Namespace) -> Result:
    """List each setting with its value and origin."""
    from kiro_bootstrap.settings.load import flatten

    values = flatten(ctx.settings.model_dump(mode="json"))
    rows = {
        key: {"value": mask(key, value), "origin": str(ctx.loaded.origin_of(key))}
        for key, value in sorted(values.items())
    }
    aws_profile = ctx.environ.get("AWS_PROFILE")
    if aws_profile and "aws.profile" in rows:
        # [aws] profile wins over AWS_PROFILE for the admin commands: say which one they use.
        rows["aws.profile"]["note"] = (
            f"wins over AWS_PROFILE={aws_profile}"
            if ctx.settings.aws.profile
            else f"unset, so AWS_PROFILE={aws_profile} is used"
        )
    result = Result(data={"settings": rows})
    width = max(len(key) for key in rows)
    for key, row in rows.items():
        shown = json.dumps(row["value"], ensure_ascii=False)
        note = f"; {row['note']}" if "note" in row else ""
        result.say(f"{key:<{width}} = {shown}  # {row['origin']}{note}")
    return result
