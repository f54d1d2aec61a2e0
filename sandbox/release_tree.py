"""A folder laid out like Kiro's download host, with metadata rendered for any base URL."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.artifacts import WRITERS
from sandbox.test_keys import SandboxKeys, SigningKey

CHANNEL = "stable"
PUB_DATE = "2026-08-13"
RELEASE_NOTES = "Sandbox build for kiro-bootstrap tests; not a real Kiro release."
CERTIFICATE_NAME = "certificate.pem"
SIGNATURE_NAME = "signature.bin"
# Records what each artifact was built from, so rebuilding with the same arguments is instant.
MANIFEST_NAME = ".release-tree.json"
# Bump when the artifact writers change, so cached artifacts from older code are rebuilt.
BUILD_FORMAT = 1


@dataclass(frozen=True)
class Target:
    """One of Kiro's published downloads: where it lives and which metadata document lists it."""

    name: str
    platform: str
    subfolder: str
    extension: str
    metadata_path: str
    signed: bool = False

    def relative_path(self, version: str) -> str:
        """Return the artifact's path under the host root (FACTS §1 URL pattern)."""
        file_name = f"kiro-ide-{version}-{CHANNEL}-{self.platform}.{self.extension}"
        return f"{self.folder(version)}{file_name}"

    def folder(self, version: str) -> str:
        """Return the folder (with trailing slash) holding the artifact and its signature."""
        return f"releases/{CHANNEL}/{self.platform}/signed/{version}/{self.subfolder}"


TARGETS: tuple[Target, ...] = (
    Target(
        "linux-x64", "linux-x64", "tar/", "tar.gz", "stable/metadata-linux-x64-stable.json", True
    ),
    Target(
        "linux-x64-deb",
        "linux-x64",
        "deb/",
        "deb",
        "stable/metadata-linux-x64-deb-stable.json",
        True,
    ),
    Target(
        "darwin-arm64", "darwin-arm64", "", "dmg", "stable/metadata-dmg-darwin-arm64-stable.json"
    ),
    Target("darwin-x64", "darwin-x64", "", "dmg", "stable/metadata-dmg-darwin-x64-stable.json"),
    Target("win32-x64", "win32-x64", "", "exe", "stable/metadata-win32-x64-user-stable.json"),
    # The zip feed Kiro's own macOS updater reads; a mirror used as UpdateUrl must carry it.
    Target(
        "darwin-arm64-zip", "darwin-arm64", "", "zip", "stable/metadata-darwin-arm64-stable.json"
    ),
    Target("darwin-x64-zip", "darwin-x64", "", "zip", "stable/metadata-darwin-x64-stable.json"),
)
TARGETS_BY_NAME: Mapping[str, Target] = {target.name: target for target in TARGETS}


@dataclass(frozen=True)
class ServedFile:
    """A file the server may serve; a signature also records the digest it signs."""

    relative_path: str
    sha256: str
    size: int
    signs_sha256: str | None = None


@dataclass(frozen=True)
class Artifact:
    """One built artifact of one target and version."""

    target: str
    version: str
    relative_path: str
    sha256: str
    size: int
    certificate_path: str | None = None
    signature_path: str | None = None


@dataclass(frozen=True)
class ReleaseTree:
    """The built release folder: which versions exist and what every served file hashes to."""

    root: Path
    versions: tuple[str, ...]
    keys: SandboxKeys
    signing_key: SigningKey
    artifacts: Mapping[tuple[str, str], Artifact]
    files: Mapping[str, ServedFile] = field(repr=False)

    @property
    def latest_version(self) -> str:
        """Return the newest version in the tree."""
        return self.versions[-1]

    def artifact(self, target: str, version: str | None = None) -> Artifact:
        """Return the artifact of `target` at `version` (the newest when None)."""
        return self.artifacts[(target, version or self.latest_version)]

    def path_of(self, relative_path: str) -> Path:
        """Return where a served file lives on disk."""
        return self.root / relative_path

    def render_metadata(
        self, metadata_path: str, base_url: str, *, all_versions: bool = False
    ) -> bytes | None:
        """Render the metadata document at `metadata_path` with absolute URLs under `base_url`."""
        target = next((t for t in TARGETS if t.metadata_path == metadata_path), None)
        if target is None:
            return None
        base = base_url.rstrip("/")
        newest_first = list(reversed(self.versions))
        releases: list[dict[str, Any]] = []
        for version in newest_first if all_versions else newest_first[:1]:
            artifact = self.artifact(target.name, version)
            # Certificate first on purpose: whoever takes "the first entry" must fail (FACTS §1).
            paths = [artifact.certificate_path, artifact.relative_path, artifact.signature_path]
            releases += [_release_entry(version, f"{base}/{path}") for path in paths if path]
        document = {"currentRelease": self.latest_version, "releases": releases}
        return json.dumps(document, indent=2).encode()


def build_release_tree(
    folder: Path,
    versions: list[str],
    *,
    keys: SandboxKeys,
    artifact_size: int | None = None,
    signing_key: SigningKey | None = None,
    padded_targets: Collection[str] | None = None,
) -> ReleaseTree:
    """Write every target's artifact for each version under `folder` (reusing earlier builds).

    `artifact_size` pads artifacts to about that many bytes with incompressible data; only the
    targets in `padded_targets` are padded (all when None). Signatures are made by
    `signing_key` (the RSA release key when None).
    """
    if not versions:
        raise ValueError("a release tree needs at least one version")
    unknown = set(padded_targets or ()) - set(TARGETS_BY_NAME)
    if unknown:
        raise ValueError(f"unknown targets {sorted(unknown)}; known: {sorted(TARGETS_BY_NAME)}")
    signer = signing_key or keys.release
    folder.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(folder / MANIFEST_NAME)
    artifacts: dict[tuple[str, str], Artifact] = {}
    files: dict[str, ServedFile] = {}
    ordered = tuple(sorted(set(versions), key=version_sort_key))
    for version in ordered:
        for target in TARGETS:
            wanted = padded_targets is None or target.name in padded_targets
            padding = artifact_size if artifact_size and wanted else 0
            artifact = _build_artifact(folder, target, version, padding, manifest)
            if target.signed:
                artifact = _sign_artifact(folder, target, artifact, signer, files)
            artifacts[(target.name, version)] = artifact
            files[artifact.relative_path] = ServedFile(
                artifact.relative_path, artifact.sha256, artifact.size
            )
    _write_manifest(folder / MANIFEST_NAME, manifest)
    return ReleaseTree(folder, ordered, keys, signer, artifacts, files)


def version_sort_key(version: str) -> tuple[int, ...]:
    """Order versions numerically (1.0.310 after 1.0.309), ignoring any non-digit suffix."""
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _build_artifact(
    folder: Path, target: Target, version: str, padding: int, manifest: dict[str, Any]
) -> Artifact:
    """Write one artifact unless the manifest shows an identical one is already on disk."""
    relative = target.relative_path(version)
    path = folder / relative
    recipe = {"format": BUILD_FORMAT, "version": version, "padding": padding}
    cached = manifest.get(relative)
    if cached and cached["recipe"] == recipe and path.exists():
        stat = path.stat()
        if (stat.st_size, stat.st_mtime_ns) == (cached["size"], cached["mtime_ns"]):
            return Artifact(target.name, version, relative, cached["sha256"], cached["size"])
    path.parent.mkdir(parents=True, exist_ok=True)
    built = WRITERS[target.extension](path, version, target.platform, padding)
    manifest[relative] = {
        "recipe": recipe,
        "sha256": built.sha256,
        "size": built.size,
        "mtime_ns": path.stat().st_mtime_ns,
    }
    return Artifact(target.name, version, relative, built.sha256, built.size)


def _sign_artifact(
    folder: Path,
    target: Target,
    artifact: Artifact,
    signer: SigningKey,
    files: dict[str, ServedFile],
) -> Artifact:
    """Write certificate.pem and signature.bin beside the artifact and register both."""
    signature = signer.sign_digest(bytes.fromhex(artifact.sha256))
    certificate_path = f"{target.folder(artifact.version)}{CERTIFICATE_NAME}"
    signature_path = f"{target.folder(artifact.version)}{SIGNATURE_NAME}"
    for relative, data in ((certificate_path, signer.certificate_pem), (signature_path, signature)):
        _write_if_changed(folder / relative, data)
        digest = hashlib.sha256(data).hexdigest()
        signs = artifact.sha256 if relative == signature_path else None
        files[relative] = ServedFile(relative, digest, len(data), signs)
    return Artifact(
        artifact.target,
        artifact.version,
        artifact.relative_path,
        artifact.sha256,
        artifact.size,
        certificate_path,
        signature_path,
    )


def _release_entry(version: str, url: str) -> dict[str, Any]:
    """Return one `releases[]` entry in the shape captured from the real host."""
    update = {
        "version": version,
        "pub_date": PUB_DATE,
        "notes": RELEASE_NOTES,
        "name": f"Kiro {version}",
        "url": url,
    }
    return {"version": version, "updateTo": update}


def _write_if_changed(path: Path, data: bytes) -> None:
    """Write small files only when their content changes, so Last-Modified stays stable."""
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def _read_manifest(path: Path) -> dict[str, Any]:
    """Read the build manifest, treating a missing or damaged one as empty."""
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the build manifest through a rename, so a crash never leaves half of it."""
    part = path.with_name(f"{path.name}.part")
    part.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    part.replace(path)
