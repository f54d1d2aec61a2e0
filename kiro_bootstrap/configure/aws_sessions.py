"""IAM Identity Center sign-ins a person already has in ~/.aws/config, to offer (never to use)."""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import Path

# https://d-xxxxxxxxxx.awsapps.com/start, https://<alias>.awsapps.com/start,
# https://ssoins-<id>.portal.<region>.app.aws (FACTS §2).
_IDC_START_URL = re.compile(
    r"^https://([a-z0-9-]+\.awsapps\.com/start|ssoins-[a-z0-9]+\.portal\.[a-z0-9-]+\.app\.aws)/?"
    r"(#/?)?$"
)
_SESSION = re.compile(r'^sso-session\s+"?([^"]+?)"?\s*$')


@dataclass(frozen=True)
class SsoSession:
    """One `[sso-session NAME]` whose start URL is an IDC start URL."""

    name: str
    start_url: str
    region: str | None


def find_sso_sessions(aws_config: Path) -> list[SsoSession]:
    """The IDC sign-ins in an AWS config file, read with configparser as botocore does."""
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read(aws_config, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return []  # a file botocore cannot read either offers nothing
    found = []
    for section in parser.sections():
        match = _SESSION.match(section)
        url = parser.get(section, "sso_start_url", fallback="").strip()
        if match and _IDC_START_URL.match(url):
            region = parser.get(section, "sso_region", fallback="").strip() or None
            found.append(SsoSession(match.group(1), url, region))
    return found
