"""The subscription check as `install`'s last step, and the summary `status` shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import KiroBootstrapError
from kiro_bootstrap.subscription.confirm import confirm_subscription
from kiro_bootstrap.subscription.result import read_last_result, record_result

if TYPE_CHECKING:
    from kiro_bootstrap.subscription.result import SubscriptionResult


@dataclass(frozen=True)
class AfterInstall:
    """What the subscription check after an install found; `install` renders it."""

    required: bool  # subscription.required
    confirmed: SubscriptionResult | None = None
    error: KiroBootstrapError | None = None  # not required, and the roster could not answer

    @property
    def failure(self) -> str | None:
        """Why the install fails although Kiro is in place (required, not subscribed), or None."""
        confirmed = self.confirmed
        if not self.required or confirmed is None or confirmed.subscribed:
            return None
        return f"Kiro is installed, but {confirmed.user} is not subscribed.{self.ask_for_access}"

    @property
    def ask_for_access(self) -> str:
        """Where the person asks for a plan, as the end of a sentence ("" when unknown)."""
        url = self.confirmed.request_url if self.confirmed else None
        return f" Ask for access at {url}" if url else ""

    def to_json(self) -> dict[str, Any] | None:
        """The `subscription` field of install's JSON."""
        if self.error is not None:
            return {"error": self.error.message, "code": self.error.code}
        return self.confirmed.to_json() if self.confirmed is not None else None


def confirm_after_install(ctx: Context, *, user: str | None) -> AfterInstall:
    """Confirm `user` once Kiro is in place; Kiro stays installed whatever the answer.

    subscription.required = true: not subscribed is a refusal (`install` exits 8) and a roster
    that cannot be read or trusted raises its own error (4, 5). false: each of those is only
    reported and the install's exit code stands. Without subscription.roster_url there is
    nothing to check.
    """
    required = ctx.settings.subscription.required
    if not ctx.settings.subscription.roster_url:
        return AfterInstall(required=required)
    try:
        confirmed = confirm_subscription(ctx, user=user)
    except KiroBootstrapError as error:
        if required:
            error.hint = f"Kiro is installed and stays so. {error.hint or ''}".strip()
            raise
        return AfterInstall(required=required, error=error)
    record_result(confirmed, ctx.facts, ctx.paths)
    return AfterInstall(required=required, confirmed=confirmed)


def last_subscription_summary(ctx: Context) -> dict[str, Any] | None:
    """The last recorded confirmation as JSON fields, or None (for `status`)."""
    last = read_last_result(ctx.facts, ctx.paths)
    return last.to_json() if last is not None else None
