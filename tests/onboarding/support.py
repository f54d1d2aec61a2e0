"""An organisation's settings for the portal flow, written for a release server on loopback."""

from __future__ import annotations

from pathlib import Path

from sandbox.release_server import ReleaseServer

START_URL = "https://d-1234567890.awsapps.com/start"
IDC_REGION = "ap-southeast-2"


def organisation_toml(server: ReleaseServer | None, *, pin: bool = True) -> str:
    """The settings an administrator packages: sign-in, the release host and its pin."""
    lines = ["[identity_center]", f'start_url = "{START_URL}"', f'region = "{IDC_REGION}"']
    lines += ["", "[subscription]", "required = false", "", "[release]"]
    if server is not None:
        lines.append(f'base_url = "{server.base_url}"')
    if pin:
        fingerprint = server.tree.signing_key.fingerprint_sha256 if server else "ab" * 32
        lines += ["[release.signing]", f'linux_cert_sha256 = ["{fingerprint}"]']
    return "\n".join(lines) + "\n"


def write_organisation(folder: Path, server: ReleaseServer | None, *, pin: bool = True) -> Path:
    """org.toml in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "org.toml"
    path.write_text(organisation_toml(server, pin=pin), encoding="utf-8")
    return path
