"""Login throttling, read from the LoginAttempt rows.

Two sliding windows of LOGIN_WINDOW_SECONDS:

- per account: after LOGIN_MAX_FAILURES_PER_ACCOUNT failures (password or
  second-factor code) the account cools off until the oldest of those failures
  leaves the window. It is a cool-off, never a lock: nobody has to unlock it.
- per IP: after LOGIN_MAX_FAILURES_PER_IP failures from one address, attempts
  from it are refused — except for an account that has logged in successfully
  from that address in the last KNOWN_IP_DAYS days. A whole office or commune
  often sits behind one NAT address; without this exception one person guessing
  passwords (or a script) would lock all their colleagues out.

Accounts are keyed by the username as typed (case-folded), whether or not it
exists, so the throttle behaves the same for real and unknown usernames and
does not tell which ones exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from ocop.accounts.models import LoginAttempt

KNOWN_IP_DAYS = 30

PASSWORD = "password"
OTP = "otp"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_at: datetime | None = None
    reason: str = ""  # "account" | "ip"


def normalise(username: str) -> str:
    return (username or "").strip().casefold()[:150]


def _window_start(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)


def _retry_at(failure_times: list[datetime], limit: int) -> datetime:
    """When the count of failures in the window drops below `limit` again.

    `failure_times` is newest first; the limit-th newest failure is the one
    whose expiry brings the count to limit - 1.
    """
    return failure_times[limit - 1] + timedelta(seconds=settings.LOGIN_WINDOW_SECONDS)


def check(username: str, ip: str | None, now: datetime | None = None) -> Decision:
    """May this username try a password or a code from this IP right now?"""
    now = now or timezone.now()
    since = _window_start(now)
    failures = LoginAttempt.objects.filter(success=False, refused=False, at__gt=since)

    limit = settings.LOGIN_MAX_FAILURES_PER_ACCOUNT
    account_times = list(
        failures.filter(username=normalise(username)).order_by("-at").values_list("at", flat=True)[:limit]
    )
    if limit > 0 and len(account_times) >= limit:
        return Decision(False, _retry_at(account_times, limit), "account")

    ip_limit = settings.LOGIN_MAX_FAILURES_PER_IP
    if ip and ip_limit > 0:
        ip_times = list(failures.filter(ip=ip).order_by("-at").values_list("at", flat=True)[:ip_limit])
        if len(ip_times) >= ip_limit and not known_from_ip(username, ip, now):
            return Decision(False, _retry_at(ip_times, ip_limit), "ip")
    return Decision(True)


def known_from_ip(username: str, ip: str, now: datetime | None = None) -> bool:
    """Has this account passed the password step from this IP recently?"""
    now = now or timezone.now()
    return LoginAttempt.objects.filter(
        username=normalise(username),
        ip=ip,
        success=True,
        stage=PASSWORD,
        at__gt=now - timedelta(days=KNOWN_IP_DAYS),
    ).exists()


def log_attempt(
    username: str,
    ip: str | None,
    *,
    success: bool,
    stage: str = PASSWORD,
    user: Any = None,
    user_agent: str = "",
    refused: bool = False,
) -> LoginAttempt:
    return LoginAttempt.objects.create(
        username=normalise(username),
        ip=ip,
        user=user if user is not None and getattr(user, "pk", None) else None,
        success=success,
        stage=stage,
        user_agent=(user_agent or "")[:300],
        refused=refused,
    )
