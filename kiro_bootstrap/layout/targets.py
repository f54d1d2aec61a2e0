"""Kiro build targets, where each is published (FACTS §1), and which one fits a host."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.host.facts import HostFacts

Family = Literal["linux", "darwin", "windows"]
CERTIFICATE_NAME = "certificate.pem"
SIGNATURE_NAME = "signature.bin"


@dataclass(frozen=True)
class TargetSpec:
    """One published download: its platform folder, file type and metadata document."""

    name: str
    platform: str  # the `{platform}` of Kiro's URL pattern
    subfolder: str  # "tar/" or "deb/" on Linux, "" elsewhere
    extension: str
    metadata_name: str  # under `{base}/{channel}/`, with `{channel}` filled in
    family: Family

    @property
    def signed_by_certificate(self) -> bool:
        """True when Kiro publishes `certificate.pem` and `signature.bin` beside the artifact."""
        return self.family == "linux"

    def metadata_path(self, channel: str) -> str:
        """The metadata document's path under the base URL."""
        return f"{channel}/{self.metadata_name.format(channel=channel)}"

    def folder(self, channel: str, version: str) -> str:
        """The folder (trailing slash) holding the artifact and, on Linux, its signature files."""
        return f"releases/{channel}/{self.platform}/signed/{version}/{self.subfolder}"

    def file_name(self, channel: str, version: str) -> str:
        """The artifact's file name in the published pattern."""
        return f"kiro-ide-{version}-{channel}-{self.platform}.{self.extension}"

    def artifact_path(self, channel: str, version: str) -> str:
        """The artifact's path under the base URL (FACTS §1 URL pattern)."""
        return self.folder(channel, version) + self.file_name(channel, version)


TARGET_SPECS: dict[str, TargetSpec] = {
    spec.name: spec
    for spec in (
        TargetSpec("linux-x64", "linux-x64", "tar/", "tar.gz",
                   "metadata-linux-x64-{channel}.json", "linux"),
        TargetSpec("linux-x64-deb", "linux-x64", "deb/", "deb",
                   "metadata-linux-x64-deb-{channel}.json", "linux"),
        TargetSpec("darwin-arm64", "darwin-arm64", "", "dmg",
                   "metadata-dmg-darwin-arm64-{channel}.json", "darwin"),
        TargetSpec("darwin-x64", "darwin-x64", "", "dmg",
                   "metadata-dmg-darwin-x64-{channel}.json", "darwin"),
        TargetSpec("win32-x64", "win32-x64", "", "exe",
                   "metadata-win32-x64-user-{channel}.json", "windows"),
    )
}  # fmt: skip

# The signed-app zip feed Kiro's own macOS updater reads; a mirror used as UpdateUrl carries it.
UPDATER_FEEDS: dict[str, TargetSpec] = {
    target: TargetSpec(f"{target}-zip", target, "", "zip",
                       f"metadata-{target}-{{channel}}.json", "darwin")
    for target in ("darwin-arm64", "darwin-x64")
}  # fmt: skip


def host_target(facts: HostFacts) -> str | None:
    """The build this host runs, or None when Kiro publishes none for it."""
    if facts.os == "linux":
        return "linux-x64" if facts.arch == "x86_64" else None
    if facts.os == "darwin":
        # Under Rosetta 2 the process says x86_64 on Apple silicon: take the native build.
        return "darwin-arm64" if "arm64" in (facts.arch, facts.native_arch) else "darwin-x64"
    if facts.os == "windows":
        return "win32-x64" if facts.native_arch == "x86_64" else None
    return None


def choose_target(requested: str | None, facts: HostFacts) -> TargetSpec:
    """`--target` when given, else this host's build; no build for this host is exit 2."""
    name = requested or host_target(facts)
    if name is None:
        raise UsageError(
            f"Kiro publishes no build for this host ({facts.os} {facts.arch}).",
            hint=f"Name one with --target ({', '.join(TARGET_SPECS)}).",
        )
    if name not in TARGET_SPECS:
        raise UsageError(
            f"Unknown target {name!r}.", hint=f"Use one of: {', '.join(TARGET_SPECS)}."
        )
    return TARGET_SPECS[name]
