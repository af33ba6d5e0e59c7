"""Narrowing and ordering the public products: shared by the catalogue pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from ocop.catalogue.forms import IN_FORCE
from ocop.geo.models import AdminUnit


def unit_q(unit: AdminUnit) -> Q:
    """Products of a unit of either map.

    A present-day unit holds every product whose producer lies in it today,
    registered under the old map or the new; a former unit holds the products
    registered under it (Product.province is the present-day province; the
    producer keeps the commune it was registered under, whose `province` is on
    the same map).
    """
    if unit.is_current:
        if unit.level == "province":
            return Q(province=unit)
        return Q(current_commune=unit)
    if unit.level == "province":
        return Q(producer__commune__province=unit)
    if unit.level == "district":
        return Q(producer__commune__parent=unit)
    return Q(producer__commune=unit)


def search(queryset: Any, text: str) -> Any:
    """Products matching `text`, annotated with `search_rank` (higher is better)."""
    from ocop.search import search_products

    return search_products(queryset, text)


def apply_filters(queryset: Any, data: dict[str, Any]) -> Any:
    """`data`: cleaned values of CatalogueFilterForm (or the API's parameters), None or empty for "any"."""
    if data.get("star"):
        queryset = queryset.filter(best_star=data["star"])
    if data.get("product_set"):
        queryset = queryset.filter(product_set=data["product_set"])
    elif data.get("group"):
        queryset = queryset.filter(product_set__group=data["group"])
    elif data.get("category"):
        queryset = queryset.filter(product_set__group__category=data["category"])
    if data.get("province"):
        queryset = queryset.filter(unit_q(data["province"]))
    if data.get("commune"):
        queryset = queryset.filter(unit_q(data["commune"]))
    if data.get("kind"):
        queryset = queryset.filter(producer__kind=data["kind"])
    validity = data.get("validity")
    if validity == IN_FORCE:
        queryset = queryset.filter(best_star__isnull=False)
    elif validity:
        queryset = queryset.filter(certificate_status=validity)
    if data.get("q"):
        queryset = search(queryset, data["q"])
    return queryset


ORDERS: dict[str, tuple[Any, ...]] = {
    "name": ("folded_name", "pk"),
    "-name": ("-folded_name", "-pk"),
    "-star": (F("best_star").desc(nulls_last=True), F("certificate_star").desc(), "folded_name", "pk"),
    "-issued": ("-certificate_issued_on", "folded_name", "pk"),
    "expires": (F("certificate_expires_on").asc(), "folded_name", "pk"),
}


def order(queryset: Any, sort: str | None, *, searched: bool) -> Any:
    """Order by `sort`; by default the best match first when searching, else the highest rating."""
    if sort in ORDERS:
        return queryset.order_by(*ORDERS[sort])
    if searched:
        return queryset.order_by(F("search_rank").desc(), F("best_star").desc(nulls_last=True), "folded_name", "pk")
    return queryset.order_by(*ORDERS["-star"])
