"""Signed calls to the Kiro fake, the way a client of the undocumented endpoints makes them."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sandbox.aws import CREDENTIALS, LocalAws


def kiro_call(
    aws: LocalAws,
    target: str,
    body: dict[str, object],
    *,
    service: str,
    region: str = "us-east-1",
    tamper: Callable[[bytes], bytes] | None = None,
    content_type: str = "application/x-amz-json-1.0",
) -> httpx.Response:
    """Sign a Kiro control-plane request with botocore's SigV4 and send it with httpx."""
    shared = CREDENTIALS["shared"]
    data = json.dumps(body).encode()
    request = AWSRequest(
        method="POST",
        url=f"{aws.endpoint_url}/",
        data=data,
        headers={"Content-Type": content_type, "X-Amz-Target": target},
    )
    SigV4Auth(
        Credentials(shared.access_key_id, shared.secret_access_key), service, region
    ).add_auth(request)
    sent = tamper(data) if tamper else data
    return httpx.post(f"{aws.endpoint_url}/", content=sent, headers=dict(request.headers.items()))


def subscribed(
    aws: LocalAws, page_size: int, region: str | None = None
) -> dict[str, dict[str, object]]:
    """Every ListUserSubscriptions page (signed for the IDC region by default), by user name."""
    names = {user_id: name for name, user_id in aws.directory.user_ids.items()}
    query: dict[str, object] = {
        "instanceArn": aws.instance_arn,
        "subscriptionRegion": "us-east-1",
        "maxResults": page_size,
    }
    rows: dict[str, dict[str, object]] = {}
    while True:
        page = kiro_call(
            aws,
            "AWSZornControlPlaneService.ListUserSubscriptions",
            query,
            service="user-subscriptions",
            region=region or aws.scenario.idc_region,
        ).json()
        rows |= {names[row["principal"]["user"]]: row for row in page["subscriptions"]}
        if "nextToken" not in page:
            return rows
        query["nextToken"] = page["nextToken"]
