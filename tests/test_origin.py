"""Protection by the request's origin (ocop/lib/origin.py), the rules on their own."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from ocop.lib.origin import cross_origin, origin_protected


@pytest.mark.parametrize(
    "headers,refused",
    [
        ({}, False),  # not a browser sending another site's form
        ({"HTTP_SEC_FETCH_SITE": "same-origin"}, False),
        ({"HTTP_SEC_FETCH_SITE": "none"}, False),  # typed or bookmarked by the user
        ({"HTTP_SEC_FETCH_SITE": "same-site"}, True),  # another host of the same site
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, True),
        ({"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"}, True),  # the first one decides
        ({"HTTP_ORIGIN": "http://testserver"}, False),
        ({"HTTP_ORIGIN": "https://testserver"}, True),  # another scheme is another origin
        ({"HTTP_ORIGIN": "http://testserver.evil.example"}, True),
        ({"HTTP_ORIGIN": "null"}, True),
        ({"HTTP_ORIGIN": "https://proxy.example.gov.vn"}, False),  # trusted below
    ],
)
@override_settings(CSRF_TRUSTED_ORIGINS=["https://proxy.example.gov.vn"])
def test_cross_origin(headers, refused):
    assert cross_origin(RequestFactory().post("/x/", **headers)) is refused


def test_safe_methods_are_never_refused():
    view = origin_protected(lambda request: HttpResponse("ok"))
    assert view(RequestFactory().get("/x/", HTTP_SEC_FETCH_SITE="cross-site")).status_code == 200
    refused = view(RequestFactory().post("/x/", HTTP_SEC_FETCH_SITE="cross-site"))
    assert refused.status_code == 403 and getattr(view, "csrf_exempt", False)
