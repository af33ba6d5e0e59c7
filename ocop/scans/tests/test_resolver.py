"""GS1 Digital Link resolver behaviour: failures, walking up, HEAD/OPTIONS, CORS, linksets."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ocop.scans.models import Scan
from ocop.scans.tests.util import GTIN, GTIN14, OTHER_GTIN14, path_of, scan, stamped
from ocop.stamps import codes

NOT_GENUINE_VI = "Không phải tem OCOP chính hãng"


@pytest.fixture
def stamps(world):
    return stamped(world.product_a)[1]


def _fresh_serial(taken) -> str:
    while True:
        serial = codes.new_serial()
        if serial not in {s.serial for s in taken}:
            return serial


def _assert_not_genuine(response, reason: str):
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"
    text = response.content.decode()
    assert f'data-reason="{reason}"' in text
    return text


@pytest.mark.parametrize(
    "path",
    [
        "/S/NOT-A-SERIAL",
        "/s/",
        "/S/" + "Z" * 19,
        "/01/123",
        "/01/08930000000018/10/L1/21/ABC",  # GTIN check digit wrong
        "/01/abc/10/x",
        "/01/",
        "/01/" + "9" * 400,
        "/S/%F0%9F%98%80",
        "/01/08930000000019/10/%00/21/%FF",
    ],
)
def test_malformed_codes_get_the_not_genuine_page(world, stamps, path):
    response = scan(path)
    text = _assert_not_genuine(response, "malformed" if "0893000000001" not in path else response.context["reason"])
    assert NOT_GENUINE_VI in text or "Không tìm thấy" in text
    assert not Scan.objects.exists()


def test_unknown_serial_of_a_known_lot_walks_up_to_the_lot(world, stamps):
    lot = stamps[0].batch.lot
    path = f"/01/{GTIN14}/10/{lot.number}/21/{_fresh_serial(stamps)}"
    text = _assert_not_genuine(scan(path), "unknown_serial")
    assert NOT_GENUINE_VI in text
    # The page shows the genuine lot and product the code names, and links to the lot page (no redirect).
    assert world.product_a.name in text and f'href="/01/{GTIN14}/10/{lot.number}"' in text


def test_unknown_short_serial(world, stamps):
    _assert_not_genuine(scan(f"/S/{_fresh_serial(stamps)}"), "unknown_serial")


def test_unknown_lot_of_a_known_gtin_walks_up_to_the_product(world, stamps):
    path = f"/01/{GTIN14}/10/NO-SUCH-LOT/21/{_fresh_serial(stamps)}"
    text = _assert_not_genuine(scan(path), "unknown_lot")
    assert world.product_a.name in text and f'href="/01/{GTIN14}"' in text
    lot_only = scan(f"/01/{GTIN14}/10/NO-SUCH-LOT")
    _assert_not_genuine(lot_only, "unknown_lot")


def test_wrong_gtin_is_not_genuine(world, stamps):
    lot = stamps[0].batch.lot
    # A genuine serial under a GTIN that is not its product's: copied onto a forged code.
    response = scan(f"/01/{OTHER_GTIN14}/10/{lot.number}/21/{stamps[0].serial}")
    _assert_not_genuine(response, "unknown_product")
    assert not Scan.objects.exists()


def test_genuine_serial_under_another_lot_is_a_mismatch(world, stamps):
    from ocop.traceability.tests.util import make_lot

    other = make_lot(world.product_a, number="OTHER-LOT")
    text = _assert_not_genuine(scan(f"/01/{GTIN14}/10/{other.number}/21/{stamps[0].serial}"), "mismatch")
    assert world.product_a.name in text


def test_gtin_13_is_padded(world, stamps):
    lot = stamps[0].batch.lot
    response = scan(f"/01/{GTIN}/10/{lot.number}/21/{stamps[0].serial}")
    assert response.status_code == 200 and response.context["stamp"] == stamps[0]


def test_lot_and_product_pages(world, stamps):
    lot = stamps[0].batch.lot
    lot_page = scan(f"/01/{GTIN14}/10/{lot.number}")
    assert lot_page.status_code == 200 and lot_page.context["lot"] == lot
    product_page = scan(f"/01/{GTIN14}")
    assert product_page.status_code == 200 and product_page.context["product"] == world.product_a
    assert 'data-status="valid"' in product_page.content.decode()
    assert not Scan.objects.exists()


def test_product_without_certificate_is_not_public(world, stamps):
    world.product_c.gtin = "8930000000026"
    world.product_c.save()
    _assert_not_genuine(scan("/01/08930000000026"), "unknown_product")


def test_options_and_cors(world, stamps):
    response = Client().options(path_of(stamps[0]))
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "HEAD" in response["Allow"] and "OPTIONS" in response["Access-Control-Allow-Methods"]
    assert not Scan.objects.exists()
    get = scan(path_of(stamps[0]))
    assert get["Access-Control-Allow-Origin"] == "*"
    assert get["Access-Control-Expose-Headers"] == "Link, Location"  # a verifier app may read the Link header
    assert 'rel="linkset"' in get["Link"] and "linkType=all" in get["Link"]
    assert Client().post(path_of(stamps[0])).status_code == 405


def test_head_of_an_unknown_code(world, stamps):
    response = Client().head(f"/S/{_fresh_serial(stamps)}")
    assert response.status_code == 404 and response["Access-Control-Allow-Origin"] == "*"


def test_linkset(world, stamps):
    lot = stamps[0].batch.lot
    path = path_of(stamps[0])
    response = scan(path + "?linkType=all")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/linkset+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.content)
    (entry,) = document["linkset"]
    assert entry["anchor"] == f"http://testserver{path}"
    assert entry["https://gs1.org/voc/pip"][0]["href"] == f"http://testserver/01/{GTIN14}"
    certificate = world.product_a.certificates.get()
    assert entry["https://gs1.org/voc/certificationInfo"][0]["href"].endswith(certificate.get_verify_url())
    hrefs = [link["href"] for link in entry["https://gs1.org/voc/traceability"]]
    assert f"http://testserver/01/{GTIN14}/10/{lot.number}" in hrefs
    assert f"http://testserver/api/v1/lots/{lot.pk}/epcis" in hrefs
    assert "https://gs1.org/voc/defaultLink" in entry
    # A linkset request is not a scan.
    assert not Scan.objects.exists()
    # The same through content negotiation.
    negotiated = scan(path, HTTP_ACCEPT="application/linkset+json")
    assert json.loads(negotiated.content) == document


def test_link_type_redirects(world, stamps):
    response = scan(path_of(stamps[0]) + "?linkType=gs1:pip")
    assert response.status_code == 307 and response["Location"] == f"http://testserver/01/{GTIN14}"
    assert not Scan.objects.exists()


def test_linkset_walks_up_with_a_redirect(world, stamps):
    lot = stamps[0].batch.lot
    response = scan(f"/01/{GTIN14}/10/{lot.number}/21/{_fresh_serial(stamps)}?linkType=all")
    assert response.status_code == 307
    assert response["Location"] == f"/01/{GTIN14}/10/{lot.number}?linkType=all"
    assert response["Access-Control-Allow-Origin"] == "*"
    walked = scan(response["Location"])
    assert json.loads(walked.content)["linkset"][0]["anchor"] == f"http://testserver/01/{GTIN14}/10/{lot.number}"
    nothing = scan(f"/01/{OTHER_GTIN14}?linkType=all")
    assert nothing.status_code == 404 and nothing.json()["code"] == "not_found"
