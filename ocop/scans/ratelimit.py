"""Counting failed look-ups and consumers' reports per network, in the cache.

Counts are kept per network — the client address truncated to SCAN_IPV4_PREFIX (/24) or SCAN_IPV6_PREFIX
(/48) — never per address: a guesser rotating through one operator's block is still one network, and the
count holds no full address (its key holds only a hash of the prefix).

The sliding window is approximated by ten sub-windows of a tenth of the window each: a count is the sum of
the sub-windows that are still alive, and each expires by itself, so nothing has to be cleaned up and a
failure costs one `add` and one `incr` in the cache. Genuine scans never come here (see views: the limit is
applied after the look-up, to failures only).
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

SLOTS = 10


def network(ip: str | None) -> str | None:
    """The truncated prefix of `ip`, e.g. "203.0.113.0/24"; None for a missing or unreadable address."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    bits = settings.SCAN_IPV4_PREFIX if address.version == 4 else settings.SCAN_IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


@dataclass(frozen=True)
class Limit:
    name: str
    window_setting: str
    limit_setting: str

    @property
    def window(self) -> int:
        return max(SLOTS, int(getattr(settings, self.window_setting)))

    @property
    def limit(self) -> int:
        return int(getattr(settings, self.limit_setting))

    def _keys(self, prefix: str, now: float) -> tuple[str, list[str]]:
        slot_seconds = self.window // SLOTS
        digest = hashlib.sha256(prefix.encode()).hexdigest()[:24]
        current = int(now // slot_seconds)
        keys = [f"scans:{self.name}:{digest}:{current - i}" for i in range(SLOTS)]
        return keys[0], keys

    def count(self, ip: str | None, now: float | None = None) -> int:
        prefix = network(ip)
        if prefix is None:
            return 0
        _current, keys = self._keys(prefix, now if now is not None else time.time())
        return sum(int(v) for v in cache.get_many(keys).values())

    def hit(self, ip: str | None, now: float | None = None) -> int:
        """Count one more event from `ip`'s network; returns the count in the window, this one included."""
        prefix = network(ip)
        if prefix is None:
            return 0
        now = now if now is not None else time.time()
        current, keys = self._keys(prefix, now)
        cache.add(current, 0, timeout=self.window + self.window // SLOTS)
        try:
            cache.incr(current)
        except ValueError:  # expired between add and incr
            cache.set(current, 1, timeout=self.window)
        return sum(int(v) for v in cache.get_many(keys).values())

    def exceeded(self, ip: str | None, now: float | None = None) -> bool:
        return self.limit > 0 and self.count(ip, now) > self.limit

    def retry_after(self) -> int:
        return self.window // SLOTS


FAILED_LOOKUPS = Limit("fail", "SCAN_FAILURE_WINDOW_SECONDS", "SCAN_FAILURE_LIMIT")
REPORTS = Limit("report", "SCAN_REPORT_WINDOW_SECONDS", "SCAN_REPORT_LIMIT")
