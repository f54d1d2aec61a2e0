"""The key-policy patch on its own: detection by principal and actions, size, and refusal."""

from __future__ import annotations

import json

import pytest

from kiro_bootstrap.admin.kms_policy import (
    DEFAULT_STATEMENT,
    KMS_POLICY_MAX_BYTES,
    has_baseline,
    kiro_statement,
    patch_policy,
)
from kiro_bootstrap.errors import AwsPreconditionError

KEY = "arn:aws:kms:ap-southeast-2:111111111111:key/1"
ROOT = {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": "kms:*", "Resource": "*"}  # fmt: skip


SOURCE = "222222222222"
BASELINE = {
    "Sid": "AllowManagedApps",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "kms:Decrypt",
    "Resource": "*",
    "Condition": {
        "Bool": {"aws:PrincipalIsAWSService": "true"},
        "StringEquals": {"aws:SourceOrgID": "o-abc123"},
        "StringLike": {"kms:ViaService": ["sso.*.amazonaws.com", "identitystore.*.amazonaws.com"]},
    },
}


def policy(*statements: dict) -> str:
    """A policy text in the compact form KMS may return."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize(
    "existing",
    [
        {**DEFAULT_STATEMENT, "Sid": "Allow Kiro to use key via IDC"},
        {"Effect": "Allow", "Principal": {"Service": ["sso.amazonaws.com", "q.amazonaws.com"]},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "q.amazonaws.com"},
         "Action": ["kms:Describe*", "kms:Decrypt"], "Resource": "*"},
    ],
)  # fmt: skip
def test_an_existing_grant_is_found_whatever_its_sid(existing: dict) -> None:
    assert patch_policy(policy(ROOT, existing), kiro_statement(None, SOURCE), KEY, SOURCE) is None


@pytest.mark.parametrize(
    "almost",
    [
        {**DEFAULT_STATEMENT, "Effect": "Deny"},
        {**DEFAULT_STATEMENT, "Action": ["kms:Decrypt"]},
        {**DEFAULT_STATEMENT, "Principal": {"Service": "sso.amazonaws.com"}},
    ],
)
def test_a_partial_or_denying_statement_is_not_a_grant(almost: dict) -> None:
    patch = patch_policy(policy(ROOT, almost), kiro_statement(None, None), KEY, SOURCE)
    assert patch is not None
    assert json.loads(patch.new_text)["Statement"][:2] == [ROOT, almost]


def test_a_single_statement_object_is_kept_first() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": ROOT})
    patch = patch_policy(text, kiro_statement(None, None), KEY, SOURCE)
    assert patch is not None
    assert json.loads(patch.new_text)["Statement"] == [ROOT, DEFAULT_STATEMENT]


def test_a_large_policy_is_compacted_and_one_too_large_is_refused() -> None:
    filler = {**ROOT, "Sid": "x" * (KMS_POLICY_MAX_BYTES // 2)}
    patch = patch_policy(policy(filler), kiro_statement(None, None), KEY, SOURCE)
    assert patch is not None
    assert len(patch.new_text.encode()) <= KMS_POLICY_MAX_BYTES
    huge = {**ROOT, "Sid": "x" * (KMS_POLICY_MAX_BYTES - 200)}
    with pytest.raises(AwsPreconditionError, match="32768-byte limit"):
        patch_policy(policy(huge), kiro_statement(None, None), KEY, SOURCE)


@pytest.mark.parametrize("text", ["{not json", "[]", '{"Version": "2012-10-17"}'])
def test_an_unparseable_policy_is_refused(text: str) -> None:
    with pytest.raises(AwsPreconditionError) as refused:
        patch_policy(text, kiro_statement(None, None), KEY, SOURCE)
    assert refused.value.code == "unparseable-key-policy"


def test_a_configured_template_gets_the_source_account_condition() -> None:
    template = {"Sid": "Custom", "Effect": "Allow", "Principal": {"Service": "q.amazonaws.com"},
                "Action": ["kms:Decrypt"], "Resource": "*"}  # fmt: skip
    statement = kiro_statement(template, "222222222222")
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "222222222222"}}
    assert "Condition" not in template


@pytest.mark.parametrize(
    "existing",
    [
        {**DEFAULT_STATEMENT, "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}},
        {**DEFAULT_STATEMENT, "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:q:::x"}}},
        {**DEFAULT_STATEMENT, "Condition": {"Bool": {"aws:PrincipalIsAWSService": "false"}}},
        {**DEFAULT_STATEMENT, "Resource": "arn:aws:kms:eu-west-1:111111111111:key/other"},
        {**DEFAULT_STATEMENT, "Condition": {"NumericLessThan": {"aws:SourceAccount": "1"}}},
    ],
)
def test_a_condition_or_resource_that_cannot_match_kiros_request_is_not_a_grant(existing) -> None:
    patch = patch_policy(policy(ROOT, existing), kiro_statement(None, SOURCE), KEY, SOURCE)
    assert patch is not None
    assert json.loads(patch.new_text)["Statement"][-1]["Sid"] == "AllowKiroIDCAccess"


def test_a_condition_that_matches_kiros_request_is_a_grant() -> None:
    matching = {**DEFAULT_STATEMENT, "Condition": {
        "StringEquals": {"aws:SourceAccount": SOURCE},
        "Bool": {"aws:PrincipalIsAWSService": "true"},
        "StringNotEquals": {"aws:PrincipalServiceName": "sso.amazonaws.com"},
    }}  # fmt: skip
    assert patch_policy(policy(ROOT, matching), kiro_statement(None, SOURCE), KEY, SOURCE) is None


@pytest.mark.parametrize(
    "deny",
    [
        {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"Service": "q.amazonaws.com"}, "Action": "kms:*",
         "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceOrgID": "o-abc"}}},
    ],
)  # fmt: skip
def test_an_explicit_deny_that_could_apply_beats_a_grant(deny: dict) -> None:
    text = policy(ROOT, DEFAULT_STATEMENT, deny)
    assert patch_policy(text, kiro_statement(None, SOURCE), KEY, SOURCE) is not None


def test_a_deny_for_another_account_does_not_count() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}}  # fmt: skip
    text = policy(ROOT, DEFAULT_STATEMENT, deny)
    assert patch_policy(text, kiro_statement(None, SOURCE), KEY, SOURCE) is None


def test_the_idc_baseline_alone_is_reported_but_not_a_grant() -> None:
    text = policy(BASELINE)
    assert has_baseline(text)
    patch = patch_policy(text, kiro_statement(None, SOURCE), KEY, SOURCE)
    assert patch is not None  # it lacks kms:DescribeKey, and its conditions are not Kiro's
    assert json.loads(patch.new_text)["Statement"] == [BASELINE, kiro_statement(None, SOURCE)]
    assert not has_baseline(policy(ROOT, DEFAULT_STATEMENT))
