"""The one redactor: secrets fed through each channel appear in no output and no file written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiro_bootstrap.redact import MASK, Redactor, is_secret_key, redact, redact_value
from tests.host import fixtures

PASSWORD = "Pr0xy@pa/ss"  # an "@" and a "/" inside: the cases a naive pattern misses
PROXY_PASSWORD = "Pr0xy@pa55w"  # a "/" must be percent-encoded in a setting (validation)
MCP_TOKEN = "mcp-T0ken-zz9"
URL_TOKEN = "urlT0kenQQ7"
URL_PASSWORD = "Pa55@word!"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"proxy http://bob:{PASSWORD}@proxy.corp:8080 failed", "pa/ss"),
        (f"proxy http://bob:{PASSWORD}@proxy.corp:8080 failed", "Pr0xy"),
        (f"GET https://{URL_TOKEN}@git.example.com/repo.git", URL_TOKEN),
        ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
        ("authorization=Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi"),
        ("curl sent Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi"),
        ('{"headers": {"Authorization": "Bearer abc123def"}}', "abc123def"),
        ("GITHUB_TOKEN=ghs_short and more", "ghs_short"),
        ('{"password": "two words"}', "two words"),
        ("client_secret = 'quoted'", "quoted"),
        ("key AKIAIOSFODNN7EXAMPLE used", "IOSFODNN7EXAMPLE"),
    ],
)
def test_redact_masks_every_credential_shape(text: str, secret: str) -> None:
    assert secret not in redact(text)
    assert MASK in redact(text)


def test_known_secret_values_are_masked_wherever_they_appear() -> None:
    redactor = Redactor((MCP_TOKEN, 'quo"te'))
    assert MCP_TOKEN not in redactor(f"the value {MCP_TOKEN} leaked")
    assert "quo" not in redactor(json.dumps({"x": 'quo"te'}))


@pytest.mark.parametrize(
    "text",
    [
        "dev1@example.com got https://prod.download.desktop.kiro.dev/stable/x.json in 0.2 s",
        "mcp.json:5: a bearer token is written here; basic authentication is not supported",
    ],
)
def test_ordinary_text_and_email_addresses_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_values_under_secret_keys_are_masked_in_nested_documents() -> None:
    assert is_secret_key("mcpServers.docs.env.ANYTHING")
    assert not is_secret_key("http.proxyStrictSSL")
    value = {"command": "uvx", "env": {"API": MCP_TOKEN}, "headers": {"X": "y-value"}}
    assert redact_value("mcpServers.docs", value) == {
        "command": "uvx",
        "env": {"API": MASK},
        "headers": {"X": MASK},
    }


def no_wait(_seconds: float) -> None:
    """Retries back off instantly."""


def files_holding(folder: Path, *secrets: str, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Every file under `folder` (but `skip`) that holds one of `secrets`."""
    return [
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path not in skip
        and any(secret.encode() in path.read_bytes() for secret in secrets)
    ]


def test_status_and_configure_never_show_the_proxy_password_or_an_mcp_token(
    cli, tmp_path, isolated
):
    org = tmp_path / "org.toml"
    org.write_text(
        '[network]\nproxy = "http://bob:' + PROXY_PASSWORD + '@proxy.example.com:8080"\n'
        f'[mcp.servers.docs]\ncommand = "uvx"\nenv = {{ API_TOKEN = "{MCP_TOKEN}" }}\n'
    )
    home = Path(isolated["HOME"])
    facts = fixtures.ubuntu2404(home)
    outputs = [cli("configure", "--config", str(org), facts=facts)]
    mcp = home / ".kiro/settings/mcp.json"
    mcp.write_text(mcp.read_text().replace(MCP_TOKEN, "changed-by-person"))
    outputs += [
        cli("status", "--json", "--config", str(org), facts=facts),
        cli("status", "--config", str(org), facts=facts),
        cli("configure", "--dry-run", "--json", "--config", str(org), facts=facts),
    ]
    drift = outputs[1].json["drift"]
    assert drift[0]["expected"]["env"] == {"API_TOKEN": MASK}
    assert "Drift: mcpServers.docs" in outputs[2].stdout
    for result in outputs:
        assert PROXY_PASSWORD not in result.stdout + result.stderr
        assert MCP_TOKEN not in result.stdout + result.stderr
    # Kiro's own files must hold them (that is the point); and the configure record keeps what
    # was written to detect drift (0600, the person's own state).
    kept = (
        home / ".config/Kiro/User/settings.json",
        mcp,
        home / ".local/state/kiro-bootstrap/configured.json",
    )
    assert files_holding(tmp_path, PROXY_PASSWORD, MCP_TOKEN, skip=(org, *kept)) == []


def test_a_base_url_with_credentials_reaches_no_output_log_or_status_file(cli, tmp_path):
    # "@" is fine in a password as URLs are split at the last one; nothing listens on port 9.
    base = f"http://{URL_TOKEN}:{URL_PASSWORD}@127.0.0.1:9"
    root_facts = fixtures.ubuntu2404(Path("/root"), is_admin=True)
    env = {"KIRO_BOOTSTRAP_RELEASE__BASE_URL": base}
    results = [
        cli("install", "--json", facts=root_facts, env=env, sleep=no_wait),
        cli("install", "--debug", facts=root_facts, env=env, sleep=no_wait),
        cli("download", facts=fixtures.ubuntu2404(), env=env, sleep=no_wait),
    ]
    assert [result.code for result in results] == [4, 4, 4]
    assert "Cannot" in results[0].json["error"]["message"]
    for result in results:
        assert URL_PASSWORD not in result.stdout + result.stderr
        assert URL_TOKEN not in result.stdout + result.stderr
    assert files_holding(tmp_path, URL_PASSWORD, URL_TOKEN) == []
    status_files = list(tmp_path.rglob("status.json"))
    assert status_files
    assert any(MASK in path.read_text() for path in status_files)


def test_a_url_that_cannot_be_parsed_is_refused_without_showing_its_password(cli):
    env = {"KIRO_BOOTSTRAP_RELEASE__BASE_URL": f"https://bob:{PASSWORD}@mirror.example.com"}
    result = cli("download", "--json", facts=fixtures.ubuntu2404(), env=env)
    assert result.code == 2
    assert "pa/ss" not in result.stdout + result.stderr
