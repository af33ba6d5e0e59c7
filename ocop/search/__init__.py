"""Vietnamese full-text search over the public catalogue (SQLite FTS5 or a PostgreSQL GIN word index).

The interface is these two functions; they import the implementation lazily
because this package is also the Django app, imported before models are ready.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

    from django.db.models import QuerySet

    from ocop.registry.models import Product
    from ocop.search.models import SearchEntry


def search_products(queryset: QuerySet[Product], q: str) -> QuerySet[Product]:
    """`queryset` restricted to the products matching `q`, annotated with `search_rank` (higher is better).

    Not ordered: callers order by `-search_rank`, then their own keys. A blank `q`
    returns the queryset unchanged, annotated with search_rank=0.
    """
    from ocop.search.products import search_products as implementation

    return implementation(queryset, q)


def search_listed(q: str, day: dt.date | None = None) -> QuerySet[SearchEntry] | None:
    """The search rows of the public products matching `q` on `day` (default: today), annotated with
    `search_rank`; None when the rows do not know `day` exactly (the caller then searches its products).

    Each row carries what the public catalogue filters and orders by (`listed`, `star`, `shown_star`,
    `sort_name`) as
    ocop.catalogue.querysets.public_products(day) decides it, so that a search reads neither the products
    nor their certificates for its matches: its pk is the product's. Unordered, like search_products().
    """
    from ocop.search.products import search_listed as implementation

    return implementation(q, day)


def listed_rows(day: dt.date | None = None) -> QuerySet[SearchEntry] | None:
    """The search rows of every public product on `day` (default: today), with what the catalogue filters and
    orders by (see search_listed); None when the rows do not know `day` exactly. Unordered."""
    from ocop.search.products import listed_rows as implementation

    return implementation(day)


def reindex(product_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search rows of these products (None: all of them); returns the number of rows written."""
    from ocop.search.products import reindex as implementation

    return implementation(product_ids)


__all__ = ["listed_rows", "reindex", "search_listed", "search_products"]
