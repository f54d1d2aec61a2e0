"""The local AWS's accounts, instances, directory, roles and keys behave like AWS's."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from sandbox.aws import MANAGEMENT_ACCOUNT, SHARED_ACCOUNT, Person
from tests.sandbox_aws.conftest import IDC


def test_each_account_sees_its_own_identity_and_calls_are_counted(use) -> None:
    aws = use()
    for name, account in (("shared", SHARED_ACCOUNT), ("management", MANAGEMENT_ACCOUNT)):
        identity = aws.session(name).client("sts").get_caller_identity()
        assert identity["Account"] == account
        assert identity["Arn"] == f"arn:aws:iam::{account}:user/kiro-admin"
    sts = aws.assumed_session(aws.management_role_arn).client("sts")
    assert sts.get_caller_identity()["Arn"].endswith(":assumed-role/KiroKeyAdmin/kiro")
    assert aws.calls[("sts", "GetCallerIdentity")] == 3
    assert aws.calls[("sts", "AssumeRole")] == 1
    aws.reset_calls()
    assert not aws.calls


def test_member_sees_the_management_account_as_master(use) -> None:
    organization = use().session().client("organizations").describe_organization()
    assert organization["Organization"]["MasterAccountId"] == MANAGEMENT_ACCOUNT


def test_instance_listing_and_description_agree(use) -> None:
    aws = use()
    sso = aws.session().client("sso-admin", region_name=IDC)
    [instance] = sso.list_instances()["Instances"]
    assert instance["InstanceArn"] == aws.instance_arn
    assert instance["IdentityStoreId"] == aws.identity_store_id
    assert instance["OwnerAccountId"] == MANAGEMENT_ACCOUNT
    described = sso.describe_instance(InstanceArn=aws.instance_arn)
    assert described["Status"] == "ACTIVE"
    assert described["EncryptionConfigurationDetails"] == {
        "KeyType": "CUSTOMER_MANAGED_KEY",
        "KmsKeyArn": aws.kms_key_arn,
        "EncryptionStatus": "ENABLED",
    }
    elsewhere = aws.session().client("sso-admin", region_name="us-east-1")
    assert elsewhere.list_instances()["Instances"] == []


@pytest.mark.parametrize(("kind", "owners"), [("account", [SHARED_ACCOUNT]), ("none", [])])
def test_member_can_see_the_wrong_instance_or_none(use, kind: str, owners: list[str]) -> None:
    aws = use(instance_kind=kind, key_type="AWS_OWNED_KMS_KEY")
    member = aws.session().client("sso-admin", region_name=IDC).list_instances()["Instances"]
    assert [i["OwnerAccountId"] for i in member] == owners
    assert all(i["InstanceArn"] != aws.instance_arn for i in member)
    management = aws.session("management").client("sso-admin", region_name=IDC)
    [organization] = management.list_instances()["Instances"]
    described = management.describe_instance(InstanceArn=organization["InstanceArn"])
    assert described["EncryptionConfigurationDetails"]["KeyType"] == "AWS_OWNED_KMS_KEY"


def test_identity_store_reads_paginate_from_the_member(use) -> None:
    aws = use()
    store = aws.session().client("identitystore", region_name=IDC)
    pages = list(
        store.get_paginator("list_users").paginate(
            IdentityStoreId=aws.identity_store_id, PaginationConfig={"PageSize": 7}
        )
    )
    users = [user for page in pages for user in page["Users"]]
    assert len(pages) == 5
    assert len(users) == 30
    assert users[0]["Emails"][0]["Primary"] is True
    groups = store.list_groups(IdentityStoreId=aws.identity_store_id)["Groups"]
    assert sorted(g["DisplayName"] for g in groups) == ["group-01", "group-02", "group-03"]
    members = list(
        store.get_paginator("list_group_memberships").paginate(
            IdentityStoreId=aws.identity_store_id,
            GroupId=aws.directory.group_ids["group-01"],
            PaginationConfig={"PageSize": 4},
        )
    )
    assert sum(len(page["GroupMemberships"]) for page in members) == 10


def test_explicit_people_and_the_wrong_region_for_the_store(use) -> None:
    ada = Person("ada", "Ada Lovelace", "ada@example.com", groups=("kiro-devs",))
    aws = use(people=(ada, Person("bob", "Bob Byte", "bob@example.com")))
    store = aws.session().client("identitystore", region_name=IDC)
    user_id = store.get_user_id(
        IdentityStoreId=aws.identity_store_id,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": "ada"}
        },
    )["UserId"]
    assert user_id == aws.directory.user_ids["ada"]
    assert aws.directory.members == {"kiro-devs": ["ada"]}
    kiro_region = aws.session().client("identitystore", region_name="us-east-1")
    with pytest.raises(ClientError) as wrong_region:
        kiro_region.list_users(IdentityStoreId=aws.identity_store_id)
    assert wrong_region.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_service_linked_roles_have_their_real_names(use) -> None:
    iam = use().session().client("iam")
    roles = iam.list_roles(PathPrefix="/aws-service-role/q.amazonaws.com/")["Roles"]
    assert [r["RoleName"] for r in roles] == ["AWSServiceRoleForAmazonQDeveloper"]
    iam.get_role(RoleName="AWSServiceRoleForUserSubscriptions")
    iam = use(service_linked_roles=False).session().client("iam")
    with pytest.raises(ClientError) as missing:
        iam.get_role(RoleName="AWSServiceRoleForAmazonQDeveloper")
    assert missing.value.response["Error"]["Code"] == "NoSuchEntity"


@pytest.mark.parametrize("vendor", [False, True])
def test_key_policy_is_read_through_the_management_role(use, vendor: bool) -> None:
    aws = use(vendor_statement=vendor)
    with pytest.raises(ClientError):  # key policies are not readable cross-account
        aws.session().client("kms", region_name=IDC).get_key_policy(KeyId=aws.kms_key_arn)
    kms = aws.assumed_session(aws.management_role_arn).client("kms", region_name=IDC)
    policy = json.loads(kms.get_key_policy(KeyId=aws.kms_key_arn, PolicyName="default")["Policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:root"} in principals
    assert ({"Service": "q.amazonaws.com"} in principals) is vendor


def test_ten_thousand_users_seed_in_seconds(use) -> None:
    started = time.perf_counter()
    aws = use(users=10_000, groups=50)
    elapsed = time.perf_counter() - started
    print(f"seeded 10,000 users in 50 groups in {elapsed:.2f} s")  # speed is bench's business
    store = aws.session().client("identitystore", region_name=IDC)
    assert (
        len(store.list_users(IdentityStoreId=aws.identity_store_id, MaxResults=50)["Users"]) == 50
    )
    assert len(aws.directory.members["group-17"]) == 200


def test_big_lists_are_served_from_the_store_in_the_api_shape(use) -> None:
    aws = use()
    store = aws.session().client("identitystore", region_name=IDC)
    page = store.list_users(IdentityStoreId=aws.identity_store_id, MaxResults=100)
    assert len(page["Users"]) == 30
    assert "NextToken" not in page
    first = page["Users"][0]
    assert None not in first.values()  # AWS leaves unset attributes out; moto would send null
    assert first["Name"] == {"Formatted": "Test User 00001", "FamilyName": "User 00001",
                             "GivenName": "Test"}  # fmt: skip
    filtered = store.list_users(
        IdentityStoreId=aws.identity_store_id,
        Filters=[{"AttributePath": "UserName", "AttributeValue": "user00007"}],
    )
    assert [user["UserName"] for user in filtered["Users"]] == ["user00007"]
    with pytest.raises(ClientError) as too_big:
        store.list_users(IdentityStoreId=aws.identity_store_id, MaxResults=101)
    assert too_big.value.response["Error"]["Code"] == "ValidationException"
