"""`admin iam-policy`: the least-privilege IAM policy for whoever runs preflight, setup or publish.

Each action below is one call the command makes, on some branch (a test records the calls of
every branch against the local AWS and compares both ways). Calls made through
`aws.management_role_arn` belong to that role's policy, not the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiro_bootstrap.admin.roles import SERVICE_LINKED_ROLES

COMMANDS = ("preflight", "setup", "publish")
SERVICE_ROLE_ARNS = "arn:aws:iam::*:role/aws-service-role/*"
# Reading the directory and the instance: what preflight, setup and publish share.
DIRECTORY = (
    ("sso:ListInstances", "find the IAM Identity Center instance (also the fallback)"),
    ("sso:DescribeInstance", "the instance's identity store and encryption"),
    ("identitystore:ListGroups", "resolve [[assignments]] groups"),
    ("identitystore:ListUsers", "resolve [[assignments]] users; the store is readable"),
    ("identitystore:ListGroupMemberships", "expand groups to their members"),
)
PREFLIGHT = (
    ("sts:GetCallerIdentity", "the caller's account"),
    ("organizations:DescribeOrganization", "the management-account guard"),
    *DIRECTORY,
)


@dataclass(frozen=True)
class Grant:
    """Actions on one resource, with why they are needed."""

    actions: tuple[tuple[str, str], ...]  # (action, why)
    resource: str = "*"
    condition: dict[str, Any] | None = None

    def statement(self, sid: str) -> dict[str, Any]:
        """The IAM statement."""
        statement: dict[str, Any] = {
            "Sid": sid,
            "Effect": "Allow",
            "Action": sorted({action for action, _ in self.actions}),
            "Resource": self.resource,
        }
        if self.condition:
            statement["Condition"] = self.condition
        return statement


@dataclass(frozen=True)
class CommandPolicy:
    """The caller's policy and, when a management role is used, that role's policy."""

    caller: list[Grant]
    management_role: list[Grant]

    def documents(self) -> dict[str, Any]:
        """`{"policy": …, "management_role_policy": … | None}` as IAM JSON documents."""
        role = _document(self.management_role, "KiroKeyPolicy") if self.management_role else None
        return {"policy": _document(self.caller, "Kiro"), "management_role_policy": role}

    def actions(self) -> tuple[set[str], set[str]]:
        """Every action of the caller's policy, and of the management role's."""
        return _actions(self.caller), _actions(self.management_role)


def command_policy(
    command: str,
    *,
    management_role_arn: str | None,
    s3_object_arn: str | None = None,
    internal_api: bool = False,
) -> CommandPolicy:
    """The policy for one command, for the configured role, destination and flags."""
    caller: list[Grant] = []
    role: list[Grant] = []
    if command in ("preflight", "setup"):
        caller.append(Grant(PREFLIGHT))
        caller.append(Grant((("iam:GetRole", "the service-linked roles, by name"),),
                            SERVICE_ROLE_ARNS))  # fmt: skip
        if command == "setup":
            services = sorted(r.service for r in SERVICE_LINKED_ROLES)
            caller.append(Grant(
                (("iam:CreateServiceLinkedRole", "create the missing service-linked roles"),),
                SERVICE_ROLE_ARNS, {"StringEquals": {"iam:AWSServiceName": services}},
            ))  # fmt: skip
        if management_role_arn is not None:
            caller.append(Grant((("sts:AssumeRole", "act in the key's account"),),
                                management_role_arn))  # fmt: skip
            reads = [("kms:GetKeyPolicy", "read the IDC key's policy")]
            if command == "setup":
                reads.append(("kms:PutKeyPolicy", "add Kiro's statement (setup --apply)"))
            role.append(Grant(tuple(reads)))
    elif command == "publish":
        caller.append(Grant(DIRECTORY))
        if s3_object_arn is not None and s3_object_arn.endswith("/"):
            # A sharded roster under a prefix: its objects, and listing them for the clean-up.
            bucket, _, prefix = s3_object_arn.removeprefix("arn:aws:s3:::").partition("/")
            objects = (("s3:GetObject", "read the live index and manifests"),
                       ("s3:PutObject", "publish shards, proofs and the index"),
                       ("s3:DeleteObject", "remove expired publishes"))  # fmt: skip
            caller.append(Grant(objects, f"{s3_object_arn}*"))
            list_shards = (("s3:ListBucket", "find the shards already published"),)
            caller.append(Grant(list_shards, f"arn:aws:s3:::{bucket}",
                                {"StringLike": {"s3:prefix": [f"{prefix}*"]}}))  # fmt: skip
        elif s3_object_arn is not None:
            roster = (("s3:GetObject", "read the live roster"), ("s3:PutObject", "publish it"))
            caller.append(Grant(roster, s3_object_arn))
        if internal_api:
            listing = "user-subscriptions:ListUserSubscriptions"
            caller.append(Grant(((listing, "--experimental-internal-api cross-check"),)))
    else:
        raise ValueError(command)
    return CommandPolicy(caller, role)


def _document(grants: list[Grant], prefix: str) -> dict[str, Any]:
    """An IAM policy document, one statement per grant."""
    statements = [grant.statement(f"{prefix}{index}") for index, grant in enumerate(grants, 1)]
    return {"Version": "2012-10-17", "Statement": statements}


def _actions(grants: list[Grant]) -> set[str]:
    """Every action named by the grants."""
    return {action for grant in grants for action, _ in grant.actions}
