"""`doctor` gives the right verdict on every platform we judge, and the honest one here."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiro_bootstrap.host.facts import HostFacts
from tests.conftest import CliRunner
from tests.host import fixtures


def checks_by_id(envelope: dict) -> dict[str, dict]:
    return {check["id"]: check for check in envelope["checks"]}


@pytest.mark.parametrize(
    ("make_facts", "verdict", "failing"),
    [
        (fixtures.windows11_user, "supported", set()),
        (fixtures.windows11_system, "supported", set()),
        (fixtures.windows_on_arm, "unsupported", {"arch"}),
        (fixtures.macos14_arm64, "supported", set()),
        (fixtures.macos14_rosetta, "supported", set()),
        (fixtures.macos11_x64, "unsupported", {"os"}),
        (fixtures.ubuntu2204, "unsupported", {"glibc"}),
        (fixtures.ubuntu2404, "supported", set()),
        (fixtures.debian12, "unsupported", {"glibc"}),
    ],
)
def test_verdict_per_platform(
    cli: CliRunner, make_facts: Callable[[], HostFacts], verdict: str, failing: set[str]
) -> None:
    result = cli("doctor", "--offline", "--json", facts=make_facts())
    envelope = result.json
    assert envelope["verdict"] == verdict
    assert result.code == (0 if verdict == "supported" else 3)
    assert {c["id"] for c in envelope["checks"] if c["status"] == "fail"} == failing
    for check in envelope["checks"]:
        assert set(check) == {"id", "status", "summary", "remedy"}
        if check["status"] == "fail":
            assert check["remedy"]


def test_every_documented_check_is_present(cli: CliRunner) -> None:
    envelope = cli("doctor", "--offline", "--json", facts=fixtures.ubuntu2404()).json
    assert list(checks_by_id(envelope)) == [
        "os", "arch", "glibc", "disk", "memory", "kiro-installed", "kiro-running", "context",
        "proxy", "ca", "release-host", "idc-start-url", "net-runtime", "net-management",
        "net-telemetry", "net-oidc", "net-portal", "net-start-url",
    ]  # fmt: skip


def test_rosetta_names_the_arm64_build(cli: CliRunner) -> None:
    envelope = cli("doctor", "--offline", "--json", facts=fixtures.macos14_rosetta()).json
    assert "darwin-arm64" in checks_by_id(envelope)["arch"]["summary"]


def test_ubuntu_2204_names_the_glibc_gap(cli: CliRunner) -> None:
    envelope = cli("doctor", "--offline", "--json", facts=fixtures.ubuntu2204()).json
    glibc = checks_by_id(envelope)["glibc"]
    assert "2.35" in glibc["summary"]
    assert "2.39" in glibc["summary"]


def test_this_machine_gets_its_honest_verdict(cli: CliRunner) -> None:
    """Real host facts: on this project's Debian 12 machines glibc 2.36 is too old."""
    from kiro_bootstrap.host.gather import gather_host_facts

    facts = gather_host_facts()
    result = cli("doctor", "--offline", "--json")
    glibc = checks_by_id(result.json)["glibc"]
    if facts.libc_version and tuple(map(int, facts.libc_version.split(".")[:2])) < (2, 39):
        assert result.code == 3
        assert f"glibc {facts.libc_version} is older than the 2.39 Kiro needs" in glibc["summary"]
    else:
        assert glibc["status"] in ("pass", "fail")


def test_human_output_shows_each_check_and_the_verdict(cli: CliRunner) -> None:
    result = cli("doctor", "--offline", facts=fixtures.debian12())
    assert "FAIL glibc" in result.stdout
    assert "Verdict: Kiro cannot run on this machine" in result.stdout
    assert "\033[" not in result.stdout  # NO_COLOR is set by the isolation


def test_system_without_console_user_warns(cli: CliRunner) -> None:
    facts = fixtures.windows11_system()
    from dataclasses import replace

    envelope = cli("doctor", "--offline", "--json", facts=replace(facts, console_user=None)).json
    assert checks_by_id(envelope)["context"]["status"] == "warn"


def test_running_kiro_warns_but_kiro_cli_does_not(cli: CliRunner) -> None:
    def running(names: list[str]) -> dict:
        return cli("doctor", "--offline", "--json", facts=fixtures.ubuntu2404(),
                   process_names=lambda: names).json  # fmt: skip

    assert checks_by_id(running(["bash", "kiro"]))["kiro-running"]["status"] == "warn"
    assert checks_by_id(running(["kiro-cli", "kiro-cli-chat"]))["kiro-running"]["status"] == "pass"


def test_installed_kiro_version_is_read_from_product_json(cli: CliRunner, tmp_path: Path) -> None:
    facts = fixtures.ubuntu2404(home=tmp_path / "home")
    product = tmp_path / "home/.local/share/kiro-bootstrap/kiro/current/resources/app/product.json"
    product.parent.mkdir(parents=True)
    product.write_text('{"version": "1.0.309"}', encoding="utf-8")
    envelope = cli("doctor", "--offline", "--json", facts=facts).json
    assert "Kiro 1.0.309" in checks_by_id(envelope)["kiro-installed"]["summary"]


@pytest.fixture
def local_site() -> Iterator[str]:
    class Quiet(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_reachability_checks_run_online(cli: CliRunner, local_site: str) -> None:
    env = {"KIRO_BOOTSTRAP_RELEASE__BASE_URL": local_site}
    envelope = cli("doctor", "--json", facts=fixtures.ubuntu2404(), env=env).json
    assert checks_by_id(envelope)["release-host"]["status"] == "pass"
    assert "reachable" in checks_by_id(envelope)["release-host"]["summary"]


def test_unreachable_release_host_is_a_warning(cli: CliRunner) -> None:
    env = {
        "KIRO_BOOTSTRAP_RELEASE__BASE_URL": "http://127.0.0.1:9",
        "KIRO_BOOTSTRAP_NETWORK__CONNECT_TIMEOUT": "1",
    }
    result = cli("doctor", "--json", facts=fixtures.ubuntu2404(), env=env)
    assert result.code == 0
    assert checks_by_id(result.json)["release-host"]["status"] == "warn"


def test_offline_skips_the_network(cli: CliRunner) -> None:
    envelope = cli("doctor", "--offline", "--json", facts=fixtures.ubuntu2404()).json
    assert "skipped" in checks_by_id(envelope)["release-host"]["summary"]


def test_pac_file_is_reported_as_unsupported(cli: CliRunner) -> None:
    from dataclasses import replace

    from kiro_bootstrap.host.facts import ProxySettings

    facts = replace(
        fixtures.macos14_arm64(),
        proxy=ProxySettings(pac_url="http://wpad.corp/proxy.pac", source="macos-system"),
    )
    envelope = cli("doctor", "--offline", "--json", facts=facts).json
    proxy = checks_by_id(envelope)["proxy"]
    assert proxy["status"] == "warn"
    assert "PAC" in proxy["summary"]
