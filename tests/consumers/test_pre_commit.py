"""`.pre-commit-hooks.yaml`, read by pre-commit itself: `pre-commit try-repo` runs our hook.

pre-commit builds the hook's environment from this repository (pip, from PyPI the first time;
PRE_COMMIT_HOME keeps it under .cache/ for later runs), so this is the slowest oracle.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.consumers import oracle
from tests.repo.conftest import MakeRepo

HOOK_ID = "kiro-repo-check"


def commit_all(top: Path) -> None:
    subprocess.run(["git", "-C", str(top), "add", "-A"], check=True)


@pytest.mark.slow
def test_the_hook_passes_a_scaffold_and_fails_a_bad_hook_file(
    cli, make_repo: MakeRepo, home: Path
) -> None:
    top = make_repo(remote="git@github.com:acme/widgets.git")
    assert cli("repo", "init", str(top)).code == 0
    commit_all(top)
    good = oracle.pre_commit_try_repo(top, HOOK_ID, home=home)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    bad = {"name": "x", "when": {"type": "onSave"}, "then": {"type": "askAgent", "prompt": "p"}}
    (top / ".kiro/hooks").mkdir()
    (top / ".kiro/hooks/x.kiro.hook").write_text(json.dumps(bad, indent=2))
    commit_all(top)
    failed = oracle.pre_commit_try_repo(top, HOOK_ID, home=home)
    assert failed.returncode == 1
    assert ".kiro/hooks/x.kiro.hook:4: event type 'onSave' is not one of" in failed.stdout
