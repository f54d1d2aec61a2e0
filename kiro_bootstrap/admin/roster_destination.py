"""Where a roster is published: a file or S3 object (one document), or a folder or S3 prefix
(the sharded set: shards first, proof pages, then the index last)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from kiro_bootstrap.aws.session import AwsClients
from kiro_bootstrap.errors import AwsPreconditionError, UsageError
from kiro_bootstrap.files import write_atomic
from kiro_bootstrap.roster.model import format_timestamp, parse_timestamp
from kiro_bootstrap.roster.roster_set import RosterSet
from kiro_bootstrap.roster.sharded import INDEX_NAME, PUBLISH_FOLDER, SHARD_FOLDER
from kiro_bootstrap.roster.signing import MAX_ROSTER_BYTES

S3_SCHEME = "s3://"
CONTENT_TYPE = "application/json"
# Workstations revalidate every time (cheap with the ETag), so a new roster is seen at once.
CACHE_CONTROL = "no-cache"
# Shards and proof pages never change under their name: caches may keep them.
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
FILE_MODE = 0o644  # a web server or file share (another user) serves it
FOLDER_MODE = 0o755
MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
ACCESS_DENIED = "aws-access-denied"
MANIFEST_NAME = "manifest.json"  # the publisher's own record of a publish: its expiry and shards
S3_WRITERS = 16  # concurrent PutObject calls while writing a set
S3_DELETE_BATCH = 1000  # DeleteObjects' limit


@dataclass(frozen=True)
class Destination:
    """A parsed `--dest`: a file or object, or (sharded) a folder or key prefix."""

    path: Path | None = None
    bucket: str | None = None
    key: str | None = None  # the object, or the prefix ("" or ending in "/") when sharded
    sharded: bool = False

    def __str__(self) -> str:
        """As the person typed it."""
        return f"{S3_SCHEME}{self.bucket}/{self.key}" if self.bucket else str(self.path)

    def roster_location(self) -> str:
        """What workstations set as roster_url's file: the document, or the set's index."""
        if self.bucket is not None:
            key = f"{self.key}{INDEX_NAME}" if self.sharded else str(self.key)
            return f"{S3_SCHEME}{self.bucket}/{key}"
        return str(self.path / INDEX_NAME if self.sharded and self.path else self.path)


@dataclass
class SetReport:
    """What writing a sharded set did."""

    shards_written: int = 0
    shards_kept: int = 0
    pages_written: int = 0
    bytes_written: int = 0
    publishes_removed: list[str] = field(default_factory=list)
    shards_removed: int = 0
    warnings: list[str] = field(default_factory=list)


def parse_destination(text: str) -> Destination:
    """`s3://bucket/key`, `s3://bucket/prefix/` (sharded), a folder (sharded), or a file path."""
    if text.startswith(S3_SCHEME):
        bucket, _, key = text.removeprefix(S3_SCHEME).partition("/")
        if not bucket:
            raise UsageError(f"--dest {text} must name a bucket: s3://BUCKET/PREFIX/ or KEY.")
        return Destination(bucket=bucket, key=key, sharded=not key or key.endswith("/"))
    if "://" in text:
        raise UsageError(f"--dest {text}: use a local path or s3://BUCKET/KEY.")
    path = Path(text).expanduser()
    return Destination(path=path, sharded=text.endswith(("/", "\\")) or path.is_dir())


def read_published(destination: Destination, clients: AwsClients | None) -> bytes | None:
    """The live document (or the set's index), or None when nothing is there."""
    if destination.path is not None:
        path = destination.path / INDEX_NAME if destination.sharded else destination.path
        try:
            with path.open("rb") as stream:
                return stream.read(MAX_ROSTER_BYTES + 1)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise UsageError(f"Cannot read {path}: {error.strerror}.") from None
    key = f"{destination.key}{INDEX_NAME}" if destination.sharded else destination.key
    return _get_object(_s3(clients), str(destination.bucket), str(key), MAX_ROSTER_BYTES)


def publish_bytes(destination: Destination, data: bytes, clients: AwsClients | None) -> None:
    """Replace the single-document roster in one step: readers see the old or the new one."""
    if destination.path is not None:
        _write_file(destination.path, data)
        return
    _put(_s3(clients), str(destination.bucket), str(destination.key), data, CACHE_CONTROL)


def publish_set(
    destination: Destination, roster_set: RosterSet, clients: AwsClients | None, now: datetime
) -> SetReport:
    """Write shards, proof pages and the manifest, then the index; then drop expired publishes.

    A reader that sees the new index finds every file it names; one holding an older index finds
    that publish's files until the older index has expired.
    """
    store: _Store = (
        _FolderStore(destination.path)
        if destination.path
        else _S3Store(_s3(clients), str(destination.bucket), str(destination.key))
    )
    report = SetReport()
    try:
        present = {f"{SHARD_FOLDER}/{name}" for name in store.names(SHARD_FOLDER)}
    except AwsPreconditionError as error:
        if error.code != ACCESS_DENIED:
            raise
        present = set()
        report.warnings.append(
            "cannot list the shards already published (s3:ListBucket denied): writing all of them"
        )
    new_shards = {p: d for p, d in roster_set.shards.items() if p not in present}
    report.shards_written, report.pages_written = len(new_shards), len(roster_set.pages)
    report.shards_kept = len(roster_set.shards) - len(new_shards)
    publish_id = roster_set.index.publish_id
    manifest = {"publish_id": publish_id,
                "expires_at": format_timestamp(roster_set.index.expires_at),
                "shards": sorted(roster_set.shards)}  # fmt: skip
    files = {
        **new_shards,
        **roster_set.pages,
        f"{PUBLISH_FOLDER}/{publish_id}/{MANIFEST_NAME}": json.dumps(manifest).encode(),
    }
    store.write_many(files, immutable=True)
    store.write_many({INDEX_NAME: roster_set.index_bytes}, immutable=False)
    report.bytes_written = sum(map(len, files.values())) + len(roster_set.index_bytes)
    try:
        _remove_expired(store, publish_id, now, report)
    except AwsPreconditionError as error:
        if error.code != ACCESS_DENIED:
            raise
        report.warnings.append(
            "expired publishes were not removed (s3:ListBucket or s3:DeleteObject denied): "
            "they only cost storage"
        )
    return report


def _remove_expired(store: _Store, current: str, now: datetime, report: SetReport) -> None:
    """Remove publishes whose index has expired, then shards no kept publish names."""
    kept_shards: set[str] = set()
    for publish_id in sorted(store.names(PUBLISH_FOLDER)):
        data = store.read(f"{PUBLISH_FOLDER}/{publish_id}/{MANIFEST_NAME}")
        try:
            manifest = json.loads(data or b"")
            expired = publish_id != current and parse_timestamp(manifest["expires_at"], "") <= now
            shards = [str(path) for path in manifest["shards"]]
        except (ValueError, KeyError, TypeError):
            continue  # not ours, or unreadable: never delete what we cannot account for
        if expired:
            store.remove_folder(f"{PUBLISH_FOLDER}/{publish_id}")
            report.publishes_removed.append(publish_id)
        else:
            kept_shards.update(shards)
    unused = [f"{SHARD_FOLDER}/{name}" for name in store.names(SHARD_FOLDER)]
    unused = [path for path in unused if path not in kept_shards]
    store.remove_files(unused)
    report.shards_removed = len(unused)


class _Store(Protocol):
    """The few operations a set needs, on a folder or an S3 prefix."""

    def names(self, folder: str) -> set[str]: ...
    def read(self, path: str) -> bytes | None: ...
    def write_many(self, files: dict[str, bytes], *, immutable: bool) -> None: ...
    def remove_folder(self, folder: str) -> None: ...
    def remove_files(self, paths: Iterable[str]) -> None: ...


class _FolderStore:
    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise UsageError(f"Cannot publish to {root}: the folder does not exist.")
        self.root = root

    def names(self, folder: str) -> set[str]:
        try:
            return {entry.name for entry in (self.root / folder).iterdir()}
        except FileNotFoundError:
            return set()

    def read(self, path: str) -> bytes | None:
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None

    def write_many(self, files: dict[str, bytes], *, immutable: bool) -> None:
        for path, data in files.items():
            target = self.root / path
            for folder in reversed(target.relative_to(self.root).parents[:-1]):
                if not (self.root / folder).is_dir():
                    (self.root / folder).mkdir(mode=FOLDER_MODE)
                    (self.root / folder).chmod(FOLDER_MODE)
            _write_file(target, data)

    def remove_folder(self, folder: str) -> None:
        shutil.rmtree(self.root / folder, ignore_errors=True)

    def remove_files(self, paths: Iterable[str]) -> None:
        for path in paths:
            (self.root / path).unlink(missing_ok=True)


class _S3Store:
    def __init__(self, clients: AwsClients, bucket: str, prefix: str) -> None:
        self.clients, self.bucket, self.prefix = clients, bucket, prefix

    def names(self, folder: str) -> set[str]:
        start = f"{self.prefix}{folder}/"
        found: set[str] = set()
        for page in self.clients.pages("s3", "list_objects_v2", Bucket=self.bucket, Prefix=start):
            found.update(
                item["Key"][len(start) :].split("/")[0] for item in page.get("Contents", [])
            )
        return found

    def read(self, path: str) -> bytes | None:
        return _get_object(self.clients, self.bucket, self.prefix + path, MAX_ROSTER_BYTES)

    def write_many(self, files: dict[str, bytes], *, immutable: bool) -> None:
        control = IMMUTABLE_CACHE_CONTROL if immutable else CACHE_CONTROL

        def put(item: tuple[str, bytes]) -> None:
            _put(self.clients, self.bucket, self.prefix + item[0], item[1], control)

        with ThreadPoolExecutor(max_workers=S3_WRITERS) as pool:
            list(pool.map(put, files.items()))

    def remove_folder(self, folder: str) -> None:
        start = f"{self.prefix}{folder}/"
        pages = self.clients.pages("s3", "list_objects_v2", Bucket=self.bucket, Prefix=start)
        self._delete([item["Key"] for page in pages for item in page.get("Contents", [])])

    def remove_files(self, paths: Iterable[str]) -> None:
        self._delete([self.prefix + path for path in paths])

    def _delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), S3_DELETE_BATCH):
            batch = [{"Key": key} for key in keys[start : start + S3_DELETE_BATCH]]
            self.clients.call("s3", "delete_objects", Bucket=self.bucket,
                              Delete={"Objects": batch, "Quiet": True})  # fmt: skip


def _get_object(clients: AwsClients, bucket: str, key: str, limit: int) -> bytes | None:
    try:
        answer = clients.call("s3", "get_object", Bucket=bucket, Key=key)
    except AwsPreconditionError as error:
        # Publishing needs only s3:PutObject; without s3:GetObject the expiry check is skipped.
        if error.code in MISSING_OBJECT_CODES or error.code == ACCESS_DENIED:
            return None
        raise
    return bytes(answer["Body"].read(limit + 1))


def _put(clients: AwsClients, bucket: str, key: str, data: bytes, control: str) -> None:
    clients.call("s3", "put_object", Bucket=bucket, Key=key, Body=data,
                 ContentType=CONTENT_TYPE, CacheControl=control)  # fmt: skip


def _write_file(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise UsageError(f"Cannot publish to {path}: the folder {path.parent} does not exist.")
    try:
        write_atomic(path, data, mode=FILE_MODE)
    except OSError as error:
        raise UsageError(f"Cannot write {path}: {error.strerror}.") from None


def _s3(clients: AwsClients | None) -> AwsClients:
    if clients is None:
        raise UsageError("An s3:// destination needs AWS; drop --offline.")
    return clients
