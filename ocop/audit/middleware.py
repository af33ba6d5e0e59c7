from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ocop.audit.log import request_context
from ocop.lib.net import client_ip


class AuditContextMiddleware:
    """Attributes every change made while serving a request to its user and IP.

    The user is read from the request when an event is written, not when the
    request starts, so changes made right after a login carry the new user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_context(request, client_ip(request)):
            return self.get_response(request)
