"""Submitting a dossier: completeness, the frozen version, the deadline, the notification, twice."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from ocop.audit.models import AuditEvent
from ocop.evaluation import actions
from ocop.evaluation.models import Dossier, DossierStatus, DossierVersion, StatusChange
from ocop.evaluation.tests.util import complete, evidence, open_draft, submitted
from ocop.lib import clock as platform_clock


def test_incomplete_dossier_is_refused_with_every_missing_item(world, client_for):
    dossier = open_draft(world)
    response = client_for("producer_a").post(reverse("evaluation:dossier_submit", args=[dossier.pk]), follow=True)
    text = response.content.decode()
    assert "Hồ sơ chưa được nộp" in text
    assert "Phiếu đăng ký (Mẫu 01)" in text  # a form field is missing
    assert "tiêu chí chưa được chấm" in text  # self-scoring
    assert "Giấy chứng nhận đăng ký kinh doanh" in text  # the evidence type required
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT
    assert dossier.registration_number == ""
    assert not DossierVersion.objects.filter(dossier=dossier).exists()


@override("en")
def test_missing_items_name_food_safety_and_expired_documents(world):
    dossier = complete(open_draft(world), world)
    assert actions.missing_items(dossier) == []
    food = dossier.evidence.get(doc_type="food_safety")
    food.expires_on = platform_clock.today() - dt.timedelta(days=1)
    food.save()
    missing = actions.missing_items(dossier)
    assert len(missing) == 1 and "expired" in missing[0]
    dossier.evidence.remove(food)
    assert any("Food-safety" in item for item in actions.missing_items(dossier))


@override("en")
def test_upgrade_needs_the_changes_since_recognition(world):
    from ocop.evaluation.tests.util import certificate

    certificate(world.product_a, star=3)
    dossier = complete(open_draft(world, "upgrade"), world)
    assert any("Changes since the product was recognised" in item for item in actions.missing_items(dossier))
    dossier = complete(dossier, world, changes_since_recognition="Bao bì mới, đạt VietGAP.")
    assert actions.missing_items(dossier) == []


def test_submission_freezes_a_version_and_files_it_with_the_commune(world, client_for, clock):
    clock.to(dt.date(2027, 2, 4))  # Thursday before Tết Đinh Mùi
    dossier = complete(open_draft(world), world)
    response = client_for("producer_a").post(reverse("evaluation:dossier_submit", args=[dossier.pk]))
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    # 15 working days from Thu 4/2/2027: Tết (5/2, 8–11/2) and the weekends are skipped → Thu 4/3/2027.
    assert dossier.commune_deadline == dt.date(2027, 3, 4)
    assert dossier.registration_number == f"001/PĐK-{world.bac_ninh.code}-{world.luc_ngan.code}-2027"
    version = dossier.versions.get()
    assert version.number == 1
    assert version.sha256 == hashlib.sha256(actions.canonical_json(version.content).encode()).hexdigest()
    assert version.content["form01"]["product_name"] == "Vải thiều A"
    assert version.content["self_star"] == 5
    hashes = {entry["doc_type"]: entry["sha256"] for entry in version.evidence_hashes}
    assert hashes == {doc.doc_type: doc.sha256 for doc in dossier.evidence.all()}
    steps = list(StatusChange.objects.filter(dossier=dossier).values_list("from_status", "to_status"))
    assert steps == [("", "draft"), ("draft", "submitted")]
    # Audited: the dossier's update and the version's creation are in the chain.
    assert AuditEvent.objects.filter(model="evaluation.DossierVersion", object_id=str(version.pk)).exists()
    assert AuditEvent.objects.filter(model="evaluation.Dossier", object_id=str(dossier.pk)).count() >= 2


def test_commune_officers_are_notified(world):
    from ocop.notifications.models import Notification

    dossier = submitted(world)
    notes = Notification.objects.filter(kind="dossier.submitted")
    assert [n.user for n in notes] == [world.user("commune")]
    assert dossier.registration_number in notes[0].title
    assert notes[0].link == dossier.get_absolute_url()


def test_submitting_twice_is_refused_and_writes_nothing(world, client_for):
    dossier = submitted(world)
    before = AuditEvent.objects.count()
    response = client_for("producer_a").post(reverse("evaluation:dossier_submit", args=[dossier.pk]), follow=True)
    assert "không còn sửa được" in response.content.decode()
    assert dossier.versions.count() == 1
    assert AuditEvent.objects.count() == before
    with pytest.raises(ValidationError):
        actions.submit(dossier, actor=world.user("producer_a"))


@pytest.mark.parametrize(("persona", "status"), [("producer_b", 404), ("commune", 403), ("province", 403)])
def test_only_the_producer_submits(world, client_for, persona, status):
    dossier = complete(open_draft(world), world)
    if persona != "producer_b":
        # Offices see a dossier once filed; give them one to see (returned after a first filing).
        actions.submit(dossier, actor=world.user("producer_a"))
        actions.decide(dossier, "return", reasons="Thiếu ảnh", actor=world.user("commune"))
    response = client_for(persona).post(reverse("evaluation:dossier_submit", args=[dossier.pk]))
    assert response.status_code == status
    assert Dossier.objects.get(pk=dossier.pk).status in (DossierStatus.DRAFT, DossierStatus.RETURNED)


def test_submit_needs_post(world, client_for):
    dossier = open_draft(world)
    assert client_for("producer_a").get(reverse("evaluation:dossier_submit", args=[dossier.pk])).status_code == 405


@override("en")
def test_a_producer_without_present_day_commune_cannot_submit(world):
    dossier = complete(open_draft(world), world)
    Dossier.objects.filter(pk=dossier.pk).update(commune=None)
    dossier.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        actions.submit(dossier, actor=world.user("producer_a"))
    assert any("present-day commune" in m for m in error.value.messages)


def test_evidence_of_another_producer_cannot_be_attached(world):
    dossier = open_draft(world)
    other = evidence(world.producer_b, "business_registration")
    with pytest.raises(ValidationError):
        actions.save_forms(dossier, form01={}, form02={}, evidence=[other], actor=world.user("producer_a"))
    assert dossier.evidence.count() == 0
