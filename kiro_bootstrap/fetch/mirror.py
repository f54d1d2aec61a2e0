"""Write a self-contained mirror in Kiro's layout, verified exactly as a download is.

The folder holds the artifacts (hardlinks into the cache), Linux signature files, the metadata
documents rewritten to the mirror's own base URL, the macOS updater's zip feed (for Kiro's
`UpdateUrl` policy) and a manifest of digests and verification results. Metadata and the
manifest are written last, so a mirror that failed halfway never advertises missing files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiro_bootstrap import NAME
from kiro_bootstrap.checks import Check
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import UnavailableError
from kiro_bootstrap.fetch.cache import place_at
from kiro_bootstrap.fetch.obtain import ReleaseSource, ResolvedRelease, open_release_source
from kiro_bootstrap.files import make_folders, write_atomic
from kiro_bootstrap.layout.targets import (
    CERTIFICATE_NAME,
    SIGNATURE_NAME,
    TARGET_SPECS,
    UPDATER_FEEDS,
    TargetSpec,
)
from kiro_bootstrap.release.resolve import LATEST

MANIFEST_NAME = f"{NAME}-mirror.json"
MANIFEST_SCHEMA = "kiro-bootstrap-mirror/1"
PUBLIC_MODE = 0o644  # a web server running as another user serves these
UPDATER_CHECK = "macos-updater-zip"
UPDATER_NOTE = (
    "not checked here: Kiro's own updater verifies the app's code signature before applying it"
)


@dataclass(frozen=True)
class MirroredFile:
    """One file in the mirror, relative to its root."""

    path: str
    sha256: str
    size: int
    role: str  # artifact | signature | certificate | updater-zip


@dataclass
class MirroredTarget:
    """One target's build in the mirror and how it was verified."""

    target: str
    version: str
    pinned: bool
    checks: tuple[Check, ...]
    deferred: tuple[str, ...]
    files: list[MirroredFile] = field(default_factory=list)
    pin_line: str | None = None  # Linux: the `linux_cert_sha256` line for the signer

    def to_json(self) -> dict[str, Any]:
        """The target as the manifest and `mirror --json` show it."""
        return {
            "target": self.target,
            "version": self.version,
            "pinned": self.pinned,
            "deferred": list(self.deferred),
            "checks": [check.to_json() for check in self.checks],
            "files": [vars(file) for file in self.files],
            "pin_line": self.pin_line,
        }


@dataclass(frozen=True)
class MirrorReport:
    """What `mirror` wrote."""

    dest: Path
    base_url: str
    manifest: Path
    targets: tuple[MirroredTarget, ...]


@dataclass
class _Layout:
    """The folder being written, and every file this run created (removed if it fails)."""

    dest: Path
    base_url: str
    channel: str
    documents: dict[str, bytes] = field(default_factory=dict)
    created: list[Path] = field(default_factory=list)

    def place(self, relative: str, source: Path, sha256: str, role: str) -> MirroredFile:
        """Hardlink a cached file into the mirror."""
        target = self.dest / relative
        existed = target.exists()
        place_at(source, target)
        if not existed:
            self.created.append(target)
        return MirroredFile(relative, sha256, source.stat().st_size, role)

    def write(self, relative: str, data: bytes) -> Path:
        """Write a generated file (metadata, manifest) atomically."""
        path = self.dest / relative
        existed = path.exists()
        make_folders(path.parent, mode=0o755)
        write_atomic(path, data, mode=PUBLIC_MODE)
        if not existed:
            self.created.append(path)
        return path

    def url(self, relative: str) -> str:
        """The file's URL once the mirror is served at its base URL."""
        return f"{self.base_url}/{relative}"


def build_mirror(
    ctx: Context, *, dest: Path, base_url: str, targets: Sequence[str]
) -> MirrorReport:
    """Fetch and verify every target, lay it out under `dest`, then write metadata and manifest."""
    layout = _Layout(dest, base_url.rstrip("/"), ctx.settings.release.channel)
    mirrored: list[MirroredTarget] = []
    try:
        with open_release_source(ctx) as source:  # one HTTP client for every target
            for name in targets:
                mirrored.append(_mirror_target(source, layout, TARGET_SPECS[name]))
                if TARGET_SPECS[name].family == "darwin":
                    version = mirrored[-1].version
                    mirrored.append(_mirror_updater_feed(source, layout, name, version))
        for relative, document in layout.documents.items():
            layout.write(relative, document)
        manifest = layout.write(MANIFEST_NAME, _manifest(ctx, layout.base_url, mirrored))
    except BaseException:
        for path in layout.created:
            path.unlink(missing_ok=True)
        raise
    return MirrorReport(dest, layout.base_url, manifest, tuple(mirrored))


def _mirror_target(source: ReleaseSource, layout: _Layout, spec: TargetSpec) -> MirroredTarget:
    """One target: verified exactly as `download` does, then hardlinked into the layout."""
    resolved = _resolve_with_details(source, spec.name, source.ctx.settings.release.version)
    build = source.obtain(spec.name, resolved.version)
    entry = MirroredTarget(spec.name, build.version, build.pinned, build.checks, build.deferred)
    entry.pin_line = build.certificate.pin_line if build.certificate else None
    folder = spec.folder(layout.channel, build.version)
    entry.files.append(
        layout.place(
            f"{folder}{spec.file_name(layout.channel, build.version)}",
            build.path,
            build.sha256,
            "artifact",
        )
    )
    for blob, name, role in (
        (build.certificate_path, CERTIFICATE_NAME, "certificate"),
        (build.signature_path, SIGNATURE_NAME, "signature"),
    ):
        if blob is not None:
            # Cache blobs are named by their SHA-256, so the name is the digest.
            entry.files.append(layout.place(f"{folder}{name}", blob, blob.name, role))
    urls = [layout.url(item.path) for item in entry.files]
    layout.documents[spec.metadata_path(layout.channel)] = _metadata(build.version, urls, resolved)
    return entry


def _mirror_updater_feed(
    source: ReleaseSource, layout: _Layout, target: str, version: str
) -> MirroredTarget:
    """Carry the signed-app zip Kiro's macOS updater downloads, and its metadata document."""
    feed = UPDATER_FEEDS[target]
    resolved = _resolve_with_details(source, feed.name, version)
    fetched = source.fetch_to_cache(resolved.artifact_url, resolved.file_name)
    relative = feed.artifact_path(layout.channel, version)
    placed = layout.place(relative, fetched.path, fetched.sha256, "updater-zip")
    layout.documents[feed.metadata_path(layout.channel)] = _metadata(
        version, [layout.url(relative)], resolved
    )
    check = Check(UPDATER_CHECK, "deferred", UPDATER_NOTE)
    return MirroredTarget(feed.name, version, False, (check,), (UPDATER_CHECK,), [placed])


def _resolve_with_details(source: ReleaseSource, target: str, wanted: str) -> ResolvedRelease:
    """Resolve `wanted`, through the metadata when it lists it (for pub_date, notes, name)."""
    try:
        current: ResolvedRelease | None = source.resolve(target, LATEST)
    except UnavailableError:
        if wanted == LATEST:
            raise
        current = None  # a pinned version does not need the metadata
    if current is not None and wanted in (LATEST, current.version):
        return current
    return source.resolve(target, wanted)


def _metadata(version: str, urls: list[str], resolved: ResolvedRelease) -> bytes:
    """A metadata document in the shape Kiro's host publishes, pointing at the mirror."""
    details = {key: value for key, value in resolved.details.items() if key != "version"}
    releases = [
        {"version": version, "updateTo": {**details, "version": version, "url": url}}
        for url in urls
    ]
    return json.dumps({"currentRelease": version, "releases": releases}, indent=2).encode()


def _manifest(ctx: Context, base_url: str, mirrored: list[MirroredTarget]) -> bytes:
    document: dict[str, Any] = {
        "schema": MANIFEST_SCHEMA,
        "origin": ctx.settings.release.base_url,
        "base_url": base_url,
        "created": ctx.env.clock().isoformat(),
        "targets": [item.to_json() for item in mirrored],
    }
    return json.dumps(document, indent=2).encode()
