"""The public API, version 1, mounted at /api/v1/ (interactive docs at /api/v1/docs, served from our own files).

    GET /api/v1/rulebooks          every rulebook, newest first
    GET /api/v1/rulebooks/{code}   one rulebook (code or alias) with all its criteria sheets
    GET /api/v1/lots/{id}/epcis    a lot's trace events as EPCIS 2.0 JSON-LD (certified products only)

Public and read-only: the rules are public law. Every error has the same shape, in the request's language:
``{"detail": "<message>", "code": "<stable code>"}`` (plus ``errors`` for invalid input), with the HTTP status
— including an address under /api/v1/ that does not exist.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Status
from ninja.errors import HttpError, ValidationError

from ocop.api.schemas import Error, RulebookOut, RulebookSummary
from ocop.catalogue.api import router as catalogue_router
from ocop.lib import clock
from ocop.rules.rulebooks import UnknownRulebook, all_rulebooks, get_rulebook
from ocop.stats.api import router as stats_router

api = NinjaAPI(
    title="OCOP API",
    version="1",
    urls_namespace="api",
    description="Public, read-only data of the OCOP platform: the rulebooks and their criteria sheets.",
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
    return error(request, exc.status_code, str(exc), "error")


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
def lot_epcis(request: HttpRequest, lot_id: int) -> Any:
    """The trace events of a lot as an EPCIS 2.0 JSON-LD document (lots of products with a certificate in force)."""
    from ocop.traceability.public import NOT_PUBLIC, public_document

    document = public_document(lot_id)
    if document is None:
        return Status(404, {"detail": str(NOT_PUBLIC), "code": "not_found"})
    return HttpResponse(json.dumps(document, ensure_ascii=False), content_type="application/ld+json; charset=utf-8")


api.add_router("/", catalogue_router)
api.add_router("/stats/", stats_router)


@api.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", url_name="not_found", include_in_schema=False
)
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    # Anything else under /api/v1/ answers in the API's error shape rather than with an HTML page.
    return error(request, 404, _("Nothing was found at this address."), "not_found")
