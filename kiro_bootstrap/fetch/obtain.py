"""Resolve, fetch (or find in the cache) and verify one Kiro build: what `download` and
`install` call.

Offline (`--offline`) only a pinned version already in the cache, or a local mirror folder, can
be obtained; anything needing the network is exit 4.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from kiro_bootstrap.checks import Check
from kiro_bootstrap.context import Context
from kiro_bootstrap.errors import UnavailableError, UsageError
from kiro_bootstrap.fetch.cache import BuildCache, CacheEntry, cache_folder, place_at
from kiro_bootstrap.fetch.local import copy_to_part, read_small
from kiro_bootstrap.files import hash_file
from kiro_bootstrap.layout.targets import TARGET_SPECS, UPDATER_FEEDS, TargetSpec
from kiro_bootstrap.net.client import build_http_client
from kiro_bootstrap.net.http_transfer import (
    FetchSession,
    NotPublishedError,
    discard_part,
    download_to_part,
    fetch_bytes,
)
from kiro_bootstrap.net.limits import MAX_DOWNLOAD_BYTES, MAX_SIGNATURE_FILE_BYTES
from kiro_bootstrap.net.pace import PaceRule
from kiro_bootstrap.net.policy import allowed_release_hosts
from kiro_bootstrap.net.progress import ProgressReporter, RichProgress, SilentProgress
from kiro_bootstrap.release.resolve import (
    LATEST,
    ResolvedRelease,
    file_path_of,
    local_folder,
    resolve,
    unpublished,
)
from kiro_bootstrap.verify.artifact_version import check_artifact_version
from kiro_bootstrap.verify.chain import (
    ChainOutcome,
    Evidence,
    HostTools,
    run_verification_chain,
    stop_on_failure,
)
from kiro_bootstrap.verify.linux import check_certificate_first
from kiro_bootstrap.verify.trust import (
    CertificateFacts,
    LinuxTrust,
    linux_trust_for,
    read_certificate,
    remember_first_use,
)

__all__ = [
    "CachedFile",
    "ReleaseSource",
    "ResolvedRelease",
    "VerifiedBuild",
    "locate_release",
    "obtain_verified_build",
    "open_release_source",
    "resolve_release",
]


# `resolve_release` also resolves the macOS updater's zip feed ("darwin-arm64-zip") for `mirror`.
UPDATER_FEEDS_BY_NAME = {feed.name: feed for feed in UPDATER_FEEDS.values()}


@dataclass(frozen=True)
class VerifiedBuild:
    """A build that passed the verification chain."""

    target: str
    version: str
    path: Path  # the verified artifact in the content-addressed cache
    sha256: str
    size: int
    url: str
    checks: tuple[Check, ...]  # the verification chain, in order
    pinned: bool  # an org SHA-256 pin matched
    deferred: tuple[str, ...]  # steps that need another OS (e.g. "macos-codesign")
    signature_path: Path | None = None  # Linux: the cached signature.bin
    certificate_path: Path | None = None  # Linux: the cached certificate.pem
    from_cache: bool = False  # True when nothing was downloaded
    dest_path: Path | None = None  # where `dest` received it (a hardlink, or a copy)
    certificate: CertificateFacts | None = None  # Linux: who signed it (for the pin line)


@dataclass
class ReleaseSource:
    """Where builds come from for one run: the base, one HTTP client (unless offline or a local
    folder), the cache and the progress bar, shared by every resolve and fetch made through it."""

    ctx: Context
    base: str  # the --from / --base-url value, else release.base_url
    cache: BuildCache
    session: FetchSession | None  # None: offline, or a local folder
    progress: ProgressReporter
    cap_bytes: int
    linux_trust: LinuxTrust

    def resolve(
        self, target: str, version: str | None = None, *, check_published: bool = True
    ) -> ResolvedRelease:
        """Which build (version, URLs) without downloading it; 2 unpublished pin, 4 unreachable.

        A pinned version makes no request unless `check_published` asks whether it exists.
        """
        spec = UPDATER_FEEDS_BY_NAME.get(target) or _spec(target)
        release = self.ctx.settings.release
        return resolve(
            spec,
            version=version or release.version,
            base=self.base,
            channel=release.channel,
            pinned_sha256={str(name): pin for name, pin in release.sha256.items()}.get(spec.name),
            session=self.session,
            check_published=check_published,
        )

    def obtain(
        self, target: str, version: str | None = None, *, dest: Path | None = None
    ) -> VerifiedBuild:
        """The verified build, from the cache when it is there; `dest` gets a hardlink to it."""
        spec = _spec(target)
        resolved = self.resolve(target, version, check_published=False)
        asked_pin = (version or self.ctx.settings.release.version) != LATEST
        build = _from_cache(self, spec, resolved) or _download(self, spec, resolved, asked_pin)
        if dest is not None:
            placed = dest / resolved.file_name
            if place_at(build.path, placed):
                self.ctx.output.note(f"{placed} is a copy: the cache is on another filesystem.")
            build = replace(build, dest_path=placed)
        return build

    def fetch_to_cache(self, url: str, file_name: str) -> CachedFile:
        """Fetch `url` (under the same URL policy, resume and caps) into the cache, or reuse it.

        For files nothing here can verify: the mirror's copy of Kiro's macOS updater zip.
        """
        key = f"file|{url}"
        entry = self.cache.lookup(key)
        if entry is not None and hash_file(self.cache.blob(entry.artifact))[0] == entry.artifact:
            return CachedFile(self.cache.blob(entry.artifact), entry.artifact, entry.size)
        if self.session is None:
            raise UnavailableError(f"--offline: {file_name} is not in the cache.", code="offline")
        part = self.cache.partial(key, file_name)
        got = download_to_part(self.session, url, part, what=file_name)
        blob = self.cache.adopt(part, got.sha256)
        self.cache.record(key, CacheEntry(artifact=got.sha256, size=got.size))
        return CachedFile(blob, got.sha256, got.size)


@dataclass(frozen=True)
class CachedFile:
    """A file fetched into the cache without a verification chain of its own."""

    path: Path
    sha256: str
    size: int


def resolve_release(
    ctx: Context, *, target: str, version: str | None = None, base_url: str | None = None
) -> ResolvedRelease:
    """Which build (version, URLs) without downloading it; 2 unpublished pin, 4 unreachable."""
    with open_release_source(ctx, base_url) as source:
        return source.resolve(target, version)


def locate_release(
    ctx: Context, *, target: str, version: str, base_url: str | None = None
) -> ResolvedRelease:
    """Where `obtain_verified_build` would fetch this version from; no request for a version."""
    with open_release_source(ctx, base_url) as source:
        return source.resolve(target, version, check_published=False)


def obtain_verified_build(
    ctx: Context,
    *,
    target: str,
    version: str | None = None,
    base_url: str | None = None,
    dest: Path | None = None,
) -> VerifiedBuild:
    """The verified build, from the cache when it is there; `dest` gets a hardlink to it."""
    with open_release_source(ctx, base_url) as source:
        return source.obtain(target, version, dest=dest)


def _spec(target: str) -> TargetSpec:
    if target not in TARGET_SPECS:
        raise UsageError(
            f"Unknown target {target!r}.", hint=f"Use one of: {', '.join(TARGET_SPECS)}."
        )
    return TARGET_SPECS[target]


@contextlib.contextmanager
def open_release_source(ctx: Context, base_url: str | None = None) -> Iterator[ReleaseSource]:
    """Open the HTTP client (unless offline or local) and the progress bar, for one or more
    resolves and fetches from `base_url` (default release.base_url)."""
    release = ctx.settings.release
    base = base_url or release.base_url
    cap = MAX_DOWNLOAD_BYTES  # read here, not at import: tests lower it to reach it
    cache = BuildCache(cache_folder(ctx.facts, ctx.paths))
    with contextlib.ExitStack() as stack:
        progress: ProgressReporter = SilentProgress()
        if ctx.output.interactive:
            progress = stack.enter_context(RichProgress(ctx.output.stderr))
        session = None
        if not ctx.options.offline and local_folder(base) is None:
            client = stack.enter_context(build_http_client(ctx.settings, ctx.facts))
            hosts = allowed_release_hosts(base, release.allowed_hosts)
            network = ctx.settings.network
            pace = PaceRule(network.min_rate_bytes_per_second, network.min_rate_window_seconds)
            session = FetchSession(
                client, hosts, ctx.env.sleep, ctx.env.clock, cap, progress=progress, pace_rule=pace
            )
        yield ReleaseSource(ctx, base, cache, session, progress, cap, linux_trust_for(ctx))


def _cache_key(resolved: ResolvedRelease) -> str:
    return f"{resolved.target}|{resolved.version}|{resolved.artifact_url}"


def _from_cache(
    run: ReleaseSource, spec: TargetSpec, resolved: ResolvedRelease
) -> VerifiedBuild | None:
    """The cached build, hashed again before it is trusted; None on a miss or a damaged blob."""
    entry = run.cache.lookup(_cache_key(resolved))
    if entry is None:
        return None
    blob = run.cache.blob(entry.artifact)
    sha256, size = hash_file(blob)
    signature = run.cache.read_small(entry.signature)
    certificate = run.cache.read_small(entry.certificate)
    damaged = (entry.signature and signature is None) or (entry.certificate and certificate is None)
    if sha256 != entry.artifact or damaged:
        run.ctx.output.warn(f"The cached copy of {resolved.file_name} is damaged; fetching again.")
        run.cache.forget_blob(entry.artifact)
        return None
    outcome = _verify(run, spec, resolved, Evidence(spec, blob, sha256, signature, certificate))
    return _build(
        resolved,
        blob=blob,
        sha256=sha256,
        size=size,
        outcome=outcome,
        entry=entry,
        cache=run.cache,
        from_cache=True,
    )


def _download(
    run: ReleaseSource, spec: TargetSpec, resolved: ResolvedRelease, asked_pin: bool
) -> VerifiedBuild:
    """Fetch the signature files and the artifact, verify, then move it into the cache."""
    if run.session is None and not resolved.local:
        raise UnavailableError(
            f"--offline: Kiro {resolved.version} ({resolved.target}) is not in the cache at "
            f"{run.cache.root}.",
            hint="Run once online with the same release.version to fill the cache.",
            code="offline",
        )
    what = f"Kiro {resolved.version} ({resolved.target})"
    part = run.cache.partial(_cache_key(resolved), resolved.file_name)
    try:
        signature = _fetch_small(run, resolved.signature_url, "signature.bin")
        certificate = _fetch_small(run, resolved.certificate_url, "certificate.pem")
        if certificate is not None:
            # A certificate the trust rule refuses costs no artifact download.
            stop_on_failure(check_certificate_first(certificate, run.linux_trust))
        if run.session is None:
            source = file_path_of(resolved.artifact_url)
            if not source.is_file():
                raise unpublished(resolved)
            got = copy_to_part(
                source, part, cap_bytes=run.cap_bytes, progress=run.progress, what=what
            )
        else:
            got = download_to_part(run.session, resolved.artifact_url, part, what=what)
    except NotPublishedError as error:
        if asked_pin:
            raise unpublished(resolved) from error
        raise
    staged = part.with_name(resolved.file_name)  # tools like hdiutil want the real name
    part.replace(staged)
    try:
        evidence = Evidence(spec, staged, got.sha256, signature, certificate)
        outcome = _verify(run, spec, resolved, evidence)
    except BaseException:
        discard_part(staged)
        raise
    blob = run.cache.adopt(staged, got.sha256)
    entry = CacheEntry(
        artifact=got.sha256,
        size=got.size,
        signature=run.cache.store_small(signature) if signature is not None else None,
        certificate=run.cache.store_small(certificate) if certificate is not None else None,
    )
    run.cache.record(_cache_key(resolved), entry)
    return _build(
        resolved,
        blob=blob,
        sha256=got.sha256,
        size=got.size,
        outcome=outcome,
        entry=entry,
        cache=run.cache,
    )


def _fetch_small(run: ReleaseSource, url: str | None, what: str) -> bytes | None:
    if url is None:
        return None
    if run.session is None:
        return read_small(file_path_of(url), limit=MAX_SIGNATURE_FILE_BYTES, what=what)
    return fetch_bytes(run.session, url, what=what, limit=MAX_SIGNATURE_FILE_BYTES)


def _verify(
    run: ReleaseSource, spec: TargetSpec, resolved: ResolvedRelease, evidence: Evidence
) -> ChainOutcome:
    ctx = run.ctx
    outcome = run_verification_chain(
        evidence,
        expected_sha256=resolved.pinned_sha256,
        signing=ctx.settings.release.signing,
        host=HostTools(ctx.facts.os, ctx.env.runner, ctx.environ),
        linux_trust=run.linux_trust,
    )
    version_check = check_artifact_version(
        spec,
        evidence.artifact,
        resolved.version,
        version_field=ctx.settings.kiro.version_field,
        runner=ctx.env.runner,
        can_attach_dmg=ctx.facts.os == "darwin",
    )
    checks = [*outcome.checks, version_check]
    stop_on_failure(checks)
    outcome = replace(outcome, checks=tuple(checks))
    facts = read_certificate(evidence.certificate) if evidence.certificate else None
    if facts is not None and remember_first_use(facts, run.linux_trust, ctx.env.clock()):
        record = run.linux_trust.first_use_file
        ctx.output.note(f"Trusted on first use: {facts.subject} (recorded in {record}).")
    return outcome


def _build(
    resolved: ResolvedRelease,
    *,
    blob: Path,
    sha256: str,
    size: int,
    outcome: ChainOutcome,
    entry: CacheEntry,
    cache: BuildCache,
    from_cache: bool = False,
) -> VerifiedBuild:
    return VerifiedBuild(
        target=resolved.target,
        version=resolved.version,
        path=blob,
        sha256=sha256,
        size=size,
        url=resolved.artifact_url,
        checks=outcome.checks,
        pinned=outcome.pinned,
        deferred=outcome.deferred,
        signature_path=cache.blob(entry.signature) if entry.signature else None,
        certificate_path=cache.blob(entry.certificate) if entry.certificate else None,
        from_cache=from_cache,
        certificate=_certificate_facts(cache, entry),
    )


def _certificate_facts(cache: BuildCache, entry: CacheEntry) -> CertificateFacts | None:
    pem = cache.read_small(entry.certificate)
    return read_certificate(pem) if pem else None
