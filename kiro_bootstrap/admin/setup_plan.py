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


@dataclass(frozen=True)
class PendingStep:
    """A step setup cannot do itself, and who can."""

    id: str
    who: str
    what: str
    detail: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The shape `admin setup --json` shows under `pending`."""
        return {"id": self.id, "who": self.who, "what": self.what, "detail": list(self.detail)}


def pending_steps(found: Preflight, *, planned: bool) -> list[PendingStep]:
    """What stays open: a key nobody here can patch, checks that could not be made, and (after
    --apply) fixable checks that still fail."""
    steps = []
    key = found.key
    if key is not None and not key.readable:
        steps.append(
            PendingStep(
                "kms-key-policy",
                f"an administrator of account {key.key_account}",
                f"add Kiro's statement to the policy of {key.key_arn} (KMS console, "
                f"{key.key_region}); without aws.management_role_arn this tool cannot read or "
                "change a key in another account",
                tuple(key.statement_text().splitlines()),
            )
        )
    for check in found.checks:
        if check.status == "error" or (not planned and check.status == "fail"):
            steps.append(PendingStep(check.id, "you", f"{check.id}: {check.summary}",
                                     (f"→ {check.remedy}",) if check.remedy else ()))  # fmt: skip
    return steps
