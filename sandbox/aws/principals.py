"""Who sent a request: map an access key id to its account, secret and ARN."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.aws.scenario import CREDENTIALS_BY_KEY


@dataclass(frozen=True)
class Principal:
    """The identity behind one access key."""

    account_id: str
    secret_access_key: str
    arn: str
    static: bool


def find_principal(access_key_id: str) -> Principal | None:
    """Look the key up among our fixed test keys, then among the keys moto handed out."""
    fixed = CREDENTIALS_BY_KEY.get(access_key_id)
    if fixed is not None:
        arn = f"arn:aws:iam::{fixed.account_id}:user/{fixed.user_name}"
        return Principal(fixed.account_id, fixed.secret_access_key, arn, static=True)
    return _find_moto_principal(access_key_id)


def _find_moto_principal(access_key_id: str) -> Principal | None:
    """Search moto's IAM backends, which also hold the temporary keys of assumed roles."""
    from moto.backends import get_backend

    iam_backends = get_backend("iam")
    # list() because moto's request threads may add accounts while we iterate.
    for account_id, account in list(iam_backends.items()):
        iam = account["global"]
        key = iam.access_keys.get(access_key_id)
        if key is None:
            continue
        arn = _assumed_role_arn(account_id, access_key_id) or (
            f"arn:aws:iam::{account_id}:user/{key.user_name}"
        )
        return Principal(account_id, key.secret_access_key, arn, static=False)
    return None


def _assumed_role_arn(account_id: str, access_key_id: str) -> str | None:
    """Return the assumed-role session ARN moto recorded for a temporary key, if any."""
    from moto.backends import get_backend

    role = get_backend("sts")[account_id]["global"].get_assumed_role_from_access_key(access_key_id)
    return None if role is None else str(role.arn)
