"""The evidence library: accepted and refused files, duplicates, links to products, expiry flags."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone

from ocop.registry import actions
from ocop.registry.models import Evidence, Product
from ocop.registry.tests.util import (
    EXECUTABLE,
    docm_bytes,
    docx_bytes,
    image_bytes,
    jpeg_bytes,
    pdf_bytes,
    plain_zip_bytes,
    upload,
    xlsm_bytes,
    xlsx_bytes,
)

CREATE = reverse("registry:evidence_create")


def post_evidence(client, name, content, *, producer=None, products=(), **extra):
    data = {
        "doc_type": "food_safety",
        "title": "Giấy chứng nhận ATTP",
        "issuer": "Sở Y tế Bắc Ninh",
        "number": "123/GCN",
        "file": upload(name, content),
        "products": [p.pk for p in products],
        **extra,
    }
    if producer is not None:
        data["producer"] = producer.pk
    return client.post(CREATE, data)


def file_errors(response):
    return [e.code for e in response.context["form"].errors.as_data().get("file", [])]


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("attp.pdf", pdf_bytes(), "application/pdf", "pdf"),
        ("scan.jpg", jpeg_bytes(), "image/jpeg", "jpg"),
        ("scan.png", image_bytes("PNG"), "image/png", "png"),
        (
            "hop-dong.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        ("lao-dong.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ],
)
def test_accepted_files(world, client_for, name, content, content_type, extension):
    response = post_evidence(client_for("producer_a"), name, content, products=[world.product_a])
    assert response.status_code == 302, response.context and response.context["form"].errors
    evidence = Evidence.objects.get()
    assert evidence.producer == world.producer_a
    assert evidence.content_type == content_type
    assert evidence.file.name.endswith(f".{extension}")
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.original_name == name
    assert evidence.uploaded_by == world.user("producer_a")
    assert list(evidence.products.all()) == [world.product_a]
    with evidence.file.open("rb") as handle:
        assert handle.read() == content


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("macro.xlsm", xlsm_bytes(), "evidence_macro"),
        ("macro.docm", docm_bytes(), "evidence_macro"),
        ("renamed.docx", docm_bytes(), "evidence_macro"),
        ("renamed.xlsx", xlsm_bytes(), "evidence_macro"),
        ("setup.pdf", EXECUTABLE, "evidence_type"),
        ("archive.docx", plain_zip_bytes(), "evidence_type"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "evidence_legacy_office"),
        ("page.pdf", b"<html>not a pdf</html>", "evidence_type"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_refused_files(world, client_for, name, content, code):
    response = post_evidence(client_for("producer_a"), name, content)
    assert response.status_code == 200
    assert code in file_errors(response) or (code == "empty" and file_errors(response))
    assert not Evidence.objects.exists()
    # Nothing typed is lost.
    assert 'value="Giấy chứng nhận ATTP"' in response.content.decode()


def test_too_large_is_refused(world, client_for, settings):
    settings.MAX_EVIDENCE_BYTES = 50
    response = post_evidence(client_for("producer_a"), "big.pdf", pdf_bytes("x" * 100))
    assert "too_large" in file_errors(response)
    assert not Evidence.objects.exists()


def test_same_file_twice_offers_the_existing_document(world, client_for):
    client = client_for("producer_a")
    content = pdf_bytes("vietgap")
    assert post_evidence(client, "vietgap.pdf", content).status_code == 302
    first = Evidence.objects.get()
    response = post_evidence(client, "copy-of-vietgap.pdf", content)
    assert response.status_code == 200
    assert "evidence_duplicate" in file_errors(response)
    assert response.context["duplicate"] == first
    assert reverse("registry:evidence_detail", args=[first.pk]) in response.content.decode()
    assert Evidence.objects.count() == 1


def test_same_file_for_two_producers_is_not_a_duplicate(world):
    content = pdf_bytes("shared")
    actions.add_evidence(world.producer_a, upload("a.pdf", content), {"doc_type": "other", "title": "A"})
    actions.add_evidence(world.producer_b, upload("b.pdf", content), {"doc_type": "other", "title": "B"})
    assert Evidence.objects.count() == 2


def test_expiry_must_follow_issue(world, client_for):
    response = post_evidence(
        client_for("producer_a"), "a.pdf", pdf_bytes(), issued_on="2026-05-01", expires_on="2026-04-30"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["expires_on"]
    assert not Evidence.objects.exists()


def test_products_of_another_producer_cannot_be_linked(world, client_for):
    response = post_evidence(client_for("producer_a"), "a.pdf", pdf_bytes(), products=[world.product_b])
    assert response.status_code == 200
    assert response.context["form"].errors["products"]
    assert not Evidence.objects.exists()
    with pytest.raises(Exception) as caught:
        actions.add_evidence(
            world.producer_a,
            upload("a.pdf", pdf_bytes()),
            {"doc_type": "other", "title": "x"},
            products=[world.product_b],
        )
    assert caught.value.code == "products"


def test_one_document_supports_several_products(world, client_for):
    second = Product.objects.create(
        producer=world.producer_a, name="Vải sấy A", product_set=world.product_a.product_set
    )
    response = post_evidence(client_for("producer_a"), "a.pdf", pdf_bytes(), products=[world.product_a, second])
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    for product in (world.product_a, second):
        page = client_for("producer_a").get(reverse("registry:product_detail", args=[product.pk]))
        assert list(page.context["evidence"]) == [evidence]


def test_office_uploads_for_a_producer_in_scope(world, client_for):
    client = client_for("province")
    chooser = client.get(CREATE)
    assert chooser.status_code == 200
    assert world.producer_a.name in chooser.content.decode()
    assert world.producer_c.name not in chooser.content.decode()  # Hà Nội
    assert post_evidence(client, "a.pdf", pdf_bytes(), producer=world.producer_a).status_code == 302
    assert Evidence.objects.get().producer == world.producer_a
    # A producer of another province does not exist for this office.
    assert post_evidence(client, "c.pdf", pdf_bytes("c"), producer=world.producer_c).status_code == 404
    # A producer the commune officer can read but not keep: refused.
    commune = client_for("commune")
    assert commune.get(CREATE + f"?producer={world.producer_a.pk}").status_code == 403


def test_pending_producer_cannot_add_evidence(world, client_for):
    response = post_evidence(client_for("producer_pending"), "a.pdf", pdf_bytes())
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_edit_changes_description_and_links_but_not_the_file(world, client_for):
    evidence = actions.add_evidence(
        world.producer_a, upload("a.pdf", pdf_bytes()), {"doc_type": "other", "title": "Cũ"}
    )
    sha = evidence.sha256
    url = reverse("registry:evidence_edit", args=[evidence.pk])
    response = client_for("producer_a").post(
        url,
        {"doc_type": "award", "title": "Mới", "products": [world.product_a.pk], "file": upload("x.pdf", b"%PDF-other")},
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert (evidence.title, evidence.doc_type, evidence.sha256) == ("Mới", "award", sha)
    assert list(evidence.products.all()) == [world.product_a]


def test_download_is_an_attachment_named_after_the_real_type(world, client_for):
    evidence = actions.add_evidence(
        world.producer_a, upload("Giấy phép.PDF", pdf_bytes()), {"doc_type": "other", "title": "GP"}
    )
    response = client_for("commune").get(reverse("registry:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert ".pdf" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_expiring_and_expired_documents_are_flagged(world, client_for, settings):
    settings.EVIDENCE_EXPIRY_WARNING_DAYS = 60
    today = timezone.localdate()
    rows = {
        "Hết hạn": today - dt.timedelta(days=1),
        "Sắp hết hạn": today + dt.timedelta(days=30),
        "Còn hạn": today + dt.timedelta(days=365),
        "Không thời hạn": None,
    }
    for n, (title, expires) in enumerate(rows.items()):
        evidence = actions.add_evidence(
            world.producer_a,
            upload(f"{n}.pdf", pdf_bytes(title)),
            {"doc_type": "other", "title": title, "issued_on": today - dt.timedelta(days=400), "expires_on": expires},
            products=[world.product_a],
        )
        assert evidence.is_expired == (title == "Hết hạn")
        assert evidence.is_expiring == (title in ("Hết hạn", "Sắp hết hạn"))
    client = client_for("producer_a")
    page = client.get(reverse("registry:evidence_list")).content.decode()
    assert page.count("badge-bad") == 1 and page.count("badge-warn") == 1 and page.count("badge-ok") == 1
    product_page = client.get(reverse("registry:product_detail", args=[world.product_a.pk])).content.decode()
    assert product_page.count("badge-bad") == 1 and product_page.count("badge-warn") == 1

    def titles(state):
        response = client.get(reverse("registry:evidence_list"), {"state": state})
        return {e.title for e in response.context["page"].object_list}

    assert titles("expired") == {"Hết hạn"}
    assert titles("expiring") == {"Sắp hết hạn"}
    assert titles("valid") == {"Còn hạn", "Không thời hạn"}


def test_evidence_list_shows_only_scope(world, client_for):
    mine = actions.add_evidence(
        world.producer_a, upload("a.pdf", pdf_bytes("a")), {"doc_type": "other", "title": "A doc"}
    )
    actions.add_evidence(world.producer_b, upload("b.pdf", pdf_bytes("b")), {"doc_type": "other", "title": "B doc"})
    actions.add_evidence(world.producer_c, upload("c.pdf", pdf_bytes("c")), {"doc_type": "other", "title": "C doc"})

    def listed(persona):
        response = client_for(persona).get(reverse("registry:evidence_list"))
        return {e.title for e in response.context["page"].object_list}

    assert listed("producer_a") == {"A doc"}
    assert listed("commune") == {"A doc"}
    assert listed("province") == {"A doc", "B doc"}
    assert listed("province_other") == {"C doc"}
    assert listed("central") == {"A doc", "B doc", "C doc"}
    assert listed("producer_pending") == set()
    assert mine.get_absolute_url() == reverse("registry:evidence_detail", args=[mine.pk])
