"""Helpers for tests that need stamps (also used by other apps' tests and the global authorization table)."""

from __future__ import annotations

import itertools

_lot_numbers = itertools.count(1)


def certified_lot(product, **lot_fields):
    """A new lot of `product`, which first gets a certificate in force unless it has one."""
    from ocop.certificates.tests.util import make_certificate
    from ocop.stamps.actions import certificate_in_force
    from ocop.traceability.tests.util import make_lot

    if certificate_in_force(product) is None:
        make_certificate(product)
    lot_fields.setdefault("number", f"STAMP-LOT-{next(_lot_numbers)}")
    return make_lot(product, **lot_fields)


def make_batch(product, *, count: int = 50, signed: bool = False, by=None, **lot_fields):
    """A generated batch of `count` stamps for a new certified lot of `product`."""
    from ocop.stamps.actions import issue_batch

    lot = certified_lot(product, **lot_fields)
    batch = issue_batch(lot, count=count, signed=signed, by=by)
    batch.refresh_from_db()
    return batch


def authorization_objects(world) -> dict:
    """The objects the global authorization table needs for the stamp URLs: a ready batch of producer A."""
    batch = make_batch(world.product_a, count=5, by=world.user("producer_a"))
    return {"stamp_batch": batch, "stamp_lot": batch.lot}
