"""Targets: which build a host takes, and where each is published (FACTS §1)."""

from __future__ import annotations

import pytest

from kiro_bootstrap.errors import UsageError
from kiro_bootstrap.layout.targets import TARGET_SPECS, UPDATER_FEEDS, choose_target
from sandbox.release_tree import TARGETS_BY_NAME
from tests.host import fixtures


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (fixtures.ubuntu2404(), "linux-x64"),
        (fixtures.macos14_arm64(), "darwin-arm64"),
        (fixtures.macos14_rosetta(), "darwin-arm64"),
        (fixtures.macos11_x64(), "darwin-x64"),
        (fixtures.windows11_user(), "win32-x64"),
    ],
)
def test_host_target(facts, expected):
    assert choose_target(None, facts).name == expected


def test_target_flag_overrides_the_host_and_windows_on_arm_needs_it():
    assert choose_target("darwin-x64", fixtures.ubuntu2404()).name == "darwin-x64"
    with pytest.raises(UsageError):
        choose_target(None, fixtures.windows_on_arm())


@pytest.mark.parametrize("name", [*TARGET_SPECS, *(feed.name for feed in UPDATER_FEEDS.values())])
def test_paths_follow_the_published_pattern(name):
    spec = TARGET_SPECS.get(name) or next(f for f in UPDATER_FEEDS.values() if f.name == name)
    sandbox = TARGETS_BY_NAME[name]  # built independently from the same FACTS table
    assert spec.metadata_path("stable") == sandbox.metadata_path
    assert spec.artifact_path("stable", "1.0.309") == sandbox.relative_path("1.0.309")
