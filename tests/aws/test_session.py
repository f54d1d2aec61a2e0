"""The session factory: precedence of profile and region, retries, timeouts and error codes."""

from __future__ import annotations

from pathlib import Path

from kiro_bootstrap.aws.session import DEFAULT_MAX_ATTEMPTS, resolve_aws_settings
from kiro_bootstrap.settings.model import Settings
from sandbox.aws import CREDENTIALS, SHARED_ACCOUNT
from tests.admin.harness import write_config
from tests.host import fixtures


def test_aws_profile_setting_wins_over_aws_profile_variable() -> None:
    environ = {
        "AWS_PROFILE": "from-env",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-2",
    }
    configured = resolve_aws_settings(Settings(aws={"profile": "from-config"}), environ)
    assert (configured.profile, configured.profile_source) == ("from-config", "[aws] profile")
    assert configured.region == "eu-west-2"
    from_env = resolve_aws_settings(
        Settings(), {"AWS_PROFILE": "from-env", "AWS_MAX_ATTEMPTS": "2"}
    )
    assert (from_env.profile, from_env.profile_source, from_env.max_attempts) == (
        "from-env",
        "AWS_PROFILE",
        2,
    )
    plain = resolve_aws_settings(Settings(), {"AWS_MAX_ATTEMPTS": "zero"})
    assert (plain.profile, plain.max_attempts, plain.endpoint_url) == (
        None,
        DEFAULT_MAX_ATTEMPTS,
        None,
    )


def test_config_show_says_which_profile_wins(cli) -> None:
    env = {"AWS_PROFILE": "someone-else", "KIRO_BOOTSTRAP_AWS__PROFILE": "kiro-admin"}
    shown = cli("config", "show", env=env, facts=fixtures.ubuntu2404())
    assert "aws.profile" in shown.stdout
    assert "wins over AWS_PROFILE=someone-else" in shown.stdout
    unset = cli(
        "config", "show", "--json", env={"AWS_PROFILE": "someone-else"}, facts=fixtures.ubuntu2404()
    )
    assert (
        unset.json["settings"]["aws.profile"]["note"]
        == "unset, so AWS_PROFILE=someone-else is used"
    )


def test_the_configured_profile_is_used_even_when_aws_profile_names_another(
    use, aws, tmp_path
) -> None:
    run = use()
    shared = CREDENTIALS["shared"]
    folder = Path(tmp_path)
    (folder / "aws-config").write_text(
        f"[profile kiro-admin]\nregion = us-east-1\nendpoint_url = {aws.endpoint_url}\n",
        encoding="utf-8",
    )
    (folder / "aws-credentials").write_text(
        f"[kiro-admin]\naws_access_key_id = {shared.access_key_id}\n"
        f"aws_secret_access_key = {shared.secret_access_key}\n",
        encoding="utf-8",
    )
    env = {
        "AWS_CONFIG_FILE": str(folder / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "aws-credentials"),
        "AWS_PROFILE": "does-not-exist",
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",  # ignored: an explicit profile wins
        "AWS_ENDPOINT_URL": "",
    }
    config = write_config(folder, extra='\n[aws]\nprofile = "kiro-admin"\n', role=False)
    result = run("preflight", "--json", config=config, env=env)
    assert result.json["account"] == SHARED_ACCOUNT, result.stdout


def test_an_unknown_profile_is_a_config_error(use, tmp_path) -> None:
    config = write_config(tmp_path, extra='\n[aws]\nprofile = "nobody"\n', role=False)
    result = use()("preflight", config=config)
    assert result.code == 2
    assert "nobody" in result.stderr


def test_a_stalled_aws_times_out_with_exit_4(use) -> None:
    run = use(stall={"sts:GetCallerIdentity": 3})
    env = {"KIRO_BOOTSTRAP_NETWORK__READ_TIMEOUT": "0.3", "AWS_MAX_ATTEMPTS": "1"}
    result = run("preflight", env=env)
    assert result.code == 4
    caller = next(line for line in result.stdout.splitlines() if line.startswith("ERR  caller"))
    assert "sts GetCallerIdentity" in caller
    assert "failed: timed out" in caller
    assert "ok   assignments" in result.stdout  # the other checks still ran


def test_throttling_is_retried_and_exhausted_throttling_is_exit_4(use, aws) -> None:
    retried = use(throttle={"organizations:DescribeOrganization": 1})("preflight")
    assert retried.code == 0
    assert aws.calls[("organizations", "DescribeOrganization")] == 2
    exhausted = use(throttle={"organizations:DescribeOrganization": 9})(
        "preflight", env={"AWS_MAX_ATTEMPTS": "2"}
    )
    assert exhausted.code == 4
    assert "organizations DescribeOrganization" in exhausted.stdout
    assert "failed: throttled (IAM action organizations:DescribeOrganization)" in exhausted.stdout


def test_a_closed_port_is_exit_4(use) -> None:
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
    result = use()("preflight", env=env)
    assert result.code == 4
    assert "failed: could not connect" in result.stdout
    assert "Verdict: not known" in result.stdout


def test_network_proxy_reaches_botocore() -> None:
    settings = Settings(network={"proxy": "http://proxy.corp.example:3128"})
    assert resolve_aws_settings(settings, {}).proxy == "http://proxy.corp.example:3128"
    assert resolve_aws_settings(Settings(), {}).proxy is None
