"""Apply `[[assignments]]` and list subscriptions via the undocumented endpoints (UNSUPPORTED)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kiro_bootstrap.admin.checklist import SUGGESTED_PROFILE_NAME
from kiro_bootstrap.admin.directory import ResolvedAssignment, highest_plans
from kiro_bootstrap.admin.identity_center import IdcInstance
from kiro_bootstrap.admin.internal_api import InternalApi
from kiro_bootstrap.settings.model import Settings


@dataclass(frozen=True)
class Outcome:
    """What happened to one profile or assignment."""

    what: str
    action: str  # "created" | "exists" | "updated" | "deleted"


def subscribe(
    api: InternalApi,
    settings: Settings,
    instance: IdcInstance,
    resolved: Sequence[ResolvedAssignment],
    *,
    prune: bool,
) -> list[Outcome]:
    """Ensure the profile, then each assignment (already subscribed = success); prune if asked."""
    region = settings.kiro.profile_region
    outcomes = []
    if api.list_profiles(region):
        outcomes.append(Outcome(f"Kiro profile in {region}", "exists"))
    else:
        arn = api.create_profile(region, SUGGESTED_PROFILE_NAME, instance.instance_arn)
        outcomes.append(Outcome(f"Kiro profile {arn}", "created"))
    plan_ids: dict[str, str] = {str(k): v for k, v in settings.kiro.plan_ids.items()}
    for assignment in resolved:
        plan_id = plan_ids[assignment.plan]
        what = f"{assignment.principal_type.lower()} {assignment.name!r} → {plan_id}"
        principal = (region, assignment.principal_id, assignment.principal_type, plan_id)
        if api.create_assignment(*principal):
            outcomes.append(Outcome(what, "created"))
        else:
            # Already assigned (maybe another plan): make the plan the configured one.
            api.update_assignment(*principal)
            outcomes.append(Outcome(what, "exists"))
    if prune:
        outcomes += _prune(api, region, instance, resolved)
    return outcomes


def _prune(
    api: InternalApi, region: str, instance: IdcInstance, resolved: Sequence[ResolvedAssignment]
) -> list[Outcome]:
    """Delete assignments that grant subscriptions but are not in `[[assignments]]`."""
    wanted = {(a.principal_type, a.principal_id) for a in resolved}
    found: set[tuple[str, str]] = set()
    for row in api.list_user_subscriptions(instance.instance_arn, region):
        for via in row.get("assignedVia") or []:
            found.add((str(via.get("principalType")), str(via.get("principalId"))))
    outcomes = []
    for principal_type, principal_id in sorted(found - wanted):
        api.delete_assignment(region, principal_id, principal_type)
        outcomes.append(Outcome(f"{principal_type.lower()} {principal_id}", "deleted"))
    return outcomes


def configured_subscriptions(resolved: Sequence[ResolvedAssignment]) -> list[dict[str, Any]]:
    """Who `[[assignments]]` subscribes, from the directory alone (groups expanded)."""
    via: dict[str, list[str]] = {}
    for assignment in resolved:
        for user in assignment.members:
            via.setdefault(user.user_id, []).append(f"{assignment.principal_type.lower()} "
                                                    f"{assignment.name}")  # fmt: skip
    rows = [
        {
            "user_id": user.user_id,
            "user_name": user.user_name,
            "display_name": user.display_name,
            "plan": plan,
            "status": "configured",
            "via": via[user.user_id],
        }
        for user, plan in highest_plans(resolved).values()
    ]
    return sorted(rows, key=lambda row: row["user_name"])


def live_subscriptions(
    api: InternalApi, settings: Settings, instance: IdcInstance
) -> list[dict[str, Any]]:
    """Who is subscribed according to the user-subscriptions endpoint."""
    plan_names = {plan_id: str(plan) for plan, plan_id in settings.kiro.plan_ids.items()}
    rows = []
    for row in api.list_user_subscriptions(instance.instance_arn, settings.kiro.profile_region):
        plan_id = str(row.get("subscriptionType", ""))
        rows.append(
            {
                "user_id": row.get("userId"),
                "user_name": row.get("userName"),
                "display_name": row.get("displayName"),
                "plan": plan_names.get(plan_id, plan_id),
                "status": row.get("status"),
                "via": [
                    f"{str(v.get('principalType', '')).lower()} {v.get('principalId')}"
                    for v in row.get("assignedVia") or []
                ],
            }
        )
    return sorted(rows, key=lambda row: str(row["user_name"]))
