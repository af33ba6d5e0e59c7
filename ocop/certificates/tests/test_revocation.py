"""Revocation (QĐ 26/2026 Điều 8): one of six grounds, evidence, decision, by the certifying authority."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.certificates.models import CertificateStatus, Revocation, RevocationGround
from ocop.lib import clock
from ocop.notifications.models import Notification
from ocop.registry.models import Evidence
from ocop.testing import make_evidence


def _form(evidence=None, **overrides):
    data = {
        "ground": RevocationGround.LAW_VIOLATION,
        "finding_date": (clock.today() - dt.timedelta(days=3)).isoformat(),
        "decision_number": "88/QĐ-UBND",
        "decision_date": clock.today().isoformat(),
        "details": "Kết luận thanh tra an toàn thực phẩm",
    }
    if evidence is not None:
        data["evidence"] = [evidence.pk]
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_six_legal_grounds():
    assert len(RevocationGround.choices) == 6


def test_province_revokes_a_four_star_certificate(cert_a, world, client_for):
    evidence = make_evidence(world.producer_a)
    response = client_for("province").post(reverse("certificates:revoke", args=[cert_a.pk]), _form(evidence))
    assert response.status_code == 302
    cert_a.refresh_from_db()
    assert cert_a.revoked_on == clock.today()
    assert cert_a.status == CertificateStatus.REVOKED
    revocation = Revocation.objects.get(certificate=cert_a)
    assert list(revocation.evidence.all()) == [evidence]
    assert revocation.deadline == clock.today() - dt.timedelta(days=3) + dt.timedelta(days=15)
    assert revocation.on_time
    assert AuditEvent.objects.filter(model="certificates.Revocation", object_id=str(revocation.pk)).exists()
    assert AuditEvent.objects.filter(model="certificates.Certificate", object_id=str(cert_a.pk), action="update")
    assert Notification.objects.filter(kind="certificate.revoked", user=world.user("producer_a")).exists()
    # Revoked everywhere: detail page, product page, public register.
    assert (
        "Đã thu hồi" in client_for("producer_a").get(reverse("certificates:detail", args=[cert_a.pk])).content.decode()
    )
    product_page = client_for("producer_a").get(reverse("registry:product_detail", args=[cert_a.product_id]))
    assert "Đã thu hồi" in product_page.content.decode()
    register = client_for("anonymous").get(reverse("certificates:register"), {"status": "revoked"})
    assert cert_a.number in register.content.decode()


def test_revoking_without_a_ground_is_refused_and_writes_nothing(cert_a, world, client_for):
    evidence = make_evidence(world.producer_a)
    events = AuditEvent.objects.count()
    response = client_for("province").post(
        reverse("certificates:revoke", args=[cert_a.pk]), _form(evidence, ground=None)
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Hãy chọn căn cứ pháp lý của việc thu hồi" in text
    cert_a.refresh_from_db()
    assert cert_a.revoked_on is None and not Revocation.objects.exists()
    assert AuditEvent.objects.count() == events
    # The rest of what was typed is kept.
    assert "88/QĐ-UBND" in text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ground": "bribery"}, "ground"),
        ({"finding_date": (dt.date.today() + dt.timedelta(days=400)).isoformat()}, "finding_date"),
        ({"decision_number": ""}, "decision_number"),
        ({"decision_date": (dt.date.today() - dt.timedelta(days=30)).isoformat()}, "decision_date"),
    ],
)
def test_bad_revocations_are_refused(cert_a, world, client_for, overrides, field):
    evidence = make_evidence(world.producer_a)
    response = client_for("province").post(
        reverse("certificates:revoke", args=[cert_a.pk]), _form(evidence, **overrides)
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Revocation.objects.exists()


def test_evidence_is_required_and_must_be_the_producers(cert_a, world, client_for):
    url = reverse("certificates:revoke", args=[cert_a.pk])
    response = client_for("province").post(url, _form())
    assert response.status_code == 400 and response.context["form"].errors.get("evidence")
    foreign = make_evidence(world.producer_b, "Tài liệu của B")
    response = client_for("province").post(url, _form(foreign))
    assert response.status_code == 400 and response.context["form"].errors.get("evidence")
    assert not Revocation.objects.exists()


def test_uploaded_evidence_goes_to_the_producers_library(cert_a, world, client_for):
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n% bien ban kiem tra\n", content_type="application/pdf")
    data = _form(document=upload, document_title="Biên bản kiểm tra")
    response = client_for("province").post(reverse("certificates:revoke", args=[cert_a.pk]), data)
    assert response.status_code == 302
    revocation = Revocation.objects.get()
    document = revocation.evidence.get()
    assert document.producer == world.producer_a and document.title == "Biên bản kiểm tra"
    assert list(document.products.all()) == [cert_a.product]


def test_an_upload_that_is_not_a_document_is_refused(cert_a, client_for):
    upload = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for("province").post(reverse("certificates:revoke", args=[cert_a.pk]), _form(document=upload))
    assert response.status_code == 400 and response.context["form"].errors.get("document")
    assert not Revocation.objects.exists() and not Evidence.objects.exists()


def test_revoked_twice_is_refused(cert_a, world, client_for):
    evidence = make_evidence(world.producer_a)
    client = client_for("province")
    url = reverse("certificates:revoke", args=[cert_a.pk])
    assert client.post(url, _form(evidence)).status_code == 302
    again = client.post(url, _form(evidence, decision_number="99/QĐ-UBND"))
    assert again.status_code == 302
    assert Revocation.objects.get().decision_number == "88/QĐ-UBND"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", 200),
        ("province", 200),
        ("central", 403),
        ("commune", 403),
        ("producer_a", 403),
        ("province_other", 404),
        ("producer_b", 404),
        ("council", 404),
    ],
)
def test_who_may_revoke_three_and_four_stars(cert_a, client_for, persona, expected):
    assert client_for(persona).get(reverse("certificates:revoke", args=[cert_a.pk])).status_code == expected


@pytest.mark.parametrize(("persona", "expected"), [("central", 200), ("admin", 200), ("province", 403)])
def test_five_stars_are_revoked_by_the_central_office(cert_five, client_for, persona, expected):
    assert client_for(persona).get(reverse("certificates:revoke", args=[cert_five.pk])).status_code == expected


def test_a_refused_post_changes_nothing(cert_a, world, client_for):
    evidence = make_evidence(world.producer_a)
    response = client_for("central").post(reverse("certificates:revoke", args=[cert_a.pk]), _form(evidence))
    assert response.status_code == 403
    assert not Revocation.objects.exists()


def test_form_shows_the_fifteen_day_deadline(cert_a, world, client_for):
    finding = clock.today() - dt.timedelta(days=20)
    response = client_for("province").post(
        reverse("certificates:revoke", args=[cert_a.pk]), _form(finding_date=finding.isoformat())
    )
    deadline = finding + dt.timedelta(days=15)
    assert response.context["deadline"] == deadline
    assert deadline.strftime("%d-%m-%Y") in response.content.decode()  # Vietnamese short date format
