"""The checks of `admin preflight`, in order; each one runs whatever the others found."""

from __future__ import annotations

from kiro_bootstrap.admin.directory import resolve_assignments
from kiro_bootstrap.admin.encryption import KeyPolicyState, inspect_key
from kiro_bootstrap.admin.identity_center import (
    CUSTOMER_MANAGED_KEY,
    IdcInstance,
    LocatedInstance,
    locate_instance,
)
from kiro_bootstrap.admin.preflight import SETUP_PLACEHOLDER, Preflight
from kiro_bootstrap.admin.roles import SERVICE_LINKED_ROLES, find_missing_roles
from kiro_bootstrap.aws.errors import AwsCallError, AwsUnavailableError
from kiro_bootstrap.aws.session import AwsClients
from kiro_bootstrap.settings.model import Settings
from kiro_bootstrap.settings.regions import IDC_SUPPORTED_REGIONS, KIRO_CONSOLE_REGIONS

NOT_IN_ORGANIZATION = "AWSOrganizationsNotInUseException"
NEEDS_INSTANCE = ("idc-region", "identity-store", "assignments", "idc-encryption")
# FACTS §5 [vendor: kiro.dev prompt-logging page].
PROMPT_LOGGING_NOTE = (
    "Kiro's prompt logging works only for users subscribed in a standalone or management "
    "account, so an organisation that needs it may choose this account knowingly"
)


def run_preflight(
    clients: AwsClients, settings: Settings, *, allow_management_account: bool
) -> Preflight:
    """Run every check; a failed AWS call makes its check `error` and the rest still run."""
    found = Preflight()
    identity = found.attempt("caller", lambda: clients.call("sts", "get_caller_identity"))
    if identity is not None:
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
    located = found.attempt("idc-instance", lambda: locate_instance(clients, settings))
    if located is None:
        for check_id in NEEDS_INSTANCE:
            found.add(check_id, "warn", "not checked: no IAM Identity Center instance")
    else:
        found.instance = located.instance
        _check_instance(clients, settings, found, located)
    missing = found.attempt("service-linked-roles", lambda: find_missing_roles(clients))
    if missing:
        found.missing_roles = missing
        names = ", ".join(role.name for role in missing)
        found.add(
            "service-linked-roles",
            "fail",
            f"missing in account {found.caller_account}: {names}",
            f"{SETUP_PLACEHOLDER} creates them (iam:CreateServiceLinkedRole).",
        )
    elif missing is not None:
        names = " and ".join(role.name for role in SERVICE_LINKED_ROLES)
        found.add("service-linked-roles", "pass", f"{names} exist")
    found.point_fixes_at_setup()
    return found


def _check_management_account(clients: AwsClients, found: Preflight, allow: bool) -> None:
    """The guard against billing Kiro to the management account."""
    try:
        answer = clients.call("organizations", "describe_organization")
    except (AwsCallError, AwsUnavailableError) as error:
        if error.code == NOT_IN_ORGANIZATION:
            found.add("management-account", "warn", "this account is not in an AWS Organization")
        else:
            found.record("management-account", error)
        return
    found.management_account = str(answer["Organization"]["MasterAccountId"])
    if found.management_account != found.caller_account:
        found.add("management-account", "pass", f"not the management account "
                  f"({found.management_account})")  # fmt: skip
        return
    summary = (
        f"account {found.caller_account} is the organisation's management account: billing Kiro "
        f"here is a governance anti-pattern (it sits outside your SCPs and cost controls); "
        f"{PROMPT_LOGGING_NOTE}"
    )
    remedy = (
        "Run as a member account (e.g. shared services) and create the Kiro profile there; "
        "--allow-management-account accepts this account (e.g. for prompt logging)."
    )
    found.add("management-account", "warn" if allow else "fail", summary, remedy)


def _check_instance(
    clients: AwsClients, settings: Settings, found: Preflight, located: LocatedInstance
) -> None:
    """Instance state, owner, region, store, assignments and encryption."""
    instance = located.instance
    where = f"{instance.instance_arn} in {instance.region}"
    if located.notes and not instance.status:
        found.add("idc-instance", "warn", f"{where}: {located.notes[0]}",
                  "Allow sso:DescribeInstance, or check the instance in the console.")  # fmt: skip
    elif instance.status != "ACTIVE":
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
        summary = f"{where} is ACTIVE and owned by the management account"
        found.add("idc-instance", "warn" if located.notes else "pass",
                  "; ".join((summary, *located.notes)))  # fmt: skip
    _check_region(found, instance)
    _check_store(clients, settings, found, instance)
    if located.describe_failure is not None:
        failure = located.describe_failure
        found.failures += [failure] + ([located.list_failure] if located.list_failure else [])
        first = f"Allow {failure.action}" if failure.denied else "Retry later"
        found.add(
            "idc-encryption",
            "error",
            f"{failure.where or failure.api} failed: {failure.reason} (IAM action "
            f"{failure.action}): whether a customer managed key encrypts IDC is unknown",
            f"{first}, or check IAM Identity Center → Settings → Encryption in the management "
            "account.",
        )
        return
    found.key = found.attempt(
        "idc-encryption",
        lambda: inspect_key(clients, settings, instance, found.caller_account),
    )
    if found.status_of("idc-encryption") is None:
        _check_encryption(found, found.key, instance)


def _check_region(found: Preflight, instance: IdcInstance) -> None:
    """IDC in a region whose users Kiro can subscribe."""
    if instance.region in IDC_SUPPORTED_REGIONS:
        found.add("idc-region", "pass", f"{instance.region} supports Kiro subscriptions")
        return
    found.add(
        "idc-region",
        "fail",
        f"{instance.region} is an opt-in region: users of an IAM Identity Center instance "
        "there cannot be subscribed to Kiro",
        "Kiro supports IDC only in the regions enabled by default. Move IAM Identity Center "
        "to one of them (delete and recreate the instance, or ask AWS Support).",
    )


def _check_store(
    clients: AwsClients, settings: Settings, found: Preflight, instance: IdcInstance
) -> None:
    """The identity store answers, and every [[assignments]] name resolves."""
    if not instance.identity_store_id:
        found.add(
            "identity-store",
            "warn",
            "not checked: the identity store id is unknown",
            "Set identity_center.identity_store_id (IAM Identity Center → Settings).",
        )
        found.add("assignments", "warn", "not checked: the identity store is not known")
        return
    answered = found.attempt("identity-store", lambda: clients.call(
        "identitystore", "list_users", instance.region,
        IdentityStoreId=instance.identity_store_id, MaxResults=1))  # fmt: skip
    if answered is None:
        found.add("assignments", "warn", "not checked: the identity store is not readable")
        return
    found.add("identity-store", "pass", f"{instance.identity_store_id} is readable")
    if not settings.assignments:
        found.add("assignments", "warn", "no [[assignments]] configured: nobody to subscribe",
                  "Add [[assignments]] entries (group or user, and a plan).")  # fmt: skip
        return
    resolved = found.attempt(
        "assignments", lambda: resolve_assignments(clients, instance, settings.assignments)
    )
    if resolved is None:
        return
    found.resolved = resolved
    people = len({user.user_id for a in resolved for user in a.members})
    found.add("assignments", "pass", f"{len(resolved)} assignment(s) resolve to {people} user(s)")


def _check_encryption(found: Preflight, key: KeyPolicyState | None, instance: IdcInstance) -> None:
    """AWS-owned key passes; a customer managed key needs Kiro's statement in its policy."""
    if key is None:
        if instance.key_type == CUSTOMER_MANAGED_KEY:  # no key ARN in the answer
            found.add("idc-encryption", "warn", "IDC uses a customer managed key whose ARN "
                      "DescribeInstance did not give")  # fmt: skip
        else:
            found.add("idc-encryption", "pass", "IAM Identity Center uses an AWS-owned key")
        return
    baseline = (
        "; AWS's IDC baseline statement (AllowManagedApps) is present: whether it covers Kiro "
        "is not documented, and it does not grant kms:DescribeKey"
        if key.baseline
        else ""
    )
    if key.granted:
        found.add("idc-encryption", "pass", f"the policy of {key.key_arn} grants Kiro access")
    elif key.readable:
        found.add("idc-encryption", "fail", f"the policy of {key.key_arn} does not grant Kiro "
                  f"kms:Decrypt and kms:DescribeKey{baseline}", f"{SETUP_PLACEHOLDER} adds "
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
