"""Find the organisation's IAM Identity Center instance and how it is encrypted."""

from __future__ import annotations

from dataclasses import dataclass

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
    status: str
    key_type: str
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


def find_instance(clients: AwsClients, settings: Settings) -> IdcInstance:
    """The instance at identity_center.instance_arn, or the one discovered in the IDC region."""
    region = idc_region(settings)
    arn = settings.identity_center.instance_arn or _discover(clients, region)
    try:
        described = clients.call("sso-admin", "describe_instance", region, InstanceArn=arn)
    except AwsPreconditionError as error:
        if error.code != NOT_FOUND:
            raise
        raise AwsPreconditionError(
            f"IAM Identity Center instance {arn} is not visible from account "
            f"{clients.account_id} in {region}.",
            hint="Check identity_center.instance_arn and identity_center.region.",
        ) from error
    encryption = described.get("EncryptionConfigurationDetails") or {}
    return IdcInstance(
        instance_arn=str(described["InstanceArn"]),
        identity_store_id=str(described["IdentityStoreId"]),
        owner_account_id=str(described.get("OwnerAccountId", "")),
        region=str(described.get("PrimaryRegion") or region),
        status=str(described.get("Status", "")),
        key_type=str(encryption.get("KeyType") or AWS_OWNED_KEY),
        kms_key_arn=encryption.get("KmsKeyArn"),
    )


def _discover(clients: AwsClients, region: str) -> str:
    """The visible instance's ARN, preferring one the caller's own account does not own."""
    listed = [
        instance
        for page in clients.pages("sso-admin", "list_instances", region)
        for instance in page.get("Instances", [])
    ]
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
    return str(listed[0]["InstanceArn"])
