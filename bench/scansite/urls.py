"""Every URL of the platform, plus the minimal Django view the scan page is compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def minimal(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do, through the same middleware as every page of the platform."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("ocop.urls")),
]
