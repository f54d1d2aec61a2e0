"""A run killed between recording and writing never turns the organisation's value into the
person's own: the record learns a key before the file changes and forgets it only after."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kiro_bootstrap.configure import run
from kiro_bootstrap.configure.run import configure_user_and_system, remove_owned_configuration
from kiro_bootstrap.context import Context
from kiro_bootstrap.privsep.person import Person
from tests.host import fixtures


class Killed(BaseException):
    """Stands for SIGKILL at a write point (nothing after it runs)."""


def _kill_at_write(monkeypatch: pytest.MonkeyPatch, nth: int) -> None:
    calls = {"n": 0}
    real = run._apply

    def apply(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth:
            raise Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "_apply", apply)


@pytest.mark.parametrize("write_point", [1, 2, 3])
def test_a_kill_at_any_write_keeps_the_persons_own_proxy_recoverable(
    make_context: Callable[..., Context],
    org_config: Path,
    home: Path,
    write_point: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = home / ".config/Kiro/User/settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"http.proxy": "http://mine:3128"}')
    ctx = make_context(org_config, facts=fixtures.ubuntu2404(home))
    person = Person("alice", home, for_someone_else=False)
    _kill_at_write(monkeypatch, write_point)
    with pytest.raises(Killed):
        configure_user_and_system(ctx, person=person, kiro_version=None, dry_run=False)
    monkeypatch.undo()
    configure_user_and_system(ctx, person=person, kiro_version=None, dry_run=False)
    assert json.loads(settings.read_text())["http.proxy"] == "http://proxy.example.com:8080"
    remove_owned_configuration(ctx, person=person, dry_run=False)
    # The person's own value comes back, never the organisation's.
    assert json.loads(settings.read_text())["http.proxy"] == "http://mine:3128"
