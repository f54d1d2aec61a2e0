"""Windows: SYSTEM hands the person's part to their own agent (a scheduled task) through an
ACL'd file, and never writes into the profile by path itself."""

from __future__ import annotations

import json
import os
from pathlib import Path

from kiro_bootstrap.host.runner import RecordedRunner
from tests.host import fixtures
from tests.privsep.conftest import GUARD
from tests.privsep.windows_task import signed_in_alice

ORG = (
    '[identity_center]\nstart_url = "https://d-1234567890.awsapps.com/start"\n'
    'region = "eu-west-1"\n'
)


def _setup(tmp_path: Path, isolated: dict[str, str]) -> tuple[Path, Path]:
    root = Path(isolated["KIRO_BOOTSTRAP_ROOT"])
    profile = root / "C/Users/alice"
    profile.mkdir(parents=True)
    org = tmp_path / "org.toml"
    org.write_text(ORG)
    return root, org


def test_system_never_writes_into_the_profile_itself(cli, tmp_path, isolated):
    root, org = _setup(tmp_path, isolated)
    profile = root / "C/Users/alice"
    recorded = RecordedRunner().add(["icacls"], "processed 1 file").add(["reg"], "done")
    runner = signed_in_alice(recorded, root, isolated)
    GUARD.update(home=os.path.normpath(profile), pid=os.getpid(), hits=[])
    try:
        result = cli("configure", "--config", str(org), "--json",
                     facts=fixtures.windows11_system(), runner=runner)  # fmt: skip
        hits = list(GUARD["hits"])
    finally:
        GUARD.update(home=None, pid=None)
    assert result.code == 0, result.stdout + result.stderr
    assert hits == []  # SYSTEM's own process touched nothing in the profile
    assert "[sso-session kiro]" in (profile / ".aws/config").read_text()  # alice's agent did
    handover = root / "C/ProgramData/kiro-bootstrap/handover/alice"
    grant = next(call for call in recorded.calls if call[:2] == ("icacls", str(handover)))
    assert grant[-3:] == ("*S-1-5-18:(OI)(CI)F", "*S-1-5-32-544:(OI)(CI)F", "alice:(OI)(CI)M")
    assert list(handover.iterdir()) == []  # request and report are gone after the run


def test_a_handover_file_for_another_account_is_refused(cli, tmp_path, isolated):
    root, _org = _setup(tmp_path, isolated)
    folder = root / "C/ProgramData/kiro-bootstrap/handover/bob"
    folder.mkdir(parents=True)
    request = folder / "x.json"
    request.write_text(json.dumps({"step": "configure", "request": {}, "person": "bob"}))
    result = cli("person-step", "--handover", str(request),
                 facts=fixtures.windows11_user(root / "C/Users/alice"))  # fmt: skip
    assert result.code == 2
    assert "another account" in result.stderr
    assert not (folder / "x.json.report").exists()


def test_a_report_that_breaks_the_schema_is_refused(cli, tmp_path, isolated):
    root, org = _setup(tmp_path, isolated)
    recorded = RecordedRunner().add(["icacls"], "processed 1 file").add(["reg"], "done")
    runner = signed_in_alice(recorded, root, isolated)

    def forge(command: str) -> int:
        handover = Path(command.rsplit(maxsplit=1)[-1])
        Path(f"{handover}.report").write_text('{"event": "run-as-root", "path": "/etc"}\n')
        return 0

    runner._run_as_person = forge  # type: ignore[method-assign]  # a person tampering
    result = cli("configure", "--config", str(org), facts=fixtures.windows11_system(),
                 runner=runner)  # fmt: skip
    assert result.code == 9
    assert "refused" in result.stderr
