"""Vietnamese full-text search over the public catalogue (SQLite FTS5 or a PostgreSQL GIN word index).

The interface is these two functions; they import the implementation lazily
because this package is also the Django app, imported before models are ready.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from ocop.registry.models import Product


def search_products(queryset: QuerySet[Product], q: str) -> QuerySet[Product]:
    """`queryset` restricted to the products matching `q`, annotated with `search_rank` (higher is better).

    Not ordered: callers order by `-search_rank`, then their own keys. A blank `q`
    returns the queryset unchanged, annotated with search_rank=0.
    """
    from ocop.search.products import search_products as implementation

    return implementation(queryset, q)


def reindex(product_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search rows of these products (None: all of them); returns the number of rows written."""
    from ocop.search.products import reindex as implementation

    return implementation(product_ids)


__all__ = ["reindex", "search_products"]
