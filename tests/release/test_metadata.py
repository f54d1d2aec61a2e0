"""Release metadata: tolerant parsing, choosing files by URL ending, numeric versions."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from kiro_bootstrap.errors import UnavailableError
from kiro_bootstrap.release.metadata import parse_metadata, version_key
from tests.host import fixtures

HOST = "https://prod.download.desktop.kiro.dev"
TARBALL = "kiro-ide-1.0.309-stable-linux-x64.tar.gz"
CAPTURED = {  # FACTS §1, verbatim shape, plus fields nobody documented
    "currentRelease": "1.0.309",
    "unknownField": {"ignored": True},
    "releases": [
        {"version": "1.0.309", "updateTo": {"version": "1.0.309", "pub_date": "2026-08-13",
         "notes": "n", "name": "Kiro", "url": f"{HOST}/releases/x/certificate.pem", "extra": 1}},
        {"version": "1.0.309", "updateTo": {"version": "1.0.309", "pub_date": "2026-08-13",
         "notes": "n", "name": "Kiro", "url": f"{HOST}/releases/x/{TARBALL}"}},
        {"version": "1.0.309", "updateTo": {"version": "1.0.309",
         "url": f"{HOST}/releases/x/signature.bin"}},
    ],
}  # fmt: skip


def test_files_are_chosen_by_url_ending_never_the_first_entry():
    metadata = parse_metadata(json.dumps(CAPTURED).encode(), "test")
    assert metadata.latest_version() == "1.0.309"
    assert metadata.url_ending("1.0.309", ".tar.gz").endswith("linux-x64.tar.gz")
    assert metadata.url_ending("1.0.309", "/signature.bin").endswith("signature.bin")
    assert metadata.url_ending("1.0.309", ".deb") is None
    assert metadata.details_of("1.0.309")["pub_date"] == "2026-08-13"


def test_versions_compare_numerically():
    assert version_key("1.0.310") > version_key("1.0.309")
    assert version_key("1.10.0") > version_key("1.9.99")
    versions = ("1.9.0", "1.10.0", "1.2.3")
    entries = [{"updateTo": {"version": v, "url": f"{HOST}/{v}.tar.gz"}} for v in versions]
    document = {"releases": entries}
    assert parse_metadata(json.dumps(document).encode(), "t").latest_version() == "1.10.0"


@pytest.mark.parametrize(
    "body",
    [b"<html>maintenance</html>", b"[]", b'{"releases": [{"updateTo": "x"}]}',
     b'{"releases": [{"updateTo": {"version": "../../etc", "url": "https://h/x"}}]}',
     b'{"currentRelease": 5, "releases": []}'],
)  # fmt: skip
def test_malformed_metadata_is_unavailable(body):
    with pytest.raises(UnavailableError):
        parse_metadata(body, "test")


@respx.mock
def test_malformed_metadata_from_the_host_is_exit_4(cli):
    respx.get(f"{HOST}/stable/metadata-linux-x64-stable.json").mock(
        return_value=httpx.Response(200, content=b"<html>oops</html>")
    )
    result = cli("download", "--json", facts=fixtures.ubuntu2404())
    assert result.code == 4
    assert result.json["error"]["code"] == "metadata-malformed"


@respx.mock
def test_missing_metadata_is_exit_4(cli):
    respx.get(f"{HOST}/stable/metadata-linux-x64-stable.json").mock(
        return_value=httpx.Response(404)
    )
    result = cli("download", "--json", facts=fixtures.ubuntu2404())
    assert result.code == 4
