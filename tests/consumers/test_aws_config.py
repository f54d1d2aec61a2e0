"""~/.aws/config, read back by botocore's loader (strict configparser first) and the AWS CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.consumers import oracle
from tests.consumers.conftest import Configure

START_URL = "https://d-1234567890.awsapps.com/start"
OURS = {"sso_start_url": START_URL, "sso_region": "eu-west-1"}
PROFILE = "[profile dev]\nsso_session = kiro\nsso_account_id = 111122223333\nsso_role_name = Dev\n"
# Legal files botocore reads, as people write them; each must be edited in place.
HEAD = "[sso-session kiro]\n"
OLD = "https://old/start"
PERSON_FILES = {
    "letter-case": f"{HEAD}SSO_Region = us-east-1\nSSO_Start_URL = {OLD}\n",
    "colon-separator": f"{HEAD}sso_start_url: {OLD}\nsso_region: us-east-1\n",
    "indented-options": f"{HEAD}  sso_start_url = {OLD}\n  sso_region = us-east-1\n",
    "quoted-section": f'[sso-session "kiro"]\nsso_start_url = {OLD}\n',
    "continuation-line": f"{HEAD}sso_start_url = {OLD}\n  more\nsso_region = x\n",
    "comments-and-crlf": "# mine\r\n[sso-session kiro] ; org\r\n; region\r\nsso_region = x\r\n",
}
Edit = Callable[[bytes], bytes]
EDITS: dict[str, Edit] = {
    "comments": oracle.edit_ini_comments,
    "crlf": oracle.edit_crlf,
    "other-sections": oracle.edit_ini_other_sections,
}


def assert_botocore_reads_ours(path: Path) -> dict:
    loaded = oracle.load_aws_config(path)
    session = loaded["sso_sessions"]["kiro"]
    for option, value in OURS.items():
        assert session[option] == value, path.read_text()
    return loaded


def assert_aws_cli_reads(path: Path) -> None:
    # AWS CLI v1 (PyPI) has no list-profiles; `configure list` loads the whole file all the same.
    answer = oracle.aws_cli(path, "configure", "list")
    assert answer.returncode == 0, answer.stderr
    assert "ConfigParseError" not in answer.stderr


def test_fresh_file_loads_in_botocore_and_the_aws_cli(configure: Configure, home: Path) -> None:
    configure()
    path = home / ".aws/config"
    assert_botocore_reads_ours(path)
    assert_aws_cli_reads(path)


def test_rerun_keeps_the_bytes_and_still_loads(configure: Configure, home: Path) -> None:
    configure()
    path = home / ".aws/config"
    first = path.read_bytes()
    configure()
    assert path.read_bytes() == first
    assert_botocore_reads_ours(path)


@pytest.mark.parametrize("edit", EDITS)
def test_edited_file_loads_after_a_rerun(configure: Configure, home: Path, edit: str) -> None:
    configure()
    path = home / ".aws/config"
    path.write_bytes(EDITS[edit](path.read_bytes()) + PROFILE.encode())
    oracle.load_aws_config(path)  # the person's edit is itself a file botocore reads
    configure()
    loaded = assert_botocore_reads_ours(path)
    assert loaded["profiles"]["dev"]["sso_session"] == "kiro"
    assert_aws_cli_reads(path)
    answer = oracle.aws_cli(path, "configure", "get", "sso_session", "--profile", "dev")
    assert answer.stdout.strip() == "kiro"


@pytest.mark.parametrize("variant", PERSON_FILES)
def test_a_persons_variant_is_edited_in_place(
    configure: Configure, home: Path, variant: str
) -> None:
    path = home / ".aws/config"
    path.write_text(PERSON_FILES[variant] + "\n" + PROFILE, newline="")
    oracle.load_aws_config(path)  # legal: botocore reads it
    configure()
    assert_botocore_reads_ours(path)
    assert_aws_cli_reads(path)
    text = path.read_text()
    assert text.count("[sso-session") == 1, text  # never a second section
    assert text.lower().count("sso_start_url") == 1, text  # never a second option
    configure()
    assert path.read_text() == text


def test_letter_case_and_separator_are_kept(configure: Configure, home: Path) -> None:
    path = home / ".aws/config"
    path.write_text("[sso-session kiro]\nSSO_Region: us-east-1\n  # ours\n")
    configure()
    assert path.read_text().startswith("[sso-session kiro]\nSSO_Region: eu-west-1\n")


def test_a_file_botocore_cannot_load_is_refused_naming_the_line(
    cli, tmp_path: Path, home: Path
) -> None:
    from tests.configure.conftest import ORG_CONFIG
    from tests.host import fixtures

    path = home / ".aws/config"
    broken = "[default]\nregion = us-west-2\n\n[sso-session kiro]\nsso_region = a\nSSO_REGION = b\n"
    path.write_text(broken)
    config = tmp_path / "org.toml"
    config.write_text(ORG_CONFIG)
    result = cli(
        "configure", "--config", str(config), facts=fixtures.ubuntu2404(home, is_admin=True)
    )
    assert result.code == 2
    assert "line 6 repeats 'sso_region'" in result.stderr
    assert path.read_text() == broken
    assert not (home / ".kiro").exists()
