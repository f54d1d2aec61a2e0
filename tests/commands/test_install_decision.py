"""The dry run and the real run share one install decision: same answer, same requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.install.support import root_of, run_install
from tests.release import support
from tests.release.support import LATEST

origin = support.origin
release_tree = support.release_tree
PREVIOUS = "1.0.309"
PIN_PREVIOUS = {"KIRO_BOOTSTRAP_RELEASE__VERSION": PREVIOUS}
PIN_LATEST = {"KIRO_BOOTSTRAP_RELEASE__VERSION": LATEST}
METADATA = "metadata-linux-x64-stable.json"


def requests_of(server) -> list[str]:
    return [record.path.rsplit("/", 1)[-1] for record in server.requests]


def dry_then_real(cli, origin, isolated, env, *argv):
    """The dry run's and then the real run's (action, version) and what each asked the host."""
    origin.reset_counters()
    dry = run_install(cli, origin, isolated, "--dry-run", *argv, env=env)
    assert dry.code == 0, dry.stdout
    dry_requests = requests_of(origin)
    origin.reset_counters()
    real = run_install(cli, origin, isolated, *argv, env=env)
    assert real.code == 0, real.stdout
    answers = [(run.json["action"], run.json["version"]) for run in (dry, real)]
    return answers, dry_requests, requests_of(origin)


# (installed first, with these settings), (then both runs, with these settings), the decision
CASES = {
    "nothing installed": (None, {}, ("install", LATEST)),
    "same version": ({}, {}, ("up-to-date", LATEST)),
    "older installed": (PIN_PREVIOUS, {}, ("upgrade", LATEST)),
    "pinned, installed": (PIN_LATEST, PIN_LATEST, ("up-to-date", LATEST)),
    "pinned below what is installed": ({}, PIN_PREVIOUS, ("ahead-of-pin", LATEST)),
    "pinned, nothing installed": (None, PIN_PREVIOUS, ("install", PREVIOUS)),
}


@pytest.mark.parametrize("case", CASES)
def test_dry_run_and_real_run_decide_the_same(cli, origin, isolated, case):
    first, env, decision = CASES[case]
    if first is not None:
        assert run_install(cli, origin, isolated, env=first).code == 0
    answers, dry_requests, real_requests = dry_then_real(cli, origin, isolated, env)
    assert answers == [decision, decision]
    pinned = "KIRO_BOOTSTRAP_RELEASE__VERSION" in env
    # The decision asks the host only for the feed, and only when nothing is pinned; the dry
    # run asks nothing more (the real run then downloads what it decided to install).
    assert dry_requests == ([] if pinned else [METADATA])
    assert real_requests[: len(dry_requests)] == dry_requests
    if answers[1][0] not in ("install", "upgrade"):
        assert real_requests == dry_requests


def test_a_pinned_dry_run_makes_no_request_like_the_real_run(cli, origin, isolated):
    assert run_install(cli, origin, isolated, env=PIN_PREVIOUS).code == 0
    answers, dry_requests, real_requests = dry_then_real(cli, origin, isolated, PIN_PREVIOUS)
    assert answers == [("up-to-date", PREVIOUS)] * 2
    assert dry_requests == real_requests == []
    assert origin.connections == 0


def test_an_interrupted_install_is_a_repair_in_both_runs(cli, origin, isolated):
    assert run_install(cli, origin, isolated, env=PIN_PREVIOUS).code == 0
    shim = root_of(isolated) / "usr/local/bin/kiro"
    shim.unlink()  # what a run stopped before linking the shim leaves
    dry = run_install(cli, origin, isolated, "--dry-run", env=PIN_PREVIOUS)
    assert (dry.json["action"], dry.json["version"]) == ("repair", PREVIOUS)
    assert any(f"link {shim} ->" in action for action in dry.json["actions"])
    assert not shim.is_symlink()
    real = run_install(cli, origin, isolated, env=PIN_PREVIOUS)
    assert (real.json["action"], real.json["version"]) == ("repair", PREVIOUS)
    assert Path(shim).is_symlink()
