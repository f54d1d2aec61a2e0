"""`admin export` and `admin iam-policy`: the AWS side as code, and exactly the permissions used.

No terraform binary is reachable here (no network beyond package registries): the Terraform
module is checked with an HCL parser (python-hcl2), the CloudFormation template with cfn-lint.
"""

from __future__ import annotations

import json
from pathlib import Path

import hcl2
import pytest

from kiro_bootstrap.admin.iam_policy import command_policy
from sandbox.aws import SHARED_ACCOUNT
from tests.admin.harness import ROLE, write_config

DEST = "s3://kiro-roster/kiro/roster.json"


def lint_cloudformation(text: str) -> list[str]:
    """cfn-lint's errors and warnings for the template in the Kiro console regions."""
    from cfnlint.api import ManualArgs, lint

    matches = lint(text, config=ManualArgs(regions=["us-east-1", "eu-central-1"]))
    return [str(match) for match in matches if match.rule.id[0] in "EW"]


def test_the_cloudformation_export_passes_cfn_lint_and_keeps_the_bucket_private(
    cli, tmp_path
) -> None:
    out = tmp_path / "kiro.json"
    result = cli("admin", "export", "--format", "cloudformation", "--output", str(out),
                 "--account", SHARED_ACCOUNT)  # fmt: skip
    assert result.code == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o644
    assert lint_cloudformation(out.read_text()) == []
    template = json.loads(out.read_text())
    resources = template["Resources"]
    roles = {r["Properties"]["AWSServiceName"] for r in resources.values()
             if r["Type"] == "AWS::IAM::ServiceLinkedRole"}  # fmt: skip
    assert roles == {"q.amazonaws.com", "user-subscriptions.amazonaws.com"}
    bucket = resources["RosterBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    policy = resources["RosterBucketPolicy"]["Properties"]["PolicyDocument"]
    sids = {statement["Sid"] for statement in policy["Statement"]}
    assert sids == {
        "PublisherWritesTheRoster", "CloudFrontReadsTheRoster", "DenyInsecureTransport"
    }  # fmt: skip
    assert "RosterOriginAccessControl" in resources
    snippet = template["Metadata"]["KiroKeyPolicyStatement"]
    assert "key's own policy" in snippet["Description"]
    assert snippet["Statement"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": SHARED_ACCOUNT}
    }
    assert "kms" not in json.dumps(resources).lower()  # never a second owner of the key policy


def test_a_broken_template_is_caught_by_the_linter() -> None:
    from kiro_bootstrap.admin.export_cloudformation import cloudformation_template

    text = cloudformation_template({"Sid": "x"}).replace('"AES256"', '"AES255"')
    assert any("AES255" in problem for problem in lint_cloudformation(text))


def test_the_terraform_export_is_a_module_merging_kiros_key_statement(cli, tmp_path) -> None:
    out = tmp_path / "main.tf"
    result = cli("admin", "export", "--format", "terraform", "--output", str(out))
    assert result.code == 0, result.stderr
    assert "no aws:SourceAccount condition" in result.stderr
    module = hcl2.loads(out.read_text())
    kinds = [kind.strip('"') for block in module["resource"] for kind in block]
    for wanted in ("aws_iam_service_linked_role", "aws_s3_bucket_versioning",
                   "aws_s3_bucket_public_access_block", "aws_cloudfront_distribution",
                   "aws_cloudfront_origin_access_control", "aws_s3_bucket_policy"):  # fmt: skip
        assert wanted in kinds
    key = next(b['"aws_iam_policy_document"']['"key"'] for b in module["data"]
               if '"key"' in b.get('"aws_iam_policy_document"', {}))  # fmt: skip
    assert key["source_policy_documents"] == "${var.existing_key_policy_documents}"
    [statement] = key["statement"]
    assert statement["actions"] == ['"kms:Decrypt"', '"kms:DescribeKey"']
    outputs = {name.strip('"') for block in module["output"] for name in block}
    assert {"key_policy_json", "roster_url", "publish_destination"} <= outputs


def test_iam_policy_prints_both_documents(cli, tmp_path) -> None:
    config = write_config(tmp_path)
    result = cli("admin", "iam-policy", "setup", "--json", "--config", str(config))
    assert result.code == 0
    actions = {a for s in result.json["policy"]["Statement"] for a in s["Action"]}
    assert "iam:CreateServiceLinkedRole" in actions
    assert "kms:PutKeyPolicy" not in actions  # the management role's, not the caller's
    role = result.json["management_role_policy"]["Statement"]
    assert {a for s in role for a in s["Action"]} == {"kms:GetKeyPolicy", "kms:PutKeyPolicy"}
    assert cli("admin", "iam-policy", "publish").code == 2  # needs --dest


def recorded(aws) -> tuple[set[str], set[str]]:
    """Actions the caller and the management role asked for since the last reset."""
    caller, role = set(), set()
    for (arn, action), _ in aws.actions.items():
        (role if ":assumed-role/" in arn else caller).add(action)
    return caller, role


@pytest.fixture
def key_file(cli, tmp_path) -> Path:
    path = tmp_path / "signing.pem"
    assert cli("admin", "roster", "keygen", "--key-file", str(path)).code == 0
    return path


def test_each_policy_is_exactly_the_calls_its_command_makes(use, aws, tmp_path, key_file) -> None:
    seen: dict[str, tuple[set[str], set[str]]] = {}

    def run(command: str, *argv: str, **scenario: object) -> None:
        config = scenario.pop("config", None)
        runner = use(**scenario)
        if command == "publish":
            aws.session().client("s3", region_name="us-east-1").create_bucket(Bucket="kiro-roster")
            aws.reset_calls()
        result = runner(*argv, config=config, env={"AWS_MAX_ATTEMPTS": "1"})
        assert result.code in (0, 10), result.stdout + result.stderr
        caller, role = seen.setdefault(command, (set(), set()))
        got_caller, got_role = recorded(aws)
        caller |= got_caller
        role |= got_role

    cmk = {"key_type": "CUSTOMER_MANAGED_KEY"}
    member = write_config(tmp_path, identity_center=(
        f'instance_arn = "{aws.instance_arn}"\nidentity_store_id = "{aws.identity_store_id}"\n'
    ))  # fmt: skip
    (tmp_path / "publish").mkdir()
    start_url = 'start_url = "https://d-9767a1b2c3.awsapps.com/start"\n'
    publishing = write_config(tmp_path / "publish", identity_center=start_url)
    denied = frozenset({"sso-admin:DescribeInstance"})
    run("preflight", "preflight", **cmk)  # customer managed key, through the management role
    run("preflight", "preflight", deny=denied, config=member)  # the member-account fallback
    run("setup", "setup", "--apply", service_linked_roles=False, **cmk)
    run("setup", "setup", "--apply", deny=denied, config=member)
    run("publish", "roster", "publish", "--dest", DEST, "--key-file", str(key_file),
        "--experimental-internal-api", config=publishing)  # fmt: skip
    for command, (caller, role) in seen.items():
        policy = command_policy(
            command,
            management_role_arn=ROLE,
            s3_object_arn="arn:aws:s3:::kiro-roster/kiro/roster.json",
            internal_api=True,
        )
        assert policy.actions() == (caller, role if command != "publish" else set()), command


def test_the_publish_policy_for_a_sharded_prefix_can_list_and_clean_up(cli) -> None:
    from kiro_bootstrap.admin.iam_policy import command_policy

    policy = command_policy(
        "publish", management_role_arn=None, s3_object_arn="arn:aws:s3:::kiro-roster/roster/"
    ).documents()["policy"]
    by_resource = {statement["Resource"]: statement for statement in policy["Statement"]}
    objects = by_resource["arn:aws:s3:::kiro-roster/roster/*"]
    assert objects["Action"] == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    listing = by_resource["arn:aws:s3:::kiro-roster"]
    assert listing["Action"] == ["s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["roster/*"]}}
