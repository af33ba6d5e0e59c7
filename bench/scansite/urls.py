"""The platform's URLs, plus the minimal Django view the scan page is compared with.

The platform's own patterns are listed at the root as they are in production (ocop/urls.py is the root
URLconf there): an `include()` here would give every platform page one more level of URL resolution than it
has when served for real, and the minimal view none.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ocop.urls import urlpatterns as platform


def minimal(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do, through the same middleware as every page of the platform."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    *platform,
]
