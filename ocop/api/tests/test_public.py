"""Public read endpoints: certificates, revocations, stamp verification; pagination, errors, rate limits."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ocop.api.tests.conftest import token_client
from ocop.api.tests.util import revoke
from ocop.api.tokens import create_token
from ocop.certificates.tests.util import make_certificate
from ocop.scans.models import Scan
from ocop.stamps import actions as stamp_actions
from ocop.stamps.models import Stamp
from ocop.stamps.tests.util import make_batch

PRIVATE = ("0912345678", "@example.vn", "024090001234", "Nguyễn Văn Đại Diện", "Thôn 1")


def _no_personal_data(response) -> None:
    body = response.content.decode()
    for value in PRIVATE:
        assert value not in body


@pytest.fixture
def certificates(world):
    a = make_certificate(world.product_a, star=4)
    b = make_certificate(world.product_b, star=5)
    c = make_certificate(world.product_c, star=3)
    return a, b, c


def test_certificate_register_filters_and_pages(world, certificates, django_assert_max_num_queries):
    client = Client()
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/certificates")
    data = response.json()
    assert response.status_code == 200 and data["count"] == 3 and len(data["items"]) == 3
    item = {i["product"]: i for i in data["items"]}["Vải thiều A"]
    assert item["star"] == 4 and item["status"] == "valid" and item["in_force"] is True
    assert item["producer"] == "HTX Persona A" and item["province"] == "Bắc Ninh"
    assert item["verify_page"].endswith(f"/certificates/verify/{certificates[0].verify_token}/") or (
        certificates[0].verify_token in item["verify_page"]
    )
    assert client.get("/api/v1/certificates?star=5").json()["count"] == 1
    assert client.get(f"/api/v1/certificates?province={world.bac_ninh.pk}").json()["count"] == 2
    assert client.get("/api/v1/certificates?q=vai thieu").json()["count"] == 1
    page = client.get("/api/v1/certificates?page_size=2&page=2").json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert client.get("/api/v1/certificates?page=99").json() == {"count": 3, "items": []}
    _no_personal_data(response)


@pytest.mark.parametrize(
    "query", ["star=2", "status=lost", "page=0", "page_size=101", "page=abc", "year=x", "province=0", "province=999999"]
)
def test_bad_filters_are_refused_in_the_error_format(world, query):
    response = Client().get(f"/api/v1/certificates?{query}")
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "invalid" and data["detail"] and data["errors"]
    assert all("loc" in e and "msg" in e for e in data["errors"])


def test_error_messages_are_translated(world):
    vi = Client().get("/api/v1/certificates?star=2").json()["detail"]
    english = Client()
    english.cookies["django_language"] = "en"
    en = english.get("/api/v1/certificates?star=2")
    assert en.json()["detail"] == "The request is not valid."
    assert vi != "The request is not valid."


def test_one_certificate_by_its_token_and_revocations(world, certificates):
    cert = certificates[0]
    client = Client()
    data = client.get(f"/api/v1/certificates/{cert.verify_token}").json()
    assert data["number"] == cert.number and data["revocation"] is None and data["newer_certificate"] is None
    revocation = revoke(cert, world)
    data = client.get(f"/api/v1/certificates/{cert.verify_token}").json()
    assert data["status"] == "revoked" and data["in_force"] is False
    assert data["revocation"]["decision_number"] == revocation.decision_number
    assert data["revocation"]["ground"] == "mark_misuse"
    listing = client.get("/api/v1/revocations").json()
    assert listing["count"] == 1 and listing["items"][0]["certificate_number"] == cert.number
    assert client.get("/api/v1/revocations?since=2999-01-01").json()["count"] == 0
    assert client.get("/api/v1/revocations?since=yesterday").status_code == 422
    missing = client.get("/api/v1/certificates/no-such-token")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    _no_personal_data(client.get("/api/v1/revocations"))


# --- Stamp verification -------------------------------------------------------------------------------------------
def _verify(code: str) -> dict:
    response = Client().get("/api/v1/stamps/verify", {"code": code})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("signed", [False, True])
def test_a_genuine_activated_stamp(world, signed):
    batch = make_batch(world.product_a, count=3, signed=signed)
    stamp_actions.activate(batch)
    uri = next(stamp_actions.printed_stamps(batch, 1, 1)).uri
    data = _verify(uri)
    assert data["genuine"] is True and data["reason"] == "genuine"
    assert data["stamp"]["state"] == "activated"
    assert data["stamp"]["signature"] == ("verified" if signed else "")
    assert data["product"] == "Vải thiều A" and data["lot"]["number"] == batch.lot.number
    assert data["certificate"]["in_force"] is True and data["certificate"]["star"] == 4
    # The path alone (what some scanner apps keep) and the serial typed by hand work too.
    path = uri.split("://", 1)[1].split("/", 1)[1]
    assert _verify("/" + path)["genuine"] is True
    if not signed:
        serial = Stamp.objects.filter(batch=batch, seq=1).get().serial
        assert _verify(serial)["genuine"] is True
    # Verifying is not a consumer's scan: nothing is counted.
    assert not Scan.objects.exists()


def test_stamps_that_are_not_genuine(world):
    batch = make_batch(world.product_a, count=3, signed=True)
    uris = [s.uri for s in stamp_actions.printed_stamps(batch, 1, 3)]
    issued = _verify(uris[0])
    assert issued["genuine"] is False and issued["reason"] == "not_activated"
    stamp_actions.activate(batch)
    stamp_actions.void(batch, first=2, last=2, reason="lost")
    assert _verify(uris[1])["reason"] == "voided"
    # A signed stamp read without its signature, or with another's.
    unsigned = uris[2].split("/K/")[0]
    assert _verify(unsigned)["reason"] == "missing_signature"
    forged = uris[2][:-4] + ("AAAA" if not uris[2].endswith("AAAA") else "BBBB")
    assert _verify(forged)["genuine"] is False
    unknown = _verify("https://example.vn/S/0000000000000000000000")
    assert unknown["genuine"] is False and unknown["stamp"] is None
    garbage = _verify("hello world")
    assert garbage["genuine"] is False and garbage["reason"] in ("malformed", "unknown_serial")
    assert garbage["message"]
    assert not Scan.objects.exists()


def test_verify_needs_a_code(db):
    response = Client().get("/api/v1/stamps/verify")
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert Client().get("/api/v1/stamps/verify", {"code": "x" * 600}).status_code == 422


# --- Error shape and rate limits ----------------------------------------------------------------------------------
def test_unknown_addresses_answer_in_the_error_format(db):
    response = Client().get("/api/v1/no/such/thing")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_anonymous_rate_limit_per_address(world, settings):
    settings.API_RATE_ANONYMOUS = 3
    settings.API_RATE_WINDOW_SECONDS = 60
    first = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(3):
        assert first.get("/api/v1/revocations").status_code == 200
    refused = first.get("/api/v1/revocations")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited" and refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another address has its own count.
    assert Client(REMOTE_ADDR="198.51.100.7").get("/api/v1/revocations").status_code == 200


def test_token_rate_limit_per_token(world, settings):
    settings.API_RATE_ANONYMOUS = 1
    settings.API_RATE_TOKEN = 2
    one = token_client(create_token(world.user("producer_a"), "one").secret)
    two = token_client(create_token(world.user("producer_a"), "two").secret)
    url = f"/api/v1/registry/products/{world.product_a.pk}"
    assert [one.get(url).status_code for _ in range(3)] == [200, 200, 429]
    # A public endpoint counts the token too, not the address.
    assert two.get("/api/v1/revocations").status_code == 200
    assert two.get(url).status_code == 200
    assert two.get(url).status_code == 429
    assert json.loads(two.get(url).content)["code"] == "rate_limited"


def test_openapi_document_lists_every_endpoint_and_the_error_answers(db):
    document = Client().get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path in ("/api/v1/certificates", "/api/v1/stamps/verify", "/api/v1/registry/products", "/api/v1/lots"):
        assert path in paths
    create = paths["/api/v1/registry/products"]["post"]
    assert {"401", "403", "422", "429"} <= set(create["responses"])
    assert create["security"]
    assert "401" not in paths["/api/v1/certificates"]["get"]["responses"]
    assert Client().get("/api/v1/docs").status_code == 200
