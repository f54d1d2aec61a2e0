"""`admin preflight`: read-only checks of everything Kiro needs on the AWS side.

Preflight never goes blind: an AWS call that fails makes its check `error` (naming the API, the
IAM action and the reason) and the other checks still run, so one run lists every missing
permission. Only credentials AWS will not accept at all stop it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from kiro_bootstrap import NAME
from kiro_bootstrap.admin.directory import ResolvedAssignment
from kiro_bootstrap.admin.encryption import KeyPolicyState
from kiro_bootstrap.admin.identity_center import IdcInstance
from kiro_bootstrap.admin.roles import ServiceLinkedRole
from kiro_bootstrap.aws.errors import AwsCallError, AwsUnavailableError, CallFailure
from kiro_bootstrap.checks import Check, any_failed
from kiro_bootstrap.errors import AwsPreconditionError

# Checks whose failure `admin setup --apply` fixes; any other failure blocks the plan.
FIXABLE = frozenset({"service-linked-roles", "idc-encryption"})
SETUP_APPLY = f"{NAME} admin setup --apply"
# Stands for "how to run setup" in a remedy until every check has run (see point_fixes_at_setup).
SETUP_PLACEHOLDER = "{setup}"
T = TypeVar("T")


@dataclass
class Preflight:
    """The checks and what they found, for setup's plan and checklist."""

    checks: list[Check] = field(default_factory=list)
    caller_account: str = ""
    caller_arn: str = ""
    management_account: str | None = None
    instance: IdcInstance | None = None
    resolved: list[ResolvedAssignment] = field(default_factory=list)
    missing_roles: list[ServiceLinkedRole] = field(default_factory=list)
    key: KeyPolicyState | None = None
    failures: list[CallFailure] = field(default_factory=list)
    refusals: dict[str, AwsPreconditionError] = field(default_factory=dict)  # by check id

    @property
    def failed(self) -> bool:
        """True when any check failed."""
        return any_failed(self.checks)

    @property
    def errored(self) -> bool:
        """True when a check could not be made."""
        return any(check.status == "error" for check in self.checks)

    def denied_actions(self) -> list[str]:
        """The IAM actions AWS denied during the run, each once, in order."""
        return list(dict.fromkeys(f.action for f in self.failures if f.denied))

    def blocking(self) -> list[Check]:
        """Failed checks that setup cannot fix."""
        return [
            c
            for c in self.checks
            if c.status == "fail" and (c.id not in FIXABLE or c.id in self.refusals)
        ]

    def status_of(self, check_id: str) -> str | None:
        """The status of one check, None when it was not recorded."""
        return next((c.status for c in self.checks if c.id == check_id), None)

    def add(self, check_id: str, status: str, summary: str, remedy: str = "") -> None:
        """Record one check."""
        self.checks.append(Check(check_id, status, summary, remedy))  # type: ignore[arg-type]

    def attempt(self, check_id: str, step: Callable[[], T]) -> T | None:
        """Run one step of a check; a failed AWS call or a refusal becomes the check's result."""
        try:
            return step()
        except (AwsCallError, AwsUnavailableError) as error:
            self.record(check_id, error)
        except AwsPreconditionError as error:
            if error.code == "aws-credentials-rejected":
                raise
            self.refusals[check_id] = error
            self.add(check_id, "fail", error.message, error.hint or "")
        return None

    def record(self, check_id: str, error: AwsCallError | AwsUnavailableError) -> None:
        """The check could not be made: which API, which IAM action, why."""
        failure = error.failure
        self.failures.append(failure)
        summary = (
            f"{failure.where or failure.api} failed: {failure.reason} (IAM action {failure.action})"
        )
        self.add(check_id, "error", summary, error.hint or "")

    def point_fixes_at_setup(self) -> None:
        """Fill in how to fix: `setup --apply` now, or once what it would refuse is fixed."""
        blocking = [check.id for check in self.blocking()]
        command = f"`{SETUP_APPLY}`"
        if blocking:
            command = f"once the failed checks ({', '.join(blocking)}) are fixed, {command}"
            if "management-account" in blocking:
                command += " run from the member account that will hold the Kiro profile"
        for index, check in enumerate(self.checks):
            if SETUP_PLACEHOLDER in check.remedy:
                remedy = check.remedy.replace(SETUP_PLACEHOLDER, command)
                self.checks[index] = dataclasses.replace(check, remedy=_capitalised(remedy))


def _capitalised(text: str) -> str:
    """A sentence starts with a capital letter."""
    return text[:1].upper() + text[1:]
