"""`admin …`: the AWS side. Each sub-action registers itself from its own module.

Adding a sub-action: write `kiro_bootstrap/commands/admin_actions/NAME.py` with
`register(actions, common)` (like `preflight.py`) and add it to ADMIN_ACTIONS.
"""

from __future__ import annotations

import argparse

from kiro_bootstrap.commands.admin_actions import (
    export,
    iam_policy,
    package,
    preflight,
    roster,
    setup,
    subscribe,
    subscriptions,
)

# Order is the order `admin --help` lists them in.
ADMIN_ACTIONS = (
    preflight, setup, subscribe, subscriptions, roster, export, iam_policy, package,
)  # fmt: skip


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add `admin` and its sub-actions."""
    parser = commands.add_parser(
        "admin",
        parents=[common],
        help="set Kiro up on AWS: check, fix what an API can, list the console steps",
        description="The admin side, run as the account that will hold the Kiro profile "
        "(e.g. shared services). Exit 10 when an AWS permission or precondition is missing.",
    )
    actions = parser.add_subparsers(dest="admin_action", metavar="ACTION", required=True)
    for action in ADMIN_ACTIONS:
        action.register(actions, common)
