"""The key-policy patch on its own: detection by principal and actions, size, and refusal."""

from __future__ import annotations

import json

import pytest

from kiro_bootstrap.admin.kms_policy import (
    DEFAULT_STATEMENT,
    KMS_POLICY_MAX_BYTES,
    kiro_statement,
    patch_policy,
)
from kiro_bootstrap.errors import AwsPreconditionError

KEY = "arn:aws:kms:ap-southeast-2:111111111111:key/1"
ROOT = {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": "kms:*", "Resource": "*"}  # fmt: skip


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
    assert patch_policy(policy(ROOT, existing), kiro_statement(None, "222222222222"), KEY) is None


@pytest.mark.parametrize(
    "almost",
    [
        {**DEFAULT_STATEMENT, "Effect": "Deny"},
        {**DEFAULT_STATEMENT, "Action": ["kms:Decrypt"]},
        {**DEFAULT_STATEMENT, "Principal": {"Service": "sso.amazonaws.com"}},
    ],
)
def test_a_partial_or_denying_statement_is_not_a_grant(almost: dict) -> None:
    patch = patch_policy(policy(ROOT, almost), kiro_statement(None, None), KEY)
    assert patch is not None
    assert json.loads(patch.new_text)["Statement"][:2] == [ROOT, almost]


def test_a_single_statement_object_is_kept_first() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": ROOT})
    patch = patch_policy(text, kiro_statement(None, None), KEY)
    assert patch is not None
    assert json.loads(patch.new_text)["Statement"] == [ROOT, DEFAULT_STATEMENT]


def test_a_large_policy_is_compacted_and_one_too_large_is_refused() -> None:
    filler = {**ROOT, "Sid": "x" * (KMS_POLICY_MAX_BYTES // 2)}
    patch = patch_policy(policy(filler), kiro_statement(None, None), KEY)
    assert patch is not None
    assert len(patch.new_text.encode()) <= KMS_POLICY_MAX_BYTES
    huge = {**ROOT, "Sid": "x" * (KMS_POLICY_MAX_BYTES - 200)}
    with pytest.raises(AwsPreconditionError, match="32768-byte limit"):
        patch_policy(policy(huge), kiro_statement(None, None), KEY)


@pytest.mark.parametrize("text", ["{not json", "[]", '{"Version": "2012-10-17"}'])
def test_an_unparseable_policy_is_refused(text: str) -> None:
    with pytest.raises(AwsPreconditionError) as refused:
        patch_policy(text, kiro_statement(None, None), KEY)
    assert refused.value.code == "unparseable-key-policy"


def test_a_configured_template_gets_the_source_account_condition() -> None:
    template = {"Sid": "Custom", "Effect": "Allow", "Principal": {"Service": "q.amazonaws.com"},
                "Action": ["kms:Decrypt"], "Resource": "*"}  # fmt: skip
    statement = kiro_statement(template, "222222222222")
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "222222222222"}}
    assert "Condition" not in template
