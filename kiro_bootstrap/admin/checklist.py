"""The console-only steps (no public API): exactly where to click and what to pick."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiro_bootstrap.admin.directory import ResolvedAssignment, highest_plans
from kiro_bootstrap.admin.identity_center import IdcInstance
from kiro_bootstrap.settings.model import Settings

# A GUESS from the console's usual `https://<region>.console.aws.amazon.com/<service>/home`
# pattern: nobody we could read documents the Kiro console path. Printed with that warning.
KIRO_CONSOLE_URL = "https://{region}.console.aws.amazon.com/kiro/home?region={region}"
Q_CONSOLE_URL = "https://{region}.console.aws.amazon.com/amazonq/developer/home?region={region}"
PLAN_LABELS = {"pro": "Pro", "pro-plus": "Pro+", "power": "Power"}
SUGGESTED_PROFILE_NAME = "kiro"
# How many double-subscribed users to name before summarising.
SHOW_OVERLAPS = 10


@dataclass
class Checklist:
    """The steps as lines for people and as data for --json."""

    lines: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def build_checklist(
    settings: Settings,
    caller_account: str,
    management_account: str | None,
    instance: IdcInstance | None,
    resolved: list[ResolvedAssignment],
) -> Checklist:
    """Numbered steps: the account, the console URL, the profile's values, who gets which plan."""
    region = settings.kiro.profile_region
    url = KIRO_CONSOLE_URL.format(region=region)
    checklist = Checklist()
    say = checklist.lines.append
    say("Console steps (no public API exists for these; do them by hand):")
    not_management = ""
    if management_account and management_account != caller_account:
        not_management = f", not the management account {management_account}"
    payer = f"the account that pays for Kiro{not_management}"
    say(f"  1. Sign in to AWS account {caller_account} ({payer}).")
    say(f"  2. Open the Kiro console in {region}: {url}")
    say("     (URL is a guess from the console's usual pattern; if it does not load, choose "
        f"region {region} and search for \"Kiro\"; the Amazon Q Developer console, "
        f"{Q_CONSOLE_URL.format(region=region)}, is also a guess.)")  # fmt: skip
    say(f"  3. Create the Kiro profile (skip if the account already has one in {region}):")
    say(f"       profile name: {SUGGESTED_PROFILE_NAME} (any name works)")
    say(f"       region: {region} (the Kiro profile region, not the IDC region)")
    if instance is not None:
        say(f"       identity source: IAM Identity Center instance {instance.instance_arn}")
        say(f"         (IDC region {instance.region}, identity store {instance.identity_store_id})")
    say("  4. Subscribe, choosing the plan for each (Users and groups → Subscribe):")
    plan_ids: dict[str, str] = {str(k): v for k, v in settings.kiro.plan_ids.items()}
    rows = []
    for assignment in resolved:
        label = PLAN_LABELS[assignment.plan]
        plan_id = plan_ids[assignment.plan]
        if assignment.principal_type == "GROUP":
            what = f"group {assignment.name!r} ({len(assignment.members)} members)"
        else:
            email = assignment.members[0].emails[:1]
            what = f"user {assignment.name!r}" + (f" <{email[0]}>" if email else "")
        say(f"       - {what} → {label} ({plan_id})")
        rows.append({"type": assignment.principal_type, "name": assignment.name,
                     "principal_id": assignment.principal_id, "plan": assignment.plan,
                     "plan_id": plan_id, "members": len(assignment.members)})  # fmt: skip
    if not resolved:
        say("       (no [[assignments]] configured)")
    _say_overlaps(say, resolved)
    say("     Groups subscribe each member individually; new members can take up to 24 h.")
    checklist.data = {
        "account": caller_account,
        "console_url": url,
        "console_url_is_a_guess": True,
        "profile_region": region,
        "instance_arn": instance.instance_arn if instance else None,
        "idc_region": instance.region if instance else settings.identity_center.region,
        "subscriptions": rows,
    }
    return checklist


def _say_overlaps(say: Any, resolved: list[ResolvedAssignment]) -> None:
    """Name users reached by assignments with different plans: they pay the highest."""
    plans: dict[str, set[str]] = {}
    for assignment in resolved:
        for user in assignment.members:
            plans.setdefault(user.user_id, set()).add(assignment.plan)
    highest = highest_plans(resolved)
    overlapping = sorted(
        (highest[user_id][0].user_name, highest[user_id][1])
        for user_id, seen in plans.items()
        if len(seen) > 1
    )
    if not overlapping:
        return
    say(f"     {len(overlapping)} user(s) get several plans and are billed the highest:")
    for user_name, plan in overlapping[:SHOW_OVERLAPS]:
        say(f"       {user_name}: {PLAN_LABELS[plan]}")
    if len(overlapping) > SHOW_OVERLAPS:
        say(f"       … and {len(overlapping) - SHOW_OVERLAPS} more")
