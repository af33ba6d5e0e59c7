"""Catalogue workflows that change data."""

from __future__ import annotations

from django.db.models import F

from ocop.catalogue.models import ShopLink
from ocop.lib import clock


def count_click(link: ShopLink) -> None:
    """One visit sent to a shop: a single UPDATE, so simultaneous clicks are all counted."""
    ShopLink.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1, last_clicked_at=clock.now())
