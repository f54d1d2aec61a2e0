"""Layered settings: precedence, origins, policy locks, and one-sentence errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiro_bootstrap.errors import ConfigError
from kiro_bootstrap.settings.load import ManagedSource, load_settings


def load(tmp_path: Path, toml: str = "", env: dict[str, str] | None = None, **kwargs: object):
    config = tmp_path / "org.toml"
    config.write_text(toml, encoding="utf-8")
    return load_settings(
        config_file=config,
        user_config_file=tmp_path / "user.toml",
        managed=kwargs.get("managed"),  # type: ignore[arg-type]
        environ=env or {},
        flags=kwargs.get("flags"),  # type: ignore[arg-type]
    )


def test_defaults_apply_when_nothing_is_set(tmp_path: Path) -> None:
    loaded = load(tmp_path)
    assert loaded.settings.release.base_url == "https://prod.download.desktop.kiro.dev"
    assert loaded.settings.kiro.profile_region == "us-east-1"
    assert str(loaded.origin_of("release.version")) == "default"


def test_precedence_flags_then_env_then_policy_then_file(tmp_path: Path) -> None:
    managed = ManagedSource("/etc/kiro-bootstrap/config.toml", {"network": {"proxy": "http://p:1"}})
    loaded = load(
        tmp_path,
        '[identity_center]\nregion = "eu-west-1"\n[network]\nproxy = "http://file:1"\n',
        env={"KIRO_BOOTSTRAP_IDENTITY_CENTER__REGION": "us-west-2"},
        managed=managed,
        flags={"install.scope": ("user", "--scope")},
    )
    settings = loaded.settings
    assert settings.identity_center.region == "us-west-2"
    assert str(loaded.origin_of("identity_center.region")) == (
        "env KIRO_BOOTSTRAP_IDENTITY_CENTER__REGION"
    )
    assert settings.network.proxy == "http://p:1"
    assert str(loaded.origin_of("network.proxy")) == "policy /etc/kiro-bootstrap/config.toml"
    assert settings.install.scope == "user"
    assert str(loaded.origin_of("install.scope")) == "flag --scope"


def test_policy_locks_release_keys_against_env_and_flags(tmp_path: Path) -> None:
    managed = ManagedSource("/etc/kiro-bootstrap/config.toml", {"release": {"version": "1.0.309"}})
    loaded = load(tmp_path, env={"KIRO_BOOTSTRAP_RELEASE__VERSION": "1.0.1"}, managed=managed)
    assert loaded.settings.release.version == "1.0.309"
    assert "locked by policy" in str(loaded.origin_of("release.version"))
    assert any("KIRO_BOOTSTRAP_RELEASE__VERSION" in warning for warning in loaded.warnings)
    with pytest.raises(ConfigError, match="locked by policy"):
        load(tmp_path, managed=managed, flags={"release.version": ("1.0.1", "--version")})


def test_env_lists_are_json(tmp_path: Path) -> None:
    loaded = load(tmp_path, env={"KIRO_BOOTSTRAP_RELEASE__ALLOWED_HOSTS": '["mirror.example.com"]'})
    assert loaded.settings.release.allowed_hosts == ["mirror.example.com"]


def test_start_url_is_normalised(tmp_path: Path) -> None:
    toml = '[identity_center]\nstart_url = "https://d-1234567890.awsapps.com/start/#/"\n'
    assert load(tmp_path, toml).settings.identity_center.start_url == (
        "https://d-1234567890.awsapps.com/start"
    )


def test_fingerprints_accept_colons_and_case(tmp_path: Path) -> None:
    pin = ":".join(["AB"] * 32)
    toml = f'[release.signing]\nlinux_cert_sha256 = ["{pin}"]\n'
    assert load(tmp_path, toml).settings.release.signing.linux_cert_sha256 == ["ab" * 32]


BAD_CONFIGS = [
    ("[release\n", "not valid TOML"),
    ("[release]\nbogus = 1\n", "Unknown setting release.bogus"),
    ("[nonsense]\nx = 1\n", "Unknown setting nonsense"),
    ('[release]\nbase_url = "http://mirror.example.com"\n', "must use https"),
    ('[identity_center]\nstart_url = "http://d-1.awsapps.com/start"\n', "must use https"),
    ('[identity_center]\nregion = "mars-north-1"\n', "is not an AWS region"),
    ('[kiro]\nprofile_region = "ap-southeast-2"\n', "not a Kiro console region"),
    ('[identity_center]\nsso_session_name = "a\\u0007b"\n', "control characters"),
    (f'[subscription]\nrequest_url = "https://x.example.com/{"a" * 2100}"\n', "longer than 2048"),
    ('[release]\nversion = "newest"\n', "must be 'latest' or a version"),
    ('[release.sha256]\nlinux-x64 = "' + "a" * 64 + '"\n', "need a pinned release.version"),
    ('[release.sha256]\nsolaris = "' + "a" * 64 + '"\n', "release.sha256.solaris"),
    ('[release.signing]\nlinux_cert_sha256 = ["xyz"]\n', "SHA-256 fingerprint"),
    ('[install]\nscope = "everywhere"\n', "install.scope"),
    ('[install]\nprocess_names = ["kiro-cli"]\n', "must not name kiro-cli"),
    ('[[assignments]]\ngroup = "devs"\nuser = "bob"\nplan = "pro"\n', "exactly one of group"),
    ('[[assignments]]\ngroup = "devs"\nplan = "gold"\n', "assignments.0.plan"),
    ("[network]\nread_timeout = -1\n", "network.read_timeout"),
]


@pytest.mark.parametrize(("toml", "expected"), BAD_CONFIGS)
def test_bad_configs_are_one_sentence_naming_the_key(
    tmp_path: Path, toml: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, toml)
    message = raised.value.message
    assert expected in message
    assert "\n" not in message
    assert str(tmp_path / "org.toml") in message


def test_loopback_http_is_allowed_for_the_release_base_url(tmp_path: Path) -> None:
    toml = '[release]\nbase_url = "http://127.0.0.1:8080/"\n'
    assert load(tmp_path, toml).settings.release.base_url == "http://127.0.0.1:8080"


def test_opt_in_regions_exist(tmp_path: Path) -> None:
    assert load(tmp_path, '[identity_center]\nregion = "ap-east-1"\n').settings.identity_center


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"KIRO_BOOTSTRAP_NOPE": "1"}, "KIRO_BOOTSTRAP_NOPE"),
        ({"KIRO_BOOTSTRAP_RELEASE__BOGUS": "1"}, "KIRO_BOOTSTRAP_RELEASE__BOGUS"),
        ({"KIRO_BOOTSTRAP_RELEASE__ALLOWED_HOSTS": "not json"}, "not valid JSON"),
        ({"KIRO_BOOTSTRAP_NETWORK__READ_TIMEOUT": "soon"}, "KIRO_BOOTSTRAP_NETWORK__READ_TIMEOUT"),
    ],
)
def test_bad_environment_values_name_the_variable(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected):
        load(tmp_path, env=env)


def test_root_and_user_variables_are_not_settings(tmp_path: Path) -> None:
    env = {"KIRO_BOOTSTRAP_ROOT": "/tmp/r", "KIRO_BOOTSTRAP_USER": "alice"}
    assert load(tmp_path, env=env).settings


def test_missing_required_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(
            config_file=tmp_path / "missing.toml",
            user_config_file=tmp_path / "user.toml",
            managed=None,
            environ={},
        )


def test_example_config_is_valid_and_schema_is_current(tmp_path: Path) -> None:
    from kiro_bootstrap.settings.model import Settings

    repo = Path(__file__).resolve().parents[2]
    loaded = load_settings(
        config_file=repo / "config" / "example.toml",
        user_config_file=tmp_path / "user.toml",
        managed=None,
        environ={},
    )
    assert loaded.settings.identity_center.region == "ap-southeast-2"
    schema = json.loads((repo / "config" / "kiro-bootstrap.schema.json").read_text("utf-8"))
    assert schema == Settings.model_json_schema(), "run: python -m kiro_bootstrap.settings.schema"
    example = (repo / "config" / "example.toml").read_text("utf-8")
    for section in Settings.model_fields:
        assert f"[{section}" in example or f"[[{section}" in example or f"# [{section}" in example


def test_public_keys_must_be_ed25519(tmp_path: Path) -> None:
    import base64

    good = "ed25519:" + base64.b64encode(bytes(32)).decode()
    toml = f'[subscription]\npublic_keys = ["{good}"]\n'
    assert load(tmp_path, toml).settings.subscription.public_keys == [good]
    with pytest.raises(ConfigError, match="not an Ed25519 public key"):
        load(tmp_path, '[subscription]\npublic_keys = ["ed25519:AAAA"]\n')


def test_every_target_name_has_exactly_one_published_download() -> None:
    from kiro_bootstrap.layout.targets import TARGET_SPECS
    from kiro_bootstrap.settings.targets import TARGETS

    assert tuple(TARGET_SPECS) == TARGETS


def test_steering_texts_may_span_lines_but_not_hold_control_characters(tmp_path: Path) -> None:
    toml = '[steering.files]\nteam = """# Team rules\nUse ${VAR} for secrets.\n"""\n'
    assert load(tmp_path, toml).settings.steering.files["team"].count("\n") == 2
    with pytest.raises(ConfigError, match="control characters"):
        load(tmp_path, '[steering.files]\nteam = "a\\u0007b"\n')


def test_readme_documents_every_setting() -> None:
    from kiro_bootstrap.settings.load import flatten
    from kiro_bootstrap.settings.model import Settings

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    reference = readme.split("### Settings reference", 1)[1].split("\n## ", 1)[0]
    for key in flatten(Settings().model_dump()):
        leaf = key.rsplit(".", 1)[-1]
        assert key in reference or f"/ `{leaf}`" in reference, key
