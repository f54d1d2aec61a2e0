"""Which botocore service models the single binary must bundle, derived rather than listed.

Two sources: the services our code calls (`clients.call("sts", ...)`, `.pages(...)`,
`.client(...)` in kiro_bootstrap/), and the services botocore's own credential and token
providers create clients for (`sts` for assume-role, `sso` for SSO profiles, `sso-oidc` for
token refresh, `signin` for `aws login`) — read from botocore's source, so a new provider in a
botocore upgrade is bundled without anyone remembering it. pyinstaller.spec imports this file;
tests/consumers/test_binary_models.py checks it.
"""

from __future__ import annotations

import re
from pathlib import Path

# Our calls: the first argument of AwsClients.call/pages/client is the service name.
_OUR_CALL = re.compile(r"\.(?:call|pages|client)\(\s*\"([a-z0-9-]+)\"")
# botocore's: client_creator('sts', ...), create_nested_client(session, "sso-oidc", ...).
_PROVIDER_CALL = re.compile(
    r"(?:_client_creator|create_client|create_nested_client)\(\s*(?:[\w.]+,\s*)?['\"]([a-z0-9-]+)['\"]"
)
# botocore modules that build clients while resolving credentials or tokens.
PROVIDER_MODULES = ("credentials.py", "tokens.py", "utils.py", "login.py")
# What must be found whatever the regular expressions say: SSO sign-in and assume-role.
REQUIRED = frozenset({"sts", "sso", "sso-oidc"})


def services_called_by(package: Path) -> set[str]:
    """Service names our code passes to AwsClients."""
    found: set[str] = set()
    for path in package.rglob("*.py"):
        found.update(_OUR_CALL.findall(path.read_text("utf-8")))
    return found


def services_of_credential_providers(botocore: Path) -> set[str]:
    """Service names botocore's credential and token providers create clients for."""
    found: set[str] = set()
    for name in PROVIDER_MODULES:
        path = botocore / name
        if path.is_file():
            found.update(_PROVIDER_CALL.findall(path.read_text("utf-8")))
    return found


def bundled_services(package: Path, botocore: Path) -> set[str]:
    """Every service whose model the binary needs; the build stops when one cannot be found."""
    models = botocore / "data"
    ours = services_called_by(package)
    providers = services_of_credential_providers(botocore)
    lost = sorted(REQUIRED - providers - ours)
    without_model = sorted(name for name in ours | REQUIRED if not (models / name).is_dir())
    if lost or without_model:
        raise SystemExit(
            f"botocore models: not derived {lost}, no model in botocore {without_model}"
        )
    # A name in botocore's source that is not a service (a test double, say) has no model.
    return ours | {name for name in providers if (models / name).is_dir()}
