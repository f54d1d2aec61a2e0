"""macOS verification through recorded hdiutil / codesign / spctl outputs (documented formats)."""

from __future__ import annotations

import json

from kiro_bootstrap.host.runner import Completed, RecordedRunner
from tests.host import fixtures
from tests.release.support import (
    cache_root,
    download,
    leftovers,
)
from tests.verify.tool_outputs import tool_output

MOUNT = "/private/var/folders/zz/kiro-verify-q1w2e3/dmg.Xy12Ab"
APP = f"{MOUNT}/Kiro.app"


def mac_runner(
    *,
    display="codesign-display.txt",
    verify="codesign-verify-valid.txt",
    verify_code=0,
    spctl="spctl-accepted.txt",
    spctl_code=0,
) -> RecordedRunner:
    runner = RecordedRunner()
    runner.add(["hdiutil", "attach"], tool_output("hdiutil-attach.plist"))
    runner.add(["hdiutil", "detach"], "")
    runner.add(["codesign", "--verify"], Completed(verify_code, "", tool_output(verify)))
    runner.add(["codesign", "--display"], Completed(0, "", tool_output(display)))
    runner.add(["spctl", "--assess"], Completed(spctl_code, "", tool_output(spctl)))
    return runner


def mac_download(cli, origin, runner, **kwargs):
    return download(cli, origin, facts=fixtures.macos14_arm64(), runner=runner, **kwargs)


def test_on_macos_the_dmg_is_attached_checked_and_detached(cli, origin):
    runner = mac_runner()
    result = mac_download(cli, origin, runner)
    assert result.code == 0, result.stdout
    assert result.json["target"] == "darwin-arm64"
    statuses = [(check["id"], check["status"]) for check in result.json["checks"]]
    assert statuses == [("org-pin", "warn"), ("macos-codesign", "pass"),
                        ("macos-team-id", "pass"), ("macos-gatekeeper", "pass"),
                        # The recorded mount point holds no Info.plist here.
                        ("artifact-version", "warn")]  # fmt: skip
    assert result.json["deferred"] == []
    attach = runner.calls[0]
    assert attach[:3] == ("hdiutil", "attach", "-readonly")
    assert attach[-1].endswith("kiro-ide-1.0.310-stable-darwin-arm64.dmg")
    assert ("codesign", "--verify", "--deep", "--strict", "--verbose=2", APP) in runner.calls
    assert runner.calls[-1] == ("hdiutil", "detach", MOUNT)


def test_rosetta_fetches_the_arm64_build(cli, origin):
    result = download(cli, origin, facts=fixtures.macos14_rosetta(), runner=mac_runner())
    assert result.json["target"] == "darwin-arm64"


def test_another_team_is_exit_5_and_the_image_is_still_detached(cli, origin, isolated):
    runner = mac_runner(display="codesign-display-other-team.txt")
    result = mac_download(cli, origin, runner)
    assert result.code == 5
    assert "TeamIdentifier ZZZZZZZZZZ is not 94KV3E626L" in result.json["error"]["message"]
    assert runner.calls[-1] == ("hdiutil", "detach", MOUNT)
    assert leftovers(cache_root(isolated)) == []


def test_a_modified_app_is_exit_5(cli, origin, isolated):
    runner = mac_runner(verify="codesign-verify-modified.txt", verify_code=1)
    result = mac_download(cli, origin, runner)
    assert result.code == 5
    assert "a sealed resource is missing or invalid" in result.json["error"]["message"]
    assert runner.calls[-1] == ("hdiutil", "detach", MOUNT)
    assert leftovers(cache_root(isolated)) == []


def test_gatekeeper_rejection_is_exit_5(cli, origin):
    runner = mac_runner(spctl="spctl-rejected.txt", spctl_code=3)
    result = mac_download(cli, origin, runner)
    assert result.code == 5
    assert result.json["checks"][-1]["id"] == "macos-gatekeeper"
    assert "rejected" in result.json["checks"][-1]["summary"]


def test_a_dmg_that_will_not_attach_is_exit_5(cli, origin):
    runner = RecordedRunner().add(
        ["hdiutil", "attach"], Completed(1, "", "hdiutil: attach failed - image not recognized")
    )
    result = mac_download(cli, origin, runner)
    assert result.code == 5
    assert "image not recognized" in result.json["error"]["message"]
    assert not any(call[:2] == ("hdiutil", "detach") for call in runner.calls)


def test_a_failed_detach_is_forced(cli, origin):
    runner = mac_runner()
    runner.add(
        ["hdiutil", "detach", MOUNT], Completed(16, "", "hdiutil: couldn't unmount: Resource busy")
    )
    runner.add(["hdiutil", "detach", "-force"], "")
    assert mac_download(cli, origin, runner).code == 0
    assert runner.calls[-1] == ("hdiutil", "detach", "-force", MOUNT)


def test_deferred_macos_checks_without_a_pin_are_exit_5(cli, origin, isolated):
    # On Linux the macOS checks cannot run: only an organisation pin may stand in for them.
    result = download(cli, origin, "--target", "darwin-arm64")
    assert result.code == 5
    assert [c["status"] for c in result.json["checks"][1:]] == ["deferred"] * 3
    assert "release.sha256.darwin-arm64" in result.json["error"]["hint"]
    assert leftovers(cache_root(isolated)) == []


def test_deferred_macos_checks_with_a_pin_are_exit_0_and_recorded(cli, origin):
    digest = origin.tree.artifact("darwin-arm64").sha256
    env = {"KIRO_BOOTSTRAP_RELEASE__VERSION": "1.0.310",
           "KIRO_BOOTSTRAP_RELEASE__SHA256": json.dumps({"darwin-arm64": digest})}  # fmt: skip
    result = download(cli, origin, "--target", "darwin-arm64", env=env)
    assert result.code == 0, result.stdout
    assert result.json["pinned"] is True
    assert result.json["deferred"] == ["macos-codesign", "macos-team-id", "macos-gatekeeper"]
