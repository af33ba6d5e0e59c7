"""Helpers shared by the registry views: fetching for a user, refusing, serving files."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, Model, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

PAGE_SIZE = 25


def get_readable(queryset: Any, request: HttpRequest, pk: int) -> Any:
    """The object if `request.user` may read it; 404 otherwise, so existence is never revealed."""
    return get_object_or_404(queryset.for_user(request.user), pk=pk)


def can_write(queryset: Any, request: HttpRequest, obj: Model) -> bool:
    return queryset.editable_by(request.user).filter(pk=obj.pk).exists()


def forbidden(request: HttpRequest, message: str | None = None, *, back: str | None = None) -> HttpResponse:
    """A 403 page that says why, in the user's language."""
    context = {"message": message or _("You may read this record but you may not change it."), "back": back}
    return render(request, "registry/forbidden.html", context, status=403)


def paginate(request: HttpRequest, queryset: QuerySet[Any]) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def serve_file(field: Any, *, content_type: str, filename: str, attachment: bool) -> FileResponse:
    """Stream an uploaded file from storage; never from a public URL.

    The sandbox policy keeps a crafted file from running anything in our
    origin even if a browser decided to render it.
    """
    response = FileResponse(field.open("rb"), content_type=content_type, as_attachment=attachment, filename=filename)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def sort_queryset(
    queryset: QuerySet[Any], requested: str | None, options: dict[str, tuple[str, ...]], default: str
) -> tuple[QuerySet[Any], str]:
    """Order by a whitelisted key ("name", or "-name" for descending); returns (queryset, key used).

    Empty values sort last either way, on SQLite and PostgreSQL alike.
    """
    key = requested or default
    if key.lstrip("-") not in options:
        key = default
    descending = key.startswith("-")
    order = []
    for name in options[key.lstrip("-")]:
        field_descending = name.startswith("-") != descending
        expression = F(name.lstrip("-"))
        order.append(expression.desc(nulls_last=True) if field_descending else expression.asc(nulls_last=True))
    return queryset.order_by(*order), key
