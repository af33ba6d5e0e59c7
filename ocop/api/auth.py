"""Bearer-token authentication and rate limits of the API.

Write endpoints need `Authorization: Bearer <token>`; the token's user becomes `request.user`, so the audit log
records every change with that user as the actor (ocop.audit reads the user from the request) and the registry
querysets scope the token exactly as they scope the user's web pages.

Rate limits are counted in the cache, in fixed windows: per token when a valid token is presented (on any
endpoint, public ones included), otherwise per client address. Settings (with these defaults):
API_RATE_WINDOW_SECONDS (60), API_RATE_ANONYMOUS (120 requests per window), API_RATE_TOKEN (600).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from ocop.api import tokens
from ocop.lib.net import client_ip


class BearerToken(HttpBearer):
    """`Authorization: Bearer ocop_…`: a token made on the account's token page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = tokens.authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


bearer = BearerToken()


def _presented_token(request: HttpRequest) -> Any:
    """The usable token of the request (set by BearerToken, or read from the header on public endpoints)."""
    found = getattr(request, "api_token", None)
    if found is not None:
        return found
    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw:
        return None
    found = tokens.authenticate(raw)
    request.api_token = found  # type: ignore[attr-defined]
    return found


class RateLimit(BaseThrottle):
    @staticmethod
    def window() -> int:
        return max(1, int(getattr(settings, "API_RATE_WINDOW_SECONDS", 60)))

    def ident(self, request: HttpRequest) -> tuple[str, int]:
        token = _presented_token(request)
        if token is not None:
            return f"token:{token.pk}", int(getattr(settings, "API_RATE_TOKEN", 600))
        # The key holds a hash of the address, not the address itself.
        ip = client_ip(request) or "unknown"
        digest = hashlib.sha256(ip.encode()).hexdigest()[:24]
        return f"ip:{digest}", int(getattr(settings, "API_RATE_ANONYMOUS", 120))

    def allow_request(self, request: HttpRequest) -> bool:
        window = self.window()
        who, limit = self.ident(request)
        now = time.time()
        key = f"api:rate:{who}:{int(now // window)}"
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 1)
            count = 1
        return count <= limit

    def wait(self) -> float | None:
        # Stateless (one throttle object serves every request of an operation): the end of the current window.
        window = self.window()
        return max(1.0, window - (time.time() % window))
