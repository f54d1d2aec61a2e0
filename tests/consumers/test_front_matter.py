"""Steering files we write, read back by PyYAML's safe_load (the YAML reader of front matter)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.consumers import oracle
from tests.repo.conftest import MakeRepo

TEMPLATE = "---\ninclusion: fileMatch\nfileMatchPattern: *.ts\n---\nUse strict TypeScript.\n"
LIST_TEMPLATE = "---\ninclusion: fileMatch\nfileMatchPattern:\n  - *.tf\n  - '*.hcl'\n---\nx\n"
EDITS = {
    "comment": lambda text: text.replace("inclusion: ", "# ours\ninclusion: ", 1),
    "crlf": lambda text: text.replace("\n", "\r\n"),
}


@pytest.fixture
def org_config(tmp_path: Path) -> Path:
    (tmp_path / "ts.md").write_text(TEMPLATE)
    (tmp_path / "tf.md").write_text(LIST_TEMPLATE)
    config = tmp_path / "org.toml"
    config.write_text("[repo.steering_templates]\nts = 'ts.md'\ntf = 'tf.md'\n")
    return config


def init(cli: CliRunner, config: Path, top: Path) -> None:
    result = cli("--config", str(config), "repo", "init", str(top))
    assert result.code == 0, result.stdout + result.stderr


def test_repo_init_quotes_what_yaml_would_read_as_an_alias(
    cli: CliRunner, make_repo: MakeRepo, org_config: Path
) -> None:
    top = make_repo()
    init(cli, org_config, top)
    text = (top / ".kiro/steering/ts.md").read_text()
    assert 'fileMatchPattern: "*.ts"\n' in text
    assert oracle.load_front_matter(text) == {"inclusion": "fileMatch", "fileMatchPattern": "*.ts"}
    listed = oracle.load_front_matter((top / ".kiro/steering/tf.md").read_text())
    assert listed["fileMatchPattern"] == ["*.tf", "*.hcl"]
    assert cli("repo", "check", str(top)).code == 0


@pytest.mark.parametrize("name", ["product", "tech", "structure", "ts", "tf"])
def test_every_scaffolded_steering_file_loads_fresh_and_after_a_rerun(
    cli: CliRunner, make_repo: MakeRepo, org_config: Path, name: str
) -> None:
    top = make_repo()
    init(cli, org_config, top)
    path = top / f".kiro/steering/{name}.md"
    first = path.read_bytes()
    assert isinstance(oracle.load_front_matter(first.decode()), dict)
    init(cli, org_config, top)
    assert path.read_bytes() == first


@pytest.mark.parametrize("edit", EDITS)
def test_a_persons_edit_is_kept_and_still_loads(
    cli: CliRunner, make_repo: MakeRepo, org_config: Path, edit: str
) -> None:
    top = make_repo()
    init(cli, org_config, top)
    path = top / ".kiro/steering/ts.md"
    edited = EDITS[edit](path.read_text())
    path.write_bytes(edited.encode())
    init(cli, org_config, top)
    assert path.read_bytes() == edited.encode()
    assert oracle.load_front_matter(edited)["fileMatchPattern"] == "*.ts"


def test_global_steering_from_configure_loads_and_file_match_is_warned(
    cli: CliRunner, tmp_path: Path, home: Path
) -> None:
    from tests.host import fixtures

    (tmp_path / "ts.md").write_text(TEMPLATE)
    config = tmp_path / "org.toml"
    config.write_text("[steering.files]\nts = 'ts.md'\nplain = 'Be kind.'\n")
    facts = fixtures.ubuntu2404(home, is_admin=True)
    result = cli("configure", "--config", str(config), "--json", facts=facts)
    assert result.code == 0, result.stderr
    steering = home / ".kiro/steering"
    assert oracle.load_front_matter((steering / "ts.md").read_text())["fileMatchPattern"] == "*.ts"
    assert oracle.load_front_matter((steering / "plain.md").read_text()) == {"inclusion": "always"}
    warnings = result.json["warnings"]
    assert any(
        "ts.md: inclusion fileMatch does not trigger in global steering" in w for w in warnings
    )
