"""The JSON-with-comments editor: only the member asked for changes; every other byte stays."""

from __future__ import annotations

import pytest

from kiro_bootstrap.configure import jsonc

SETTINGS = """// Kiro settings, kept by hand
{
\t/* editor */
\t"editor.fontSize": 14, // my size
\t"http.proxy": "http://old.example.com:3128",
\t"files.exclude": {
\t\t"**/.git": true,
\t},
\t"url": "http://a/*not a comment*/",
}
"""


def test_replacing_a_value_changes_only_its_span() -> None:
    edited = jsonc.set_value(SETTINGS, ["http.proxy"], "http://proxy.corp:8080")
    assert edited == SETTINGS.replace("http://old.example.com:3128", "http://proxy.corp:8080")


def test_inserting_keeps_comments_trailing_commas_and_tabs() -> None:
    edited = jsonc.set_value(SETTINGS, ["telemetry.feedback.enabled"], False)
    assert edited == SETTINGS.replace('*/",\n}', '*/",\n\t"telemetry.feedback.enabled": false,\n}')
    assert jsonc.load(edited)["telemetry.feedback.enabled"] is False


def test_deleting_an_inserted_key_gives_the_original_bytes_back() -> None:
    edited = jsonc.set_value(SETTINGS, ["new.key"], [1, 2])
    assert jsonc.delete_value(edited, ["new.key"]) == SETTINGS


def test_insert_after_a_comment_on_the_last_line_keeps_the_comment_with_its_member() -> None:
    text = '{\n  "a": 1 // about a\n}\n'
    assert jsonc.set_value(text, ["b"], True) == '{\n  "a": 1, // about a\n  "b": true\n}\n'
    assert jsonc.delete_value(jsonc.set_value(text, ["b"], True), ["b"]) == (
        '{\n  "a": 1 // about a\n}\n'
    )


def test_nested_members_are_created_with_the_file_indentation() -> None:
    text = '{\n  "mcpServers": {\n    "mine": {"command": "x"}\n  }\n}\n'
    edited = jsonc.set_value(text, ["mcpServers", "org"], {"url": "https://mcp.example.com"})
    assert jsonc.load(edited)["mcpServers"] == {
        "mine": {"command": "x"},
        "org": {"url": "https://mcp.example.com"},
    }
    assert '    "org": {\n      "url": "https://mcp.example.com"\n    }\n  }' in edited


def test_crlf_files_stay_crlf() -> None:
    edited = jsonc.set_value('{\r\n  "a": 1\r\n}\r\n', ["b"], 2)
    assert edited == '{\r\n  "a": 1,\r\n  "b": 2\r\n}\r\n'


@pytest.mark.parametrize(
    "text", ['{"a": 1', '{"a": 1 /* open', '{"a": tru}', '{"a" 1}', '{"a": 1} x', '{"a": "x\n"}']
)
def test_broken_text_is_refused(text: str) -> None:
    with pytest.raises(jsonc.JsoncError):
        jsonc.parse(text)
