"""The pre-commit hook definition and CI snippets teams copy: they run the real `repo check`."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import CliRunner
from tests.repo.conftest import MakeRepo

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ["kiro-bootstrap", "repo", "check"]


def test_pre_commit_hook_runs_repo_check_on_kiro_changes(
    cli: CliRunner, make_repo: MakeRepo
) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    (hook,) = hooks
    assert shlex.split(hook["entry"]) == COMMAND
    assert hook["pass_filenames"] is False
    assert hook["language"] == "python"  # pre-commit installs this project with pip
    top = make_repo()
    (top / ".kiro/steering").mkdir(parents=True)
    (top / ".kiro/steering/x.md").write_text("---\ninclusion: sometimes\n---\n")
    # pre-commit runs the entry at the repository's top.
    result = cli(*COMMAND[1:], str(top))
    assert result.code == 2
    assert result.stdout.startswith(".kiro/steering/x.md:2:")


def test_github_actions_snippet_is_valid_and_runs_repo_check() -> None:
    path = ROOT / "installers/ci/github-actions.yml"
    steps = yaml.safe_load(path.read_text("utf-8"))["jobs"]["kiro-check"]["steps"]
    assert steps[-1]["run"] == " ".join(COMMAND)
    actionlint = Path(sys.executable).parent / "actionlint"
    linted = subprocess.run(
        [str(actionlint), str(path)], check=False, capture_output=True, text=True
    )
    assert linted.returncode == 0, linted.stdout


def test_gitlab_ci_snippet_runs_repo_check() -> None:
    job = yaml.safe_load((ROOT / "installers/ci/gitlab-ci.yml").read_text("utf-8"))["kiro-check"]
    assert job["script"] == [" ".join(COMMAND)]
    assert job["rules"][0]["changes"] == [".kiro/**/*"]
