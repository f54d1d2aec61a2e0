"""One install at a time (exit 7 after a brief wait) and the version rules."""

from __future__ import annotations

import pytest

from kiro_bootstrap.errors import RetryLaterError, VerificationError
from kiro_bootstrap.install.lock import LOCK_WAIT_SECONDS, install_lock
from kiro_bootstrap.install.plan import decide
from tests.release.support import Sleeps


def test_a_second_holder_waits_briefly_then_is_told_to_retry_later(tmp_path):
    lock = tmp_path / "install.lock"
    sleeps = Sleeps()
    with (
        install_lock(lock, sleep=sleeps),
        pytest.raises(RetryLaterError) as busy,
        install_lock(lock, sleep=sleeps),
    ):
        pass
    assert busy.value.exit_status == 7
    assert sum(sleeps.calls) >= LOCK_WAIT_SECONDS
    with install_lock(lock, sleep=sleeps):  # released on exit
        pass


@pytest.mark.parametrize(
    "case",
    [
        (None, "1.0.310", False, False, False, "install"),
        ("1.0.309", "1.0.310", False, False, False, "upgrade"),
        ("1.0.310", "1.0.310", False, False, False, "up-to-date"),
        ("1.0.310", "1.0.309", True, True, False, "ahead-of-pin"),
        ("1.0.310", "1.0.309", True, True, True, "downgrade"),
        ("1.0.310", "1.0.309", True, False, True, "downgrade"),
        ("1.0.9", "1.0.10", False, False, False, "upgrade"),
    ],
)
def test_version_rules(case):
    installed, offered, pinned, by_config, allow, action = case
    decision = decide(installed, offered, pinned=pinned, pinned_by_configuration=by_config,
                      allow_downgrade=allow)  # fmt: skip
    assert decision.action == action


@pytest.mark.parametrize(("pinned", "allow"), [(False, False), (False, True), (True, False)])
def test_an_older_offer_is_refused(pinned, allow):
    with pytest.raises(VerificationError) as refused:
        decide("1.0.310", "1.0.309", pinned=pinned, pinned_by_configuration=False,
               allow_downgrade=allow)  # fmt: skip
    assert refused.value.exit_status == 5
