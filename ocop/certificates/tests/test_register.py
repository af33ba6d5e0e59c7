"""The public register of certificates: filters, accent-insensitive search, public fields only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.lib import clock
from ocop.registry.models import Producer, ProducerKind, Product
from ocop.testing import unit

from .util import make_certificate

URL = "/certificates/register/"


@pytest.fixture
def register(world):
    today = clock.today()
    valid = make_certificate(world.product_a, star=4, number="REG-A")
    expiring = make_certificate(world.product_b, star=3, issued_on=clock.add_months(today, -33), number="REG-B")
    expired = make_certificate(world.product_c, star=3, issued_on=clock.add_months(today, -40), number="REG-C")
    revoked = make_certificate(
        world.product_c, star=5, issued_on=clock.add_months(today, -2), number="REG-R", revoked_on=today
    )
    return {"valid": valid, "expiring": expiring, "expired": expired, "revoked": revoked}


def _numbers(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return {certificate.number for certificate, _state in response.context["rows"]}


def test_url_name():
    assert reverse("certificates:register") == URL


def test_everyone_sees_every_certificate(register, client_for):
    for persona in ("anonymous", "producer_b", "council"):
        assert _numbers(client_for(persona)) == {"REG-A", "REG-B", "REG-C", "REG-R"}


def test_status_filters(register, client_for):
    client = client_for("anonymous")
    assert _numbers(client, status="in_force") == {"REG-A", "REG-B"}
    assert _numbers(client, status="expiring") == {"REG-B"}
    assert _numbers(client, status="expired") == {"REG-C"}
    assert _numbers(client, status="revoked") == {"REG-R"}
    # An unknown value is ignored rather than failing.
    assert len(_numbers(client, status="bogus")) == 4


def test_star_year_and_province_filters(register, world, client_for):
    client = client_for("anonymous")
    assert _numbers(client, star=3) == {"REG-B", "REG-C"}
    assert _numbers(client, year=register["valid"].issued_on.year) >= {"REG-A"}
    assert "REG-C" not in _numbers(client, year=register["valid"].issued_on.year)
    assert _numbers(client, province=world.bac_ninh.pk) == {"REG-A", "REG-B"}
    assert _numbers(client, province=world.ha_noi.pk) == {"REG-C", "REG-R"}


def test_former_province_filter(register, world, client_for):
    """A product registered before July 2025 under Bắc Giang shows under Bắc Giang (former) and Bắc Ninh."""
    hong_giang = unit("legacy", "commune", "Phường Hồng Giang", "24")
    producer = Producer.objects.create(
        name="HTX Vải thiều Hồng Giang", kind=ProducerKind.COOPERATIVE, commune=hong_giang, status="verified"
    )
    product = Product.objects.create(
        producer=producer, name="Vải thiều Lục Ngạn", product_set=world.product_a.product_set
    )
    make_certificate(product, star=4, number="REG-LEGACY")
    bac_giang = unit("legacy", "province", "Bắc Giang")
    client = client_for("anonymous")
    assert _numbers(client, province=bac_giang.pk) == {"REG-LEGACY"}
    assert "REG-LEGACY" in _numbers(client, province=world.bac_ninh.pk)


def test_search_without_accents(register, client_for):
    client = client_for("anonymous")
    assert _numbers(client, q="vai thieu") == {"REG-A"}
    assert _numbers(client, q="NA DAI") == {"REG-B"}
    assert _numbers(client, q="persona c") == {"REG-C", "REG-R"}


def test_public_fields_only(register, client_for):
    text = client_for("anonymous").get(URL).content.decode()
    for private in ("Nguyễn Văn Đại Diện", "024090001234", "0912345678", "@example.vn"):
        assert private not in text
    assert reverse("certificates:verify", args=[register["valid"].verify_token]) in text


def test_pagination(world, client_for):
    for i in range(30):
        make_certificate(world.product_a, star=3, issued_on=clock.today() - dt.timedelta(days=i + 1), number=f"P{i}")
    client = client_for("anonymous")
    first = client.get(URL)
    assert first.context["page"].paginator.count == 30 and len(first.context["rows"]) == 25
    assert len(client.get(URL, {"page": 2}).context["rows"]) == 5
