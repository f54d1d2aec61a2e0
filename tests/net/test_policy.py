"""URL policy and proxy choice."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiro_bootstrap.errors import VerificationError
from kiro_bootstrap.host.facts import ProxySettings
from kiro_bootstrap.net.client import choose_proxy
from kiro_bootstrap.net.policy import allowed_release_hosts, check_url_allowed
from kiro_bootstrap.settings.model import Settings
from tests.host import fixtures

ALLOWED = allowed_release_hosts("https://mirror.corp.example/kiro", ["cdn.corp.example"])


@pytest.mark.parametrize(
    "url",
    [
        "https://prod.download.desktop.kiro.dev/stable/metadata-linux-x64-stable.json",
        "https://mirror.corp.example/kiro/x.tar.gz",
        "https://CDN.corp.example/x",
        "http://127.0.0.1:8080/x",
        "http://localhost/x",
        "http://[::1]:9/x",
    ],
)
def test_allowed_urls(url: str) -> None:
    check_url_allowed(url, ALLOWED)


@pytest.mark.parametrize(
    "url",
    [
        "http://prod.download.desktop.kiro.dev/x",
        "https://evil.example/x",
        "https://prod.download.desktop.kiro.dev.evil.example/x",
        "ftp://mirror.corp.example/x",
        "file:///etc/passwd",
        "http://10.0.0.1/x",
    ],
)
def test_refused_urls_are_verification_failures(url: str) -> None:
    with pytest.raises(VerificationError):
        check_url_allowed(url, ALLOWED)


def test_configured_proxy_wins_over_the_os() -> None:
    facts = replace(
        fixtures.ubuntu2404(),
        proxy=ProxySettings(https="http://os-proxy:3128", source="env"),
    )
    settings = Settings.model_validate({"network": {"proxy": "http://org-proxy:8080"}})
    chosen = choose_proxy(settings, facts)
    assert (chosen.url, chosen.source) == ("http://org-proxy:8080", "config")
    fallback = choose_proxy(Settings(), facts)
    assert (fallback.url, fallback.source) == ("http://os-proxy:3128", "env")
    assert choose_proxy(Settings(), fixtures.ubuntu2404()).source == "none"
