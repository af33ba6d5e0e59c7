"""Helpers shared by the API's endpoints: the one error shape, form errors, pagination."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from pydantic import Field

# Bounds of every list: a partner system pages through, it does not download the registry in one call (the open
# data downloads under /open-data/ are for that).
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
MAX_PAGE = 100_000
# Ids in addresses and filters stay within what every database and JSON reader holds exactly.
MAX_ID = 2**53
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page (at most 100).")


PageQuery = Query[PageParams]  # type: ignore[misc]


def paginate(queryset: QuerySet[Any], params: PageParams, serialize: Callable[[Any], Any]) -> dict[str, Any]:
    """`{"count": N, "items": [...]}` for one page; a page past the end is empty (the count tells how many)."""
    count = queryset.count()
    start = (params.page - 1) * params.page_size
    rows: Iterable[Any] = queryset[start : start + params.page_size] if start < count else []
    return {"count": count, "items": [serialize(row) for row in rows]}


def error(status: int, detail: str, code: str, **extra: Any) -> Status:
    return Status(status, {"detail": str(detail), "code": code, **extra})


def not_found() -> Status:
    # The same answer whether the record does not exist or is outside the token's scope.
    return error(404, _("Nothing was found at this address."), "not_found")


def forbidden(detail: str | None = None) -> Status:
    return error(403, detail or _("You may read this record but you may not change it."), "forbidden")


def form_errors(form: Form, where: str = "body") -> list[dict[str, Any]]:
    """A form's errors in the shape of the API's validation errors (`loc`, `msg`, `type`)."""
    found = []
    for field, errors in form.errors.as_data().items():
        for item in errors:
            messages = item.messages if hasattr(item, "messages") else [str(item)]
            for message in messages:
                loc = [where] if field == "__all__" else [where, field]
                found.append({"loc": loc, "msg": str(message), "type": item.code or "invalid"})
    return found


def invalid_form(form: Form, where: str = "body") -> Status:
    return error(422, _("The request is not valid."), "invalid", errors=form_errors(form, where))


def apply_validation_error(form: Form, exc: DjangoValidationError) -> None:
    """Put a refusal of an action on the form (field errors on their field), as the web pages do."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
