"""Find the organisation's IAM Identity Center instance and how it is encrypted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiro_bootstrap.aws.errors import AwsCallError, AwsUnavailableError, CallFailure
from kiro_bootstrap.aws.session import AwsClients
from kiro_bootstrap.errors import AwsPreconditionError, ConfigError
from kiro_bootstrap.settings.model import Settings

AWS_OWNED_KEY = "AWS_OWNED_KMS_KEY"
CUSTOMER_MANAGED_KEY = "CUSTOMER_MANAGED_KEY"
NOT_FOUND = "ResourceNotFoundException"


@dataclass(frozen=True)
class IdcInstance:
    """One IAM Identity Center instance as ListInstances and DescribeInstance show it."""

    instance_arn: str
    identity_store_id: str
    owner_account_id: str
    region: str
    status: str  # "" when unknown (DescribeInstance and ListInstances failed)
    key_type: str  # "" when unknown (DescribeInstance failed)
    kms_key_arn: str | None


def idc_region(settings: Settings) -> str:
    """The IDC region from the settings; the admin side cannot guess it."""
    region = settings.identity_center.region
    if region is None:
        raise ConfigError(
            "identity_center.region is not set: the admin commands call IAM Identity Center there.",
            hint="Set [identity_center] region to the IDC region (not the Kiro profile region).",
        )
    return region


@dataclass(frozen=True)
class LocatedInstance:
    """The instance as far as it could be read, and what could not be."""

    instance: IdcInstance
    notes: tuple[str, ...] = ()  # warnings: configured values used in place of DescribeInstance
    describe_failure: CallFailure | None = None  # encryption (and maybe state) unknown
    list_failure: CallFailure | None = None  # the ListInstances fallback failed too


def find_instance(clients: AwsClients, settings: Settings) -> IdcInstance:
    """The instance at identity_center.instance_arn, or the one discovered in the IDC region."""
    located = locate_instance(clients, settings)
    if not located.instance.identity_store_id:
        raise AwsPreconditionError(
            f"The identity store of {located.instance.instance_arn} is unknown: "
            f"{located.describe_failure.api if located.describe_failure else 'DescribeInstance'} "
            "failed and no identity store id is configured.",
            hint="Set identity_center.identity_store_id (IAM Identity Center → Settings).",
        )
    return located.instance


def locate_instance(clients: AwsClients, settings: Settings) -> LocatedInstance:
    """DescribeInstance; when it fails, ListInstances' answer or the configured ids, with a note.

    Whether a member account may describe the organisation instance is not documented (FACTS §5),
    so with instance_arn and region configured, a refused DescribeInstance is not the end.
    """
    region = idc_region(settings)
    configured = settings.identity_center.instance_arn
    listed = None if configured else _discover(clients, region)
    arn = configured or str(listed["InstanceArn"] if listed else "")
    try:
        described = clients.call("sso-admin", "describe_instance", region, InstanceArn=arn)
    except (AwsCallError, AwsUnavailableError) as error:
        if error.code == NOT_FOUND:
            raise AwsPreconditionError(
                f"IAM Identity Center instance {arn} is not visible from account "
                f"{clients.account_id} in {region}.",
                hint="Check identity_center.instance_arn and identity_center.region.",
            ) from error
        return _without_describe(clients, settings, (region, arn), listed, error.failure)
    return LocatedInstance(_instance(described, region, settings))


def _without_describe(
    clients: AwsClients,
    settings: Settings,
    where: tuple[str, str],
    listed: dict[str, Any] | None,
    failure: CallFailure,
) -> LocatedInstance:
    """The instance (region, ARN) from ListInstances (tried when not yet) or the configuration."""
    region, arn = where
    list_failure = None
    if listed is None:
        try:
            listed = next((i for i in _list(clients, region) if i.get("InstanceArn") == arn), None)
        except (AwsCallError, AwsUnavailableError) as error:
            list_failure = error.failure
    source = "ListInstances" if listed else "identity_center.instance_arn and region"
    fallback = {"InstanceArn": arn, "IdentityStoreId": settings.identity_center.identity_store_id}
    note = f"{failure.api} failed ({failure.reason}); using {source}: the instance's encryption"
    note += " is unknown" if listed else ", state and owner are unknown"
    instance = _instance({**fallback, **(listed or {})}, region, settings, key_type="")
    return LocatedInstance(instance, (note,), failure, list_failure)


def _instance(
    described: dict[str, Any], region: str, settings: Settings, key_type: str | None = None
) -> IdcInstance:
    """An IdcInstance from DescribeInstance's (or ListInstances') answer."""
    encryption = described.get("EncryptionConfigurationDetails") or {}
    return IdcInstance(
        instance_arn=str(described["InstanceArn"]),
        identity_store_id=str(described.get("IdentityStoreId") or ""),
        owner_account_id=str(described.get("OwnerAccountId", "")),
        region=str(described.get("PrimaryRegion") or region),
        status=str(described.get("Status", "")),
        key_type=str(encryption.get("KeyType") or AWS_OWNED_KEY) if key_type is None else key_type,
        kms_key_arn=encryption.get("KmsKeyArn"),
    )


def _list(clients: AwsClients, region: str) -> list[dict[str, Any]]:
    """Every instance ListInstances shows in the region."""
    return [
        instance
        for page in clients.pages("sso-admin", "list_instances", region)
        for instance in page.get("Instances", [])
    ]


def _discover(clients: AwsClients, region: str) -> dict[str, Any]:
    """The visible instance, preferring one the caller's own account does not own."""
    listed = _list(clients, region)
    if not listed:
        raise AwsPreconditionError(
            f"No IAM Identity Center instance is visible from account {clients.account_id} "
            f"in {region}.",
            hint="Set identity_center.instance_arn to the organisation instance's ARN "
            "(IAM Identity Center console → Settings in the management account), and check "
            "identity_center.region.",
        )
    # An account instance in the caller's own account is the wrong one (preflight says so).
    listed.sort(key=lambda instance: instance.get("OwnerAccountId") == clients.account_id)
    return listed[0]
