"""Check a request's SigV4 signature the way AWS would, using botocore's own signer."""

from __future__ import annotations

import datetime
import hashlib
import hmac

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sandbox.aws.wire import Authorization, WireRequest

# AWS rejects requests whose X-Amz-Date is further than this from its clock.
MAX_CLOCK_SKEW = datetime.timedelta(minutes=15)


class SignatureError(Exception):
    """The request's signature does not hold; the message is the one AWS would send."""


def verify_signature(
    request: WireRequest,
    auth: Authorization,
    secret_access_key: str,
    *,
    now: datetime.datetime | None = None,
) -> None:
    """Raise SignatureError unless the request is signed as its Authorization header claims."""
    amz_date = request.header("x-amz-date") or ""
    _check_date(amz_date, auth, now or datetime.datetime.now(datetime.UTC))
    _check_payload_hash(request)
    expected = compute_signature(request, auth, secret_access_key, amz_date)
    if not hmac.compare_digest(expected, auth.signature):
        raise SignatureError(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method."
        )


def compute_signature(
    request: WireRequest, auth: Authorization, secret_access_key: str, amz_date: str
) -> str:
    """Rebuild the request from its signed headers and sign it with botocore at its own date."""
    signed = set(auth.signed_headers)
    headers = {name: value for name, value in request.headers if name.lower() in signed}
    host = request.header("host") or ""
    rebuilt = AWSRequest(
        method=request.method,
        url=f"http://{host}{request.target}",
        headers=headers,
        data=request.body,
    )
    # The client's date, not ours: add_auth would stamp the current time.
    rebuilt.context["timestamp"] = amz_date
    signer = SigV4Auth(
        Credentials(auth.access_key_id, secret_access_key), auth.service, auth.region
    )
    canonical = signer.canonical_request(rebuilt)
    return str(signer.signature(signer.string_to_sign(rebuilt, canonical), rebuilt))


def _check_date(amz_date: str, auth: Authorization, now: datetime.datetime) -> None:
    """Reject a missing, mismatched or stale X-Amz-Date."""
    try:
        stamp = datetime.datetime.strptime(amz_date, SIGV4_TIMESTAMP).replace(tzinfo=datetime.UTC)
    except ValueError:
        raise SignatureError(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        ) from None
    if amz_date[:8] != auth.date:
        raise SignatureError(
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{auth.date}' != '{amz_date[:8]}', from '{amz_date}'."
        )
    if abs(now - stamp) > MAX_CLOCK_SKEW:
        raise SignatureError(
            f"Signature expired: {amz_date} is now earlier than "
            f"{(now - MAX_CLOCK_SKEW).strftime(SIGV4_TIMESTAMP)}."
        )


def _check_payload_hash(request: WireRequest) -> None:
    """A signed X-Amz-Content-SHA256 must match the body, or a tampered body would pass."""
    declared = request.header("x-amz-content-sha256")
    if declared is None or declared == "UNSIGNED-PAYLOAD":
        return
    if declared != hashlib.sha256(request.body).hexdigest():
        raise SignatureError(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )
