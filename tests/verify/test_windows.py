"""Windows Authenticode through recorded `Get-AuthenticodeSignature | ConvertTo-Json` output."""

from __future__ import annotations

import json

import pytest

from kiro_bootstrap.host.runner import Completed, RecordedRunner
from kiro_bootstrap.verify.windows import PATH_VARIABLE, parse_distinguished_name, powershell_path
from tests.host import fixtures
from tests.release.support import (
    cache_root,
    download,
    leftovers,
)
from tests.verify.tool_outputs import tool_output

POWERSHELL = powershell_path({})


class EnvRecorder(RecordedRunner):
    """Also keeps the environment each call got (the file path travels there)."""

    def __init__(self, output: str, code: int = 0) -> None:
        super().__init__()
        self.add([POWERSHELL], Completed(code, output, ""))
        self.envs: list[dict[str, str]] = []

    def __call__(self, argv, *, timeout=30.0, env=None, input=None):  # noqa: A002
        self.envs.append(dict(env or {}))
        return super().__call__(argv, timeout=timeout, env=env, input=input)


def win_download(cli, origin, runner, env=None):
    return download(cli, origin, facts=fixtures.windows11_user(), runner=runner, env=env)


def test_valid_amazon_signature_passes(cli, origin):
    runner = EnvRecorder(tool_output("authenticode-valid.json"))
    result = win_download(cli, origin, runner)
    assert result.code == 0, result.stdout
    assert result.json["target"] == "win32-x64"
    statuses = {check["id"]: check["status"] for check in result.json["checks"]}
    # The sandbox's exe-like file has no version resource: the label stands, with a warning.
    assert statuses == {"org-pin": "warn", "win-authenticode": "pass", "win-publisher": "pass",
                        "artifact-version": "warn"}  # fmt: skip
    argv = runner.calls[0]
    assert argv[0] == "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
    assert "Get-AuthenticodeSignature -LiteralPath $env:" in argv[-1]
    assert runner.envs[0][PATH_VARIABLE].endswith("kiro-ide-1.0.310-stable-win32-x64.exe")


def test_unsigned_installer_is_exit_5(cli, origin, isolated):
    result = win_download(cli, origin, EnvRecorder(tool_output("authenticode-not-signed.json")))
    assert result.code == 5
    assert "NotSigned" in result.json["error"]["message"]
    assert leftovers(cache_root(isolated)) == []


def test_another_publisher_is_exit_5(cli, origin):
    result = win_download(
        cli, origin, EnvRecorder(tool_output("authenticode-other-publisher.json"))
    )
    assert result.code == 5
    assert "Contoso" in result.json["error"]["message"]


@pytest.mark.parametrize(
    ("thumbprints", "code"),
    [(["a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"], 0), (["00" * 20], 5)],
)
def test_thumbprint_pins_are_enforced_when_set(cli, origin, thumbprints, code):
    env = {"KIRO_BOOTSTRAP_RELEASE__SIGNING__WINDOWS_THUMBPRINTS": json.dumps(thumbprints)}
    result = win_download(cli, origin, EnvRecorder(tool_output("authenticode-valid.json")), env)
    assert result.code == code


def test_powershell_failure_fails_closed(cli, origin):
    result = win_download(cli, origin, EnvRecorder("", code=1))
    assert result.code == 5


def test_distinguished_names_keep_quoted_commas():
    subject = 'CN="Amazon.com, Inc.", O="Amazon.com, Inc.", L=Seattle, S=Washington, C=US'
    assert parse_distinguished_name(subject) == {
        "CN": "Amazon.com, Inc.", "O": "Amazon.com, Inc.", "L": "Seattle", "S": "Washington",
        "C": "US",
    }  # fmt: skip


def test_a_windows_build_checked_on_linux_is_deferred(cli, origin):
    result = download(cli, origin, "--target", "win32-x64")
    assert result.code == 5
    assert [c["id"] for c in result.json["checks"] if c["status"] == "deferred"] == [
        "win-authenticode", "win-publisher"
    ]  # fmt: skip
