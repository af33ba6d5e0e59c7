"""Inspections after recognition (QĐ 26/2026 Điều 9) and the way they lead to revocation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.certificates.models import Inspection, InspectionOutcome, RevocationGround
from ocop.lib import clock


def _form(**overrides):
    data = {
        "kind": "periodic",
        "inspected_on": clock.today().isoformat(),
        "inspector": "Đoàn kiểm tra Sở NN&MT",
        "criteria_maintained": "yes",
        "mark_used_correctly": "yes",
        "product_info_correct": "yes",
        "findings": "",
        "outcome": InspectionOutcome.OK,
        "corrective_due_on": "",
    }
    data.update(overrides)
    return data


def test_record_an_inspection_with_no_issue(cert_a, client_for):
    response = client_for("province").post(reverse("certificates:inspection_create", args=[cert_a.pk]), _form())
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == inspection.get_absolute_url()
    assert inspection.all_checks_passed and inspection.outcome == "ok"
    assert AuditEvent.objects.filter(model="certificates.Inspection", object_id=str(inspection.pk)).exists()
    page = client_for("producer_a").get(inspection.get_absolute_url())
    assert page.status_code == 200 and "Đoàn kiểm tra Sở NN&amp;MT" in page.content.decode()


def test_corrective_action_needs_findings_and_a_later_due_date(cert_a, client_for):
    url = reverse("certificates:inspection_create", args=[cert_a.pk])
    client = client_for("province")
    bad = client.post(url, _form(mark_used_correctly="no", outcome="corrective"))
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert "findings" in errors and "corrective_due_on" in errors
    bad = client.post(
        url, _form(mark_used_correctly="no", outcome="corrective", findings="Nhãn sai", corrective_due_on=clock.today())
    )
    assert "corrective_due_on" in bad.context["form"].errors
    assert not Inspection.objects.exists()
    due = clock.today() + dt.timedelta(days=30)
    good = client.post(
        url, _form(mark_used_correctly="no", outcome="corrective", findings="Nhãn sai", corrective_due_on=due)
    )
    assert good.status_code == 302
    assert Inspection.objects.get().corrective_due_on == due


def test_a_failed_check_cannot_conclude_no_issue(cert_a, client_for):
    response = client_for("province").post(
        reverse("certificates:inspection_create", args=[cert_a.pk]),
        _form(criteria_maintained="no", findings="Không còn vùng nguyên liệu"),
    )
    assert response.status_code == 400 and "outcome" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_missing_answers_and_future_dates_are_refused(cert_a, client_for):
    url = reverse("certificates:inspection_create", args=[cert_a.pk])
    response = client_for("province").post(url, _form(criteria_maintained=""))
    assert response.status_code == 400 and "criteria_maintained" in response.context["form"].errors
    future = (clock.today() + dt.timedelta(days=2)).isoformat()
    response = client_for("province").post(url, _form(inspected_on=future))
    assert response.status_code == 400 and "inspected_on" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_proposing_revocation_opens_a_prefilled_revocation_form(cert_a, client_for):
    client = client_for("province")
    response = client.post(
        reverse("certificates:inspection_create", args=[cert_a.pk]),
        _form(kind="ad_hoc", criteria_maintained="no", outcome="propose_revocation", findings="Ngừng sản xuất"),
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('certificates:revoke', args=[cert_a.pk])}?inspection={inspection.pk}"
    form = client.get(response["Location"]).context["form"]
    assert form.initial["ground"] == RevocationGround.CRITERIA_NOT_MET
    assert form.initial["finding_date"] == inspection.inspected_on
    assert form.initial["details"] == "Ngừng sản xuất"
    assert form.initial["inspection"] == inspection.pk


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", 200),
        ("central", 200),
        ("province", 200),
        ("commune", 403),
        ("producer_a", 403),
        ("province_other", 404),
        ("producer_b", 404),
        ("council", 404),
    ],
)
def test_who_may_inspect(cert_a, client_for, persona, expected):
    assert client_for(persona).get(reverse("certificates:inspection_create", args=[cert_a.pk])).status_code == expected


def test_inspection_list_is_scoped(cert_a, cert_five, client_for, world):
    from ocop.certificates.actions import record_inspection

    fields = {
        "kind": "periodic",
        "inspected_on": clock.today(),
        "inspector": "Đoàn A",
        "criteria_maintained": True,
        "mark_used_correctly": True,
        "product_info_correct": True,
        "outcome": "ok",
    }
    mine = record_inspection(cert_a, fields, actor=world.user("province"))
    theirs = record_inspection(cert_five, {**fields, "inspector": "Đoàn B"}, actor=world.user("central"))

    def seen(persona):
        return {i.pk for i in client_for(persona).get(reverse("certificates:inspection_list")).context["page"]}

    assert seen("producer_a") == {mine.pk}
    assert seen("producer_b") == {theirs.pk}
    assert seen("province") == {mine.pk, theirs.pk}
    assert seen("province_other") == set()
    assert client_for("council").get(reverse("certificates:inspection_list")).status_code == 403
    assert client_for("producer_b").get(mine.get_absolute_url()).status_code == 404
