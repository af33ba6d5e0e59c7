"""The catalogue's public API: the shape partner systems depend on, filters, errors, public data only."""

from __future__ import annotations

import pytest

from ocop.catalogue.forms import PAGE_SIZE
from ocop.certificates.tests.util import make_certificate
from ocop.geo.models import AdminUnit
from ocop.registry.models import Producer, ProducerKind, ProducerStatus, Product, ProductStatus

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {
    "id",
    "code",
    "name",
    "url",
    "star",
    "certificate_status",
    "certificate_star",
    "certificate_number",
    "certificate_issued_on",
    "certificate_expires_on",
    "certificate_extended_until",
    "producer",
    "producer_id",
    "producer_url",
    "province",
    "province_code",
    "commune",
    "commune_code",
    "registered_under",
    "product_set",
    "product_set_number",
    "category",
}


@pytest.fixture
def former(world):
    """A producer registered in 2023 under a commune of the former Bắc Giang province, now in Xã Lục Ngạn."""
    commune = AdminUnit.objects.legacy().communes().filter(province__code="24").select_related("province").first()
    producer = Producer.objects.create(
        name="HTX Bắc Giang cũ",
        kind=ProducerKind.COOPERATIVE,
        commune=commune,
        current_commune=world.luc_ngan,
        phone="0987654321",
        rep_id_number="024123456789",
        status=ProducerStatus.VERIFIED,
    )
    product = Product.objects.create(
        producer=producer, name="Mỳ Chũ cũ", product_set=world.product_a.product_set, status=ProductStatus.ACTIVE
    )
    make_certificate(product, star=3)
    return product


def test_list_shape(shop, client):
    response = client.get("/api/v1/products")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    assert data["page"] == 1 and data["page_size"] == PAGE_SIZE
    first = data["items"][0]
    assert set(first) == ITEM_FIELDS
    assert first["name"] == "Na dai B"
    assert first["star"] == 5
    assert first["certificate_status"] == "valid"
    assert first["producer"] == "HTX Persona B"
    assert first["province"] == "Bắc Ninh"
    assert first["url"] == f"http://testserver/catalogue/products/{first['id']}/"
    expired = data["items"][-1]
    assert (expired["name"], expired["star"], expired["certificate_status"]) == ("Cam C", None, "expired")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("star=4", ["Vải thiều A"]),
        ("province=24", ["Na dai B", "Vải thiều A", "Mỳ Chũ cũ"]),
        ("province=B%E1%BA%AFc%20Ninh", ["Na dai B", "Vải thiều A", "Mỳ Chũ cũ"]),
        ("province=bac%20ninh&star=5", ["Na dai B"]),
        ("province=H%C3%A0%20N%E1%BB%99i", ["Cam C"]),
        ("province=Th%C3%A0nh%20ph%E1%BB%91%20H%C3%A0%20N%E1%BB%99i", ["Cam C"]),
        ("province=B%E1%BA%AFc%20Giang", ["Mỳ Chũ cũ"]),
        ("province=old-24", ["Mỳ Chũ cũ"]),
    ],
)
def test_filters(shop, former, client, query, expected):
    response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == 200, response.content
    names = [item["name"] for item in response.json()["items"]]
    assert sorted(names) == sorted(expected)
    assert response.json()["count"] == len(expected)


def test_former_unit_is_reported(shop, former, client):
    item = client.get("/api/v1/products?province=old-24").json()["items"][0]
    assert item["province"] == "Bắc Ninh"
    assert item["commune"] == "Xã Lục Ngạn"
    assert "Bắc Giang" in item["registered_under"]


def test_pagination(shop, world, client):
    for i in range(PAGE_SIZE + 2):
        product = Product.objects.create(
            producer=world.producer_b, name=f"SP {i:02d}", product_set=world.product_a.product_set, status="active"
        )
        make_certificate(product, star=3)
    first = client.get("/api/v1/products").json()
    second = client.get("/api/v1/products?page=2").json()
    assert first["count"] == second["count"] == PAGE_SIZE + 5
    assert len(first["items"]) == PAGE_SIZE and len(second["items"]) == 5
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert client.get("/api/v1/products?page=3").json()["items"] == []


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("star=2", 422, "invalid"),
        ("star=x", 422, "invalid"),
        ("page=0", 422, "invalid"),
        ("page=-1", 422, "invalid"),
        ("page=x", 422, "invalid"),
        ("q=" + "a" * 201, 422, "invalid"),
        ("province=Atlantis", 400, "unknown_province"),
        ("province=old-999", 400, "unknown_province"),
        ("q=a%00b", 400, "invalid"),
    ],
)
def test_invalid_parameters(shop, client, query, status, code):
    response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body["detail"]


def test_product_detail(shop, world, client):
    response = client.get(f"/api/v1/products/{world.product_a.pk}")
    assert response.status_code == 200
    data = response.json()
    assert ITEM_FIELDS <= set(data)
    assert data["star"] == 4
    assert data["shop_links"] == [
        {
            "channel": "shopee",
            "channel_name": "Shopee",
            "url": f"http://testserver/catalogue/go/{shop.link.pk}/",
            "product_only": False,
        }
    ]


@pytest.mark.parametrize("path", ["/api/v1/products/{draft}", "/api/v1/products/999999", "/api/v1/producers/{pending}"])
def test_not_public_is_404(shop, world, client, path):
    draft = Product.objects.create(producer=world.producer_a, name="Nháp", product_set=world.product_a.product_set)
    make_certificate(draft, star=4)
    response = client.get(path.format(draft=draft.pk, pending=world.producer_pending.pk))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/products/0", "/api/v1/products/99999999999999", "/api/v1/producers/abc"])
def test_bad_ids_are_422(client, path):
    assert client.get(path).status_code == 422


def test_producer_has_public_fields_only(shop, world, client):
    response = client.get(f"/api/v1/producers/{world.producer_a.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "HTX Persona A"
    assert [p["name"] for p in data["products"]] == ["Vải thiều A"]
    text = response.content.decode()
    producer = world.producer_a
    for secret in (producer.phone, producer.email, producer.rep_name, producer.rep_id_number, producer.street):
        assert secret not in text
    assert not {"phone", "email", "street", "tax_code"} & set(data)


def test_openapi_declares_the_catalogue_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/products"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "star", "province", "page"}
    assert {"200", "400", "422"} <= set(operation["responses"])
    assert "/api/v1/products/{product_id}" in schema["paths"]
    assert "/api/v1/producers/{producer_id}" in schema["paths"]


def test_search_text(shop, client):
    data = client.get("/api/v1/products", {"q": "vai thieu"}).json()
    assert [item["name"] for item in data["items"]] == ["Vải thiều A"]
    assert data["count"] == 1


def test_partner_systems_choose_the_language_of_messages(shop, client):
    vietnamese = client.get("/api/v1/products?province=Atlantis")
    english = client.get("/api/v1/products?province=Atlantis", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    unknown = client.get("/api/v1/products?province=Atlantis", HTTP_ACCEPT_LANGUAGE="fr, de;q=0.5")
    assert vietnamese["Content-Language"] == "vi" and unknown["Content-Language"] == "vi"
    assert english["Content-Language"] == "en"
    assert english.json()["detail"] != vietnamese.json()["detail"] == unknown.json()["detail"]
    assert english.json()["code"] == vietnamese.json()["code"] == "unknown_province"
    assert "Accept-Language" in english["Vary"]
    # The web pages stay Vietnamese whatever the browser asks for.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "vi"
