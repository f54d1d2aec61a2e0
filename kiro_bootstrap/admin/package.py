"""What the company portal publishes: per target, the binary and the organisation's settings."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiro_bootstrap import NAME, __version__
from kiro_bootstrap.errors import ConfigError, UsageError
from kiro_bootstrap.files import write_atomic
from kiro_bootstrap.settings.beside import BESIDE_NAME
from kiro_bootstrap.settings.load import load_settings

MANIFEST_NAME = f"{NAME}-package.json"
MANIFEST_SCHEMA = "kiro-bootstrap-package/1"
BINARY_NAMES = {"win32-x64": f"{NAME}.exe"}
DEFAULT_BINARY_NAME = NAME


@dataclass(frozen=True)
class PackagedFile:
    """One published file: where it went, its size and SHA-256."""

    path: Path
    size: int
    sha256: str

    def to_json(self, dest: Path) -> dict[str, Any]:
        """The manifest entry: a path relative to the package folder."""
        return {
            "path": self.path.relative_to(dest).as_posix(),
            "size": self.size,
            "sha256": self.sha256,
        }


def check_organisation_file(config: Path) -> bytes:
    """The settings file's bytes, refused unless it validates on its own and carries the pin."""
    data = config.read_bytes() if config.is_file() else None
    if data is None:
        raise ConfigError(f"The config file {config} does not exist.", hint="Check --config.")
    # Only this file: the packaging machine's own policy or environment must not leak in.
    loaded = load_settings(
        config_file=config, user_config_file=config, managed=None, environ={}, flags={}
    )
    if not loaded.settings.release.signing.linux_cert_sha256:
        raise ConfigError(
            f"{config} has no release.signing.linux_cert_sha256: a packaged binary run as root "
            "would trust any Linux signing certificate.",
            hint="Add the pin (the certificate's DER SHA-256; see README, Linux signing trust).",
        )
    if loaded.settings.identity_center.start_url is None:
        raise ConfigError(
            f"{config} has no identity_center.start_url: the developer would not be told how "
            "to sign in.",
            hint="Set identity_center.start_url and identity_center.region.",
        )
    return data


def _publish(path: Path, data: bytes, mode: int) -> PackagedFile:
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    write_atomic(path, data, mode=mode)
    return PackagedFile(path, len(data), hashlib.sha256(data).hexdigest())


def package_target(config: Path, binary: Path, dest: Path, target: str) -> dict[str, Any]:
    """Write DEST/TARGET/{binary, kiro-bootstrap.toml} and update DEST's manifest."""
    settings = check_organisation_file(config)
    try:
        program = binary.read_bytes()
    except OSError as error:
        raise UsageError(
            f"The binary {binary} cannot be read: {error.strerror}.", hint="Check --binary."
        ) from None
    folder = dest / target
    published = [
        _publish(folder / BINARY_NAMES.get(target, DEFAULT_BINARY_NAME), program, 0o755),
        _publish(folder / BESIDE_NAME, settings, 0o644),
    ]
    manifest_path = dest / MANIFEST_NAME
    manifest = _read_manifest(manifest_path)
    manifest["targets"][target] = {
        "binary": published[0].to_json(dest),
        "settings": published[1].to_json(dest),
    }
    manifest["kiro_bootstrap_version"] = __version__
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    write_atomic(manifest_path, text.encode(), mode=0o644)
    return {"manifest": str(manifest_path), "target": target, **manifest["targets"][target]}


def _read_manifest(path: Path) -> dict[str, Any]:
    """The manifest so far (one run per target adds its entry), or a new one."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"schema": MANIFEST_SCHEMA, "targets": {}}
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        raise UsageError(
            f"{path} exists and is not a kiro-bootstrap package manifest; nothing was written.",
            hint="Choose an empty --dest folder.",
        )
    return manifest
