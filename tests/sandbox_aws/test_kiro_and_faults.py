"""The local AWS's Kiro endpoints, faults and process modes: what the admin side will meet."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from sandbox.aws import MANAGEMENT_ACCOUNT, SHARED_ACCOUNT
from tests.sandbox_aws.conftest import HEALTHY, IDC
from tests.sandbox_aws.kiro_client import kiro_call, subscribed

NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1})


def test_kiro_endpoints_accept_signed_requests_and_keep_state(use) -> None:
    aws = use()
    profiles = functools.partial(kiro_call, aws, service="codewhisperer")
    assign = functools.partial(kiro_call, aws, service="q")
    source = {"ssoIdentitySource": {"instanceArn": aws.instance_arn, "ssoRegion": IDC}}
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
    assert subscriptions[member]["type"] == {"amazonQ": "Q_DEVELOPER_STANDALONE_POWER"}
    assert subscriptions[member]["status"] == "ACTIVE"
    assert subscribed(aws, page_size=100, region="us-east-1") == {}  # the Kiro region: nothing
    assert assign("AmazonQDeveloperService.DeleteAssignment", user).status_code == 200
    assert subscribed(aws, page_size=100)[member]["activatedType"]["amazonQ"].endswith("_PRO")
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
    source = {"ssoIdentitySource": {"instanceArn": aws.instance_arn, "ssoRegion": IDC}}
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
        exports = [process.stdout.readline() for _ in range(5)]
        ready = process.stdout.readline()
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
