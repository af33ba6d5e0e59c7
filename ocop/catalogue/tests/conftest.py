"""Catalogue fixtures: the persona world with certificates, shop links and a sales point."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from ocop.catalogue.models import Channel, SalesPoint, ShopLink
from ocop.certificates.tests.util import make_certificate
from ocop.lib import clock


@pytest.fixture
def shop(world) -> SimpleNamespace:
    """Product A 4★ valid, product B 5★ valid, product C (Hà Nội) expired 3★; links and a sales point."""
    today = clock.today()
    cert_a = make_certificate(world.product_a, star=4)
    cert_b = make_certificate(world.product_b, star=5)
    cert_c = make_certificate(
        world.product_c, star=3, issued_on=today - dt.timedelta(days=1200), expires_on=today - dt.timedelta(days=20)
    )
    link = ShopLink.objects.create(
        producer=world.producer_a, channel=Channel.SHOPEE, url="https://shopee.vn/htx-persona-a"
    )
    point = SalesPoint.objects.create(
        name="Điểm bán OCOP Lục Ngạn", commune=world.luc_ngan, address="Chợ Chũ", opening_hours="7:00–21:00"
    )
    point.products.add(world.product_a)
    return SimpleNamespace(cert_a=cert_a, cert_b=cert_b, cert_c=cert_c, link=link, point=point)
