"""Bad input is exit 2 with one sentence: never a traceback, never a half-written file."""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiro_bootstrap.configure import jsonc
from kiro_bootstrap.parsing import MAX_DEPTH, load_json_bytes, load_toml_bytes
from tests.host import fixtures

DEEP = 5000
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file but the runs' own logs (a refused run still tells its story there)."""
    return {
        str(path): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith("run-")
    }


def assert_clean_refusal(result, before: dict[str, bytes], after: dict[str, bytes]) -> None:
    assert result.code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error and its hint
    assert after == before


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deeply_nested_config_toml_is_exit_2(cli, tmp_path):
    config = tmp_path / "org.toml"
    config.write_text(f"x = {nested(DEEP)}\n")
    before = files_under(tmp_path)
    result = cli("config", "show", "--config", str(config))
    assert_clean_refusal(result, before, files_under(tmp_path))
    assert "nested deeper" in result.stderr


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".config/Kiro/User/settings.json", '{"a": ' + nested(DEEP) + "}"),
        (".kiro/settings/mcp.json", '{"mcpServers": ' + "{" * DEEP + "}" * DEEP + "}"),
    ],
)
def test_deeply_nested_person_files_are_exit_2_and_untouched(cli, tmp_path, isolated, name, text):
    home = Path(isolated["HOME"])
    config = tmp_path / "org.toml"
    config.write_text('[network]\nproxy = "http://proxy.example.com:8080"\n'
                      '[mcp.servers.docs]\ncommand = "uvx"\n')  # fmt: skip
    target = home / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    before = files_under(home)
    result = cli("configure", "--config", str(config), facts=fixtures.ubuntu2404(home))
    assert result.code == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert f"nested deeper than {MAX_DEPTH} levels" in result.stderr
    after = files_under(home)
    assert {path: data for path, data in after.items() if "/.local/state/" not in path} == {
        path: data for path, data in before.items() if "/.local/state/" not in path
    }


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("NETWORK__PROXY", "socks5://proxy.example.com:1080", "only http:// and https://"),
        ("NETWORK__PROXY", "http://proxy.example.com:99999", "invalid port"),
        ("RELEASE__BASE_URL", "https://mirror.example.com:port/", "invalid port"),
        ("SUBSCRIPTION__ROSTER_URL", "https://roster.example.com:-1/r", "invalid port"),
    ],
)
def test_unsupported_proxies_and_malformed_urls_are_exit_2(cli, variable, value, says):
    result = cli("config", "show", env={f"KIRO_BOOTSTRAP_{variable}": value})
    assert result.code == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("blocker", [".gitignore", ".kiro"])
def test_repo_init_with_a_folder_or_file_in_the_way_is_exit_2(cli, tmp_path, blocker):
    top = tmp_path / "work"
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    if blocker == ".gitignore":
        (top / blocker).mkdir()
    else:
        (top / blocker).write_text("not a folder\n")
    before = files_under(top)
    result = cli("repo", "init", str(top))
    assert_clean_refusal(result, before, files_under(top))
    assert "nothing was written" in result.stderr


def test_an_internal_error_is_one_sentence_and_the_traceback_goes_to_the_log(
    cli, monkeypatch, isolated
):
    from kiro_bootstrap.commands import doctor

    def crash(_ctx, _args):
        raise RecursionError("maximum recursion depth exceeded\n" + "  frame\n" * 3000)

    monkeypatch.setattr(doctor, "run", crash)
    result = cli("doctor")
    assert result.code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "Internal error (RecursionError: maximum recursion depth exceeded)" in lines[0]
    log = Path(lines[0].split("the traceback is in ")[1].rstrip("."))
    text = log.read_text()
    assert "Traceback" in text
    assert '"exit_code": 1' in text
    assert "Traceback" in cli("doctor", "--debug").stderr


def test_the_run_log_keeps_the_exit_code_of_a_failed_run(cli, isolated):
    result = cli("download", "--json", "--offline", facts=fixtures.ubuntu2404())
    assert result.code == 4
    logs = sorted(Path(isolated["HOME"]).rglob("run-*.log"))
    assert "kiro-bootstrap download: exit 4" in logs[-1].read_text()


# Property-based: whatever bytes a config file holds, the answer is exit 0 or 2 (never a
# traceback), and a refused file leaves nothing written.
hostile_documents = st.one_of(
    st.binary(max_size=512),
    st.text(max_size=512).map(str.encode),
    st.integers(MAX_DEPTH - 2, 3000).map(lambda depth: f"a = {nested(depth)}\n".encode()),
    st.integers(1, 3000).map(lambda depth: ("[a" + ".b" * depth + "]\nc = 1\n").encode()),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=64).map(
        lambda text: f'[release]\nchannel = "{json.dumps(text)[1:-1]}"\n'.encode()
    ),
    st.integers(3000, 200_000).map(
        lambda size: f'[kiro]\nversion_field = "{"v" * size}"\n'.encode()
    ),
)


@FUZZ
@given(document=hostile_documents)
def test_fuzzed_config_files_are_exit_0_or_2_without_a_traceback(cli, tmp_path, document):
    config = tmp_path / "fuzz.toml"
    config.write_bytes(document)
    before = files_under(tmp_path)
    result = cli("config", "show", "--json", "--config", str(config))
    assert result.code in (0, 2)
    assert "Traceback" not in result.stdout + result.stderr
    if result.code == 2:
        assert files_under(tmp_path) == before


@FUZZ
@given(document=hostile_documents)
def test_fuzzed_documents_raise_only_value_errors(document):
    for parse in (
        lambda: load_json_bytes(document, what="fuzz"),
        lambda: load_toml_bytes(document, what="fuzz"),
        lambda: jsonc.parse(document.decode("utf-8", "replace")),
    ):
        with contextlib.suppress(ValueError):  # anything else (RecursionError) fails the test
            parse()
