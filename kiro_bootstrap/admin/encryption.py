"""IDC encryption: read the customer managed key's policy through the management role, patch it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kiro_bootstrap.admin.identity_center import CUSTOMER_MANAGED_KEY, IdcInstance
from kiro_bootstrap.admin.kms_policy import (
    POLICY_NAME,
    PolicyPatch,
    has_baseline,
    kiro_statement,
    patch_policy,
)
from kiro_bootstrap.aws.session import AwsClients
from kiro_bootstrap.errors import AwsPreconditionError
from kiro_bootstrap.settings.model import Settings


@dataclass(frozen=True)
class KeyPolicyState:
    """What we know about the IDC key's policy."""

    key_arn: str
    key_account: str
    key_region: str
    role_arn: str | None
    statement: dict[str, Any]
    readable: bool  # False without aws.management_role_arn: KMS policies are not cross-account
    patch: PolicyPatch | None  # None when already granted (or not readable)
    baseline: bool = False  # AWS's AllowManagedApps statement is in the policy (FACTS §5)

    @property
    def granted(self) -> bool:
        """True when the policy was read and already grants Kiro's access."""
        return self.readable and self.patch is None

    def statement_text(self) -> str:
        """The statement as someone with access to the key would paste it."""
        return json.dumps(self.statement, indent=2)


def inspect_key(
    clients: AwsClients, settings: Settings, instance: IdcInstance, source_account: str
) -> KeyPolicyState | None:
    """The key policy state for a customer managed key; None for an AWS-owned key."""
    if instance.key_type != CUSTOMER_MANAGED_KEY or not instance.kms_key_arn:
        return None
    key_arn = instance.kms_key_arn
    _, _, _, region, account, _ = key_arn.split(":", 5)
    condition_account = source_account if settings.kms.add_source_account_condition else None
    statement = kiro_statement(settings.kms.statement, condition_account)
    role_arn = settings.aws.management_role_arn
    if role_arn is None:
        return KeyPolicyState(key_arn, account, region, None, statement, False, None)
    text = read_policy(clients.assume_role(role_arn), key_arn, region)
    patch = patch_policy(text, statement, key_arn, source_account)
    return KeyPolicyState(
        key_arn, account, region, role_arn, statement, True, patch, has_baseline(text)
    )


def read_policy(key_clients: AwsClients, key_arn: str, region: str) -> str:
    """The key's `default` policy text (kms:GetKeyPolicy)."""
    answer = key_clients.call(
        "kms", "get_key_policy", region, KeyId=key_arn, PolicyName=POLICY_NAME
    )
    return str(answer["Policy"])


def apply_patch(clients: AwsClients, state: KeyPolicyState) -> None:
    """Put the patched policy, unless someone changed the policy since the plan was made."""
    if state.patch is None or state.role_arn is None:
        return
    key_clients = clients.assume_role(state.role_arn)
    if read_policy(key_clients, state.key_arn, state.key_region) != state.patch.old_text:
        raise AwsPreconditionError(
            f"The key policy of {state.key_arn} changed while we were planning; nothing was put.",
            hint="Run `admin setup` again to see the new plan.",
        )
    key_clients.call(
        "kms",
        "put_key_policy",
        state.key_region,
        KeyId=state.key_arn,
        PolicyName=POLICY_NAME,
        Policy=state.patch.new_text,
    )
