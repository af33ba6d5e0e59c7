"""What the stamp and scan benchmarks share: a certified product of a verified producer, and a lot of it.

Not a benchmark itself (run.py only runs bench_*.py). Call after throwaway.setup().
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

# A valid GTIN-13 under Vietnam's GS1 prefix 893: the stamps are GS1 Digital Link URIs (QR version 4).
GTIN = "8930000000019"
SITE_URL = "https://ocop.example.gov.vn"


def certified_lot(quantity: int, *, number: str = "VAI-2026-001", gtin: str = GTIN) -> tuple[Any, Any]:
    """(the producer's user, a lot of `quantity` packages of a 4★ product whose certificate is in force)."""
    from ocop.accounts.models import Role, User
    from ocop.certificates.models import Certificate
    from ocop.geo.models import AdminUnit
    from ocop.lib import clock
    from ocop.registry.models import Producer, ProducerKind, ProducerStatus, Product, ProductSet, ProductStatus
    from ocop.rules.rulebooks import current_rulebook
    from ocop.traceability import actions as trace_actions

    province = AdminUnit.objects.current().provinces().get(name="Bắc Ninh")
    commune = AdminUnit.objects.current().communes().filter(province=province).order_by("code").first()
    producer = Producer.objects.create(
        name="HTX Vải thiều Benchmark", kind=ProducerKind.COOPERATIVE, commune=commune, status=ProducerStatus.VERIFIED
    )
    product_set = ProductSet.objects.filter(group__category__rulebook=current_rulebook().code).order_by("number")[0]
    product = Product.objects.create(
        producer=producer,
        name="Vải thiều Lục Ngạn sấy khô",
        product_set=product_set,
        status=ProductStatus.ACTIVE,
        gtin=gtin,
    )
    today = clock.today()
    issued = today - dt.timedelta(days=100)
    Certificate.objects.create(
        product=product,
        star=4,
        issued_on=issued,
        expires_on=clock.add_months(issued, 36),
        number="BENCH-0001",
        decision_number="123/QĐ-UBND",
        decision_date=issued,
        issuing_body="Ủy ban nhân dân tỉnh Bắc Ninh",
    )
    user = User.objects.create(username="bench_producer", role=Role.PRODUCER, producer=producer)
    lot = trace_actions.create_lot(
        product,
        {
            "number": number,
            "produced_on": today - dt.timedelta(days=3),
            "expires_on": today + dt.timedelta(days=180),
            "quantity": Decimal(quantity),
            "unit": "H87",
            "place_code": "VT-BG-0123",
        },
    )
    return user, lot
