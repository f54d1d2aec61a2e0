"""The sso-admin answers moto lacks or gets wrong: DescribeInstance, and who sees which instance."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from sandbox.aws.scenario import (
    ACCOUNT_IDENTITY_STORE,
    ACCOUNT_INSTANCE_ARN,
    MANAGEMENT_ACCOUNT,
    ORGANIZATION_IDENTITY_STORE,
    ORGANIZATION_INSTANCE_ARN,
    SHARED_ACCOUNT,
    Scenario,
)
from sandbox.aws.wire import WireRequest, WireResponse, json_error, json_response

OPERATIONS = frozenset({"DescribeInstance", "ListInstances"})


@dataclass(frozen=True)
class IdcInstance:
    """One IAM Identity Center instance, as ListInstances and DescribeInstance show it."""

    arn: str
    identity_store_id: str
    owner_account_id: str
    region: str
    name: str
    created: float

    def to_json(self) -> dict[str, object]:
        """The InstanceMetadata shape of ListInstances."""
        return {
            "InstanceArn": self.arn,
            "IdentityStoreId": self.identity_store_id,
            "OwnerAccountId": self.owner_account_id,
            "Name": self.name,
            "CreatedDate": self.created,
            "Status": "ACTIVE",
            "PrimaryRegion": self.region,
            "Regions": [
                {
                    "RegionName": self.region,
                    "Status": "ACTIVE",
                    "AddedDate": self.created,
                    "IsPrimaryRegion": True,
                }
            ],
        }


def plan_instances(
    scenario: Scenario, created: float | None = None
) -> dict[str, list[IdcInstance]]:
    """Which instances each account's ListInstances shows in the IDC region."""
    stamp = time.time() if created is None else created
    organization = IdcInstance(
        ORGANIZATION_INSTANCE_ARN,
        ORGANIZATION_IDENTITY_STORE,
        MANAGEMENT_ACCOUNT,
        scenario.idc_region,
        "kiro-organization",
        stamp,
    )
    member_view: list[IdcInstance] = []
    if scenario.instance_kind == "organization":
        member_view = [organization]
    elif scenario.instance_kind == "account":
        # The "wrong instance" case: someone enabled an account instance in the member account.
        member_view = [
            IdcInstance(
                ACCOUNT_INSTANCE_ARN,
                ACCOUNT_IDENTITY_STORE,
                SHARED_ACCOUNT,
                scenario.idc_region,
                "shared-services-account-instance",
                stamp,
            )
        ]
    return {MANAGEMENT_ACCOUNT: [organization], SHARED_ACCOUNT: member_view}


class SsoAdminFake:
    """Answer DescribeInstance and ListInstances from the scenario."""

    def __init__(self, instances: dict[str, list[IdcInstance]], kms_key_arn: str | None) -> None:
        """Remember what each account sees and which key encrypts the organisation instance."""
        self._instances = instances
        self._kms_key_arn = kms_key_arn

    def handle(
        self, request: WireRequest, operation: str, account_id: str, region: str
    ) -> WireResponse:
        """Answer one of OPERATIONS for a caller in an account and region."""
        visible = [i for i in self._instances.get(account_id, []) if i.region == region]
        if operation == "ListInstances":
            return json_response({"Instances": [i.to_json() for i in visible]})
        try:
            wanted = json.loads(request.body or b"{}").get("InstanceArn")
        except (ValueError, AttributeError):
            wanted = None
        instance = next((i for i in visible if i.arn == wanted), None)
        if instance is None:
            return json_error(
                400,
                "ResourceNotFoundException",
                f"Instance {wanted} does not exist in {region} for account {account_id}.",
            )
        return json_response(
            {**instance.to_json(), "EncryptionConfigurationDetails": self._encryption(instance)}
        )

    def check_store_region(self, request: WireRequest, region: str) -> WireResponse | None:
        """Refuse one of our identity stores called in another region (moto would answer empty).

        Calling the Kiro region instead of the IDC region is a common mistake (FACTS §2); the
        exact AWS error is not documented, so this one is our choice.
        """
        try:
            store_id = json.loads(request.body or b"{}").get("IdentityStoreId")
        except (ValueError, AttributeError):
            return None
        homes = {i.identity_store_id: i.region for v in self._instances.values() for i in v}
        home = homes.get(store_id)
        if home is None or home == region:
            return None
        return json_error(
            400,
            "ResourceNotFoundException",
            f"Identity store {store_id} does not exist in {region}; it lives in {home}.",
        )

    def _encryption(self, instance: IdcInstance) -> dict[str, str]:
        """The scenario's key for the organisation instance; AWS-owned for any other."""
        if instance.arn == ORGANIZATION_INSTANCE_ARN and self._kms_key_arn is not None:
            return {
                "KeyType": "CUSTOMER_MANAGED_KEY",
                "KmsKeyArn": self._kms_key_arn,
                "EncryptionStatus": "ENABLED",
            }
        return {"KeyType": "AWS_OWNED_KMS_KEY", "EncryptionStatus": "ENABLED"}
