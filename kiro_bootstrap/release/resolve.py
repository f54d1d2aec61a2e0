"""Turn (target, version, base) into the URLs of one build, without downloading it.

A base is an https URL (or http on loopback), or a local folder in Kiro's layout (a mirror
written by `mirror`, e.g. `install --from DIR`): a folder is read from disk, its files addressed
as `file://` URLs that only this module creates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from kiro_bootstrap.errors import UnavailableError, UsageError
from kiro_bootstrap.layout.targets import CERTIFICATE_NAME, SIGNATURE_NAME, TargetSpec
from kiro_bootstrap.net.http_transfer import (
    FetchSession,
    NotPublishedError,
    fetch_bytes,
    probe,
)
from kiro_bootstrap.net.limits import MAX_METADATA_BYTES
from kiro_bootstrap.net.policy import check_url_allowed
from kiro_bootstrap.release.metadata import ReleaseMetadata, parse_metadata

LATEST = "latest"


@dataclass(frozen=True)
class ResolvedRelease:
    """One build's identity and where its files are."""

    target: str
    version: str
    artifact_url: str
    signature_url: str | None  # Linux only
    certificate_url: str | None  # Linux only
    pinned_sha256: str | None  # release.sha256[target], when the organisation pins it
    file_name: str
    base_url: str
    details: dict[str, Any] = field(default_factory=dict)  # pub_date, notes, name (metadata)

    @property
    def local(self) -> bool:
        """True when the files are read from a local folder."""
        return self.artifact_url.startswith("file:")


def local_folder(base: str) -> Path | None:
    """The folder a base names (a path or a file:// URL), or None for a web URL."""
    if "://" not in base:
        return Path(base).expanduser().resolve()
    parts = urlsplit(base)
    return Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None


def file_path_of(url: str) -> Path:
    """The local path of a `file://` URL made by this module."""
    return Path(unquote(urlsplit(url).path))


def resolve(
    spec: TargetSpec,
    *,
    version: str,
    base: str,
    channel: str,
    pinned_sha256: str | None,
    session: FetchSession | None,
    check_published: bool,
) -> ResolvedRelease:
    """Resolve a build; `session` None means offline. Exit 2 unpublished pin, 4 unreachable."""
    folder = local_folder(base)
    if folder is not None:
        return _resolve_local(spec, version, folder, channel, pinned_sha256)
    base = base.rstrip("/")
    if version == LATEST:
        if session is None:
            raise UnavailableError(
                f"--offline: finding the latest Kiro needs the release metadata from {base}.",
                hint="Pin release.version (and run once online) to install from the cache.",
                code="offline",
            )
        metadata_url = f"{base}/{spec.metadata_path(channel)}"
        metadata = _fetch_metadata(session, metadata_url)
        fallback = _from_pattern(
            spec, metadata.latest_version() or "", base, channel, pinned_sha256
        )
        return _from_metadata(spec, metadata, metadata_url, fallback, session)
    resolved = _from_pattern(spec, version, base, channel, pinned_sha256)
    if session is not None:
        for url in _urls(resolved):
            check_url_allowed(url, session.allowed_hosts)
        if check_published:
            _require_published(session, resolved)
    return resolved


def _fetch_metadata(session: FetchSession, url: str) -> ReleaseMetadata:
    try:
        body = fetch_bytes(session, url, what="the release metadata", limit=MAX_METADATA_BYTES)
    except NotPublishedError as error:
        raise UnavailableError(
            f"No release metadata at {url} (HTTP 404).",
            hint="Check release.base_url and release.channel.",
        ) from error
    return parse_metadata(body, url)


def _from_metadata(
    spec: TargetSpec,
    metadata: ReleaseMetadata,
    metadata_url: str,
    resolved: ResolvedRelease,
    session: FetchSession,
) -> ResolvedRelease:
    """The metadata's URLs for its current release; `resolved` is the pattern's fallback."""
    version = metadata.latest_version()
    if version is None:
        raise UnavailableError(
            f"The release metadata at {metadata_url} lists no release.", hint="Retry later."
        )
    artifact_url = metadata.url_ending(version, f".{spec.extension}")
    if artifact_url is not None:
        # The metadata's URLs win over the pattern; signature files sit beside the artifact.
        folder = artifact_url.rsplit("/", 1)[0]
        signature_url = certificate_url = None
        if spec.signed_by_certificate:
            signature_url = metadata.url_ending(version, f"/{SIGNATURE_NAME}")
            certificate_url = metadata.url_ending(version, f"/{CERTIFICATE_NAME}")
            signature_url = signature_url or f"{folder}/{SIGNATURE_NAME}"
            certificate_url = certificate_url or f"{folder}/{CERTIFICATE_NAME}"
        resolved = replace(
            resolved,
            artifact_url=artifact_url,
            signature_url=signature_url,
            certificate_url=certificate_url,
        )
    for url in _urls(resolved):
        check_url_allowed(url, session.allowed_hosts)
    return replace(resolved, details=metadata.details_of(version))


def _from_pattern(
    spec: TargetSpec, version: str, base: str, channel: str, pinned_sha256: str | None
) -> ResolvedRelease:
    folder = f"{base}/{spec.folder(channel, version)}"
    signed = spec.signed_by_certificate
    return ResolvedRelease(
        target=spec.name,
        version=version,
        artifact_url=f"{base}/{spec.artifact_path(channel, version)}",
        signature_url=f"{folder}{SIGNATURE_NAME}" if signed else None,
        certificate_url=f"{folder}{CERTIFICATE_NAME}" if signed else None,
        pinned_sha256=pinned_sha256,
        file_name=spec.file_name(channel, version),
        base_url=base,
    )


def _require_published(session: FetchSession, resolved: ResolvedRelease) -> None:
    """A pinned version must exist: a 404 on its artifact is a configuration error (exit 2)."""
    try:
        probe(session, resolved.artifact_url, what=f"Kiro {resolved.version}")
    except NotPublishedError:
        raise unpublished(resolved) from None


def unpublished(resolved: ResolvedRelease) -> UsageError:
    """The error for a pinned version the host does not publish."""
    return UsageError(
        f"Kiro {resolved.version} is not published for {resolved.target} "
        f"(no {resolved.artifact_url}).",
        hint="Check release.version (or --version) against Kiro's releases.",
        code="version-not-published",
    )


def _resolve_local(
    spec: TargetSpec, version: str, folder: Path, channel: str, pinned_sha256: str | None
) -> ResolvedRelease:
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder holding a Kiro mirror.")
    wanted = version
    if wanted == LATEST:
        metadata_path = folder / spec.metadata_path(channel)
        try:
            metadata = parse_metadata(metadata_path.read_bytes(), str(metadata_path))
        except OSError as error:
            raise UnavailableError(
                f"Cannot read {metadata_path}: {error.strerror}.",
                hint="Point at a folder written by `kiro-bootstrap mirror`.",
            ) from None
        version = metadata.latest_version() or ""
    resolved = _from_pattern(spec, version, folder.as_uri(), channel, pinned_sha256)
    if file_path_of(resolved.artifact_url).is_file():
        return resolved
    if wanted != LATEST:
        raise unpublished(resolved)
    raise UnavailableError(
        f"The mirror at {folder} lists Kiro {version or '(none)'} for {spec.name} "
        "but does not hold its artifact.",
        hint="Rebuild the mirror with `kiro-bootstrap mirror`.",
    )


def _urls(resolved: ResolvedRelease) -> list[str]:
    urls = [resolved.artifact_url, resolved.signature_url, resolved.certificate_url]
    return [url for url in urls if url]
