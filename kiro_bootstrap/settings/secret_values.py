"""The values of settings marked secret, for the one redactor to mask wherever they appear."""

from __future__ import annotations

from urllib.parse import urlsplit

from kiro_bootstrap.redact import MIN_SECRET_LENGTH
from kiro_bootstrap.settings.model import Settings


def secret_values(settings: Settings) -> tuple[str, ...]:
    """Values of settings marked secret: MCP env and headers, and passwords in URLs."""
    values: list[str] = []
    for server in settings.mcp.servers.values():
        values += server.env.values()
        values += server.headers.values()
    for url in (
        settings.network.proxy,
        settings.release.base_url,
        settings.subscription.roster_url or "",
    ):
        parts = urlsplit(url) if "://" in url else None
        if parts is not None:
            # user:password hides the password; a token alone (https://TOKEN@host) is the user.
            values.append(parts.password or parts.username or "")
    return tuple(value for value in values if len(value) >= MIN_SECRET_LENGTH)
