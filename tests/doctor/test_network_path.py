"""doctor's network path: DNS, TCP and TLS to the hosts Kiro needs, against loopback stand-ins
(a TLS server whose certificate a test CA issued, as a TLS-inspecting proxy does, and a
CONNECT proxy)."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiro_bootstrap.doctor.network_path import planned_hosts
from kiro_bootstrap.settings.model import Settings
from sandbox.connect_proxy import ConnectProxy
from sandbox.tls_stand_in import CA_NAME, SandboxAuthority, TlsServer, create_authority
from tests.conftest import CliRunner
from tests.host import fixtures


@pytest.fixture(scope="module")
def authority() -> SandboxAuthority:
    return create_authority()


@pytest.fixture
def inspecting_server(authority: SandboxAuthority, tmp_path: Path) -> Iterator[TlsServer]:
    with TlsServer(authority, tmp_path) as server:
        yield server


def config_for(folder: Path, port: int, **network: str) -> Path:
    """Only the runtime host (at the stand-in) is probed; the other rows are switched off."""
    lines = "".join(f'{key} = "{value}"\n' for key, value in network.items())
    path = folder / "org.toml"
    path.write_text(
        "[network]\n" + lines +
        f'service_hosts = {{ runtime = "localhost:{port}", management = "", telemetry = "", '
        'oidc = "", portal = "", start-url = "" }\n'
    )  # fmt: skip
    return path


def runtime_check(cli: CliRunner, config: Path, *argv: str) -> dict:
    result = cli("doctor", "--json", "--config", str(config), *argv, facts=fixtures.ubuntu2404())
    assert result.code == 0, result.stdout
    return next(check for check in result.json["checks"] if check["id"] == "net-runtime")


def test_the_table_names_every_documented_host_for_both_regions() -> None:
    settings = Settings.model_validate(
        {
            "kiro": {"profile_region": "eu-central-1"},
            "identity_center": {
                "start_url": "https://d-1234567890.awsapps.com/start",
                "region": "eu-west-2",
            },
        }
    )
    assert dict(planned_hosts(settings)) == {
        "runtime": "runtime.eu-central-1.kiro.dev:443",
        "management": "management.eu-central-1.kiro.dev:443",
        "telemetry": "telemetry.eu-central-1.kiro.dev:443",
        "oidc": "oidc.eu-west-2.amazonaws.com:443",
        "portal": "portal.sso.eu-west-2.amazonaws.com:443",
        "start-url": "d-1234567890.awsapps.com:443",
    }


def test_without_the_idc_region_its_hosts_are_skipped_and_say_why(cli: CliRunner) -> None:
    checks = {c["id"]: c for c in cli("doctor", "--json", "--offline").json["checks"]}
    assert checks["net-oidc"]["summary"] == "skipped: the IDC region is not configured"
    assert checks["net-runtime"]["summary"] == "skipped (--offline): runtime.us-east-1.kiro.dev:443"


def test_an_intercepting_certificate_the_machine_does_not_trust_is_named(
    cli: CliRunner, inspecting_server: TlsServer, tmp_path: Path
) -> None:
    check = runtime_check(cli, config_for(tmp_path, inspecting_server.port))
    assert check["status"] == "warn"
    assert f"issuer '{CA_NAME}' is not a public CA" in check["summary"]
    assert "does not trust it" in check["summary"]
    assert "network.ca_bundle" in check["remedy"]


def test_the_organisations_ca_makes_the_interception_trusted(
    cli: CliRunner, inspecting_server: TlsServer, authority: SandboxAuthority, tmp_path: Path
) -> None:
    bundle = tmp_path / "corp-root.pem"
    bundle.write_bytes(authority.ca_pem)
    config = config_for(tmp_path, inspecting_server.port, ca_bundle=str(bundle))
    check = runtime_check(cli, config)
    assert f"{bundle} trusts it" in check["summary"]
    assert "NODE_EXTRA_CA_CERTS" in check["remedy"]


def test_the_probe_goes_through_the_configured_proxy_with_its_credentials(
    cli: CliRunner, inspecting_server: TlsServer, authority: SandboxAuthority, tmp_path: Path
) -> None:
    bundle = tmp_path / "corp-root.pem"
    bundle.write_bytes(authority.ca_pem)
    expected = "Basic " + base64.b64encode(b"alice:pa+ss").decode()
    with ConnectProxy(expected_authorization=expected) as proxy:
        config = config_for(
            tmp_path, inspecting_server.port, ca_bundle=str(bundle),
            proxy=f"http://alice:pa%2Bss@127.0.0.1:{proxy.port}",
        )  # fmt: skip
        check = runtime_check(cli, config)
    probes = [request for request in proxy.requests if request[0].startswith("localhost:")]
    assert probes == [(f"localhost:{inspecting_server.port}", True)] * 3
    assert "(through the proxy)" in check["summary"]
    assert "pa+ss" not in json.dumps(check)


def test_a_proxy_refusing_the_credentials_is_named(
    cli: CliRunner, inspecting_server: TlsServer, tmp_path: Path
) -> None:
    with ConnectProxy(expected_authorization="Basic other") as proxy:
        config = config_for(
            tmp_path, inspecting_server.port, proxy=f"http://127.0.0.1:{proxy.port}"
        )
        check = runtime_check(cli, config)
    assert "the proxy refused the tunnel" in check["summary"]
    assert "407" in check["summary"]


def test_a_closed_port_is_a_tcp_failure(cli: CliRunner, tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    check = runtime_check(cli, config_for(tmp_path, port))
    assert check["status"] == "warn"
    assert f"TCP to 127.0.0.1:{port} failed" in check["summary"]


def test_offline_probes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    with ConnectProxy() as proxy:
        config = config_for(tmp_path, 9, proxy=f"http://127.0.0.1:{proxy.port}")
        check = runtime_check(cli, config, "--offline")
    assert proxy.requests == []
    assert check["summary"] == "skipped (--offline): localhost:9"
