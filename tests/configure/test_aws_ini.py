"""configure/aws_ini.py reads ~/.aws/config by configparser's rules: compared with configparser."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from kiro_bootstrap.configure.aws_config import AwsConfigDocument
from kiro_bootstrap.configure.aws_ini import scan
from kiro_bootstrap.configure.documents import pointer
from kiro_bootstrap.errors import ConfigError

TEXTS = {
    "plain": "[a]\nx = 1\ny = 2\n",
    "case-and-colon": "[a]\nX_Y: 1\nZ = 2\n",
    "indented-options": "[a]\n  x = 1\n  y = 2\n",
    "continuation": "[a]\nx = 1\n  more\n\n  after a blank\ny = 2\n",
    "comment-inside-a-value": "[a]\nx = 1\n# note\n  still x\ny = 2\n",
    "nested": "[a]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\nz = 1\n",
    "indented-header-continues": "[a]\nx = 1\n  [b]\ny = 2\n",
    "header-junk": "[profile w]   ; day job\nx = 1\n",
    "crlf": "[a]\r\nx = 1\r\n  more\r\ny = 2\r\n",
    "quoted-section": '[sso-session "kiro"]\nsso_region = eu-west-1\n',
}


@pytest.mark.parametrize("name", TEXTS)
def test_scan_finds_what_configparser_finds(name: str) -> None:
    text = TEXTS[name]
    parser = configparser.RawConfigParser(strict=True)
    parser.read_string(text)
    lines = text.splitlines(keepends=True)
    found = {section.header: [option.name for option in section.options] for section in scan(lines)}
    assert found == {section: parser.options(section) for section in parser.sections()}
    document = AwsConfigDocument(text.encode())
    for section in parser.sections():
        for option in parser.options(section):
            present, value = document.get(pointer(section, option))
            assert present
            assert value == parser.get(section, option)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("x = 1\n[a]\n", "line 1 comes before any [section]"),
        ("[a]\nx = 1\n[a]\n", "line 3 repeats the section [a]"),
        ("[a]\nx = 1\nX: 2\n", "line 3 repeats 'x' in [a]"),
        ("[a]\nnot a setting\n", "line 2 is neither a [section]"),
        ("[a]\ns3 =\n  no equals sign here\n", "not enough values to unpack"),
    ],
)
def test_a_file_botocore_cannot_load_names_the_line(text: str, line: str) -> None:
    with pytest.raises(ConfigError, match="nothing was written") as refused:
        AwsConfigDocument(text.encode(), Path("/home/a/.aws/config"))
    assert line in str(refused.value)


def test_setting_a_continued_option_replaces_all_its_lines_and_keeps_comments() -> None:
    text = "[sso-session kiro]\nsso_start_url = https://old\n# mine\n  continued\nsso_region = x\n"
    document = AwsConfigDocument(text.encode())
    document.set(pointer("sso-session kiro", "sso_start_url"), "https://new/start")
    assert document.render() == (
        b"[sso-session kiro]\nsso_start_url = https://new/start\n# mine\nsso_region = x\n"
    )


def test_delete_takes_the_option_and_an_empty_section_but_not_a_persons_comment() -> None:
    document = AwsConfigDocument(b"[default]\nregion = a\n\n[sso-session kiro]\nsso_region = x\n")
    document.delete(pointer("sso-session kiro", "SSO_Region"))
    assert document.render() == b"[default]\nregion = a\n"
    commented = AwsConfigDocument(b"[sso-session kiro]\n# keep me\nsso_region = x\n")
    commented.delete(pointer("sso-session kiro", "sso_region"))
    assert commented.render() == b"[sso-session kiro]\n# keep me\n"
