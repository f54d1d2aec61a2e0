"""Everything `install` will need from the settings is checked before anything is downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.install.support import root_of, run_install
from tests.release import support

origin = support.origin
release_tree = support.release_tree
START = 'start_url = "https://d-1234567890.awsapps.com/start"\n'
REGION = 'region = "us-east-1"\n'


@pytest.mark.parametrize(
    "case",
    [
        (f"[identity_center]\n{START}", "identity_center.region"),
        (
            f'[identity_center]\n{START}{REGION}[steering.files]\nrules = "missing/rules.md"\n',
            "steering.files.rules",
        ),
        (
            f'[identity_center]\n{START}{REGION}[steering.files]\nrules = "---\\nno end"\n',
            "front matter",
        ),
    ],
    ids=["start-url-without-region", "missing-steering-file", "broken-front-matter"],
)
def test_a_settings_problem_is_exit_2_before_any_download(
    cli, origin, isolated, tmp_path: Path, case: tuple[str, str]
) -> None:
    toml, named = case
    config = tmp_path / "org.toml"
    config.write_text(toml, encoding="utf-8")
    before = len(origin.requests)
    done = run_install(cli, origin, isolated, "--config", str(config))
    assert done.code == 2, done.stdout
    assert named in done.json["error"]["message"]
    assert len(origin.requests) == before  # nothing was downloaded
    root = root_of(isolated)
    assert not (root / "opt").exists()  # nothing installed
    assert not (root / "etc/kiro").exists()  # nothing configured
    assert not (Path(isolated["HOME"]) / ".kiro").exists()


def test_a_misspelt_key_gets_a_suggestion(cli, isolated, tmp_path: Path) -> None:
    config = tmp_path / "org.toml"
    config.write_text(f'[identity_center]\nstart_urll = "https://x.awsapps.com/start"\n{REGION}')
    done = cli("doctor", "--offline", "--config", str(config))
    assert done.code == 2
    assert "Did you mean identity_center.start_url?" in done.stderr
    variable = {"KIRO_BOOTSTRAP_IDENTITY_CENTRE__REGION": "us-east-1"}
    done = cli("doctor", "--offline", env=variable)
    assert done.code == 2
    assert "Did you mean identity_center?" in done.stderr
