"""The figures of the statistics pages, kept per server process until the data behind them changes.

A national dashboard counts every certificate, product and dossier of the country; computing it takes a few
hundred milliseconds, and it is read far more often than the registry changes. So each server process keeps
what it computed, keyed by:

- the generation: a token in Django's default cache (shared by the server's processes), replaced whenever a
  record the figures count is written (see below);
- the reader's scope (role, province, commune: what `for_user` filters on for the offices; the public API has
  its own), the filters (`StatsFilter`, the `as_of` day included), the platform's today (`ocop.lib.clock`; the
  default day and the overdue dossiers depend on it) and the language (labels are translated when computed).

So a kept value is only ever served for the data it was computed from: exact, not "fresh enough".

Invalidation: `changed()` puts a new random token in the cache at once, and again when the transaction that
made the change commits (a reader in another process could otherwise compute from the rows it still sees
before the commit and keep them under the new token). A random token rather than an increment: two
processes changing data at the same time cannot end on the same value (the file cache's `incr` is a read
then a write).

- Model signals (`apps.py`): certificates, proposals, revocations, products, producers, the taxonomy,
  administrative units, dossiers, rounds, evaluations, province targets, and an import job reaching "done"
  (the importer writes its rows with `bulk_create`, in the transaction that marks the job done).
- Writes that send no signal must call `changed()` themselves: the national test set (`national.generate`)
  does; so must any `bulk_create`, `bulk_update`, `QuerySet.update()` or raw SQL on those tables.

Not kept: the traceability counts (stamps, scans, alerts, inquiries), which change with every scan and cost
four indexed counts.

A fresh cache starts from a random token, so a process never takes what it computed against an earlier cache
(a restarted cache server, another test) for current. TTL bounds how long a value computed before a write
that bypassed every hook can be served.
"""

from __future__ import annotations

import datetime as dt
import gc
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import get_language

from ocop.stats.figures import PUBLIC
from ocop.stats.filters import StatsFilter
from ocop.stats.querysets import may_view_stats

GENERATION_KEY = "stats:figures:generation"
TTL = 15 * 60
# Values kept per process; the least recently used goes first. A dashboard view keeps four (its figures,
# trends, targets and the page's part, which share their objects): about 5 MB in all for a national one, which
# holds a line per commune of the country; a province, a commune or a narrow filter holds far less.
MAX_ITEMS = 32


def generation() -> int:
    """The current generation token; read once per request and passed to `remember`."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, secrets.randbits(62), timeout=None)
        value = cache.get(GENERATION_KEY)
        if value is None:  # a cache that keeps nothing: nothing may be reused either
            return secrets.randbits(62)
    return int(value)


def _bump() -> None:
    cache.set(GENERATION_KEY, secrets.randbits(62), timeout=None)


def changed(using: str | None = None) -> None:
    """Every kept figure is computed afresh: call after writing rows the figures count without model signals."""
    _bump()
    if connections[using or DEFAULT_DB_ALIAS].in_atomic_block:
        # Until the change commits, other processes still read the old rows: a new token again after it.
        transaction.on_commit(_bump, using=using)


def invalidate(*_args: Any, using: str | None = None, **_kwargs: Any) -> None:
    """Signal receiver (post_save, post_delete) of the models the figures count."""
    changed(using)


def import_done(*_args: Any, instance: Any = None, using: str | None = None, **_kwargs: Any) -> None:
    """Signal receiver (post_save of an import job): a job saved as done has written its rows in bulk."""
    from ocop.imports.models import ImportStatus

    if instance is not None and instance.status == ImportStatus.DONE:
        changed(using)


def scope(user: Any) -> Hashable | None:
    """What the figures of `user` depend on besides the data, or None for a reader whose figures are not kept.

    The offices' querysets (`for_user`) filter on the role, the province and the commune only; the public API
    (`figures.PUBLIC`) reads every recognition.
    """
    if user is PUBLIC:
        return ("public",)
    if not may_view_stats(user):
        return None
    return (str(user.role), user.province_id, user.commune_id)


def _filter_key(f: StatsFilter) -> Hashable:
    units = tuple(None if unit is None else unit.pk for unit in (f.area, f.sub))
    return (units, tuple(sorted(f.params().items())))


class _Memory:
    """Per-process store of values computed under one generation, each for at most TTL seconds."""

    def __init__(self) -> None:
        self.generation: int | None = None
        self.items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, generation: int, key: Hashable, build: Callable[[], Any]) -> Any:
        with self.lock:
            found = self.items.get(key) if self.generation == generation else None
            if found is not None and found[0] > time.monotonic():
                self.items.move_to_end(key)
                return found[1]
        value = build()
        with self.lock:
            if self.generation != generation:
                self.generation, self.items = generation, OrderedDict()
            self.items[key] = (time.monotonic() + TTL, value)
            while len(self.items) > MAX_ITEMS:
                self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.generation, self.items = None, OrderedDict()


_memory = _Memory()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while figures are computed.

    A national computation makes tens of thousands of small objects (rows, counters, lines) that all live
    until it ends; with the collector on, they trigger full collections over the whole process heap, about a
    third of the computation's time on the national set. Those objects form no reference cycles (reference
    counting frees them); the collector resumes as it was once the figures are built.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _paused(build: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        with collector_paused():
            return build()

    return run


def remember(gen: int, user: Any, f: StatsFilter, name: str, build: Callable[[], Any], today: dt.date) -> Any:
    """`build()`, or what it returned for the same name, scope, filters, day and language under `gen`.

    Callers must treat the value as read-only once returned (it is shared by later requests); whatever they
    attach to it must depend only on the key (the dashboard puts its links in before it is kept).
    """
    reader = scope(user)
    if reader is None:
        return _paused(build)()
    return _memory.get(gen, (name, reader, _filter_key(f), today, get_language()), _paused(build))


def clear() -> None:
    """Forget what this process keeps (tests, benchmarks); `changed()` is what a write calls."""
    _memory.clear()
