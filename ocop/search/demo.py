"""The search app's part of the demo (called by ocop.demo.loader.load inside its transaction)."""

from __future__ import annotations

import datetime as dt


def load(*, created: dict[str, int], today: dt.date) -> None:
    """Index every product: the loader writes products with bulk_create, which sends no signals.

    Called last, so it sees every product the other parts of the demo wrote.
    Rewriting rows that exist changes nothing; only new rows are counted.
    """
    from ocop.search.models import SearchEntry
    from ocop.search.products import reindex

    before = SearchEntry.objects.count()
    reindex()
    new = SearchEntry.objects.count() - before
    if new:
        created["search entries"] = created.get("search entries", 0) + new
