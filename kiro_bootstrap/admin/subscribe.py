"""Apply `[[assignments]]` and list subscriptions via the undocumented endpoints (UNSUPPORTED)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kiro_bootstrap.admin.checklist import SUGGESTED_PROFILE_NAME
from kiro_bootstrap.admin.directory import DirectoryUser, ResolvedAssignment, highest_plans
from kiro_bootstrap.admin.identity_center import IdcInstance
from kiro_bootstrap.admin.internal_api import InternalApi, InternalApiError
from kiro_bootstrap.settings.model import Settings

NOT_FOUND = "ResourceNotFoundException"


@dataclass(frozen=True)
class Outcome:
    """What happened to one profile or assignment."""

    what: str
    action: str  # "created" | "exists" | "updated" | "deleted" | "kept"


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
        arn = api.create_profile(
            region, SUGGESTED_PROFILE_NAME, instance.instance_arn, instance.region
        )
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
    """Delete user assignments of people `[[assignments]]` does not reach.

    The listing names users, not the assignments behind them (FACTS §5), so only a user's own
    assignment can be deleted; one subscribed through a group we do not manage is reported.
    """
    reached = {user.user_id for assignment in resolved for user in assignment.members}
    live = {
        subscription_fields(row)[0]
        for row in api.list_user_subscriptions(instance.instance_arn, instance.region, region)
    }
    outcomes = []
    for user_id in sorted(live - reached - {""}):
        try:
            api.delete_assignment(region, user_id, "USER")
        except InternalApiError as error:
            if error.code != NOT_FOUND:
                raise
            outcomes.append(Outcome(f"user {user_id} (through a group not in [[assignments]]; "
                                    "remove it in the console)", "kept"))  # fmt: skip
            continue
        outcomes.append(Outcome(f"user {user_id}", "deleted"))
    return outcomes


def subscription_fields(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """(user id, plan id, status) from either shape public clients read (FACTS §5).

    `principalId` or `principal.user`; `subscriptionType` or `type.amazonQ` or
    `activatedType.amazonQ`; `status`.
    """
    principal = row.get("principal")
    user_id = row.get("principalId") or (principal or {}).get("user")
    plan = row.get("subscriptionType")
    for nested in ("type", "activatedType"):
        plan = plan or (row.get(nested) or {}).get("amazonQ")
    return str(user_id or ""), str(plan or ""), str(row.get("status") or "")


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
    api: InternalApi,
    settings: Settings,
    instance: IdcInstance,
    names: Mapping[str, DirectoryUser] | None = None,
) -> list[dict[str, Any]]:
    """Who is subscribed according to the user-subscriptions endpoint; `names` by user id."""
    plan_names = {plan_id: str(plan) for plan, plan_id in settings.kiro.plan_ids.items()}
    listed = api.list_user_subscriptions(
        instance.instance_arn, instance.region, settings.kiro.profile_region
    )
    rows: list[dict[str, Any]] = []
    for row in listed:
        user_id, plan_id, status = subscription_fields(row)
        user = (names or {}).get(user_id)
        rows.append(
            {
                "user_id": user_id,
                "user_name": user.user_name if user else user_id,
                "display_name": user.display_name if user else None,
                "plan": plan_names.get(plan_id, plan_id),
                "status": status,
                "via": [],  # the listing does not say which assignment grants it
            }
        )
    return sorted(rows, key=lambda row: str(row["user_name"]))
