"""Load the reference data: administrative units on both maps and the product taxonomy.

The migrations load the same data when the database is created; this command
brings an existing database up to date after the data files change. It writes
only what differs, so running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from ocop.geo.loader import load_units
from ocop.geo.models import AdminUnit
from ocop.registry.models import ProductCategory, ProductGroup, ProductSet
from ocop.registry.taxonomy import load_taxonomy


class Command(BaseCommand):
    help = "Load administrative units (current and legacy maps) and the OCOP product taxonomy. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        from ocop.scans import pagecache
        from ocop.stats import cache as stats_cache

        with transaction.atomic():
            counts = load_units(AdminUnit)
            sets = load_taxonomy(ProductCategory, ProductGroup, ProductSet)
            # Written in bulk, without signals: what the scan pages and the statistics keep is built afresh.
            pagecache.invalidate()
            stats_cache.changed()
        for key in sorted(counts):
            self.stdout.write(f"administrative units {key}: {counts[key]}")
        self.stdout.write(
            f"product taxonomy: {ProductCategory.objects.count()} categories, "
            f"{ProductGroup.objects.count()} groups, {sets} product sets"
        )
