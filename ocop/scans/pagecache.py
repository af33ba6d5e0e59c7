"""What the scan page shows that does not change from one stamp to the next, kept in memory per process.

Every stamp of a lot shows the same certificate, photo, trace events and applied standards, and the same
page around its own figures; reading and rendering them for each scan was most of the page's cost. So each
server process keeps, per lot (or per product for a product page) and per day (`clock.today()`, since a
certificate's status and a lot's expiry depend on the date):

- the lot's data (`lot_data`) and each stamp batch with its lot, product, producer and signing key (`batch`);
- the province list of the place form (`province_choices`);
- the stamp page itself, rendered once with markers where the per-scan parts go (`page`, see `Skeleton`).

Invalidation: a generation number shared by the server's processes (`ocop.lib.counter`: a file next to the SQLite
database, read with one system call, or a key in Django's default cache when several hosts serve), incremented by
a signal whenever a certificate, product photo, lot, trace event, piece of evidence, the lot's evidence list, a
product, producer, stamp batch, signing key or administrative unit is saved or deleted (`apps.py` connects it),
and again when the transaction that made the change commits (a scan served in between could otherwise keep
the data it read before the commit). Every request reads the generation once and uses only
what was built under that generation, so a revoked certificate shows at the next scan in every process.
Changes that bypass the model signals (a queryset ``update()``, a raw SQL statement) are picked up within TTL
seconds at most. A fresh store starts from a random generation, so a process never mistakes what it built
against an earlier one (a restarted cache server, another test) for current.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, transaction

from ocop.lib.counter import CacheCounter, FileCounter, shared_counter
from ocop.registry.models import ProductPhoto

TTL = 300
GENERATION_KEY = "scans:page:generation"
# Entries kept per process before the memory is emptied and refilled (lots × languages × page variants).
MAX_ITEMS = 4096


def _counter() -> FileCounter | CacheCounter:
    return shared_counter(settings.SCAN_GENERATION_FILE, GENERATION_KEY)


def generation() -> int:
    """The current generation; read once per request and passed to the functions below."""
    return _counter().get()


def _bump() -> None:
    _counter().incr()


def invalidate(*_args: Any, using: str | None = None, **_kwargs: Any) -> None:
    """Signal receiver: whatever the scan pages keep is built afresh on the next scan."""
    _bump()
    connection = connections[using or "default"]
    if connection.in_atomic_block:
        # Until the change commits, a scan in another process still reads the old rows: bump again after it.
        transaction.on_commit(_bump, using=using)


class _Memory:
    """Per-process store of values built under one generation, each for at most TTL seconds."""

    def __init__(self) -> None:
        self.generation: int | None = None
        self.items: dict[Hashable, tuple[float, Any]] = {}
        self.lock = threading.Lock()

    def get(self, generation: int, key: Hashable, build: Callable[[], Any]) -> Any:
        items = self.items
        if self.generation == generation:
            found = items.get(key)
            if found is not None and found[0] > time.monotonic():
                return found[1]
        value = build()
        with self.lock:
            if self.generation != generation:
                self.generation, self.items = generation, {}
            elif len(self.items) >= MAX_ITEMS:
                self.items = {}
            self.items[key] = (time.monotonic() + TTL, value)
        return value

    def clear(self) -> None:
        with self.lock:
            self.generation, self.items = None, {}


_memory = _Memory()


def remembered(generation: int, key: Hashable, build: Callable[[], Any]) -> Any:
    """`build()`, or what it returned for `key` under this generation in the last TTL seconds."""
    return _memory.get(generation, key, build)


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


def lot_data(product: Any, lot: Any, today: dt.date, *, gen: int | None = None) -> LotData:
    """The certificate (see `resolver.certificate_for`), photo, trace events and standards of a lot (or, with
    no lot, of a product)."""
    from ocop.scans.resolver import certificate_for

    def build() -> LotData:
        return LotData(
            certificate=certificate_for(product, today),
            photo=_photo(product),
            events=_events(lot),
            standards=_standards(lot),
        )

    lot_id = lot.pk if lot is not None else 0
    return remembered(_current(gen), ("lot", product.pk, lot_id, today), build)


def batch(batch_id: int, *, gen: int | None = None) -> Any:
    """A stamp batch with its lot, product, producer (province, commune) and signing key."""
    from ocop.stamps.models import StampBatch

    def build() -> Any:
        return StampBatch.objects.select_related(
            "lot__product__producer__province", "lot__product__producer__current_commune", "signing_key"
        ).get(pk=batch_id)

    return remembered(_current(gen), ("batch", batch_id), build)


def province_choices(language: str, build: Callable[[], list[tuple[Any, str]]]) -> list[tuple[Any, str]]:
    """The place form's province choices in `language`, built by `build()` when not kept."""
    return remembered(generation(), ("provinces", language), build)


def _current(value: int | None) -> int:
    return generation() if value is None else value


# --- The page with holes -----------------------------------------------------------------------------------
# Markers put in the rendered page where a per-scan value goes. Letters and digits only, so that no escaping
# (HTML or URL) changes them, and random per process, so that no text of the page can contain one by chance.
_MARKER_TAG = secrets.token_hex(6)


def marker(name: str) -> str:
    """The text standing for the slot `name` in a page rendered for `Skeleton.of`."""
    return f"zq{_MARKER_TAG}{name}qz"


_MARKER_RE = re.compile(rf"zq{_MARKER_TAG}([a-z_]+)qz")


@dataclass(frozen=True)
class Skeleton:
    """A page rendered once with markers, as its constant pieces and the slots between them."""

    pieces: tuple[bytes, ...]  # n + 1 pieces around
    slots: tuple[str, ...]  # n slots

    @classmethod
    def of(cls, html: str) -> Skeleton:
        parts = _MARKER_RE.split(html)
        return cls(tuple(p.encode() for p in parts[0::2]), tuple(parts[1::2]))

    def fill(self, values: dict[str, str]) -> bytes:
        """The page with every slot replaced by its value (already escaped for where the slot is)."""
        pieces = self.pieces
        out = [pieces[0]]
        for index, slot in enumerate(self.slots, 1):
            out.append(values[slot].encode())
            out.append(pieces[index])
        return b"".join(out)


def page(gen: int, key: Hashable, build: Callable[[], str]) -> Skeleton:
    """The skeleton of a page for `key` (which must name everything the page shows besides its slots)."""
    return remembered(gen, ("page", key), lambda: Skeleton.of(build()))
