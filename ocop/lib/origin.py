"""Cross-site request forgery protection by the request's origin, for forms that anonymous visitors post.

Django's CSRF protection pairs a token in the form with a cookie. Public pages that anonymous visitors open by
the million (the scan page of a stamp) would set that cookie on every answer, and sign a token for every page,
for forms that act for nobody: the consumer's province, a report of a suspected fake, the language switch.

A forged request is one a browser sends from another site's page. Browsers say where a request comes from:

- ``Sec-Fetch-Site`` (every current browser): ``same-origin`` for this site's own pages, ``none`` for what the
  user typed or bookmarked; anything else (``cross-site``, ``same-site``) is refused;
- otherwise ``Origin``, which browsers send with every cross-origin POST: it must be this site (scheme and
  host of the request) or one of CSRF_TRUSTED_ORIGINS;
- a request with neither header was not sent by a browser for another site's page (scripts, partner systems,
  the test client): accepted, as a token check would accept a script that fetched a token first.

`origin_protected` applies this to a view instead of the token check, except for a browser that holds a session
(a signed-in user): its posts must also carry the CSRF token, as on every other page of the platform. Refusals
are Django's CSRF failure page (403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import get_callable
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))
SAME_ORIGIN_FETCHES = frozenset(("same-origin", "none"))
REASON = "The request came from another site (Sec-Fetch-Site or Origin)."


def cross_origin(request: HttpRequest) -> bool:
    """Whether a browser sent `request` for a page of another site (see the module's docstring)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in SAME_ORIGIN_FETCHES
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return False
    return origin != f"{request.scheme}://{request.get_host()}"


def _unused(request: HttpRequest) -> HttpResponse:  # pragma: no cover - process_view never calls it
    raise AssertionError


def origin_protected(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view` protected by the request's origin instead of Django's CSRF token, except for signed-in browsers."""

    @csrf_exempt
    @wraps(view)
    def protected(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            if cross_origin(request):
                return get_callable(settings.CSRF_FAILURE_VIEW)(request, reason=REASON)
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                refused = CsrfViewMiddleware(_unused).process_view(request, None, (), {})
                if refused is not None:
                    return refused
        return view(request, *args, **kwargs)

    return protected
