"""Open data: CSV and JSON downloads of the public registry, modified_since, the DCAT-AP catalogue, the licence."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from ocop.api.tests.util import revoke
from ocop.certificates.tests.util import make_certificate
from ocop.lib import clock
from ocop.registry.models import Product, ProductStatus
from ocop.testing import make_evidence

PRIVATE = ("0912345678", "@example.vn", "024090001234", "Nguyễn Văn Đại Diện", "Thôn 1", "persona_")


@pytest.fixture
def registry(world):
    """A certified product in each province, a draft never certified, and a revoked certificate of product C."""
    make_certificate(world.product_a, star=4)
    make_certificate(world.product_b, star=5)
    revoked = make_certificate(world.product_c, star=3)
    revoke(revoked, world)
    Product.objects.create(producer=world.producer_a, name="Bản nháp", product_set=world.product_a.product_set)
    make_evidence(world.producer_a)
    return world


def _get(url: str, **params: str):
    response = Client().get(url, params)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content.decode("utf-8")


def _csv(dataset: str, **params: str) -> list[dict[str, str]]:
    response, text = _get(reverse("opendata:download", args=[dataset, "csv"]), **params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _json(dataset: str, **params: str) -> dict:
    response, text = _get(reverse("opendata:download", args=[dataset, "json"]), **params)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    return json.loads(text)


def test_products_are_the_public_catalogue(registry):
    rows = _csv("products")
    # Product C's only certificate was revoked and the draft was never certified: neither is public.
    assert [r["name"] for r in rows] == ["Vải thiều A", "Na dai B"]
    a = rows[0]
    assert a["star"] == "4" and a["certificate_status"] == "valid" and a["province"] == "Bắc Ninh"
    assert (
        a["producer"] == "HTX Persona A"
        and a["certificate_issued_on"] == (clock.today() - dt.timedelta(100)).isoformat()
    )
    data = _json("products")
    assert data["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert [i["name"] for i in data["items"]] == ["Vải thiều A", "Na dai B"]
    assert data["items"][1]["star"] == 5
    assert data["items"][0]["page"].endswith(reverse("catalogue:product", args=[data["items"][0]["id"]]))


def test_producers_have_public_fields_only(registry):
    rows = _csv("producers")
    assert [r["name"] for r in rows] == ["HTX Persona A", "HTX Persona B"]
    assert set(rows[0]) == {
        "id", "name", "kind", "kind_label", "province", "commune", "website", "founded_on", "members_count",
        "workers_count", "page", "modified",
    }  # fmt: skip
    assert rows[0]["page"].endswith(reverse("catalogue:producer", args=[rows[0]["id"]]))


def test_no_personal_data_in_any_file(registry):
    for dataset in ("products", "producers", "certificates", "revocations"):
        for fmt in ("csv", "json"):
            _response, text = _get(reverse("opendata:download", args=[dataset, fmt]))
            for value in PRIVATE:
                assert value not in text, (dataset, fmt, value)


def test_certificates_and_revocations_are_the_public_register(registry):
    certificates = _csv("certificates")
    assert sorted(r["status"] for r in certificates) == ["revoked", "valid", "valid"]
    revocations = _json("revocations")["items"]
    assert len(revocations) == 1
    assert revocations[0]["product"] == "Cam C" and revocations[0]["ground"] == "mark_misuse"
    assert revocations[0]["decision_number"] == "9/QĐ-UBND"


def test_csv_cells_never_run_as_formulas(registry):
    product = registry.product_a
    product.description = '=HYPERLINK("http://evil")'
    product.save()
    row = _csv("products")[0]
    assert row["description"] == '\'=HYPERLINK("http://evil")'
    # JSON keeps the text as it is.
    assert _json("products")["items"][0]["description"] == '=HYPERLINK("http://evil")'


def test_modified_since(registry):
    assert len(_csv("products", modified_since="2000-01-01")) == 2
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    assert _csv("products", modified_since=tomorrow) == []
    assert _json("certificates", modified_since=tomorrow)["items"] == []
    assert _json("certificates", modified_since=tomorrow)["modified_since"].startswith(tomorrow)
    # A change after the moment brings the row back, and only it.
    moment = clock.now()
    product = registry.product_b
    product.description = "Mới"
    product.save()
    since = moment.isoformat()
    assert [r["name"] for r in _csv("products", modified_since=since)] == ["Na dai B"]
    assert [r["name"] for r in _csv("producers", modified_since=since)] == []
    # A certificate revoked after the moment is a changed certificate.
    revoke(registry.product_a.certificates.get(), registry)
    assert [r["product"] for r in _csv("certificates", modified_since=since)] == ["Vải thiều A"]
    assert [r["product"] for r in _csv("revocations", modified_since=since)] == ["Vải thiều A"]
    # A date and time without a zone is read in the platform's zone; "Z" is accepted.
    assert len(_csv("products", modified_since="2000-01-01T00:00:00")) == 1
    assert len(_csv("products", modified_since="2000-01-01T00:00:00Z")) == 1


@pytest.mark.parametrize("value", ["", "yesterday", "2026-13-01", "2026-02-30", "1" * 50, "2026-01-01T25:00"])
def test_bad_modified_since_is_refused_clearly(registry, value):
    response, text = _get(reverse("opendata:download", args=["products", "json"]), modified_since=value)
    assert response.status_code == 400
    data = json.loads(text)
    assert data["code"] == "invalid" and "modified_since" in data["detail"] and "2026-03-31" in data["detail"]
    response, text = _get(reverse("opendata:download", args=["products", "csv"]), modified_since=value)
    assert response.status_code == 400 and "modified_since" in text


def test_unknown_tables_and_formats_are_not_found(db):
    assert Client().get("/open-data/users.csv").status_code == 404
    assert Client().get("/open-data/products.xml").status_code == 404


def test_dcat_catalogue(registry):
    response = Client().get(reverse("opendata:catalog"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    doc = json.loads(response.content)
    assert doc["@type"] == "dcat:Catalog"
    assert doc["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert doc["@context"]["dct"] == "http://purl.org/dc/terms/"
    assert doc["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {t["@language"] for t in doc["dct:title"]} == {"vi", "en"}
    datasets = doc["dcat:dataset"]
    assert [d["dct:identifier"] for d in datasets] == [
        "ocop-products", "ocop-producers", "ocop-certificates", "ocop-revocations",
    ]  # fmt: skip
    for dataset in datasets:
        assert dataset["@type"] == "dcat:Dataset"
        assert dataset["dct:license"]["@id"].startswith("https://creativecommons.org/")
        dt.datetime.fromisoformat(dataset["dct:modified"])
        media = {d["dcat:mediaType"]["@id"].rsplit("/", 2)[-2] + "/" + d["dcat:mediaType"]["@id"].rsplit("/", 1)[-1]
                 for d in dataset["dcat:distribution"]}  # fmt: skip
        assert media == {"text/csv", "application/json"}
        for distribution in dataset["dcat:distribution"]:
            assert distribution["@type"] == "dcat:Distribution"
            assert distribution["dct:license"]["@id"].startswith("https://creativecommons.org/")
            download = distribution["dcat:downloadURL"]["@id"]
            assert Client().get(download.replace("http://testserver", "")).status_code == 200


def test_pages(db):
    index = Client().get(reverse("opendata:index"))
    assert index.status_code == 200
    text = index.content.decode()
    assert reverse("opendata:download", args=["products", "csv"]) in text
    assert reverse("opendata:catalog") in text and reverse("opendata:licence") in text
    licence = Client().get(reverse("opendata:licence"))
    assert licence.status_code == 200 and "CC BY 4.0" in licence.content.decode()
    english = Client()
    english.cookies["django_language"] = "en"
    assert "Creative Commons Attribution 4.0" in english.get(reverse("opendata:licence")).content.decode()


def test_draft_product_of_a_certified_producer_stays_out(registry):
    draft = Product.objects.get(name="Bản nháp")
    make_certificate(draft, star=3)
    assert "Bản nháp" not in [r["name"] for r in _csv("products")]
    draft.status = ProductStatus.ACTIVE
    draft.save()
    assert "Bản nháp" in [r["name"] for r in _csv("products")]


def test_downloads_read_a_fixed_number_of_queries(registry, django_assert_max_num_queries):
    for n in range(5):
        make_certificate(
            Product.objects.create(
                producer=registry.producer_b, name=f"Sản phẩm {n}", product_set=registry.product_a.product_set,
                status=ProductStatus.ACTIVE,
            )
        )  # fmt: skip
    with django_assert_max_num_queries(3):
        rows = _csv("products")
    assert len(rows) == 7
    with django_assert_max_num_queries(3):
        assert len(_json("certificates")["items"]) == 8
