"""Helpers for tests that need certificates (also used by the global authorization table)."""

from __future__ import annotations

import datetime as dt

from ocop.certificates.models import Certificate
from ocop.lib import clock


def make_certificate(product, *, star: int = 4, issued_on: dt.date | None = None, **fields) -> Certificate:
    """A certificate of `product`, issued 100 days before the clock's today unless told otherwise."""
    issued_on = issued_on or clock.today() - dt.timedelta(days=100)
    fields.setdefault("expires_on", clock.add_months(issued_on, 36))
    fields.setdefault("number", f"TEST-{product.pk}-{star}-{issued_on:%Y%m%d}")
    fields.setdefault("decision_number", "123/QĐ-UBND")
    fields.setdefault("decision_date", issued_on)
    fields.setdefault("issuing_body", "Ủy ban nhân dân tỉnh Bắc Ninh")
    return Certificate.objects.create(product=product, star=star, issued_on=issued_on, **fields)


def make_inspection(certificate: Certificate, actor, **fields):
    from ocop.certificates.actions import record_inspection

    data = {
        "kind": "periodic",
        "inspected_on": clock.today(),
        "inspector": "Đoàn kiểm tra",
        "criteria_maintained": True,
        "mark_used_correctly": True,
        "product_info_correct": True,
        "outcome": "ok",
        **fields,
    }
    return record_inspection(certificate, data, actor=actor)
