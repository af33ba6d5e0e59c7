"""Rate limits of the public inquiry form, counted in the cache.

Two counters: per network (the client address truncated to a /24 or /48 prefix, as the scan pages do, and
only a hash of that prefix in the key: no address is stored) and per product. Fixed windows are enough
here: a limit reached resets at the end of its window, and a sender learns only that they must wait.
A submission is counted once it has been accepted; the check before it does not count.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

from ocop.scans.ratelimit import network
from ocop.trade import conf


def _key(kind: str, ident: str, window: int, now: float) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:24]
    return f"trade:inquiry:{kind}:{digest}:{int(now // window)}"


def _keys(ip: str | None, product_id: int, now: float) -> list[tuple[str, int, int]]:
    """(cache key, limit, window) of the counters that apply."""
    out = []
    prefix = network(ip)
    if prefix is not None:
        window = max(1, conf.get("TRADE_INQUIRY_IP_WINDOW_SECONDS"))
        out.append((_key("net", prefix, window, now), conf.get("TRADE_INQUIRY_IP_LIMIT"), window))
    window = max(1, conf.get("TRADE_INQUIRY_PRODUCT_WINDOW_SECONDS"))
    out.append((_key("product", str(product_id), window, now), conf.get("TRADE_INQUIRY_PRODUCT_LIMIT"), window))
    return out


def exceeded(ip: str | None, product_id: int, now: float | None = None) -> bool:
    """Whether one more inquiry from `ip` about `product_id` would go over a limit (a limit of 0 is off)."""
    now = time.time() if now is None else now
    keys = _keys(ip, product_id, now)
    counts = cache.get_many([key for key, _limit, _window in keys])
    return any(limit > 0 and int(counts.get(key, 0)) >= limit for key, limit, _window in keys)


def hit(ip: str | None, product_id: int, now: float | None = None) -> None:
    now = time.time() if now is None else now
    for key, _limit, window in _keys(ip, product_id, now):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
