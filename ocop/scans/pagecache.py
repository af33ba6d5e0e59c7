"""What the scan page shows that does not change from one stamp to the next, kept in the cache.

The batch of a stamp, with its lot, product, producer and signing key, is kept the same way (per batch).

Every stamp of a lot shows the same certificate, photo, trace events and applied standards; reading them for
each scan is most of the page's queries. They are kept in Django's default cache (shared by the server's
processes), per lot (or per product for a product page) and per day (`clock.today()`, since a certificate's
status and a lot's expiry depend on the date).

Invalidation: a generation number in the cache, incremented by a signal whenever a certificate, product photo,
lot, trace event, piece of evidence, the lot's evidence list, a product, producer, stamp batch, signing key
or administrative unit is saved or deleted (`apps.py` connects it);
every key carries the generation, so the next scan reads afresh. Changes that bypass the model signals (a
queryset ``update()``, a raw SQL statement) are picked up within TTL seconds at most.

The province list of the place form is kept the same way (it changes only with the administrative map).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from ocop.registry.models import ProductPhoto

TTL = 300
GENERATION_KEY = "scans:page:generation"


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return int(value)


def invalidate(*_args: Any, **_kwargs: Any) -> None:
    """Signal receiver: whatever the scan pages cached is read afresh on the next scan."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from the keys in use
        cache.set(GENERATION_KEY, int(dt.datetime.now().timestamp() * 1000), timeout=None)


@dataclass(frozen=True)
class LotData:
    certificate: Any
    photo: ProductPhoto | None
    events: list[Any]
    standards: list[Any]


def _photo(product: Any) -> ProductPhoto | None:
    return ProductPhoto.objects.filter(product=product).only("pk", "caption", "product_id").first()


def _events(lot: Any) -> list[Any]:
    if lot is None:
        return []
    return list(lot.events.select_related("admin_unit"))


def _standards(lot: Any) -> list[Any]:
    # The test reports and certifications that apply to the lot: their type, title, issuer and validity only.
    if lot is None:
        return []
    return list(lot.evidence.only("doc_type", "title", "issuer", "number", "expires_on"))


def lot_data(product: Any, lot: Any, today: dt.date) -> LotData:
    """The certificate (see `resolver.certificate_for`), photo, trace events and standards of a lot (or, with
    no lot, of a product), from the cache when they are there."""
    from ocop.scans.resolver import certificate_for

    lot_id = lot.pk if lot is not None else 0
    key = f"scans:page:{generation()}:{product.pk}:{lot_id}:{today.isoformat()}"
    data = cache.get(key)
    if data is None:
        data = LotData(
            certificate=certificate_for(product, today),
            photo=_photo(product),
            events=_events(lot),
            standards=_standards(lot),
        )
        cache.set(key, data, timeout=TTL)
    return data


def batch(batch_id: int) -> Any:
    """A stamp batch with its lot, product, producer (province, commune) and signing key."""
    from ocop.stamps.models import StampBatch

    key = f"scans:page:{generation()}:batch:{batch_id}"
    found = cache.get(key)
    if found is None:
        found = StampBatch.objects.select_related(
            "lot__product__producer__province", "lot__product__producer__current_commune", "signing_key"
        ).get(pk=batch_id)
        cache.set(key, found, timeout=TTL)
    return found


def province_choices(language: str, build: Any) -> list[tuple[Any, str]]:
    """The place form's province choices in `language`, built by `build()` when not cached."""
    key = f"scans:page:{generation()}:provinces:{language}"
    choices = cache.get(key)
    if choices is None:
        choices = build()
        cache.set(key, choices, timeout=TTL)
    return choices
