"""The commune's check: the queue with deadlines, Mẫu 03, return with reasons or forward to the province."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from ocop.evaluation import actions
from ocop.evaluation.models import CommuneReport, DossierStatus, StatusChange
from ocop.evaluation.tests.util import REPORT, submitted
from ocop.lib import clock as platform_clock

QUEUE = reverse("evaluation:commune_queue")


def _report(dossier, world, **changes):
    data = {**REPORT, "report_date": platform_clock.today(), **changes}
    return actions.save_commune_report(dossier, data, actor=world.user("commune"))


@pytest.mark.parametrize(
    ("persona", "status", "sees"),
    [
        ("commune", 200, True),
        ("province", 200, True),
        ("province_other", 200, False),
        ("central", 200, True),
        ("admin", 200, True),
        ("council", 403, False),
        ("producer_a", 403, False),
    ],
)
def test_queue_access(world, client_for, persona, status, sees):
    dossier = submitted(world)
    response = client_for(persona).get(QUEUE)
    assert response.status_code == status
    assert (dossier.registration_number in response.content.decode()) is sees


def test_queue_flags_overdue_dossiers(world, client_for, clock):
    dossier = submitted(world)
    page = client_for("commune").get(QUEUE).content.decode()
    assert "Quá hạn" not in page
    clock.to(dossier.commune_deadline)
    assert "Quá hạn" not in client_for("commune").get(QUEUE).content.decode()  # the last day is still in time
    clock.to(dossier.commune_deadline + dt.timedelta(days=1))
    page = client_for("commune").get(QUEUE).content.decode()
    assert "Quá hạn" in page
    assert actions.is_overdue(dossier)


def test_commune_writes_the_report(world, client_for):
    dossier = submitted(world)
    url = reverse("evaluation:commune_report", args=[dossier.pk])
    assert client_for("commune").get(url).status_code == 200
    response = client_for("commune").post(url, {**REPORT, "report_date": "2026-12-01"})
    assert response.status_code == 302
    report = CommuneReport.objects.get(dossier=dossier)
    assert report.version == dossier.versions.get()
    assert report.officer == world.user("commune")
    assert report.raw_materials == REPORT["raw_materials"]
    # Saving again updates the same report.
    client_for("commune").post(url, {**REPORT, "local_labour": "30 lao động", "report_date": "2026-12-02"})
    assert CommuneReport.objects.get(dossier=dossier).local_labour == "30 lao động"


def test_report_date_is_required(world, client_for):
    dossier = submitted(world)
    url = reverse("evaluation:commune_report", args=[dossier.pk])
    response = client_for("commune").post(url, {**REPORT, "report_date": "hôm qua"})
    assert response.status_code == 400
    assert "hôm qua" not in CommuneReport.objects.values_list("raw_materials", flat=True)
    assert REPORT["raw_materials"] in response.content.decode()  # typed text shown again
    assert not CommuneReport.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("province", 403), ("admin", 403), ("producer_a", 403)])
def test_only_the_communes_officer_checks(world, client_for, persona, status):
    dossier = submitted(world)
    assert client_for(persona).get(reverse("evaluation:commune_report", args=[dossier.pk])).status_code == status
    response = client_for(persona).post(
        reverse("evaluation:commune_decide", args=[dossier.pk]), {"decision": "return", "reasons": "x"}
    )
    assert response.status_code == status
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED


def test_an_officer_of_another_commune_does_not_see_the_dossier(world, client_for):
    from ocop.accounts.models import Role, User
    from ocop.testing import login

    dossier = submitted(world)
    other = User.objects.create_user(username="xa_khac", role=Role.COMMUNE, commune=world.other_commune)
    client = login(client_for("anonymous"), other)
    assert client.get(reverse("evaluation:commune_report", args=[dossier.pk])).status_code == 404
    decide_url = reverse("evaluation:commune_decide", args=[dossier.pk])
    assert client.post(decide_url, {"decision": "forward"}).status_code == 404
    with pytest.raises(ValidationError):
        actions.decide(dossier, "forward", actor=other)


def test_returning_needs_a_reason(world, client_for):
    dossier = submitted(world)
    response = client_for("commune").post(
        reverse("evaluation:commune_decide", args=[dossier.pk]), {"decision": "return", "reasons": "  "}
    )
    assert response.status_code == 400
    assert "Hãy nêu lý do trả hồ sơ" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    with pytest.raises(ValidationError):
        actions.decide(dossier, "return", reasons="", actor=world.user("commune"))


def test_forwarding_needs_a_complete_report(world, client_for):
    dossier = submitted(world)
    url = reverse("evaluation:commune_decide", args=[dossier.pk])
    response = client_for("commune").post(url, {"decision": "forward"})
    assert response.status_code == 400
    assert "Báo cáo (Mẫu 03)" in response.content.decode() or "Mẫu 03" in response.content.decode()
    _report(dossier, world, idea_origin="")
    response = client_for("commune").post(url, {"decision": "forward"})
    assert response.status_code == 400
    assert "Nguồn gốc ý tưởng sản phẩm" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert CommuneReport.objects.get().conclusion == ""


@override("en")
def test_forwarding_an_incomplete_dossier_is_refused(world, clock):
    dossier = submitted(world)
    _report(dossier, world)
    # The food-safety certificate expires while the dossier waits at the commune.
    food = dossier.evidence.get(doc_type="food_safety")
    clock.to(food.expires_on + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        actions.decide(dossier, "forward", actor=world.user("commune"))
    assert error.value.messages[0] == "The dossier cannot be forwarded while it is incomplete."
    assert any("expired" in m for m in error.value.messages)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.forwarded_at is None


def test_forward_to_the_province(world, client_for):
    from ocop.notifications.models import Notification

    dossier = submitted(world)
    _report(dossier, world)
    decide_url = reverse("evaluation:commune_decide", args=[dossier.pk])
    response = client_for("commune").post(decide_url, {"decision": "forward"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FORWARDED and dossier.forwarded_at is not None
    report = CommuneReport.objects.get()
    assert report.conclusion == "forward" and report.decided_at is not None
    assert Notification.objects.filter(kind="dossier.forward", user=world.user("producer_a")).exists()
    assert Notification.objects.filter(kind="dossier.forward", user=world.user("province")).exists()
    # After forwarding, the commune's check is over: no second decision, no change to the report.
    response = client_for("commune").post(
        reverse("evaluation:commune_decide", args=[dossier.pk]), {"decision": "return", "reasons": "Quên"}, follow=True
    )
    assert "đã kết thúc" in response.content.decode()
    with pytest.raises(ValidationError):
        _report(dossier, world, raw_materials="Sửa sau khi chuyển")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FORWARDED
    assert CommuneReport.objects.get().raw_materials == REPORT["raw_materials"]
    # The province now sees it; the commune still reads it.
    assert client_for("province").get(dossier.get_absolute_url()).status_code == 200
    assert client_for("commune").get(dossier.get_absolute_url()).status_code == 200


def test_return_edit_and_resubmit_makes_a_new_version(world, client_for):
    dossier = submitted(world)
    first = dossier.versions.get()
    response = client_for("commune").post(
        reverse("evaluation:commune_decide", args=[dossier.pk]),
        {"decision": "return", "reasons": "Bổ sung hợp đồng liên kết vùng nguyên liệu."},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    page = client_for("producer_a").get(dossier.get_absolute_url()).content.decode()
    assert "Bổ sung hợp đồng liên kết vùng nguyên liệu." in page
    # The producer adds a document and resubmits.
    from ocop.evaluation.tests.util import evidence

    contract = evidence(world.producer_a, "raw_material", "Hợp đồng liên kết")
    dossier.evidence.add(contract)
    response = client_for("producer_a").post(reverse("evaluation:dossier_submit", args=[dossier.pk]))
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED and dossier.return_reasons == ""
    second = dossier.versions.get(number=2)
    assert second.sha256 != first.sha256
    assert contract.sha256 in [e["sha256"] for e in second.evidence_hashes]
    assert contract.sha256 not in [e["sha256"] for e in dossier.versions.get(number=1).evidence_hashes]
    assert second.content["registration_number"] == first.content["registration_number"]
    steps = list(StatusChange.objects.filter(dossier=dossier).values_list("to_status", flat=True))
    assert steps == ["draft", "submitted", "returned", "submitted"]
    # The version history and the timeline are on the dossier page.
    page = client_for("commune").get(dossier.get_absolute_url()).content.decode()
    assert "Bổ sung hợp đồng" in page and second.sha256[:17] in page


def test_decision_must_be_one_of_the_two(world, client_for):
    dossier = submitted(world)
    decide_url = reverse("evaluation:commune_decide", args=[dossier.pk])
    response = client_for("commune").post(decide_url, {"decision": "approve"})
    assert response.status_code == 400
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    with pytest.raises(ValidationError):
        actions.decide(dossier, "approve", actor=world.user("commune"))
