"""The search index: one row per product, holding its searchable text already folded.

Each column holds the product's search words (ocop.search.text.words) joined
by single spaces and padded with a space at each end, so that a whole word is
`LIKE '% word %'` on either database. Next to this table, vendor-specific
migrations (0002-0004) keep the fast structure:

- SQLite: the FTS5 table `search_fts` over name, context and document
  (external content: it reads this table, so the text is stored once), kept
  in step by triggers on this table. Django rebuilds a SQLite table to alter
  it, which drops its triggers: a migration that alters this model must
  create them again.
- PostgreSQL: a GIN index on `search_words(document)`, the document's words
  as a `tsvector` (0003), which the search matches; the GIN trigram index
  (pg_trgm) on `document` from 0002 is still there but no longer read.

`SearchTerm` is the vocabulary: every word indexed, which typo tolerance
looks typed words up in (both databases).
"""

from __future__ import annotations

from django.db import models

from ocop.registry.models import Product


class SearchEntry(models.Model):
    product = models.OneToOneField(Product, on_delete=models.CASCADE, primary_key=True, related_name="search_entry")
    # Ranking tiers: a word found in the name counts most, then in the
    # producer's name or the places, then anywhere else (the description).
    name = models.TextField()
    context = models.TextField()  # producer name, communes, districts, provinces (present-day and former)
    document = models.TextField()  # name + context + description + story: what a word must be found in
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "search entry"

    def __str__(self) -> str:
        return self.name.strip()


class SearchTerm(models.Model):
    """A word of the index. Only grows between full rebuilds: a word no product
    uses any more costs a useless alternative in a query, never a wrong match."""

    term = models.CharField(max_length=40, primary_key=True)

    class Meta:
        verbose_name = "search term"

    def __str__(self) -> str:
        return self.term
