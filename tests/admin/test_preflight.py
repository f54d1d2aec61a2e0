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
    assert "prompt logging" in guard["summary"]
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


def test_access_denied_is_a_check_error_and_every_other_check_still_runs(use) -> None:
    result = use(deny=frozenset({"sso-admin:DescribeInstance"}))("preflight")
    assert result.code == 10
    assert "ok   assignments" in result.stdout  # the identity store was still checked
    assert "ok   service-linked-roles" in result.stdout
    error = next(line for line in result.stdout.splitlines() if line.startswith("ERR"))
    assert "idc-encryption" in error
    assert "sso-admin DescribeInstance" in error
    assert f"account {SHARED_ACCOUNT}" in error
    assert "region ap-southeast-2" in error
    assert "access denied (IAM action sso:DescribeInstance)" in error
    assert "using ListInstances" in result.stdout
    assert result.stdout.splitlines()[-2] == "AWS denied these IAM actions: sso:DescribeInstance"


def test_every_denied_action_is_listed_in_one_run_and_json_errors_carry_the_checks(use) -> None:
    denied = frozenset({"iam:GetRole", "organizations:DescribeOrganization"})
    result = use(deny=denied)("preflight", "--json")
    assert result.code == 10
    assert result.json["error"]["code"] == "aws-access-denied"
    assert result.json["denied_actions"] == ["organizations:DescribeOrganization", "iam:GetRole"]
    checks = checks_of(result)
    assert checks["management-account"]["status"] == "error"
    assert checks["service-linked-roles"]["status"] == "error"
    assert checks["assignments"]["status"] == "pass"
    assert len(checks) == 9


def test_a_local_aws_without_describe_instance_still_names_the_management_account(use) -> None:
    run = use(caller="management", unimplemented=frozenset({"sso-admin:DescribeInstance"}))
    result = run("preflight", env={"AWS_MAX_ATTEMPTS": "1"})
    assert result.code == 10  # a definite failure wins over "unavailable"
    lines = result.stdout.splitlines()
    assert len([line for line in lines if line[:4] in ("ok  ", "warn", "FAIL", "ERR ")]) == 9
    guard = next(line for line in lines if "management-account" in line)
    assert guard.startswith("FAIL")
    assert f"account {MANAGEMENT_ACCOUNT} is the organisation's management account" in guard
    assert "prompt logging works only for users subscribed in a standalone or management" in guard
    assert "--allow-management-account" in result.stdout
    assert "not implemented by the endpoint (HTTP 500" in result.stdout


def test_an_unavailable_api_alone_is_exit_4_with_the_table(use) -> None:
    run = use(unimplemented=frozenset({"sso-admin:DescribeInstance"}))
    result = run("preflight", "--json", env={"AWS_MAX_ATTEMPTS": "1"})
    assert result.code == 4
    assert result.json["verdict"] == "unavailable"
    assert checks_of(result)["idc-encryption"]["status"] == "error"
    assert result.json["failed_calls"][0]["reason"].startswith("not implemented by the endpoint")


def test_configured_instance_and_store_are_used_when_discovery_is_denied(
    use, aws, tmp_path
) -> None:
    run = use(deny=frozenset({"sso-admin:DescribeInstance", "sso-admin:ListInstances"}))
    config = write_config(tmp_path, identity_center=(
        f'instance_arn = "{aws.instance_arn}"\nidentity_store_id = "{aws.identity_store_id}"\n'
    ))  # fmt: skip
    result = run("preflight", "--json", config=config)
    checks = checks_of(result)
    assert checks["idc-instance"]["status"] == "warn"
    assert "using identity_center.instance_arn and region" in checks["idc-instance"]["summary"]
    assert checks["assignments"]["status"] == "pass"
    assert result.json["denied_actions"] == ["sso:DescribeInstance", "sso:ListInstances"]


def test_a_role_under_the_service_path_with_another_name_is_not_the_role(use, aws) -> None:
    run = use(service_linked_roles=False)
    trust = '{"Version":"2012-10-17","Statement":[]}'
    aws.session().client("iam").create_role(
        RoleName="AWSServiceRoleForq", Path="/aws-service-role/q.amazonaws.com/",
        AssumeRolePolicyDocument=trust,
    )  # fmt: skip
    roles = checks_of(run("preflight", "--json"))["service-linked-roles"]
    assert roles["status"] == "fail"
    assert "AWSServiceRoleForAmazonQDeveloper" in roles["summary"]


def test_hints_never_suggest_a_command_this_run_would_refuse(use) -> None:
    result = use(caller="management", service_linked_roles=False)("preflight", "--json")
    remedy = checks_of(result)["service-linked-roles"]["remedy"]
    assert remedy.startswith("Once the failed checks (management-account) are fixed")
    assert "from the member account" in remedy


def test_offline_is_a_usage_error(use) -> None:
    assert use()("preflight", "--offline").code == 2
