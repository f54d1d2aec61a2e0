"""`admin preflight`: each trap of the console walk-through, found before anything changes."""

from __future__ import annotations

from sandbox.aws import MANAGEMENT_ACCOUNT, SHARED_ACCOUNT
from tests.admin.harness import write_config


def checks_of(result) -> dict[str, dict]:
    """The JSON checks by id."""
    return {check["id"]: check for check in result.json["checks"]}


def test_a_healthy_organisation_is_ready(use) -> None:
    result = use()("preflight", "--json")
    assert result.code == 0, result.stdout
    checks = checks_of(result)
    assert {c["status"] for c in checks.values()} == {"pass"}
    assert set(checks) == {
        "caller", "management-account", "profile-region", "idc-instance", "idc-region",
        "identity-store", "assignments", "service-linked-roles", "idc-encryption",
    }  # fmt: skip
    assert "2 assignment(s) resolve to 5 user(s)" in checks["assignments"]["summary"]
    assert result.json["account"] == SHARED_ACCOUNT


def test_management_account_is_refused_unless_allowed(use) -> None:
    run = use(caller="management")
    refused = run("preflight", "--json")
    assert refused.code == 10
    guard = checks_of(refused)["management-account"]
    assert guard["status"] == "fail"
    assert "anti-pattern" in guard["summary"]
    assert "member account" in guard["remedy"]
    allowed = run("preflight", "--json", "--allow-management-account")
    assert checks_of(allowed)["management-account"]["status"] == "warn"
    assert allowed.json["account"] == MANAGEMENT_ACCOUNT


def test_wrong_profile_region_is_a_config_error_before_any_aws_call(use, aws) -> None:
    run = use()
    result = run("preflight", env={"KIRO_BOOTSTRAP_KIRO__PROFILE_REGION": "ap-southeast-2"})
    assert result.code == 2
    assert "not a Kiro console region" in result.stderr
    assert not aws.calls


def test_opt_in_idc_region_is_explained(use, tmp_path) -> None:
    run = use(idc_region="ap-east-1")
    result = run("preflight", "--json", config=write_config(tmp_path, region="ap-east-1"))
    assert result.code == 10
    region = checks_of(result)["idc-region"]
    assert region["status"] == "fail"
    assert "opt-in region" in region["summary"]
    assert "cannot be subscribed" in region["summary"]


def test_an_account_instance_is_the_wrong_one(use) -> None:
    result = use(instance_kind="account")("preflight", "--json")
    assert result.code == 10
    instance = checks_of(result)["idc-instance"]
    assert instance["status"] == "fail"
    assert f"account instance owned by {SHARED_ACCOUNT}" in instance["summary"]
    assert "organisation instance" in instance["remedy"]


def test_no_visible_instance_fails_and_skips_what_needs_it(use) -> None:
    result = use(instance_kind="none")("preflight", "--json")
    assert result.code == 10
    checks = checks_of(result)
    assert checks["idc-instance"]["status"] == "fail"
    assert "identity_center.instance_arn" in checks["idc-instance"]["remedy"]
    assert checks["assignments"]["status"] == "warn"


def test_missing_roles_and_unresolved_names_fail(use, tmp_path) -> None:
    run = use(service_linked_roles=False)
    config = write_config(
        tmp_path, assignments=(("group", "no-such-group", "pro"), ("user", "nobody", "pro"))
    )
    result = run("preflight", "--json", config=config)
    assert result.code == 10
    checks = checks_of(result)
    assert "AWSServiceRoleForAmazonQDeveloper" in checks["service-linked-roles"]["summary"]
    assert "group 'no-such-group'" in checks["assignments"]["summary"]
    assert "user 'nobody'" in checks["assignments"]["summary"]


def test_customer_managed_key_without_role_warns_with_the_statement(use, tmp_path) -> None:
    run = use(key_type="CUSTOMER_MANAGED_KEY")
    result = run("preflight", config=write_config(tmp_path, role=False))
    assert result.code == 0
    assert "warn idc-encryption" in result.stdout
    assert f"administrator of account {MANAGEMENT_ACCOUNT}" in result.stdout
    assert '"Sid": "AllowKiroIDCAccess"' in result.stdout
    assert f'"aws:SourceAccount": "{SHARED_ACCOUNT}"' in result.stdout


def test_customer_managed_key_is_read_through_the_management_role(use) -> None:
    missing = use(key_type="CUSTOMER_MANAGED_KEY")("preflight", "--json")
    assert missing.code == 10
    assert "does not grant Kiro" in checks_of(missing)["idc-encryption"]["summary"]
    vendor = use(key_type="CUSTOMER_MANAGED_KEY", vendor_statement=True)("preflight", "--json")
    assert vendor.code == 0
    assert checks_of(vendor)["idc-encryption"]["status"] == "pass"


def test_access_denied_names_api_account_region_and_action(use) -> None:
    result = use(deny=frozenset({"sso-admin:DescribeInstance"}))("preflight")
    assert result.code == 10
    assert "sso-admin DescribeInstance" in result.stderr
    assert f"account {SHARED_ACCOUNT}" in result.stderr
    assert "region ap-southeast-2" in result.stderr
    assert "IAM action sso:DescribeInstance" in result.stderr


def test_denied_action_is_named_for_query_protocol_services_too(use) -> None:
    result = use(deny=frozenset({"iam:ListRoles"}))("preflight", "--json")
    assert result.code == 10
    assert result.json["error"]["code"] == "aws-access-denied"
    assert "iam:ListRoles" in result.json["error"]["message"]


def test_offline_is_a_usage_error(use) -> None:
    assert use()("preflight", "--offline").code == 2
