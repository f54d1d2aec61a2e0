"""Where a roster is published: a local path (written atomically) or an S3 object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiro_bootstrap.aws.session import AwsClients
from kiro_bootstrap.errors import AwsPreconditionError, UsageError
from kiro_bootstrap.files import write_atomic
from kiro_bootstrap.roster.signing import MAX_ROSTER_BYTES

S3_SCHEME = "s3://"
CONTENT_TYPE = "application/json"
# Workstations revalidate every time (cheap with the ETag), so a new roster is seen at once.
CACHE_CONTROL = "no-cache"
FILE_MODE = 0o644  # a web server or file share (another user) serves it
MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


@dataclass(frozen=True)
class Destination:
    """A parsed `--dest`."""

    path: Path | None = None
    bucket: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        """As the person typed it."""
        return f"{S3_SCHEME}{self.bucket}/{self.key}" if self.bucket else str(self.path)


def parse_destination(text: str) -> Destination:
    """`s3://bucket/key`, or a filesystem path."""
    if text.startswith(S3_SCHEME):
        bucket, _, key = text.removeprefix(S3_SCHEME).partition("/")
        if not bucket or not key or key.endswith("/"):
            raise UsageError(f"--dest {text} must name an object: s3://BUCKET/KEY.")
        return Destination(bucket=bucket, key=key)
    if "://" in text:
        raise UsageError(f"--dest {text}: use a local path or s3://BUCKET/KEY.")
    return Destination(path=Path(text).expanduser())


def read_published(destination: Destination, clients: AwsClients | None) -> bytes | None:
    """What is at the destination now, or None when nothing is."""
    if destination.path is not None:
        try:
            with destination.path.open("rb") as stream:
                return stream.read(MAX_ROSTER_BYTES + 1)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise UsageError(f"Cannot read {destination.path}: {error.strerror}.") from None
    try:
        answer = _s3(clients).call(
            "s3", "get_object", Bucket=destination.bucket, Key=destination.key
        )
    except AwsPreconditionError as error:
        # Publishing needs only s3:PutObject; without s3:GetObject the expiry check is skipped.
        if error.code in MISSING_OBJECT_CODES or error.code == "aws-access-denied":
            return None
        raise
    return bytes(answer["Body"].read(MAX_ROSTER_BYTES + 1))


def publish_bytes(destination: Destination, data: bytes, clients: AwsClients | None) -> None:
    """Replace the roster in one step: readers see the old one or the new one, never half."""
    if destination.path is not None:
        _write_file(destination.path, data)
        return
    _s3(clients).call(
        "s3",
        "put_object",
        Bucket=destination.bucket,
        Key=destination.key,
        Body=data,
        ContentType=CONTENT_TYPE,
        CacheControl=CACHE_CONTROL,
    )


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
