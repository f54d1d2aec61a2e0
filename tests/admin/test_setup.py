"""`admin setup`: plan, apply, and a second run that changes nothing."""

from __future__ import annotations

import json

from sandbox.aws import MANAGEMENT_ACCOUNT, SHARED_ACCOUNT
from tests.admin.harness import IDC, write_config


def key_policy(aws) -> str:
    """The IDC key's policy text, read as the management account's key admin."""
    kms = aws.assumed_session(aws.management_role_arn).client("kms", region_name=IDC)
    return kms.get_key_policy(KeyId=aws.kms_key_arn, PolicyName="default")["Policy"]


def service_roles(aws) -> list[str]:
    """Role names under /aws-service-role/ in the shared services account."""
    roles = aws.session().client("iam").list_roles(PathPrefix="/aws-service-role/")["Roles"]
    return sorted(role["Path"] for role in roles)


def test_missing_roles_are_planned_then_created_then_nothing_changes(use, aws) -> None:
    run = use(service_linked_roles=False)
    plan = run("setup")
    assert plan.code == 0
    assert "Plan: 2 change(s)" in plan.stdout
    assert "create service-linked role AWSServiceRoleForAmazonQDeveloper" in plan.stdout
    assert "Run again with --apply" in plan.stdout
    assert service_roles(aws) == []
    applied = run("setup", "--apply", "--json")
    assert applied.code == 0
    assert applied.json["applied"] is True
    assert service_roles(aws) == [
        "/aws-service-role/q.amazonaws.com/",
        "/aws-service-role/user-subscriptions.amazonaws.com/",
    ]
    again = run("setup")
    assert again.code == 0
    assert "Nothing to change" in again.stdout
    assert aws.calls[("iam", "CreateServiceLinkedRole")] == 2


def test_kms_policy_is_patched_once_and_other_statements_stay_byte_identical(use, aws) -> None:
    run = use(key_type="CUSTOMER_MANAGED_KEY")
    before = json.loads(key_policy(aws))
    plan = run("setup", "--json")
    [change] = plan.json["changes"]
    assert change["id"] == "kms-key-policy"
    assert any('"Sid": "AllowKiroIDCAccess",' in line for line in change["diff"])
    assert json.loads(key_policy(aws)) == before  # the plan changed nothing
    assert run("setup", "--apply").code == 0
    assert run("setup", "--apply").code == 0
    after = json.loads(key_policy(aws))
    assert aws.calls[("kms", "PutKeyPolicy")] == 1
    old_statements = [json.dumps(s) for s in before["Statement"]]
    assert [json.dumps(s) for s in after["Statement"][:-1]] == old_statements
    added = after["Statement"][-1]
    assert added["Principal"] == {"Service": "q.amazonaws.com"}
    assert added["Condition"] == {"StringEquals": {"aws:SourceAccount": SHARED_ACCOUNT}}
    assert len(after["Statement"]) == len(before["Statement"]) + 1


def test_a_vendor_named_statement_already_present_adds_nothing(use, aws) -> None:
    run = use(key_type="CUSTOMER_MANAGED_KEY", vendor_statement=True)
    before = key_policy(aws)
    result = run("setup", "--apply")
    assert result.code == 0
    assert "Nothing to change" in result.stdout
    assert key_policy(aws) == before
    assert aws.calls[("kms", "PutKeyPolicy")] == 0


def test_an_unparseable_key_policy_is_refused(use, aws) -> None:
    run = use(key_type="CUSTOMER_MANAGED_KEY")
    kms = aws.assumed_session(aws.management_role_arn).client("kms", region_name=IDC)
    kms.put_key_policy(KeyId=aws.kms_key_arn, PolicyName="default", Policy="{not json")
    result = run("setup", "--apply", "--json")
    assert result.code == 10
    assert result.json["error"]["code"] == "unparseable-key-policy"
    assert "refusing to change it" in result.json["error"]["message"]
    assert key_policy(aws) == "{not json"


def test_the_checklist_names_account_console_instance_and_plans(use, aws) -> None:
    result = use()("setup", "--json")
    checklist = result.json["checklist"]
    assert checklist["account"] == SHARED_ACCOUNT
    assert checklist["console_url"].startswith("https://us-east-1.console.aws.amazon.com/")
    assert checklist["console_url_is_a_guess"] is True
    assert checklist["instance_arn"] == aws.instance_arn
    plans = {(row["type"], row["name"]): row["plan_id"] for row in checklist["subscriptions"]}
    assert plans == {
        ("GROUP", "group-01"): "Q_DEVELOPER_STANDALONE_PRO",
        ("USER", "user00002"): "Q_DEVELOPER_STANDALONE_POWER",
    }
    text = use()("setup").stdout
    assert f"Sign in to AWS account {SHARED_ACCOUNT}" in text
    assert f"not the management account {MANAGEMENT_ACCOUNT}" in text
    assert "group 'group-01' (4 members) → Pro" in text
    assert "URL is a guess" in text


def test_overlapping_plans_are_billed_the_highest(use, tmp_path) -> None:
    config = write_config(
        tmp_path, assignments=(("group", "group-03", "pro"), ("user", "user00002", "power"))
    )
    text = use()("setup", config=config).stdout
    assert "1 user(s) get several plans and are billed the highest" in text
    assert "user00002: Power" in text


def test_blocking_failures_stop_setup_before_planning(use, aws) -> None:
    result = use(instance_kind="account", service_linked_roles=False)("setup", "--apply")
    assert result.code == 10
    assert "Setup stops" in result.stdout
    assert aws.calls[("iam", "CreateServiceLinkedRole")] == 0


def test_apply_rechecks_and_prints_the_after_state(use) -> None:
    applied = use(service_linked_roles=False)("setup", "--apply")
    assert applied.code == 0
    lines = applied.stdout.splitlines()
    roles = next(line for line in lines if "service-linked-roles" in line)
    assert roles.startswith("ok")  # the table is the state after applying
    assert "Applied 2 change(s); the checks above were run again after." in applied.stdout
    assert "--apply` creates them" not in applied.stdout


def test_a_key_in_another_account_without_a_role_stays_pending(use, tmp_path) -> None:
    run = use(key_type="CUSTOMER_MANAGED_KEY")
    for argv in (("setup",), ("setup", "--apply")):
        result = run(*argv, "--json", config=write_config(tmp_path, role=False))
        [pending] = result.json["pending"]
        assert pending["id"] == "kms-key-policy"
        assert pending["who"] == f"an administrator of account {MANAGEMENT_ACCOUNT}"
    text = run("setup", "--apply", config=write_config(tmp_path, role=False)).stdout
    assert "Nothing to change" not in text
    assert f"Pending (an administrator of account {MANAGEMENT_ACCOUNT})" in text


def test_a_key_holding_only_the_idc_baseline_gets_kiros_statement_proposed(use, aws) -> None:
    run = use(key_type="CUSTOMER_MANAGED_KEY")
    baseline = {
        "Sid": "AllowManagedApps", "Effect": "Allow", "Principal": "*",
        "Action": ["kms:Decrypt"], "Resource": "*",
        "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"},
                      "StringEquals": {"aws:SourceOrgID": "o-abc123"},
                      "StringLike": {"kms:ViaService": ["sso.*.amazonaws.com",
                                                        "identitystore.*.amazonaws.com"]}},
    }  # fmt: skip
    only = json.dumps({"Version": "2012-10-17", "Statement": [baseline]})
    kms = aws.assumed_session(aws.management_role_arn).client("kms", region_name=IDC)
    kms.put_key_policy(KeyId=aws.kms_key_arn, PolicyName="default", Policy=only)
    aws.reset_calls()
    check = next(
        c for c in run("preflight", "--json").json["checks"] if c["id"] == "idc-encryption"
    )
    assert check["status"] == "fail"
    assert (
        "AllowManagedApps) is present: whether it covers Kiro is not documented" in check["summary"]
    )
    plan = run("setup", "--json")
    [change] = plan.json["changes"]
    assert change["id"] == "kms-key-policy"
    assert key_policy(aws) == only  # proposed, never applied without --apply
    assert aws.calls[("kms", "PutKeyPolicy")] == 0
