"""`--config https://…`: the organisation's settings fetched from the portal that published them."""

from __future__ import annotations

import tomllib
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from kiro_bootstrap.errors import ConfigError, UnavailableError, VerificationError
from kiro_bootstrap.host.facts import HostFacts
from kiro_bootstrap.net.client import build_http_client
from kiro_bootstrap.net.redirects import open_checked
from kiro_bootstrap.settings.model import Settings

# A settings file is a few KiB; anything near this is not one.
MAX_CONFIG_BYTES = 1024 * 1024
URL_SCHEMES = ("https://", "http://")


def is_config_url(text: str) -> bool:
    """True when `--config` names a URL rather than a file."""
    return text.lower().startswith(URL_SCHEMES)


def display_url(url: str) -> str:
    """The URL with any userinfo (a user name, a password, a token) replaced by ****."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"****@{host}"))


def fetch_config(url: str, facts: HostFacts) -> dict[str, Any]:
    """Download and parse the settings; https only (http on loopback), redirects on its own host.

    The URL's own host is the only allowed one: a redirect elsewhere is refused before it is
    contacted, as for every other download.
    """
    shown = display_url(url)
    host = (urlsplit(url).hostname or "").lower()
    import httpx

    try:
        with (
            build_http_client(Settings(), facts) as client,
            open_checked(client, "GET", url, allowed_hosts=frozenset({host})) as response,
        ):
            if response.status_code != 200:
                raise ConfigError(
                    f"The config URL {shown} answered HTTP {response.status_code}.",
                    hint="Check the --config URL.",
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_CONFIG_BYTES:
                    raise ConfigError(f"The config at {shown} is larger than 1 MiB.")
    except VerificationError as error:
        raise ConfigError(error.message.replace(url, shown), hint=error.hint) from None
    except httpx.HTTPError as error:
        raise UnavailableError(
            f"The config URL {shown} cannot be reached ({type(error).__name__}).",
            hint="Check the network or the proxy, then retry.",
        ) from None
    try:
        return tomllib.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"The config at {shown} is not valid TOML: {error}.") from None
