"""The KMS key-policy patch, as pure functions over the policy text: detect, add, diff.

Never drops or reorders a statement: the patch appends one, then checks that every other
statement serialises to the same bytes as before.
"""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass
from typing import Any

from kiro_bootstrap.admin.kms_grants import granted, is_baseline, service_request
from kiro_bootstrap.errors import AwsPreconditionError

# KMS refuses key policies over 32 KiB.
KMS_POLICY_MAX_BYTES = 32 * 1024
POLICY_NAME = "default"
PRETTY_INDENT = 2
# FACTS §3: the seed's statement. Kiro's own page names a statement we could not read in full, so
# this is unverified; `[kms] statement` replaces it.
DEFAULT_STATEMENT: dict[str, Any] = {
    "Sid": "AllowKiroIDCAccess",
    "Effect": "Allow",
    "Principal": {"Service": "q.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:DescribeKey"],
    "Resource": "*",
}
SOURCE_ACCOUNT_KEY = "aws:SourceAccount"


@dataclass(frozen=True)
class PolicyPatch:
    """The policy before and after adding the Kiro statement."""

    key_arn: str
    old_text: str
    new_text: str

    def diff(self) -> list[str]:
        """A unified diff of the two policies, pretty-printed so the diff is readable."""
        before = _pretty(json.loads(self.old_text)).splitlines()
        after = _pretty(json.loads(self.new_text)).splitlines()
        return list(
            difflib.unified_diff(
                before, after, f"{self.key_arn} (now)", f"{self.key_arn} (after)", lineterm=""
            )
        )


def kiro_statement(template: dict[str, Any] | None, source_account: str | None) -> dict[str, Any]:
    """The statement to add: the configured template (or the default), plus aws:SourceAccount."""
    statement = copy.deepcopy(template or DEFAULT_STATEMENT)
    if source_account is not None:
        condition = statement.setdefault("Condition", {})
        condition.setdefault("StringEquals", {})[SOURCE_ACCOUNT_KEY] = source_account
    return statement


def parse_policy(text: str, key_arn: str) -> dict[str, Any]:
    """The policy as a dict; refuse (exit 10) anything we could not patch safely."""
    try:
        policy = json.loads(text)
    except ValueError:
        policy = None
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    if not isinstance(statements, list | dict):
        raise AwsPreconditionError(
            f"The key policy of {key_arn} is not a JSON policy with a Statement; "
            "refusing to change it.",
            hint="Fix the key policy by hand (KMS console → key policy), then run again.",
            code="unparseable-key-policy",
        )
    return dict(policy)


def grants(
    policy: dict[str, Any], statement: dict[str, Any], key_arn: str, source_account: str | None
) -> bool:
    """True when the policy gives every service principal of `statement` all its actions.

    Evaluated as IAM would for that principal's request (see kms_grants), whatever the Sid.
    """
    principal = statement.get("Principal")
    wanted = principal.get("Service") if isinstance(principal, dict) else None
    services = [str(service) for service in _as_list(wanted)]
    actions = [str(action) for action in _as_list(statement.get("Action"))]
    statements = _statements(policy)
    return bool(services) and all(
        granted(statements, service_request(service, actions, key_arn, source_account))
        for service in services
    )


def has_baseline(text: str) -> bool:
    """True when AWS's IDC baseline `AllowManagedApps` statement is in the policy text."""
    try:
        policy = json.loads(text)
    except ValueError:
        return False
    return isinstance(policy, dict) and any(is_baseline(s) for s in _statements(policy))


def patch_policy(
    text: str, statement: dict[str, Any], key_arn: str, source_account: str | None
) -> PolicyPatch | None:
    """The patch adding `statement`, or None when the policy already grants it."""
    policy = parse_policy(text, key_arn)
    if grants(policy, statement, key_arn, source_account):
        return None
    before = [_exact(s) for s in _statements(policy)]
    patched = copy.deepcopy(policy)
    existing = patched["Statement"]
    patched["Statement"] = [*(existing if isinstance(existing, list) else [existing]), statement]
    new_text = _pretty(patched)
    if len(new_text.encode()) > KMS_POLICY_MAX_BYTES:
        new_text = json.dumps(patched, separators=(",", ":"))
    if len(new_text.encode()) > KMS_POLICY_MAX_BYTES:
        raise AwsPreconditionError(
            f"Adding Kiro's statement would take the key policy of {key_arn} over KMS's "
            f"{KMS_POLICY_MAX_BYTES}-byte limit.",
            hint="Shorten the key policy, then run again.",
        )
    after = [_exact(s) for s in _statements(json.loads(new_text))]
    if after[:-1] != before:  # a guard against our own bugs: other statements stay byte-identical
        raise AwsPreconditionError(f"Refusing to patch {key_arn}: other statements would change.")
    return PolicyPatch(key_arn, text, new_text)


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """The Statement element as a list (IAM allows a single object too)."""
    statements = policy.get("Statement", [])
    return [s for s in _as_list(statements) if isinstance(s, dict)]


def _as_list(value: Any) -> list[Any]:
    """A policy element that may be one value or a list of them."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _exact(statement: dict[str, Any]) -> str:
    """A statement's bytes, keys in their original order."""
    return json.dumps(statement, ensure_ascii=False)


def _pretty(policy: dict[str, Any]) -> str:
    """The policy as people read it."""
    return json.dumps(policy, indent=PRETTY_INDENT, ensure_ascii=False)
