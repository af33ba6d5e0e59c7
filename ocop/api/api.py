"""The API, version 1, mounted at /api/v1/ (interactive docs at /api/v1/docs, served from our own files).

    GET /api/v1/rulebooks          every rulebook, newest first
    GET /api/v1/rulebooks/{code}   one rulebook (code or alias) with all its criteria sheets
    GET /api/v1/lots/{id}/epcis    a lot's trace events as EPCIS 2.0 JSON-LD (certified products only)
    the catalogue (ocop/catalogue/api.py), statistics (ocop/stats/api.py), certificates, revocations and stamp
    verification (ocop/api/public.py): public, read-only;
    the registry, lots and stamps (ocop/api/write.py): `Authorization: Bearer <token>`, scoped like the web pages.

Every error has the same shape, in the request's language: ``{"detail": "<message>", "code": "<stable code>"}``
(plus ``errors`` for invalid input), with the HTTP status — including an address under /api/v1/ that does not
exist, a missing or unusable token (401) and a rate limit (429, with Retry-After; see ocop/api/auth.py).
Lists answer ``{"count": N, "items": [...]}`` with ``page`` and ``page_size`` (at most 100).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Status
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from ocop.api.auth import RateLimit
from ocop.api.common import ObjectId
from ocop.api.public import router as public_router
from ocop.api.schemas import Error, RulebookOut, RulebookSummary
from ocop.api.write import router as write_router
from ocop.catalogue.api import router as catalogue_router
from ocop.lib import clock
from ocop.rules.rulebooks import UnknownRulebook, all_rulebooks, get_rulebook
from ocop.stats.api import router as stats_router

# Answers any operation may give besides its own, all in the error shape: documented once here for every
# operation, so partner systems (and the schema tests) know them.
SHARED_ERRORS = {
    "422": "The request is not valid (the `errors` list says which parameter and why).",
    "429": "Too many requests: wait the number of seconds in the Retry-After header.",
}
SECURED_ERRORS = {"401": "A valid API token is required: `Authorization: Bearer <token>`."}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "null"}]},
    },
    "required": ["detail", "code"],
}


class OcopAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = ERROR_SCHEMA
        reference = {"$ref": "#/components/schemas/ApiError"}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                shared = {**SHARED_ERRORS, **(SECURED_ERRORS if operation.get("security") else {})}
                for status, description in shared.items():
                    operation["responses"].setdefault(
                        status,
                        {"description": description, "content": {"application/json": {"schema": reference}}},
                    )
        return schema


api = OcopAPI(
    title="OCOP API",
    version="1",
    urls_namespace="api",
    description=(
        "Data of the OCOP platform. Public, read-only: rulebooks and criteria sheets, the catalogue, "
        "certificates, revocations, stamp verification, statistics. With an API token (made on the account's "
        "token page, sent as `Authorization: Bearer <token>`): the registry, lots and stamps, scoped exactly "
        'like the web pages. Errors: `{"detail", "code"}` (+ `errors` for invalid input). Lists: '
        '`{"count", "items"}` with `page` and `page_size`. Rate limited per token, or per address '
        "without one (429 with Retry-After)."
    ),
    throttle=[RateLimit()],
)


def error(request: HttpRequest, status: int, detail: str, code: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, _("Nothing was found at this address."), "not_found")


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error(request, 422, _("The request is not valid."), "invalid", errors=exc.errors)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        # django-ninja's answer to a body that is not JSON, in English only: said in the request's language.
        return error(request, 400, _("The request body could not be read: send JSON."), "bad_request")
    return error(request, exc.status_code, str(exc), "error")


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(
        request,
        401,
        _("A valid API token is required: send it as “Authorization: Bearer <token>”."),
        "unauthorized",
    )
    response["WWW-Authenticate"] = 'Bearer realm="ocop"'
    return response


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # Retry-After is added by django-ninja from the throttle's wait().
    return error(request, 429, _("Too many requests: wait a moment before trying again."), "rate_limited")


@api.get("/rulebooks", response=list[RulebookSummary], url_name="rulebook_list", tags=["rules"])
def rulebook_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every rulebook, newest first, with its validity and a link to the full data."""
    today = clock.today()
    return [
        {
            "code": b.code,
            "title": b.title,
            "aliases": list(b.aliases),
            "valid_from": b.valid_from,
            "valid_until": b.valid_until,
            "in_force": b.in_force_on(today),
            "parts": dict(b.parts),
            "sheets": len(b.sheets),
            "url": request.build_absolute_uri(reverse("api:rulebook_detail", args=[b.code])),
            "page": request.build_absolute_uri(reverse("rules:rulebook_detail", args=[b.code])),
        }
        for b in all_rulebooks()
    ]


@api.get(
    "/rulebooks/{code}",
    response={200: RulebookOut, 404: Error},
    url_name="rulebook_detail",
    tags=["rules"],
)
def rulebook_detail(request: HttpRequest, code: str) -> Any:
    """One rulebook by its code (e.g. ``qd-26-2026``) or an alias: bands, procedure, council rules, every sheet."""
    try:
        rulebook = get_rulebook(code)
    except UnknownRulebook:
        detail = _("There is no rulebook with the code “%(code)s”.") % {"code": code}
        return Status(404, {"detail": detail, "code": "not_found"})
    return rulebook.as_json()


@api.get("/lots/{lot_id}/epcis", response={200: dict, 404: Error}, url_name="lot_epcis", tags=["traceability"])
def lot_epcis(request: HttpRequest, lot_id: ObjectId) -> Any:
    """The trace events of a lot as an EPCIS 2.0 JSON-LD document (lots of products with a certificate in force)."""
    from ocop.traceability.public import NOT_PUBLIC, public_document

    document = public_document(lot_id)
    if document is None:
        return Status(404, {"detail": str(NOT_PUBLIC), "code": "not_found"})
    return HttpResponse(json.dumps(document, ensure_ascii=False), content_type="application/ld+json; charset=utf-8")


api.add_router("/", catalogue_router)
api.add_router("/stats/", stats_router)
api.add_router("/", public_router)
api.add_router("/", write_router)

# Mounted last: Django tries URL patterns in order, and this one matches every address under /api/v1/.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", url_name="not_found", include_in_schema=False
)
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    # Anything else under /api/v1/ answers in the API's error shape rather than with an HTML page.
    return error(request, 404, _("Nothing was found at this address."), "not_found")


api.add_router("/", fallback)
