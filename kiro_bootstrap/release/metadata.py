"""Kiro's release metadata: parse tolerantly, pick files by URL ending, order versions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kiro_bootstrap.errors import UnavailableError
from kiro_bootstrap.parsing import load_json_bytes

_VERSION_NUMBERS = re.compile(r"\d+")
# Versions become folder names in a mirror: digits and dots, an optional plain suffix, no "/".
_VERSION = re.compile(r"^\d+(\.\d+){0,3}([-+][0-9A-Za-z.]+)?$")


@dataclass(frozen=True)
class ReleaseEntry:
    """One `releases[]` entry: a version and one file URL (plus the fields we pass through)."""

    version: str
    url: str
    details: dict[str, Any]  # the whole `updateTo` object, kept for a mirror's copy


@dataclass(frozen=True)
class ReleaseMetadata:
    """A parsed metadata document."""

    current_release: str | None
    entries: tuple[ReleaseEntry, ...]

    def versions(self) -> list[str]:
        """Every version listed, newest first."""
        found = {entry.version for entry in self.entries}
        return sorted(found, key=version_key, reverse=True)

    def latest_version(self) -> str | None:
        """`currentRelease`, else the highest version listed."""
        if self.current_release:
            return self.current_release
        versions = self.versions()
        return versions[0] if versions else None

    def url_ending(self, version: str, ending: str) -> str | None:
        """The URL of `version`'s file whose path ends with `ending` (never "the first entry")."""
        for entry in self.entries:
            if entry.version == version and entry.url.split("?", 1)[0].endswith(ending):
                return entry.url
        return None

    def details_of(self, version: str) -> dict[str, Any]:
        """The pass-through fields (`pub_date`, `notes`, `name`) of `version`, if listed."""
        for entry in self.entries:
            if entry.version == version:
                return {key: value for key, value in entry.details.items() if key != "url"}
        return {}


def version_key(version: str) -> tuple[int, ...]:
    """Numeric order: 1.0.310 after 1.0.309, 1.10 after 1.9."""
    return tuple(int(part) for part in _VERSION_NUMBERS.findall(version))


def parse_metadata(body: bytes, source: str) -> ReleaseMetadata:
    """Parse a metadata document; extra fields are ignored, a wrong shape is exit 4."""
    try:
        document = load_json_bytes(body, what="the metadata")
    except ValueError:
        raise _malformed(source, "it is not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("releases"), list):
        raise _malformed(source, "it has no `releases` list")
    current = document.get("currentRelease")
    entries: list[ReleaseEntry] = []
    for item in document["releases"]:
        update = item.get("updateTo") if isinstance(item, dict) else None
        if not isinstance(update, dict):
            raise _malformed(source, "a `releases` entry has no `updateTo` object")
        version = update.get("version") or item.get("version")
        url = update.get("url")
        if not isinstance(version, str) or not isinstance(url, str) or not _VERSION.match(version):
            raise _malformed(source, "a `releases` entry lacks a version or a URL")
        entries.append(ReleaseEntry(version, url, dict(update)))
    if current is not None and not (isinstance(current, str) and _VERSION.match(current)):
        raise _malformed(source, "`currentRelease` is not a version")
    return ReleaseMetadata(current, tuple(entries))


def _malformed(source: str, why: str) -> UnavailableError:
    return UnavailableError(
        f"The release metadata at {source} is malformed: {why}.",
        hint="The release host may be mid-publish; retry later, or check release.base_url.",
        code="metadata-malformed",
    )
