"""`admin preflight`: read-only checks of everything Kiro needs on the AWS side."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiro_bootstrap.admin.directory import ResolvedAssignment, resolve_assignments
from kiro_bootstrap.admin.encryption import KeyPolicyState, inspect_key
from kiro_bootstrap.admin.identity_center import IdcInstance, find_instance
from kiro_bootstrap.admin.roles import ServiceLinkedRole, find_missing_roles
from kiro_bootstrap.aws.session import AwsClients
from kiro_bootstrap.checks import Check, any_failed
from kiro_bootstrap.errors import AwsPreconditionError
from kiro_bootstrap.settings.model import Settings
from kiro_bootstrap.settings.regions import IDC_SUPPORTED_REGIONS, KIRO_CONSOLE_REGIONS

# Checks whose failure `admin setup --apply` fixes; any other failure blocks the plan.
FIXABLE = frozenset({"service-linked-roles", "idc-encryption"})
NOT_IN_ORGANIZATION = "AWSOrganizationsNotInUseException"
NEEDS_INSTANCE = ("idc-region", "identity-store", "assignments", "idc-encryption")


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

    @property
    def failed(self) -> bool:
        """True when any check failed."""
        return any_failed(self.checks)

    def blocking(self) -> list[Check]:
        """Failed checks that setup cannot fix."""
        return [c for c in self.checks if c.status == "fail" and c.id not in FIXABLE]

    def add(self, check_id: str, status: str, summary: str, remedy: str = "") -> None:
        """Record one check."""
        self.checks.append(Check(check_id, status, summary, remedy))  # type: ignore[arg-type]


def run_preflight(
    clients: AwsClients, settings: Settings, *, allow_management_account: bool
) -> Preflight:
    """Run every check in order; AWS access denied is raised (exit 10), not a check."""
    found = Preflight()
    identity = clients.call("sts", "get_caller_identity")
    found.caller_account = clients.account_id = str(identity["Account"])
    found.caller_arn = str(identity["Arn"])
    found.add("caller", "pass", f"account {found.caller_account} as {found.caller_arn}")
    _check_management_account(clients, found, allow_management_account)
    region = settings.kiro.profile_region
    # Validated at load (exit 2); kept as a check so the report shows the region in use.
    found.add(
        "profile-region",
        "pass",
        f"{region} is a Kiro console region ({', '.join(KIRO_CONSOLE_REGIONS)})",
    )
    try:
        found.instance = find_instance(clients, settings)
    except AwsPreconditionError as error:
        if error.code == "aws-access-denied":
            raise
        found.add("idc-instance", "fail", error.message, error.hint or "")
        for check_id in NEEDS_INSTANCE:
            found.add(check_id, "warn", "not checked: no IAM Identity Center instance")
    else:
        _check_instance(clients, settings, found, found.instance)
    missing = find_missing_roles(clients)
    found.missing_roles = missing
    if missing:
        names = ", ".join(role.name for role in missing)
        found.add(
            "service-linked-roles",
            "fail",
            f"missing in account {found.caller_account}: {names}",
            "`kiro-bootstrap admin setup --apply` creates them (iam:CreateServiceLinkedRole).",
        )
    else:
        found.add("service-linked-roles", "pass", "AWSServiceRoleForAmazonQDeveloper and "
                  "AWSServiceRoleForUserSubscriptions exist")  # fmt: skip
    return found


def _check_management_account(clients: AwsClients, found: Preflight, allow: bool) -> None:
    """The guard against billing Kiro to the management account."""
    try:
        organization = clients.call("organizations", "describe_organization")["Organization"]
    except AwsPreconditionError as error:
        if error.code != NOT_IN_ORGANIZATION:
            raise
        found.add("management-account", "warn", "this account is not in an AWS Organization")
        return
    found.management_account = str(organization["MasterAccountId"])
    if found.management_account != found.caller_account:
        found.add("management-account", "pass", f"not the management account "
                  f"({found.management_account})")  # fmt: skip
        return
    summary = (
        f"account {found.caller_account} is the organisation's management account: billing Kiro "
        "here is a governance anti-pattern (it sits outside your SCPs and cost controls)"
    )
    remedy = (
        "Run as a member account (e.g. shared services) and create the Kiro profile there; "
        "--allow-management-account accepts it anyway."
    )
    found.add("management-account", "warn" if allow else "fail", summary, remedy)


def _check_instance(
    clients: AwsClients, settings: Settings, found: Preflight, instance: IdcInstance
) -> None:
    """Instance state, owner, region, store, assignments and encryption."""
    where = f"{instance.instance_arn} in {instance.region}"
    if instance.status != "ACTIVE":
        found.add("idc-instance", "fail", f"{where} is {instance.status}, not ACTIVE",
                  "Wait until IAM Identity Center is ACTIVE, then run again.")  # fmt: skip
    elif found.management_account and instance.owner_account_id != found.management_account:
        found.add(
            "idc-instance",
            "fail",
            f"{where} is an account instance owned by {instance.owner_account_id}, not the "
            f"organisation instance of the management account {found.management_account}",
            "Kiro needs the organisation instance: set identity_center.instance_arn to it "
            "(IAM Identity Center → Settings in the management account).",
        )
    elif found.management_account is None:
        found.add("idc-instance", "warn", f"{where} is ACTIVE; its owner could not be compared "
                  "with a management account (no organisation)")  # fmt: skip
    else:
        found.add("idc-instance", "pass", f"{where} is ACTIVE and owned by the management account")
    if instance.region in IDC_SUPPORTED_REGIONS:
        found.add("idc-region", "pass", f"{instance.region} supports Kiro subscriptions")
    else:
        found.add(
            "idc-region",
            "fail",
            f"{instance.region} is an opt-in region: users of an IAM Identity Center instance "
            "there cannot be subscribed to Kiro",
            "Kiro supports IDC only in the regions enabled by default. Move IAM Identity Center "
            "to one of them (delete and recreate the instance, or ask AWS Support).",
        )
    _check_store(clients, settings, found, instance)
    key = inspect_key(clients, settings, instance, found.caller_account)
    found.key = key
    _check_encryption(found, key)


def _check_store(
    clients: AwsClients, settings: Settings, found: Preflight, instance: IdcInstance
) -> None:
    """The identity store answers, and every [[assignments]] name resolves."""
    try:
        clients.call("identitystore", "list_users", instance.region,
                     IdentityStoreId=instance.identity_store_id, MaxResults=1)  # fmt: skip
    except AwsPreconditionError as error:
        if error.code == "aws-access-denied":
            raise
        found.add("identity-store", "fail", error.message, error.hint or "")
        found.add("assignments", "warn", "not checked: the identity store is not readable")
        return
    found.add("identity-store", "pass", f"{instance.identity_store_id} is readable")
    if not settings.assignments:
        found.add("assignments", "warn", "no [[assignments]] configured: nobody to subscribe",
                  "Add [[assignments]] entries (group or user, and a plan).")  # fmt: skip
        return
    try:
        found.resolved = resolve_assignments(clients, instance, settings.assignments)
    except AwsPreconditionError as error:
        if error.code == "aws-access-denied":
            raise
        found.add("assignments", "fail", error.message, error.hint or "")
        return
    people = len({user.user_id for a in found.resolved for user in a.members})
    found.add(
        "assignments", "pass", f"{len(found.resolved)} assignment(s) resolve to {people} user(s)"
    )


def _check_encryption(found: Preflight, key: KeyPolicyState | None) -> None:
    """AWS-owned key passes; a customer managed key needs Kiro's statement in its policy."""
    if key is None:
        found.add("idc-encryption", "pass", "IAM Identity Center uses an AWS-owned key")
        return
    if key.granted:
        found.add("idc-encryption", "pass", f"the policy of {key.key_arn} grants Kiro access")
    elif key.readable:
        found.add("idc-encryption", "fail", f"the policy of {key.key_arn} does not grant Kiro "
                  "kms:Decrypt and kms:DescribeKey", "`kiro-bootstrap admin setup --apply` adds "
                  "the statement through aws.management_role_arn.")  # fmt: skip
    else:
        found.add(
            "idc-encryption",
            "warn",
            f"IDC uses the customer managed key {key.key_arn}; its policy cannot be read from "
            f"account {found.caller_account} without aws.management_role_arn",
            f"An administrator of account {key.key_account} must add this statement to the "
            f"key policy (KMS console, {key.key_region}), or set aws.management_role_arn: "
            f"{key.statement_text()}",
        )
