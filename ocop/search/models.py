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
  as a `tsvector` (0003), which the search matches, and the same on the
  `listed` rows alone (0007), which the public catalogue's search reads; the
  trigram index of 0002 was dropped in 0007.

`SearchTerm` is the vocabulary: every word indexed, which typo tolerance
looks typed words up in (both databases).

The public catalogue's search reads only this table for its matches, never
the products (ocop.search.products.search_listed): each row also says whether
the product is public (`listed`), its star in force, the star of the
certificate it shows (in force, else the latest, expired) and its sort name, as
ocop.catalogue.querysets.public_products() decides them for the days from
`fresh_from` to the day before `fresh_until` (the nearest dates of its
certificates: nothing else that depends on the day changes in between).
`SearchState` holds the last certificate whose product's row was rewritten,
so that certificates written without signals (bulk_create) are noticed.
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
    # What the public catalogue filters and orders a search by, exact from `fresh_from` to the day before
    # `fresh_until` (null: not computed yet, the catalogue then reads the products). Nullable so that adding
    # them did not make SQLite rebuild the table, which would drop the FTS5 triggers.
    listed = models.BooleanField(null=True)  # in public_products() on those days
    star = models.PositiveSmallIntegerField(null=True)  # best_star: of the certificate in force, else null
    sort_name = models.CharField(max_length=250, null=True)  # Product.folded_name
    shown_star = models.PositiveSmallIntegerField(null=True)  # certificate_star: of the certificate shown
    fresh_from = models.DateField(null=True)
    fresh_until = models.DateField(null=True)

    class Meta:
        verbose_name = "search entry"
        indexes = [
            # The few rows a new day makes out of date (the catalogue checks there are none; the daily job
            # rewrites them).
            models.Index(fields=["fresh_until"], name="search_entry_fresh_until"),
            models.Index(fields=["fresh_from"], name="search_entry_fresh_from"),
        ]

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


class SearchState(models.Model):
    """One row: the highest certificate id whose product's search row was rewritten after it was written.

    A certificate written with a signal rewrites its product's row at once;
    one written without (an import's bulk_create) is above this mark until the
    next certificate saved or the daily job catches up: meanwhile the catalogue
    reads the products instead of trusting the rows.
    """

    certificates_seen = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "search state"

    def __str__(self) -> str:
        return f"certificates seen up to {self.certificates_seen}"
