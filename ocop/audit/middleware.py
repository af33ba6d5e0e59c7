from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ocop.audit.log import acting_as
from ocop.lib.net import client_ip


class AuditContextMiddleware:
    """Attributes every change made while serving a request to its user and IP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        with acting_as(user, client_ip(request)):
            return self.get_response(request)
