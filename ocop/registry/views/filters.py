"""Applying the list filters. They narrow a queryset that is already scoped to the user."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from ocop.geo.models import AdminUnit
from ocop.lib import clock
from ocop.lib.text import fold
from ocop.registry.models import Product


def _legacy_q(unit: AdminUnit, prefix: str) -> Q:
    """Records registered under a former province or district (or one of its communes)."""
    return (
        Q(**{f"{prefix}commune": unit})
        | Q(**{f"{prefix}commune__parent": unit})
        | Q(**{f"{prefix}commune__province": unit})
    )


def _taxonomy_q(form: Any, prefix: str) -> Q | None:
    if form.value("product_set"):
        return Q(**{f"{prefix}product_set": form.value("product_set")})
    if form.value("group"):
        return Q(**{f"{prefix}product_set__group": form.value("group")})
    if form.value("category"):
        return Q(**{f"{prefix}product_set__group__category": form.value("category")})
    return None


def _search(queryset: QuerySet[Any], text: str, extra: Q | None = None) -> QuerySet[Any]:
    """Accent-insensitive match on folded_name; names starting with the text come first."""
    folded = fold(text)
    if not folded:
        return queryset
    condition = Q(folded_name__contains=folded)
    if extra is not None:
        condition |= extra
    return queryset.filter(condition).annotate(
        search_rank=Case(
            When(folded_name__startswith=folded, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )


def filter_producers(queryset: QuerySet[Any], form: Any) -> QuerySet[Any]:
    if form.value("province"):
        # Producer.province is the present-day province, legacy records included.
        queryset = queryset.filter(province=form.value("province"))
    if form.value("commune"):
        queryset = queryset.filter(current_commune=form.value("commune"))
    if form.value("legacy_unit"):
        queryset = queryset.filter(_legacy_q(form.value("legacy_unit"), ""))
    if form.value("kind"):
        queryset = queryset.filter(kind=form.value("kind"))
    if form.value("status"):
        queryset = queryset.filter(status=form.value("status"))
    taxonomy = _taxonomy_q(form, "")
    if taxonomy is not None:
        queryset = queryset.filter(Exists(Product.objects.filter(taxonomy, producer=OuterRef("pk"))))
    if form.value("q"):
        text = form.value("q").strip()
        digits = text.replace(" ", "")
        extra = Q(tax_code__startswith=digits) if digits[:1].isdigit() else None
        queryset = _search(queryset, text, extra)
    return queryset


def filter_products(queryset: QuerySet[Any], form: Any) -> QuerySet[Any]:
    if form.value("province"):
        queryset = queryset.filter(province=form.value("province"))
    if form.value("commune"):
        queryset = queryset.filter(current_commune=form.value("commune"))
    if form.value("legacy_unit"):
        queryset = queryset.filter(_legacy_q(form.value("legacy_unit"), "producer__"))
    if form.value("kind"):
        queryset = queryset.filter(producer__kind=form.value("kind"))
    if form.value("status"):
        queryset = queryset.filter(status=form.value("status"))
    taxonomy = _taxonomy_q(form, "")
    if taxonomy is not None:
        queryset = queryset.filter(taxonomy)
    if form.value("q"):
        text = form.value("q").strip()
        compact = text.replace(" ", "")
        extra = Q(producer__folded_name__contains=fold(text))
        if compact[:1].isdigit():
            extra |= Q(code__startswith=compact) | Q(gtin=compact)
        queryset = _search(queryset, text, extra)
    return queryset


def filter_evidence(queryset: QuerySet[Any], form: Any, warning_days: int) -> QuerySet[Any]:
    if form.value("producer"):
        queryset = queryset.filter(producer_id=form.value("producer"))
    if form.value("product"):
        queryset = queryset.filter(products=form.value("product"))
    if form.value("doc_type"):
        queryset = queryset.filter(doc_type=form.value("doc_type"))
    today = clock.today()
    limit = today + timezone.timedelta(days=warning_days)
    state = form.value("state")
    if state == "expired":
        queryset = queryset.filter(expires_on__lt=today)
    elif state == "expiring":
        queryset = queryset.filter(expires_on__gte=today, expires_on__lte=limit)
    elif state == "valid":
        queryset = queryset.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=limit))
    if form.value("q"):
        text = form.value("q").strip()
        queryset = queryset.filter(Q(title__icontains=text) | Q(number__icontains=text) | Q(issuer__icontains=text))
    return queryset
