"""Write endpoints: every persona's token, allow and deny side by side, exactly like the web pages.

404 = outside the persona's read scope (existence not revealed), 403 = readable but not theirs to change,
422 = the form refuses the input (the same message as the page), 401 = no token.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from ocop.audit.models import AuditEvent
from ocop.lib import clock
from ocop.registry.models import ProducerStatus, Product, ProductSet
from ocop.stamps.models import Stamp, StampBatch, StampState
from ocop.stamps.tests.util import certified_lot, make_batch
from ocop.testing import ALL, table
from ocop.traceability.models import Lot


def _send(client, method: str, url: str, body: dict | None = None):
    if method == "get":
        return client.get(url)
    data = json.dumps(body or {})
    return getattr(client, method)(url, data=data, content_type="application/json")


def _each_persona(api_for, method: str, url: str, body: dict | None = None) -> dict[str, int]:
    seen = {}
    for persona in ALL:
        client = api_for(persona)
        # Rolled back: one persona's change does not alter what the next one meets.
        with transaction.atomic():
            seen[persona] = _send(client, method, url, body).status_code
            transaction.set_rollback(True)
    return seen


def _fruit() -> int:
    return ProductSet.objects.get(number=1).pk


# --- Products -----------------------------------------------------------------------------------------------------
def test_creating_a_product_per_persona(world, api_for):
    body = {"producer": world.producer_a.pk, "name": "Mật ong API", "product_set": _fruit()}
    expected = table(
        403,
        admin=201,
        province=201,
        # Producer A of another province: not a producer this office may choose (the form's choice refuses it).
        province_other=422,
        producer_a=201,
        producer_b=201,
        anonymous=401,
    )
    assert _each_persona(api_for, "post", "/api/v1/registry/products", body) == expected


def test_a_producer_adds_to_itself_whatever_producer_it_names(world, api_for):
    body = {"producer": world.producer_b.pk, "name": "Mật ong", "product_set": _fruit(), "status": "active"}
    response = _send(api_for("producer_a"), "post", "/api/v1/registry/products", body)
    assert response.status_code == 201
    data = response.json()
    product = Product.objects.get(pk=data["id"])
    assert product.producer == world.producer_a
    assert data["producer"] == {"id": world.producer_a.pk, "name": world.producer_a.name}
    assert data["url"].endswith(product.get_absolute_url())
    event = AuditEvent.objects.get(model="registry.Product", object_id=str(product.pk), action="create")
    assert event.actor == world.user("producer_a")


def test_a_pending_producer_is_told_why(world, api_for):
    response = _send(api_for("producer_pending"), "post", "/api/v1/registry/products", {"name": "X", "product_set": 1})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "xác minh" in response.json()["detail"]  # translated: Vietnamese by default


def test_invalid_product_gets_the_form_messages_and_nothing_is_stored(world, api_for):
    before = Product.objects.count()
    body = {"name": "", "product_set": 999999, "gtin": "12345", "status": "sold"}
    response = _send(api_for("producer_a"), "post", "/api/v1/registry/products", body)
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid" and data["detail"]
    fields = {tuple(e["loc"]) for e in data["errors"]}
    assert {("body", "name"), ("body", "product_set"), ("body", "gtin"), ("body", "status")} <= fields
    assert Product.objects.count() == before
    # A body of the wrong shape is refused by the schema, in the same error format.
    wrong = _send(api_for("producer_a"), "post", "/api/v1/registry/products", {"name": ["x"]})
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid" and wrong.json()["errors"]
    broken = api_for("producer_a").post("/api/v1/registry/products", data="{", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "bad_request" and broken.json()["detail"]


def test_updating_a_product_per_persona(world, api_for):
    url = f"/api/v1/registry/products/{world.product_a.pk}"
    expected = table(404, admin=200, province=200, producer_a=200, central=403, commune=403, anonymous=401)
    assert _each_persona(api_for, "patch", url, {"description": "Mô tả mới"}) == expected
    read = table(404, admin=200, central=200, province=200, commune=200, producer_a=200, anonymous=401)
    assert _each_persona(api_for, "get", url) == read


def test_a_patch_keeps_the_fields_it_leaves_out_and_is_audited(world, api_for):
    product = world.product_a
    response = _send(api_for("province"), "patch", f"/api/v1/registry/products/{product.pk}", {"story": "Chuyện vải"})
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.story, product.name, product.status) == ("Chuyện vải", "Vải thiều A", "active")
    event = AuditEvent.objects.filter(model="registry.Product", object_id=str(product.pk), action="update")
    event = event.order_by("pk").last()
    assert event.actor == world.user("province")
    refused = _send(api_for("province"), "patch", f"/api/v1/registry/products/{product.pk}", {"name": ""})
    assert refused.status_code == 422
    product.refresh_from_db()
    assert product.name == "Vải thiều A"


# --- Producers ----------------------------------------------------------------------------------------------------
def test_verifying_a_producer_per_persona(world, api_for):
    url = f"/api/v1/registry/producers/{world.producer_pending.pk}/verify"
    expected = table(404, admin=200, province=200, commune=200, central=403, producer_pending=403, anonymous=401)
    assert _each_persona(api_for, "post", url, {"decision": "verify"}) == expected


def test_verify_and_reject_through_the_api(world, api_for):
    url = f"/api/v1/registry/producers/{world.producer_pending.pk}/verify"
    refused = _send(api_for("commune"), "post", url, {"decision": "reject"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "reason"]
    response = _send(api_for("commune"), "post", url, {"decision": "verify", "reason": "Đã kiểm tra"})
    assert response.status_code == 200 and response.json()["status"] == "verified"
    world.producer_pending.refresh_from_db()
    assert world.producer_pending.status == ProducerStatus.VERIFIED
    assert world.producer_pending.verified_by == world.user("commune")
    event = AuditEvent.objects.filter(model="registry.Producer", object_id=str(world.producer_pending.pk))
    event = event.order_by("pk").last()
    assert event.actor == world.user("commune")


def test_listing_producers_in_scope(world, api_for):
    data = api_for("commune").get("/api/v1/registry/producers?status=pending").json()
    assert [p["id"] for p in data["items"]] == [world.producer_pending.pk] and data["count"] == 1
    assert api_for("producer_a").get("/api/v1/registry/producers").json()["count"] == 1
    assert api_for("province_other").get("/api/v1/registry/producers").json()["count"] == 1
    body = json.dumps(api_for("admin").get("/api/v1/registry/producers").json())
    for private in ("0912345678", "@example.vn", "024090001234", "Nguyễn Văn Đại Diện"):
        assert private not in body
    assert api_for("admin").get("/api/v1/registry/producers?status=nonsense").status_code == 422


# --- Lots ---------------------------------------------------------------------------------------------------------
def _lot_body(product: Product, number: str = "API-001") -> dict:
    return {"product": product.pk, "number": number, "produced_on": clock.today().isoformat(), "quantity": "100"}


def test_opening_a_lot_per_persona(world, api_for):
    expected = table(
        403,
        admin=201,
        province=201,
        producer_a=201,
        # They open lots, but not of this product: the form's product choice refuses it.
        province_other=422,
        producer_b=422,
        anonymous=401,
    )
    assert _each_persona(api_for, "post", "/api/v1/lots", _lot_body(world.product_a)) == expected


def test_a_lot_is_checked_like_the_page_and_audited(world, api_for):
    client = api_for("producer_a")
    response = _send(client, "post", "/api/v1/lots", {**_lot_body(world.product_a), "number": "l2026-9"})
    assert response.status_code == 201
    lot = Lot.objects.get(pk=response.json()["id"])
    assert lot.number == "L2026-9" and lot.created_by == world.user("producer_a")
    assert AuditEvent.objects.get(model="traceability.Lot", object_id=str(lot.pk), action="create").actor == (
        world.user("producer_a")
    )
    duplicate = _send(client, "post", "/api/v1/lots", {**_lot_body(world.product_a), "number": "L2026-9"})
    assert duplicate.status_code == 422
    assert any(e["loc"] == ["body", "number"] for e in duplicate.json()["errors"])
    backwards = {**_lot_body(world.product_a, "L2"), "expires_on": "2000-01-01"}
    assert _send(client, "post", "/api/v1/lots", backwards).json()["errors"][0]["loc"] == ["body", "expires_on"]
    patch = _send(client, "patch", f"/api/v1/lots/{lot.pk}", {"note": "Ghi chú"})
    assert patch.status_code == 200 and patch.json()["note"] == "Ghi chú" and patch.json()["number"] == "L2026-9"


def test_updating_a_lot_per_persona(world, api_for):
    lot = certified_lot(world.product_a)
    expected = table(404, admin=200, province=200, producer_a=200, central=403, commune=403, anonymous=401)
    assert _each_persona(api_for, "patch", f"/api/v1/lots/{lot.pk}", {"note": "x"}) == expected


# --- Stamps -------------------------------------------------------------------------------------------------------
STAMP_WRITERS = table(404, admin=201, province=201, producer_a=201, central=403, commune=403, anonymous=401)


def test_issuing_stamps_per_persona(world, api_for):
    lot = certified_lot(world.product_a)
    assert _each_persona(api_for, "post", f"/api/v1/lots/{lot.pk}/stamp-batches", {"count": 3}) == STAMP_WRITERS


def test_issuing_is_capped_like_the_page(world, api_for):
    lot = certified_lot(world.product_a, quantity=10)
    client = api_for("producer_a")
    too_many = _send(client, "post", f"/api/v1/lots/{lot.pk}/stamp-batches", {"count": 1000})
    assert too_many.status_code == 400 and too_many.json()["code"] == "refused"
    assert _send(client, "post", f"/api/v1/lots/{lot.pk}/stamp-batches", {"count": 0}).status_code == 422
    response = _send(client, "post", f"/api/v1/lots/{lot.pk}/stamp-batches", {"count": 5})
    assert response.status_code == 201
    batch = StampBatch.objects.get(pk=response.json()["id"])
    assert batch.created_by == world.user("producer_a") and batch.count == 5
    assert client.get(f"/api/v1/stamp-batches/{batch.pk}").json()["status"] == "ready"


def test_activating_stamps_per_persona(world, api_for):
    batch = make_batch(world.product_a, count=5)
    expected = {**STAMP_WRITERS, **{p: 200 for p in ("admin", "province", "producer_a")}}
    assert _each_persona(api_for, "post", f"/api/v1/stamp-batches/{batch.pk}/activate", {}) == expected


def test_activating_and_voiding_a_range_is_audited(world, api_for):
    batch = make_batch(world.product_a, count=5)
    client = api_for("producer_a")
    response = _send(client, "post", f"/api/v1/stamp-batches/{batch.pk}/activate", {"first": 2, "last": 3})
    assert response.status_code == 200 and response.json()["changed"] == 2
    assert Stamp.objects.filter(batch=batch, state=StampState.ACTIVATED).count() == 2
    event = AuditEvent.objects.filter(model="stamps.StampBatch", object_id=str(batch.pk)).order_by("pk").last()
    assert event.actor == world.user("producer_a") and "activated" in event.note
    bad = _send(client, "post", f"/api/v1/stamp-batches/{batch.pk}/activate", {"first": 4, "last": 2})
    assert bad.status_code == 422
    no_reason = _send(client, "post", f"/api/v1/stamp-batches/{batch.pk}/void", {})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["loc"] == ["body", "reason"]
    voided = _send(
        client, "post", f"/api/v1/stamp-batches/{batch.pk}/void", {"reason": "In lỗi", "first": 1, "last": 1}
    )
    assert voided.json()["changed"] == 1


@pytest.mark.parametrize("url", ["/api/v1/stamp-batches/{}", "/api/v1/lots/{}"])
def test_unknown_ids_are_not_found(world, api_for, url):
    response = api_for("admin").get(url.format(987654))
    assert response.status_code == 404 and response.json() == {
        "detail": response.json()["detail"],
        "code": "not_found",
        "errors": None,
    }
    assert api_for("admin").get(url.format("abc")).status_code == 422
