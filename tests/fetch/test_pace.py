"""Overall limits: a host that trickles ends the download (exit 4) and frees the install lock."""

from __future__ import annotations

from sandbox.faults import Fault
from tests.install.support import run_install
from tests.release.support import TAR_SUFFIX, cache_root, download, leftovers

# Tiny thresholds: at least 1,000 bytes a second over every 1-second window.
SLOW_LINK = {
    "KIRO_BOOTSTRAP_NETWORK__MIN_RATE_BYTES_PER_SECOND": "1000",
    "KIRO_BOOTSTRAP_NETWORK__MIN_RATE_WINDOW_SECONDS": "1",
}


def test_a_host_dripping_one_byte_every_2_seconds_is_given_up_with_exit_4(cli, origin, isolated):
    origin.add_fault(Fault.drip(2.0, after_bytes=64 * 1024, path=TAR_SUFFIX))
    result = download(cli, origin, env=SLOW_LINK)
    assert result.code == 4
    error = result.json["error"]
    assert error["code"] == "too-slow"
    assert "below 1000 bytes per second" in error["message"]
    assert "network.min_rate_bytes_per_second" in error["hint"]
    # Far less than the file arrived: the download stopped at the first slow window.
    assert origin.bytes_served(TAR_SUFFIX) < 1024 * 1024
    # What arrived stays as a .part for the next run to resume; nothing entered the cache.
    assert all(path.parent.name != "blobs" for path in leftovers(cache_root(isolated)))


def test_a_slow_install_releases_its_lock_so_the_next_run_installs(cli, origin, isolated):
    origin.add_fault(Fault.drip(2.0, after_bytes=64 * 1024, path=TAR_SUFFIX))
    slow = run_install(cli, origin, isolated, env=SLOW_LINK)
    assert slow.code == 4
    assert run_install(cli, origin, isolated, env=SLOW_LINK).code == 0


def test_a_stalled_small_file_is_given_up_too(cli, origin):
    origin.add_fault(Fault.drip(2.0, after_bytes=10, path="certificate.pem", times=None))
    result = download(cli, origin, env=SLOW_LINK)
    assert result.code == 4
    assert "certificate.pem" in result.json["error"]["message"]
