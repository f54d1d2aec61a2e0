"""The subscription check as `install`'s last step, and the summary `status` shows."""

from __future__ import annotations

from typing import Any

from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import ExitStatus, KiroBootstrapError
from kiro_bootstrap.output import Result


def confirm_after_install(ctx: Context, result: Result, *, user: str | None) -> None:
    """Confirm `user` once Kiro is in place; Kiro stays installed whatever the answer.

    subscription.required = true: not subscribed is exit 8 and a roster that cannot be read or
    trusted is its own exit code (4, 5). false: each of those is a warning and the install's
    exit code stands. Without subscription.roster_url there is nothing to check.
    """
    from kiro_bootstrap.subscription.confirm import confirm_subscription
    from kiro_bootstrap.subscription.result import record_result

    required = ctx.settings.subscription.required
    if not ctx.settings.subscription.roster_url:
        result.data["subscription"] = None
        return
    try:
        confirmed = confirm_subscription(ctx, user=user)
    except KiroBootstrapError as error:
        if required:
            error.hint = f"Kiro is installed and stays so. {error.hint or ''}".strip()
            raise
        ctx.output.warn(f"could not confirm the subscription: {error.message}")
        result.data["subscription"] = {"error": error.message, "code": error.code}
        return
    record_result(confirmed, ctx.facts, ctx.paths)
    result.data["subscription"] = confirmed.to_json()
    if confirmed.note:
        ctx.output.warn(confirmed.note)
    if confirmed.subscribed:
        result.say(f"{confirmed.user} is subscribed to Kiro (plan: {confirmed.plan}).", "ok")
        return
    where = f" Ask for access at {confirmed.request_url}" if confirmed.request_url else ""
    if required:
        result.status = ExitStatus.NOT_SUBSCRIBED
        result.say(f"Kiro is installed, but {confirmed.user} is not subscribed.{where}", "fail")
    else:
        ctx.output.warn(f"{confirmed.user} is not subscribed to Kiro.{where}")


def last_subscription_summary(ctx: Context) -> dict[str, Any] | None:
    """The last recorded confirmation as JSON fields, or None (for `status`)."""
    from kiro_bootstrap.subscription.result import read_last_result

    last = read_last_result(ctx.facts, ctx.paths)
    return last.to_json() if last is not None else None


def describe_last(summary: dict[str, Any] | None) -> str:
    """One line for `status`."""
    if summary is None:
        return "subscription: not checked yet (run `kiro-bootstrap subscription`)"
    state = f"plan {summary['plan']}" if summary["subscribed"] else "NOT subscribed"
    return f"subscription: {summary['user']} {state} (checked {summary['checked_at']})"
