from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address.

    Behind a reverse proxy set TRUSTED_PROXY_COUNT (how many proxies append to
    X-Forwarded-For); otherwise the header is ignored, since anybody can send it.
    """
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    raw = request.META.get("REMOTE_ADDR")
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            raw = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(raw)) if raw else None
    except ValueError:
        return None
