"""Failed look-ups are limited per network; genuine scans never are."""

from __future__ import annotations

import pytest

from ocop.scans import ratelimit
from ocop.scans.tests.util import path_of, scan, stamped
from ocop.stamps import codes


@pytest.fixture
def stamps(world, settings):
    settings.SCAN_FAILURE_LIMIT = 3
    return stamped(world.product_a)[1]


def _guess(ip: str):
    return scan(f"/S/{codes.new_serial()}", ip=ip)


def test_failures_are_limited_but_genuine_scans_are_not(world, stamps):
    for _ in range(3):
        assert _guess("198.51.100.7").status_code == 404
    blocked = _guess("198.51.100.7")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Quá nhiều" in blocked.content.decode()  # translated
    assert scan("/S/%%%", ip="198.51.100.7").status_code == 429  # malformed codes count and are refused alike
    # A genuine stamp scanned from the same (shared carrier) address: always answered.
    for _ in range(5):
        assert scan(path_of(stamps[0]), ip="198.51.100.7").status_code == 200


def test_the_count_is_per_network(world, stamps):
    for host in (1, 2, 3):
        assert _guess(f"198.51.100.{host}").status_code == 404
    assert _guess("198.51.100.200").status_code == 429  # same /24
    assert _guess("198.51.101.1").status_code == 404  # another /24
    for host in (1, 2, 3):
        assert _guess(f"2001:db8:1:{host}::1").status_code == 404
    assert _guess("2001:db8:1:ffff::2").status_code == 429  # same /48
    assert _guess("2001:db8:2::1").status_code == 404


def test_the_window_slides(world, stamps, settings):
    settings.SCAN_FAILURE_WINDOW_SECONDS = 100
    ip = "192.0.2.9"
    start = 1_000_000.0
    for i in range(3):
        ratelimit.FAILED_LOOKUPS.hit(ip, now=start + i)
    assert ratelimit.FAILED_LOOKUPS.exceeded(ip, now=start + 5) is False
    ratelimit.FAILED_LOOKUPS.hit(ip, now=start + 5)
    assert ratelimit.FAILED_LOOKUPS.exceeded(ip, now=start + 6) is True
    # A window later the old failures have left it.
    assert ratelimit.FAILED_LOOKUPS.count(ip, now=start + 120) == 0


def test_network_truncation():
    assert ratelimit.network("203.0.113.77") == "203.0.113.0/24"
    assert ratelimit.network("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::/48"
    assert ratelimit.network("::ffff:203.0.113.77") == "203.0.113.0/24"
    assert ratelimit.network("not an ip") is None
    assert ratelimit.network(None) is None
