"""The local AWS behaves like the AWS the admin side will meet, on loopback only."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, ReadTimeoutError

from sandbox.aws import CREDENTIALS, MANAGEMENT_ACCOUNT, SHARED_ACCOUNT, LocalAws, Person, Scenario

IDC = "ap-southeast-2"
HEALTHY = Scenario(key_type="CUSTOMER_MANAGED_KEY", users=30, groups=3)
NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1})


@pytest.fixture(scope="module")
def server() -> Iterator[LocalAws]:
    """One running LocalAws for the module; each test re-seeds the scenario it needs."""
    with LocalAws(HEALTHY) as aws:
        yield aws


@pytest.fixture
def use(server: LocalAws) -> Callable[..., LocalAws]:
    """Reset the shared LocalAws to a scenario (HEALTHY with overrides)."""

    def apply(**overrides: object) -> LocalAws:
        server.reset(dataclasses.replace(HEALTHY, **overrides))
        return server

    return apply


def kiro_call(
    aws: LocalAws,
    target: str,
    body: dict[str, object],
    *,
    service: str,
    region: str = "us-east-1",
    tamper: Callable[[bytes], bytes] | None = None,
    content_type: str = "application/x-amz-json-1.0",
) -> httpx.Response:
    """Sign a Kiro control-plane request with botocore's SigV4 and send it with httpx."""
    shared = CREDENTIALS["shared"]
    data = json.dumps(body).encode()
    request = AWSRequest(
        method="POST",
        url=f"{aws.endpoint_url}/",
        data=data,
        headers={"Content-Type": content_type, "X-Amz-Target": target},
    )
    SigV4Auth(
        Credentials(shared.access_key_id, shared.secret_access_key), service, region
    ).add_auth(request)
    sent = tamper(data) if tamper else data
    return httpx.post(f"{aws.endpoint_url}/", content=sent, headers=dict(request.headers.items()))


def subscribed(aws: LocalAws, page_size: int) -> dict[str, dict[str, object]]:
    """Every ListUserSubscriptions page, by user name."""
    query: dict[str, object] = {
        "instanceArn": aws.instance_arn,
        "subscriptionRegion": "us-east-1",
        "maxResults": page_size,
    }
    rows: dict[str, dict[str, object]] = {}
    while True:
        page = kiro_call(
            aws,
            "AWSZornControlPlaneService.ListUserSubscriptions",
            query,
            service="user-subscriptions",
        ).json()
        rows |= {row["userName"]: row for row in page["subscriptions"]}
        if "nextToken" not in page:
            return rows
        query["nextToken"] = page["nextToken"]


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


def test_kiro_endpoints_accept_signed_requests_and_keep_state(use) -> None:
    aws = use()
    profiles = functools.partial(kiro_call, aws, service="codewhisperer")
    assign = functools.partial(kiro_call, aws, service="q")
    source = {"ssoIdentitySource": {"instanceArn": aws.instance_arn}}
    create = profiles(
        "AWSCodeWhispererService.CreateProfile", {"profileName": "kiro", "identitySource": source}
    )
    assert create.status_code == 200, create.text
    profile_arn = create.json()["profileArn"]
    assert profile_arn.startswith(f"arn:aws:codewhisperer:us-east-1:{SHARED_ACCOUNT}:profile/")
    listed = profiles("AWSCodeWhispererService.ListProfiles", {}).json()["profiles"]
    assert [p["arn"] for p in listed] == [profile_arn]
    again = profiles("AWSCodeWhispererService.CreateProfile", json.loads(create.request.content))
    assert again.json()["__type"] == "ConflictException"

    group = {"principalId": aws.directory.group_ids["group-02"], "principalType": "GROUP"}
    pro = {**group, "subscriptionType": "Q_DEVELOPER_STANDALONE_PRO"}
    assert assign("AmazonQDeveloperService.CreateAssignment", pro).json() == {}
    duplicate = assign("AmazonQDeveloperService.CreateAssignment", pro)
    assert (duplicate.status_code, duplicate.json()["__type"]) == (409, "ConflictException")
    member = aws.directory.members["group-02"][0]
    user = {"principalId": aws.directory.user_ids[member], "principalType": "USER"}
    plus = {**user, "subscriptionType": "Q_DEVELOPER_STANDALONE_PRO_PLUS"}
    assign("AmazonQDeveloperService.CreateAssignment", plus)
    power = {**user, "subscriptionType": "Q_DEVELOPER_STANDALONE_POWER"}
    assert assign("AmazonQDeveloperService.UpdateAssignment", power).status_code == 200

    subscriptions = subscribed(aws, page_size=6)
    assert sorted(subscriptions) == sorted(aws.directory.members["group-02"])
    assert subscriptions[member]["subscriptionType"] == "Q_DEVELOPER_STANDALONE_POWER"
    assert len(subscriptions[member]["assignedVia"]) == 2
    assert assign("AmazonQDeveloperService.DeleteAssignment", user).status_code == 200
    assert subscribed(aws, page_size=100)[member]["subscriptionType"].endswith("_PRO")
    assert len(aws.kiro_state.assignments) == 1
    assert aws.calls[("q", "CreateAssignment")] == 3


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"service": "codewhisperer"}, "InvalidSignatureException", "correct service: 'q'"),
        ({"region": IDC}, "InvalidSignatureException", "valid region"),
        ({"tamper": lambda b: b.replace(b"USER", b"GROUP")}, "InvalidSignatureException", "match"),
        ({"target": "AmazonQDeveloperService.CreateAssignments"}, "UnknownOperationException", ""),
        ({"content_type": "application/json"}, "ValidationException", "Content-Type"),
        ({"body": {"principalId": "x", "principalType": "ROLE"}}, "ValidationException", "null"),
    ],
)
def test_kiro_endpoints_reject_what_aws_would(use, change: dict, code: str, words: str) -> None:
    aws = use()
    call = {"service": "q", **change}
    target = call.pop("target", "AmazonQDeveloperService.CreateAssignment")
    body = call.pop("body", {"principalId": "u", "principalType": "USER", "subscriptionType": "X"})
    response = kiro_call(aws, target, body, **call)
    assert 400 <= response.status_code < 500
    assert response.json()["__type"] == code
    assert words in response.json()["message"]


def test_users_of_an_opt_in_idc_region_cannot_be_subscribed(use) -> None:
    aws = use(idc_region="ap-east-1")
    sso = aws.session().client("sso-admin", region_name="ap-east-1")
    assert sso.list_instances()["Instances"][0]["PrimaryRegion"] == "ap-east-1"
    source = {"ssoIdentitySource": {"instanceArn": aws.instance_arn}}
    profile = {"profileName": "kiro", "identitySource": source}
    kiro_call(aws, "AWSCodeWhispererService.CreateProfile", profile, service="codewhisperer")
    group = aws.directory.group_ids["group-01"]
    body = {
        "principalId": group,
        "principalType": "GROUP",
        "subscriptionType": "Q_DEVELOPER_STANDALONE_PRO",
    }
    refused = kiro_call(aws, "AmazonQDeveloperService.CreateAssignment", body, service="q")
    assert refused.json()["__type"] == "ValidationException"
    assert "opt-in" in refused.json()["message"]


def test_ten_thousand_users_seed_in_seconds(use) -> None:
    started = time.perf_counter()
    aws = use(users=10_000, groups=50)
    elapsed = time.perf_counter() - started
    print(f"seeded 10,000 users in 50 groups in {elapsed:.2f} s")
    assert elapsed < 10
    store = aws.session().client("identitystore", region_name=IDC)
    assert (
        len(store.list_users(IdentityStoreId=aws.identity_store_id, MaxResults=50)["Users"]) == 50
    )
    assert len(aws.directory.members["group-17"]) == 200


def test_denied_operations_answer_in_their_protocols_shape(use) -> None:
    denied = {
        "iam:GetRole",
        "q:CreateAssignment",
        "sso-admin:DescribeInstance",
        "organizations:DescribeOrganization",
    }
    aws = use(deny=frozenset(denied))
    session = aws.session()
    sso = session.client("sso-admin", region_name=IDC)
    calls = [
        (lambda: session.client("iam").get_role(RoleName="x"), "AccessDenied", 403, "iam:GetRole"),
        (
            lambda: sso.describe_instance(InstanceArn=aws.instance_arn),
            "AccessDeniedException",
            400,
            "perform: sso:DescribeInstance because no identity-based policy allows",
        ),
        (
            lambda: session.client("organizations").describe_organization(),
            "AccessDeniedException",
            400,
            "You don't have permissions to access this resource.",
        ),
    ]
    for call, code, status, words in calls:
        with pytest.raises(ClientError) as denied_error:
            call()
        error = denied_error.value.response
        assert error["Error"]["Code"] == code
        assert error["ResponseMetadata"]["HTTPStatusCode"] == status
        assert words in error["Error"]["Message"]
    denied_kiro = kiro_call(
        aws,
        "AmazonQDeveloperService.CreateAssignment",
        {"principalId": "u", "principalType": "USER", "subscriptionType": "X"},
        service="q",
    )
    assert denied_kiro.json()["__type"] == "AccessDeniedException"
    assert "is not authorized to perform: q:CreateAssignment" in denied_kiro.json()["message"]


def test_throttling_has_each_protocols_code_and_is_retried(use) -> None:
    aws = use(throttle={"sts:GetCallerIdentity": 2, "identitystore:ListUsers": 1})
    with pytest.raises(ClientError) as json_throttled:
        aws.session().client("identitystore", region_name=IDC, config=NO_RETRY).list_users(
            IdentityStoreId=aws.identity_store_id
        )
    assert json_throttled.value.response["Error"]["Code"] == "ThrottlingException"
    with pytest.raises(ClientError) as query_throttled:
        aws.session().client("sts", config=NO_RETRY).get_caller_identity()
    assert query_throttled.value.response["Error"]["Code"] == "Throttling"
    retried = aws.session().client("sts").get_caller_identity()
    assert retried["ResponseMetadata"]["RetryAttempts"] == 1
    assert aws.calls[("sts", "GetCallerIdentity")] == 3


def test_env_drives_a_cli_subprocess(use, tmp_path) -> None:
    aws = use()
    script = "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])"
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        **aws.env("management"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == MANAGEMENT_ACCOUNT


def test_module_runs_as_its_own_process() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.aws", "--users", "5"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        exports = [process.stdout.readline() for _ in range(5)]
        assert ready.startswith("READY http://127.0.0.1:")
        assert f"export AWS_ENDPOINT_URL={ready.split()[1]}\n" in exports
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_a_stall_times_clients_out_and_ends_on_shutdown(use) -> None:
    aws = use(stall={"sts:GetCallerIdentity": 60})
    quick = Config(
        read_timeout=0.5, connect_timeout=1, retries={"mode": "standard", "total_max_attempts": 1}
    )
    with pytest.raises(ReadTimeoutError):
        aws.session().client("sts", config=quick).get_caller_identity()
    patient = aws.session().client(
        "sts", config=Config(read_timeout=30, retries={"total_max_attempts": 1})
    )
    outcome: list[object] = []
    waiter = threading.Thread(target=lambda: outcome.append(_attempt(patient.get_caller_identity)))
    waiter.start()
    while aws.calls[("sts", "GetCallerIdentity")] < 2:  # counted before the stall starts
        time.sleep(0.01)
    started = time.perf_counter()
    aws.close()
    waiter.join(timeout=10)
    assert time.perf_counter() - started < 5
    assert outcome
    assert not waiter.is_alive()
    aws.start()  # leave the module's server running for any later test
    aws.reset(HEALTHY)


def _attempt(call: Callable[[], object]) -> object:
    """Run a call, returning its result or the exception it raised."""
    try:
        return call()
    except Exception as error:  # noqa: BLE001 - the test only needs to see that it ended
        return error
