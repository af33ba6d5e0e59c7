"""Session timeouts and the second-factor gate.

Both run after AuthenticationMiddleware and django-otp's OTPMiddleware (see
MIDDLEWARE in settings), so `request.user` and `request.user.is_verified()`
are known.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from ocop.accounts import actions

# The last-activity stamp is written at most once a minute: writing the
# session on every request would cost a database write per page view, and a
# minute of slack on a thirty-minute idle timeout does not matter.
LAST_SEEN_RESOLUTION = 60


def _login_redirect(request: HttpRequest, **params: str) -> HttpResponseRedirect:
    if request.method == "GET":
        params["next"] = request.get_full_path()
    return HttpResponseRedirect(f"{reverse(settings.LOGIN_URL)}?{urlencode(params)}")


class SessionTimeoutMiddleware:
    """Signs out a session idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = time.time()
            login_at = session.get(actions.LOGIN_AT_KEY)
            last_seen = session.get(actions.LAST_SEEN_KEY)
            if login_at is None or last_seen is None:
                # A session created by another login path (tests, the shell):
                # its clock starts now.
                actions.start_session_clock(request)
            elif now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                actions.logout_user(request, note="session reached its maximum length")
                return _login_redirect(request, expired="absolute")
            elif now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                actions.logout_user(request, note="session idle too long")
                return _login_redirect(request, expired="idle")
            elif now - last_seen >= LAST_SEEN_RESOLUTION:
                session[actions.LAST_SEEN_KEY] = now
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    """Keeps a user whose account needs a second factor on the verify/enrol pages until they pass it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def open_paths(self) -> frozenset[str]:
        # Resolved lazily: the URLconf is not loaded when middleware is built.
        if self._open_paths is None:
            names = (
                "accounts:otp_verify",
                "accounts:otp_enroll",
                "accounts:logout",
                "set_language",
            )
            self._open_paths = frozenset(reverse(name) for name in names)
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and actions.second_factor_required(request)
            and request.path_info not in self.open_paths()
            and not request.path_info.startswith(settings.STATIC_URL)
        ):
            target = "accounts:otp_verify" if actions.has_confirmed_totp(user) else "accounts:otp_enroll"
            url = reverse(target)
            if request.method == "GET":
                url = f"{url}?{urlencode({'next': request.get_full_path()})}"
            return HttpResponseRedirect(url)
        return self.get_response(request)
