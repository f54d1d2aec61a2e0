"""`install` on macOS and Windows, run on Linux with injected host facts and recorded tools:
the exact command lines, the staging swap, run-as-user under SYSTEM, and exit 7 cases."""

from __future__ import annotations

import json
import plistlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from kiro_bootstrap.context import RunningProcess
from kiro_bootstrap.host.runas import TASK_NAMESPACE
from kiro_bootstrap.host.runner import Completed, RecordedRunner
from kiro_bootstrap.layout.detect import WINDOWS_UNINSTALL_KEY
from kiro_bootstrap.verify.windows import SCRIPT as AUTHENTICODE_SCRIPT
from tests.host import fixtures
from tests.install.support import root_of, run_install
from tests.privsep.windows_task import TaskAsPerson, signed_in_alice
from tests.release import support
from tests.release.support import LATEST
from tests.verify.test_macos import MOUNT, mac_runner
from tests.verify.tool_outputs import tool_output

origin = support.origin
release_tree = support.release_tree
POWERSHELL = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
SID = fixtures.ALICE_SID
HIVE_KEY = f"HKU\\{SID}\\{WINDOWS_UNINSTALL_KEY}"
TASK = f"{{{TASK_NAMESPACE}}}"
NOT_STARTED = 0x41303


class MacRunner(RecordedRunner):
    """Recorded macOS tools; `ditto` really copies a tiny Kiro.app so the swap can be seen."""

    def __call__(self, argv: Sequence[str], **kwargs: Any) -> Completed:
        done = super().__call__(argv, **kwargs)
        if argv[0] == "ditto":
            contents = Path(argv[2]) / "Contents"
            contents.mkdir(parents=True)
            info = {"CFBundleIdentifier": "dev.kiro.desktop", "CFBundleShortVersionString": LATEST}
            (contents / "Info.plist").write_bytes(plistlib.dumps(info))
        return done


@pytest.fixture(autouse=True)
def _alices_profile(isolated):
    """SYSTEM acts for alice only when her profile exists (she signed in once)."""
    (root_of(isolated) / "C/Users/alice").mkdir(parents=True, exist_ok=True)


def _mac_runner() -> MacRunner:
    runner = MacRunner(recordings=mac_runner().recordings)
    return runner.add(["ditto"], "")


def test_macos_attaches_verifies_copies_to_staging_reverifies_swaps_and_detaches(
    cli, origin, isolated
):
    facts = fixtures.macos14_arm64(Path(isolated["HOME"]), is_admin=True)
    applications = root_of(isolated) / "Applications"
    old = applications / "Kiro.app" / "Contents"
    old.mkdir(parents=True)
    (old / "Info.plist").write_bytes(plistlib.dumps({"CFBundleShortVersionString": "1.0.309"}))
    runner = _mac_runner()
    result = run_install(cli, origin, isolated, "--no-configure", facts=facts, runner=runner)
    assert result.code == 0, result.stdout
    assert (result.json["action"], result.json["previous_version"]) == ("upgrade", "1.0.309")
    staged = str(applications / ".Kiro.app.kiro-bootstrap-staging")
    install_calls = runner.calls[runner.calls.index(("hdiutil", "detach", MOUNT)) + 1 :]
    assert install_calls[0][:5] == ("hdiutil", "attach", "-readonly", "-nobrowse", "-noautoopen")
    assert ("ditto", f"{MOUNT}/Kiro.app", staged) in install_calls
    verified = [call[-1] for call in install_calls if call[:2] == ("codesign", "--verify")]
    assert verified == [f"{MOUNT}/Kiro.app", staged]
    assert install_calls[-1] == ("hdiutil", "detach", MOUNT)
    info = plistlib.loads((applications / "Kiro.app/Contents/Info.plist").read_bytes())
    assert info["CFBundleShortVersionString"] == LATEST
    assert sorted(p.name for p in applications.iterdir()) == ["Kiro.app"]


def test_macos_a_staged_copy_that_fails_verification_is_removed_and_detached(cli, origin, isolated):
    facts = fixtures.macos14_arm64(Path(isolated["HOME"]), is_admin=True)
    runner = _mac_runner()
    staged = root_of(isolated) / "Applications/.Kiro.app.kiro-bootstrap-staging"
    staged_check = ("codesign", "--verify", "--deep", "--strict", "--verbose=2", str(staged))
    runner.add(staged_check, Completed(1, "", tool_output("codesign-verify-modified.txt")))
    result = run_install(cli, origin, isolated, "--no-configure", facts=facts, runner=runner)
    assert result.code == 5
    assert not (root_of(isolated) / "Applications/.Kiro.app.kiro-bootstrap-staging").exists()
    assert runner.calls[-1] == ("hdiutil", "detach", MOUNT)


class WindowsRunner(RecordedRunner):
    """Recorded Windows tools; the uninstall key appears once the installer has run."""

    def __init__(
        self, installed: str | None = None, last_result: int = 0, hive_key: str = HIVE_KEY
    ) -> None:
        super().__init__()
        self.installed = installed
        self.hive_key = hive_key
        self.tasks: list[ElementTree.Element] = []  # each task's XML, read when registered
        self.add([POWERSHELL, "-NoProfile", "-NonInteractive", "-Command", AUTHENTICODE_SCRIPT],
                 tool_output("authenticode-valid.json"))  # fmt: skip
        self.add(["icacls"], "processed 1 file")
        self.add(["schtasks", "/Create"], "SUCCESS")
        self.add(["schtasks", "/Run"], "SUCCESS")
        self.add(["schtasks", "/Delete"], "SUCCESS")
        task = '"PC","\\\\kiro-bootstrap-install","N/A","Ready","Interactive only","now"'
        finished = f'{task},"{last_result}"\n'
        self.add(["schtasks", "/Query"], finished)

    def __call__(self, argv: Sequence[str], **kwargs: Any) -> Completed:
        if list(argv[:2]) == ["schtasks", "/Create"]:
            xml = Path(argv[argv.index("/XML") + 1]).read_bytes().decode("utf-16")
            self.tasks.append(ElementTree.fromstring(xml.split("?>", 1)[1]))  # noqa: S314
        if list(argv[:3]) == ["reg", "query", self.hive_key]:
            self.calls.append(tuple(argv))
            if self.installed is None:
                return Completed(1, "", "ERROR: The system was unable to find the specified key")
            text = (f"\r\n{self.hive_key}\r\n    DisplayVersion    REG_SZ    {self.installed}\r\n"
                    '    UninstallString    REG_SZ    "C:\\Users\\alice\\AppData\\Local\\Programs'
                    '\\Kiro\\unins000.exe"\r\n')  # fmt: skip
            return Completed(0, text, "")
        return super().__call__(argv, **kwargs)


def alice(runner: WindowsRunner, isolated: dict[str, str]) -> TaskAsPerson:
    """SYSTEM's recorded tools, with alice's own agent run by the scheduled task."""
    return signed_in_alice(runner, root_of(isolated), isolated)


def task_command(task: ElementTree.Element) -> str:
    """What the task runs: its Command and Arguments as one command line."""
    command = task.findtext(f"{TASK}Actions/{TASK}Exec/{TASK}Command") or ""
    arguments = task.findtext(f"{TASK}Actions/{TASK}Exec/{TASK}Arguments") or ""
    return f"{command} {arguments}".strip()


def task_user(task: ElementTree.Element) -> str:
    return task.findtext(f"{TASK}Principals/{TASK}Principal/{TASK}UserId") or ""


def _windows_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {"SystemRoot": "C:\\Windows", **(extra or {})}


def test_windows_under_system_runs_inno_as_the_signed_in_user(cli, origin, isolated):
    runner = WindowsRunner()
    result = run_install(cli, origin, isolated, "--no-configure", facts=fixtures.windows11_system(),
                         runner=alice(runner, isolated), env=_windows_env())  # fmt: skip
    assert result.code == 0, result.stdout
    (task,) = runner.tasks
    assert task_command(task).endswith(
        "kiro-ide-1.0.310-stable-win32-x64.exe /SP- /VERYSILENT /SUPPRESSMSGBOXES /NORESTART "
        "/MERGETASKS=!runcode /NOCLOSEAPPLICATIONS"
    )
    assert task_user(task) == SID
    assert task.findtext(f"{TASK}Settings/{TASK}DisallowStartIfOnBatteries") == "false"
    assert ("reg", "query", HIVE_KEY) in runner.calls
    create = next(call for call in runner.calls if call[:2] == ("schtasks", "/Create"))
    xml_file = Path(create[create.index("/XML") + 1])
    assert xml_file.parent == root_of(isolated) / "C/ProgramData/kiro-bootstrap/tasks"
    # The folder is given to SYSTEM and Administrators before the XML is written there.
    secured = [call for call in runner.calls if call[:2] == ("icacls", str(xml_file.parent))]
    assert any("/inheritance:r" in call for call in secured)
    assert runner.calls.index(secured[-1]) < runner.calls.index(create)
    assert not xml_file.exists()
    assert [call for call in runner.calls if call[0] == "schtasks"][-1][:2] == (
        "schtasks",
        "/Delete",
    )
    assert result.json["location"] == str(
        root_of(isolated) / "C/Users/alice/AppData/Local/Programs/Kiro"
    )


def test_windows_close_running_passes_closeapplications(cli, origin, isolated):
    runner = WindowsRunner()
    runner.add(["taskkill"], "")
    # alice's Kiro (Windows names owners, not uids), then nothing: it quit when asked.
    seen = iter([[RunningProcess("Kiro.exe", user="AzureAD\\alice")], []])
    result = run_install(cli, origin, isolated, "--no-configure", "--close-running",
                         facts=fixtures.windows11_system(), runner=alice(runner, isolated),
                         env=_windows_env(), processes=lambda: next(seen, []))  # fmt: skip
    assert result.code == 0, result.stdout
    assert ("taskkill", "/FI", "USERNAME eq alice", "/IM", "Kiro.exe") in runner.calls
    assert task_command(runner.tasks[0]).endswith("/CLOSEAPPLICATIONS")


def test_windows_the_version_in_the_users_hive_makes_a_rerun_a_no_op(cli, origin, isolated):
    runner = WindowsRunner(installed=LATEST)
    result = run_install(cli, origin, isolated, "--no-configure", facts=fixtures.windows11_system(),
                         runner=alice(runner, isolated), env=_windows_env())  # fmt: skip
    assert (result.code, result.json["action"]) == (0, "up-to-date")
    assert not any(call[0] == "schtasks" for call in runner.calls)
    assert origin.bytes_served(".exe") == 0


def test_windows_under_system_with_nobody_signed_in_is_exit_7(cli, origin, isolated):
    facts = fixtures.windows11_system(console_user=None)
    result = run_install(cli, origin, isolated, facts=facts, runner=WindowsRunner())
    assert result.code == 7
    assert "Nobody is signed in" in result.json["error"]["message"]


def test_windows_system_scope_is_exit_9(cli, origin, isolated):
    result = run_install(cli, origin, isolated, "--scope", "system",
                         facts=fixtures.windows11_user(), runner=WindowsRunner())  # fmt: skip
    assert result.code == 9


def test_windows_a_failing_installer_is_exit_6(cli, origin, isolated):
    runner = WindowsRunner(last_result=4)
    result = run_install(cli, origin, isolated, "--no-configure", facts=fixtures.windows11_system(),
                         runner=alice(runner, isolated), env=_windows_env())  # fmt: skip
    assert result.code == 6
    assert "exited with code 4" in result.json["error"]["message"]


def test_windows_uninstall_runs_the_uninstall_string_as_the_user(cli, origin, isolated):
    first = alice(WindowsRunner(), isolated)
    assert run_install(cli, origin, isolated, "--no-configure", facts=fixtures.windows11_system(),
                       runner=first, env=_windows_env()).code == 0  # fmt: skip
    runner = WindowsRunner(installed=LATEST)
    removed = cli("uninstall", "--json", facts=fixtures.windows11_system(),
                  runner=alice(runner, isolated), env=_windows_env())  # fmt: skip
    assert removed.code == 0, removed.stdout
    assert task_command(runner.tasks[0]) == (
        "C:\\Users\\alice\\AppData\\Local\\Programs\\Kiro\\unins000.exe "
        "/VERYSILENT /SUPPRESSMSGBOXES /NORESTART"
    )


def test_macos_at_the_login_window_installs_the_app_only(cli, origin, isolated):
    """Jamf as root with nobody at the console: no /var/root configuration, no root record."""
    facts = fixtures.macos14_arm64(Path(isolated["HOME"]), is_admin=True, current_user="root",
                                   console_user=None)  # fmt: skip
    result = run_install(cli, origin, isolated, facts=facts, runner=_mac_runner())
    assert result.code == 0, result.stdout
    assert "Nobody is signed in at the console" in result.stderr
    machine = json.loads(
        (root_of(isolated) / "Library/Application Support/kiro-bootstrap/status.json").read_text()
    )
    assert machine["install"]["version"] == LATEST
    assert machine["users"] == {}
    assert not (Path(isolated["HOME"]) / "Library/Application Support/Kiro").exists()
    configured = cli("configure", facts=facts, runner=_mac_runner())
    assert configured.code == 7
    assert "Nobody is signed in" in configured.stderr
