"""`--config https://…`: fetched through the project's HTTP client, its userinfo never shown."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiro_bootstrap.errors import ExitStatus
from tests.conftest import CliRunner
from tests.host import fixtures
from tests.onboarding.support import START_URL, organisation_toml


class _Portal(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/org.toml":
            body = organisation_toml(None).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/elsewhere":
            self.send_response(302)
            self.send_header("Location", "https://portal.example.com/org.toml")
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def portal() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_config_url_is_a_settings_layer_with_userinfo_redacted(cli: CliRunner, portal: str) -> None:
    url = f"http://dev1:s3cr3t-token@{portal}/org.toml"
    result = cli("--json", "--config", url, "config", "show", facts=fixtures.ubuntu2404())
    assert result.code == 0, result.stderr
    row = result.json["settings"]["identity_center.start_url"]
    assert row["value"] == START_URL
    assert row["origin"] == f"url http://****@{portal}/org.toml"
    assert "s3cr3t-token" not in result.stdout + result.stderr


def test_config_url_redirect_off_its_host_is_refused(cli: CliRunner, portal: str) -> None:
    url = f"http://token@{portal}/elsewhere"
    result = cli("--config", url, "config", "show", facts=fixtures.ubuntu2404())
    assert result.code == ExitStatus.USAGE
    assert "portal.example.com" in result.stderr
    assert "token@" not in result.stderr


def test_config_url_missing_is_one_sentence(cli: CliRunner, portal: str) -> None:
    result = cli("--config", f"http://{portal}/nope.toml", "config", "show")
    assert result.code == ExitStatus.USAGE
    assert "answered HTTP 404" in result.stderr


def test_plain_http_config_url_off_loopback_is_refused(cli: CliRunner) -> None:
    result = cli("--config", "http://user:pw@portal.example.com/org.toml", "config", "show")
    assert result.code == ExitStatus.USAGE
    assert "must use https" in result.stderr
    assert "pw@" not in result.stderr
