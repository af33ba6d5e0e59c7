"""Objects the trade tests share: a certified product, an inquiry, a published event and a registration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ocop.lib import clock
from ocop.trade.models import EventKind, EventStatus, Inquiry, Registration, TradeEvent

BUYER_EMAIL = "nguoimua@sieuthi.example.vn"
BUYER_PHONE = "0987654321"


def certify(product: Any, star: int = 4) -> Any:
    """Give `product` a certificate in force (so the public, and buyers, see it)."""
    from ocop.certificates.models import Certificate
    from ocop.certificates.tests.util import make_certificate

    existing = Certificate.objects.valid_on(clock.today()).filter(product=product).first()
    return existing or make_certificate(product, star=star)


def make_inquiry(product: Any, **fields: Any) -> Inquiry:
    data = {
        "buyer_type": "supermarket",
        "organisation": "Siêu thị Thử Nghiệm",
        "contact_name": "Người Mua Thử",
        "email": BUYER_EMAIL,
        "phone": BUYER_PHONE,
        "quantity": 500,
        "unit": "kg",
        "message": "Cần báo giá 500 kg giao tại Hà Nội.",
        **fields,
    }
    return Inquiry.objects.create(product=product, **data)


def make_event(province: Any, *, national: bool = False, status: str = EventStatus.PUBLISHED, **fields: Any):
    today = clock.today()
    data = {
        "title": "Hội chợ OCOP thử nghiệm",
        "kind": EventKind.TRADE_FAIR,
        "venue": "Nhà văn hóa tỉnh",
        "starts_on": today + dt.timedelta(days=30),
        "ends_on": today + dt.timedelta(days=33),
        "registration_deadline": today + dt.timedelta(days=20),
        **fields,
    }
    event = TradeEvent(province=province, national=national, status=status, **data)
    if status != EventStatus.DRAFT:
        event.published_at = clock.now()
    event.save()
    return event


def authorization_objects(world: Any) -> dict[str, Any]:
    certify(world.product_a)
    event = make_event(world.bac_ninh)
    return {
        "trade_product": (world.product_a.pk,),
        "trade_inquiry": make_inquiry(world.product_a),
        "trade_event": event,
        "trade_registration": Registration.objects.create(event=event, product=world.product_a),
    }
