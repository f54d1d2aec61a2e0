"""`admin setup`: the plan (what a public API can change) and applying it."""

from __future__ import annotations

from dataclasses import dataclass

from kiro_bootstrap.admin.encryption import apply_patch
from kiro_bootstrap.admin.preflight import Preflight
from kiro_bootstrap.admin.roles import create_role
from kiro_bootstrap.aws.session import AwsClients


@dataclass(frozen=True)
class Change:
    """One change the plan makes."""

    id: str
    summary: str
    diff: tuple[str, ...] = ()


def plan_changes(found: Preflight) -> list[Change]:
    """What `--apply` would change: missing service-linked roles, the KMS statement."""
    changes = [
        Change(
            f"create-role:{role.service}",
            f"create service-linked role {role.name} for {role.service} "
            f"in account {found.caller_account}",
        )
        for role in found.missing_roles
    ]
    key = found.key
    if key is not None and key.patch is not None:
        changes.append(
            Change(
                "kms-key-policy",
                f"add Kiro's statement to the policy of {key.key_arn} "
                f"(account {key.key_account}, through {key.role_arn})",
                tuple(key.patch.diff()),
            )
        )
    return changes


def apply_changes(clients: AwsClients, found: Preflight, changes: list[Change]) -> None:
    """Make the planned changes, roles first."""
    wanted = {change.id for change in changes}
    for role in found.missing_roles:
        if f"create-role:{role.service}" in wanted:
            create_role(clients, role)
    if found.key is not None and "kms-key-policy" in wanted:
        apply_patch(clients, found.key)
