"""macOS: a DMG with a licence agreement, the bundle identifier besides the Team ID, and
Gatekeeper's origin line (recorded outputs in tests/fixtures/tool_outputs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kiro_bootstrap.host.runner import Completed, RecordedRunner
from kiro_bootstrap.verify.macos import parse_attach_plist
from tests.verify.test_macos import APP, MOUNT, mac_download, mac_runner
from tests.verify.tool_outputs import tool_output


class AnsweringRunner(RecordedRunner):
    """The recorded macOS tools, keeping what each was given on stdin."""

    def __call__(self, argv: Sequence[str], **kwargs: Any) -> Completed:
        self.stdin = [*getattr(self, "stdin", []), (tuple(argv[:2]), kwargs.get("input"))]
        return super().__call__(argv, **kwargs)


def test_a_dmg_with_a_licence_agreement_is_answered_and_attached(cli, origin):
    runner = AnsweringRunner(recordings=mac_runner().recordings)
    runner.add(["hdiutil", "attach"], tool_output("hdiutil-attach-licence.plist"))
    result = mac_download(cli, origin, runner)
    assert result.code == 0, result.stdout
    assert (("hdiutil", "attach"), "Y\n") in runner.stdin
    assert runner.calls[-1] == ("hdiutil", "detach", MOUNT)


def test_the_first_plist_is_taken_after_the_licence_text():
    assert parse_attach_plist(tool_output("hdiutil-attach-licence.plist")) == MOUNT
    assert parse_attach_plist("Agree Y/N? N\n") is None


def test_another_app_of_the_same_team_is_exit_5(cli, origin):
    result = mac_download(cli, origin, mac_runner(display="codesign-display-other-app.txt"))
    assert result.code == 5
    assert "is com.amazon.aws.other-app, not dev.kiro.desktop" in result.json["error"]["message"]


def test_gatekeeper_is_asked_with_vv_and_its_origin_must_be_the_team(cli, origin):
    runner = mac_runner()
    result = mac_download(cli, origin, runner)
    assert ("spctl", "--assess", "--type", "execute", "-vv", APP) in runner.calls
    gatekeeper = next(c for c in result.json["checks"] if c["id"] == "macos-gatekeeper")
    assert "Developer ID Application: Kiro Publisher (94KV3E626L)" in gatekeeper["summary"]
    other = mac_download(cli, origin, mac_runner(spctl="spctl-accepted-other-origin.txt"))
    assert other.code == 5
    assert (
        "Someone Else (ABCDE12345), not as team 94KV3E626L" in other.json["checks"][-1]["summary"]
    )
