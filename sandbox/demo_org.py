"""The demo organisation: its AWS scenario, its one config file, and how the demo shows files."""

from __future__ import annotations

import json
from pathlib import Path

from sandbox.aws.scenario import KEY_ADMIN_ROLE, MANAGEMENT_ACCOUNT, Scenario

# Things for the admin to fix, so setup has a plan: no service-linked roles, a customer managed key.
DEMO_SCENARIO = Scenario(key_type="CUSTOMER_MANAGED_KEY", service_linked_roles=False, users=40)
START_URL = "https://d-9767a1b2c3.awsapps.com/start"
# Current Kiro versions (managed settings need 1.2+), served by the sandbox release host.
VERSIONS = ["1.2.7", "1.2.8"]
# The person at the workstation: a member of the demo's IDC directory with the Power plan.
DEVELOPER = "user00002"
# Folders that only hold caches and logs: listed by name, not file by file.
QUIET_FOLDERS = ("var/cache", "var/log", ".cache", ".local/state/kiro-bootstrap/log")


def write_org_config(
    folder: Path, *, release_url: str, certificate_pin: str, roster_url: str, public_key: str
) -> Path:
    """One organisation config, read by both halves: the admin's and every workstation's."""
    role_arn = f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/{KEY_ADMIN_ROLE}"
    text = f"""\
# The demo organisation's kiro-bootstrap config (see config/example.toml for every key).
[identity_center]
start_url = "{START_URL}"
region = "{DEMO_SCENARIO.idc_region}"
restrict_signin = true
signin_help_url = "https://wiki.example.com/kiro"

[kiro]
profile_region = "us-east-1"

[kiro.telemetry]
content_collection = false

[release]
base_url = "{release_url}"
[release.signing]
linux_cert_sha256 = ["{certificate_pin}"]

[aws]
management_role_arn = "{role_arn}"

[[assignments]]
group = "group-01"
plan = "pro"

[[assignments]]
user = "{DEVELOPER}"
plan = "power"

[subscription]
roster_url = "{roster_url}"
public_keys = ["{public_key}"]
request_url = "https://it.example.com/request-kiro"
email_domain = "example.com"

[mcp.servers.aws-docs]
command = "uvx"
args = ["awslabs.aws-documentation-mcp-server@latest"]

[steering]
files = {{ org-security = "Never commit secrets: reference them as ${{VAR}}." }}
"""
    path = folder / "org.toml"
    path.write_text(text, encoding="utf-8")
    return path


def show_tree(base: Path, label: str) -> None:
    """List a folder the way `find` would, skipping caches and logs."""
    print(f"\n{label} ({base}):")
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(base).as_posix()
        if any(relative.startswith(f"{quiet}/") for quiet in QUIET_FOLDERS):
            continue
        suffix = f" -> {path.readlink()}" if path.is_symlink() else "/" if path.is_dir() else ""
        print(f"  {relative}{suffix}")


def show_file(path: Path) -> None:
    """Print a text file the demo wrote, JSON pretty-printed."""
    if not path.is_file():
        return
    print(f"\n--- {path}")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        text = json.dumps(json.loads(text), indent=2)
    print(text.rstrip())
