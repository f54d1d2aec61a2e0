"""Seed accounts, the organisation, IAM roles and the IDC key.

Small public things go through boto3 and the front (public API, robust across moto versions);
what the public API cannot express (fixed access keys, a chosen member account id) goes straight
into moto's in-process backends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3

from sandbox.aws.scenario import (
    CREDENTIALS,
    KEY_ADMIN_ROLE,
    MANAGEMENT_ACCOUNT,
    Q_ROLE,
    SHARED_ACCOUNT,
    SUBSCRIPTIONS_ROLE,
    VENDOR_STATEMENT_SID,
    AccountName,
    Scenario,
)

SessionFor = Callable[[AccountName], boto3.Session]


def install_test_users() -> None:
    """Give each account an IAM user that owns the fixed test access key."""
    from moto.backends import get_backend

    iam_backends = get_backend("iam")
    for credentials in CREDENTIALS.values():
        iam = iam_backends[credentials.account_id]["global"]
        iam.create_user(region_name="us-east-1", user_name=credentials.user_name)
        key = iam.create_access_key(credentials.user_name)
        # moto invents key ids; swap in ours so moto itself maps the key to the right account.
        del iam.access_keys[key.access_key_id]
        key.access_key_id = credentials.access_key_id
        key.secret_access_key = credentials.secret_access_key
        iam.access_keys[key.access_key_id] = key


def teach_service_role_names() -> None:
    """Make moto's CreateServiceLinkedRole give the real role names (FACTS §3, §4).

    moto derives the name from the service ("AWSServiceRoleForq"); its own name table is the one
    place to say otherwise, so `admin setup --apply` creates what real IAM would.
    """
    from moto.iam.models import SERVICE_NAME_CONVERSION

    for role_name, service in (Q_ROLE, SUBSCRIPTIONS_ROLE):
        SERVICE_NAME_CONVERSION[service.split(".")[0]] = role_name.removeprefix("AWSServiceRoleFor")


def create_organization() -> None:
    """Management account creates the organisation; shared services joins it with its fixed id."""
    from moto.organizations.models import organizations_backends as organizations

    # moto's reset forgets organisations but not this member -> management map: clear it here.
    organizations.master_accounts.clear()
    management = organizations[MANAGEMENT_ACCOUNT]["global"]
    management.create_organization(region="us-east-1", FeatureSet="ALL")
    status = management.create_account(
        AccountName="shared-services", Email="aws-shared-services@example.com"
    )
    invented_id = status["CreateAccountStatus"]["AccountId"]
    member = next(account for account in management.accounts if account.id == invented_id)
    # moto's create_organization renames its own master account the same way.
    member.id = SHARED_ACCOUNT
    member.joined_method = "INVITED"
    organizations.master_accounts.pop(invented_id, None)
    organizations.master_accounts[SHARED_ACCOUNT] = (MANAGEMENT_ACCOUNT, "aws")


def create_roles(scenario: Scenario, session_for: SessionFor) -> str:
    """Seed the service-linked roles (knob) and the management key-admin role; return its ARN."""
    if scenario.service_linked_roles:
        caller_iam = session_for(scenario.caller).client("iam")
        for role_name, service in (Q_ROLE, SUBSCRIPTIONS_ROLE):
            # The real names and paths, which moto's create_service_linked_role would not give.
            caller_iam.create_role(
                RoleName=role_name,
                Path=f"/aws-service-role/{service}/",
                AssumeRolePolicyDocument=_trust({"Service": service}),
                Description=f"Service-linked role for {service}",
            )
    management_iam = session_for("management").client("iam")
    role = management_iam.create_role(
        RoleName=KEY_ADMIN_ROLE,
        AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{SHARED_ACCOUNT}:root"}),
        Description="Lets the shared services account read and patch the IDC key policy",
    )
    management_iam.put_role_policy(
        RoleName=KEY_ADMIN_ROLE,
        PolicyName="kiro-key-policy-admin",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy"],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    return str(role["Role"]["Arn"])


def create_idc_key(scenario: Scenario, session_for: SessionFor) -> str | None:
    """Create the customer managed IDC key in the management account, when the scenario has one."""
    if scenario.key_type != "CUSTOMER_MANAGED_KEY":
        return None
    kms = session_for("management").client("kms", region_name=scenario.idc_region)
    key = kms.create_key(
        Policy=json.dumps(key_policy(scenario.vendor_statement)),
        Description="IAM Identity Center encryption key",
        KeyUsage="ENCRYPT_DECRYPT",
        KeySpec="SYMMETRIC_DEFAULT",
    )
    return str(key["KeyMetadata"]["Arn"])


def key_policy(vendor_statement: bool) -> dict[str, Any]:
    """A default key policy as IDC's setup guide shapes it, optionally with Kiro's statement."""
    source_account = {"StringEquals": {"aws:SourceAccount": MANAGEMENT_ACCOUNT}}
    idc_actions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKeyWithoutPlaintext"]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "AllowIAMIdentityCenterToUseTheKey",
            "Effect": "Allow",
            "Principal": {"Service": "sso.amazonaws.com"},
            "Action": idc_actions,
            "Resource": "*",
            "Condition": source_account,
        },
        {
            "Sid": "AllowIdentityStoreToUseTheKey",
            "Effect": "Allow",
            "Principal": {"Service": "identitystore.amazonaws.com"},
            "Action": idc_actions,
            "Resource": "*",
            "Condition": source_account,
        },
    ]
    if vendor_statement:
        statements.append(
            {
                "Sid": VENDOR_STATEMENT_SID,
                "Effect": "Allow",
                "Principal": {"Service": "q.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": "*",
            }
        )
    return {"Version": "2012-10-17", "Id": "key-idc-default", "Statement": statements}


def _trust(principal: dict[str, str]) -> str:
    """A trust policy letting one principal assume the role."""
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
