"""The Kiro fake's memory: profiles, assignments, and the subscriptions they imply."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Profile:
    """A Kiro (Q Developer) profile: one per account per region."""

    arn: str
    name: str
    account_id: str
    region: str
    instance_arn: str
    description: str = ""
    client_token: str | None = None
    created: float = field(default_factory=time.time)

    def to_json(self, sso_region: str) -> dict[str, Any]:
        """Our guess at ListProfiles' item shape (see kiro_fake's docstring)."""
        return {
            "arn": self.arn,
            "profileName": self.name,
            "description": self.description,
            "status": "ACTIVE",
            "region": self.region,
            "createdAt": self.created,
            "identityDetails": {
                "ssoIdentityDetails": {"instanceArn": self.instance_arn, "ssoRegion": sso_region}
            },
        }


@dataclass(frozen=True)
class Assignment:
    """A user or group subscribed to a plan under one account's profile in one region."""

    account_id: str
    region: str
    principal_id: str
    principal_type: str
    subscription_type: str


@dataclass
class KiroState:
    """Everything the Kiro fake remembers; tests read it directly."""

    profiles: dict[tuple[str, str], Profile] = field(default_factory=dict)
    assignments: dict[tuple[str, str, str, str], Assignment] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget everything, as after a reset."""
        self.profiles.clear()
        self.assignments.clear()

    def assignments_in(self, account_id: str, region: str) -> list[Assignment]:
        """The assignments under one account's profile in one region."""
        return [
            a for a in self.assignments.values() if (a.account_id, a.region) == (account_id, region)
        ]


def profile_arn(account_id: str, region: str) -> str:
    """A stable profile ARN in the shape seen in the console: 12 upper-case characters."""
    suffix = hashlib.sha256(f"{account_id}/{region}".encode()).hexdigest()[:12].upper()
    return f"arn:aws:codewhisperer:{region}:{account_id}:profile/{suffix}"


def expand_subscriptions(
    assignments: list[Assignment], store: Any, plans: tuple[str, ...]
) -> dict[str, tuple[str, list[dict[str, str]]]]:
    """Map user id to (billed plan, assignments granting it); groups subscribe each member.

    `store` is moto's IdentityStoreData. A user reached twice pays the highest tier (FACTS §3).
    """
    members: dict[str, list[str]] = defaultdict(list)
    for membership in list(store.group_memberships.values()):
        members[membership["GroupId"]].append(membership["MemberId"]["UserId"])
    result: dict[str, tuple[str, list[dict[str, str]]]] = {}
    for assignment in assignments:
        via = {"principalId": assignment.principal_id, "principalType": assignment.principal_type}
        if assignment.principal_type == "USER":
            user_ids = [assignment.principal_id]
        else:
            user_ids = members.get(assignment.principal_id, [])
        for user_id in user_ids:
            plan, grants = result.get(user_id, (assignment.subscription_type, []))
            if plans.index(assignment.subscription_type) > plans.index(plan):
                plan = assignment.subscription_type
            result[user_id] = (plan, [*grants, via])
    return result
