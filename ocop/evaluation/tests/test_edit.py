"""Filling in Mẫu 01, Mẫu 02 and the evidence pick on screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.evaluation import actions
from ocop.evaluation.models import DossierStatus
from ocop.evaluation.tests.util import FORM01, FORM02, evidence, open_draft, submitted
from ocop.lib import clock


def _post_data(form01=None, form02=None, evidence_ids=()):
    data = {}
    for prefix, values in (("f01", form01 or {}), ("f02", form02 or {})):
        for key, value in values.items():
            if value is True:
                data[f"{prefix}-{key}"] = "on"
            elif value not in (False, None):
                data[f"{prefix}-{key}"] = value
    data["ev-evidence"] = [str(pk) for pk in evidence_ids]
    return data


def test_edit_page_groups_evidence_by_type_and_flags_expired(world, client_for):
    dossier = open_draft(world)
    evidence(world.producer_a, "business_registration", "Đăng ký HTX")
    evidence(world.producer_a, "food_safety", "ATTP cũ", expires_on=clock.today() - dt.timedelta(days=3))
    evidence(world.producer_b, "food_safety", "Tài liệu của B")
    response = client_for("producer_a").get(reverse("evaluation:dossier_edit", args=[dossier.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký HTX" in text and "ATTP cũ" in text
    assert "Tài liệu của B" not in text  # only the producer's own library
    assert "Đã hết hạn" in text  # the expired document is flagged
    # Under its type heading.
    assert text.index("Giấy chứng nhận đăng ký kinh doanh</legend>") < text.index("Đăng ký HTX")


def test_a_draft_is_saved_half_filled(world, client_for):
    dossier = open_draft(world)
    doc = evidence(world.producer_a, "business_registration")
    data = _post_data({"producer_name": "HTX Persona A", "place": "Lục Ngạn"}, {"history": "Từ 2015"}, [doc.pk])
    response = client_for("producer_a").post(reverse("evaluation:dossier_edit", args=[dossier.pk]), data)
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.form01["place"] == "Lục Ngạn"
    assert dossier.form01["representative"] == ""  # emptied on screen, so emptied here
    assert dossier.form02["history"] == "Từ 2015"
    assert list(dossier.evidence.all()) == [doc]


def test_invalid_input_loses_nothing(world, client_for):
    dossier = open_draft(world)
    before = dict(dossier.form01)
    data = _post_data({**FORM01, "email": "not-an-address", "position": "Chủ nhiệm HTX"}, FORM02)
    response = client_for("producer_a").post(reverse("evaluation:dossier_edit", args=[dossier.pk]), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Nhập một địa chỉ email hợp lệ" in text or "địa chỉ email" in text
    assert "Chủ nhiệm HTX" in text  # what was typed is shown again
    dossier.refresh_from_db()
    assert dossier.form01 == before  # nothing half-written


def test_another_producers_evidence_cannot_be_picked(world, client_for):
    dossier = open_draft(world)
    other = evidence(world.producer_b, "business_registration")
    data = _post_data(FORM01, FORM02, [other.pk])
    response = client_for("producer_a").post(reverse("evaluation:dossier_edit", args=[dossier.pk]), data)
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert dossier.evidence.count() == 0


@pytest.mark.parametrize(("persona", "status"), [("producer_a", 403), ("commune", 403), ("province", 403)])
def test_a_submitted_dossier_is_not_edited(world, client_for, persona, status):
    dossier = submitted(world)
    url = reverse("evaluation:dossier_edit", args=[dossier.pk])
    client = client_for(persona)
    assert client.get(url).status_code == status
    assert client.post(url, _post_data({**FORM01, "place": "Khác"}, FORM02)).status_code == status
    dossier.refresh_from_db()
    assert dossier.form01["place"] == FORM01["place"]
    with pytest.raises(actions.ValidationError):
        actions.save_forms(dossier, form01={}, form02={}, evidence=[], actor=world.user("producer_a"))


@pytest.mark.parametrize("persona", ["producer_b", "producer_pending", "commune", "province", "central", "council"])
def test_a_draft_is_private_to_its_producer(world, client_for, persona):
    dossier = open_draft(world)
    for name in ("dossier_detail", "dossier_edit", "self_assessment", "dossier_pdf"):
        assert client_for(persona).get(reverse(f"evaluation:{name}", args=[dossier.pk])).status_code == 404


def test_returned_dossier_is_edited_again(world, client_for):
    dossier = submitted(world)
    actions.decide(dossier, "return", reasons="Bổ sung phiếu kiểm nghiệm.", actor=world.user("commune"))
    assert dossier.status == DossierStatus.RETURNED
    response = client_for("producer_a").get(reverse("evaluation:dossier_edit", args=[dossier.pk]))
    assert response.status_code == 200
    assert "Bổ sung phiếu kiểm nghiệm." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("producer_a", 200), ("commune", 200), ("province", 200), ("producer_b", 404), ("province_other", 404)],
)
def test_evidence_is_opened_through_the_dossier(world, client_for, persona, status):
    dossier = submitted(world)
    document = dossier.evidence.get(doc_type="food_safety")
    stranger = evidence(world.producer_a, "award", "Không thuộc hồ sơ")
    url = reverse("evaluation:dossier_evidence", args=[dossier.pk, document.pk])
    response = client_for(persona).get(url)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        # A document of the producer that the dossier does not carry is not served through it.
        other = reverse("evaluation:dossier_evidence", args=[dossier.pk, stranger.pk])
        assert client_for(persona).get(other).status_code == 404


def test_council_members_open_evidence_of_assigned_dossiers(world, client_for):
    from ocop.evaluation import querysets
    from ocop.evaluation.models import Dossier

    dossier = submitted(world)
    document = dossier.evidence.first()
    url = reverse("evaluation:dossier_evidence", args=[dossier.pk, document.pk])
    previous = querysets._assignment_hook
    try:
        querysets.set_assignment_hook(lambda user: Dossier.objects.none().values("pk"))
        assert client_for("council").get(url).status_code == 404
        querysets.set_assignment_hook(lambda user: Dossier.objects.filter(pk=dossier.pk).values("pk"))
        assert client_for("council").get(url).status_code == 200
    finally:
        querysets.set_assignment_hook(previous)


def test_a_document_removed_after_submission_stays_readable_through_the_version(world, client_for):
    dossier = submitted(world)
    actions.decide(dossier, "return", reasons="Thay giấy ATTP", actor=world.user("commune"))
    document = dossier.evidence.get(doc_type="food_safety")
    dossier.evidence.remove(document)
    url = reverse("evaluation:dossier_evidence", args=[dossier.pk, document.pk])
    assert client_for("commune").get(url).status_code == 200
