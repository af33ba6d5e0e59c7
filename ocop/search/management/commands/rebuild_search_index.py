"""Rewrite the search row of every product (after bulk writes that sent no signals, or a unit renamed)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rebuild the product search index from the registry."

    def handle(self, *args: Any, **options: Any) -> None:
        from ocop.search.products import reindex

        start = time.perf_counter()
        written = reindex()
        self.stdout.write(f"{written} products indexed in {time.perf_counter() - start:.1f} s")
