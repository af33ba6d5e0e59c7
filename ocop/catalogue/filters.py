"""Narrowing and ordering the public products: shared by the catalogue pages and the API.

A search, or a list without one, goes the short way when it can
(search_listed, listed_rows): its rows are filtered and ordered on the search
rows alone, which hold each product's public flag, star in force, shown
certificate's star and sort name, and only the page's 20 products are read; a
list of every public product reads the first 20 entries of an index in order.
A broad search ("mat ong", 5,364 matches among 100,000 products) otherwise
reads every matching product with the subqueries on its certificates that
decide whether it is public: measured with bench/bench_search.py, about 10 µs
a match on SQLite and 16 µs on PostgreSQL against about 2 µs the short way
(see ocop.search.products). The long way stays for what the rows do not hold
(a certificate status other than "in force", sorting by dates) and for the
days the rows do not know exactly (ocop.search.products.rows_exact_on): the
same results either way.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from ocop.catalogue.forms import IN_FORCE
from ocop.geo.models import AdminUnit


def unit_q(unit: AdminUnit, prefix: str = "") -> Q:
    """Products of a unit of either map.

    A present-day unit holds every product whose producer lies in it today,
    registered under the old map or the new; a former unit holds the products
    registered under it (Product.province is the present-day province; the
    producer keeps the commune it was registered under, whose `province` is on
    the same map). `prefix`: the path to the product ("product__" from a search row).
    """
    if unit.is_current:
        if unit.level == "province":
            return Q(**{f"{prefix}province": unit})
        return Q(**{f"{prefix}current_commune": unit})
    if unit.level == "province":
        return Q(**{f"{prefix}producer__commune__province": unit})
    if unit.level == "district":
        return Q(**{f"{prefix}producer__commune__parent": unit})
    return Q(**{f"{prefix}producer__commune": unit})


def search(queryset: Any, text: str) -> Any:
    """Products matching `text`, annotated with `search_rank` (higher is better)."""
    from ocop.search import search_products

    return search_products(queryset, text)


def filter_and_order(base: Any, data: dict[str, Any], *, unit: AdminUnit | None = None) -> Any:
    """`base` (public_products(), narrowed to `unit` when given) filtered by `data` and ordered.

    The pks of the result are the products'; read the rows to show from a
    product queryset (counted_page's `rows`).
    """
    searched = _searched(data, unit)
    if searched is not None:
        return searched
    queryset = apply_filters(base, data)
    return order(queryset, data.get("sort"), searched=bool(data.get("q")))


# Orders the search rows can sort by themselves, as ORDERS and order() sort the products: a search's (best
# match first by default) and a list's without a search (highest rating first by default).
SEARCH_ORDERS: dict[str | None, tuple[Any, ...]] = {
    None: (F("search_rank").desc(), F("star").desc(nulls_last=True), "sort_name", "pk"),
    "name": ("sort_name", "pk"),
    "-name": ("-sort_name", "-pk"),
}
LIST_ORDERS: dict[str | None, tuple[Any, ...]] = {
    None: (F("star").desc(nulls_last=True), F("shown_star").desc(), "sort_name", "pk"),
    "-star": (F("star").desc(nulls_last=True), F("shown_star").desc(), "sort_name", "pk"),
    "name": ("sort_name", "pk"),
    "-name": ("-sort_name", "-pk"),
}


def _searched(data: dict[str, Any], unit: AdminUnit | None) -> Any:
    """The search or list on the search rows alone (see the module's docstring), or None when it cannot be."""
    from ocop.search import listed_rows, search_listed

    sort = data.get("sort") or None
    validity = data.get("validity")
    orders = SEARCH_ORDERS if data.get("q") else LIST_ORDERS
    if sort not in orders or (validity and validity != IN_FORCE):
        return None
    entries = search_listed(data["q"]) if data.get("q") else listed_rows()
    if entries is None:
        return None
    if data.get("star"):
        entries = entries.filter(star=data["star"])
    if validity == IN_FORCE:
        entries = entries.filter(star__isnull=False)
    entries = entries.filter(taxonomy_q(data, "product__"))
    for place in (unit, data.get("province"), data.get("commune")):
        if place is not None:
            entries = entries.filter(unit_q(place, "product__"))
    if data.get("kind"):
        entries = entries.filter(product__producer__kind=data["kind"])
    return entries.order_by(*orders[sort])


def read_in_order(queryset: Any) -> bool:
    """Whether the database reads `queryset` (from filter_and_order) in its order from an index: a list on the
    search rows without a search. Its page is then best read apart from its count (counted_page's `together`):
    one statement would read every row to count them before taking the first 20."""
    from ocop.search.models import SearchEntry

    return queryset.model is SearchEntry and "search_rank" not in queryset.query.annotations


def taxonomy_q(data: dict[str, Any], prefix: str = "") -> Q:
    """The product set, else the group, else the category chosen in `data` (the most precise wins)."""
    if data.get("product_set"):
        return Q(**{f"{prefix}product_set": data["product_set"]})
    if data.get("group"):
        return Q(**{f"{prefix}product_set__group": data["group"]})
    if data.get("category"):
        return Q(**{f"{prefix}product_set__group__category": data["category"]})
    return Q()


def apply_filters(queryset: Any, data: dict[str, Any]) -> Any:
    """`data`: cleaned values of CatalogueFilterForm (or the API's parameters), None or empty for "any"."""
    if data.get("star"):
        queryset = queryset.filter(best_star=data["star"])
    queryset = queryset.filter(taxonomy_q(data))
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
