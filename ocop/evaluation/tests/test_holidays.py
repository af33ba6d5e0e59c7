"""The holiday calendar screens: who may see and change which rows, the audit trail, errors, and the deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.evaluation.models import HolidayOverride
from ocop.evaluation.tests.util import submitted
from ocop.evaluation.workdays import calendar_for

D = dt.date


def _events(holiday_pk: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(model="evaluation.HolidayOverride", object_id=str(holiday_pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_province_adds_edits_and_removes_its_own_day_with_an_audit_trail(world, client_for):
    client = client_for("province")
    response = client.post(
        reverse("evaluation:holiday_create"),
        {"date": "2027-03-10", "is_holiday": "on", "name": "Lễ hội Lục Ngạn", "province": world.ha_noi.pk},
    )
    assert response.status_code == 302
    holiday = HolidayOverride.objects.get()
    # A provincial office always writes for its own province, whatever the request says.
    assert holiday.province == world.bac_ninh and holiday.is_holiday and holiday.name == "Lễ hội Lục Ngạn"
    assert response["Location"] == reverse("evaluation:holiday_list") + "?year=2027"
    create = AuditEvent.objects.get(model="evaluation.HolidayOverride", object_id=str(holiday.pk))
    assert create.action == "create" and create.actor == world.user("province")
    assert create.after["date"] == "2027-03-10" and create.after["province"] == world.bac_ninh.pk

    response = client.post(reverse("evaluation:holiday_edit", args=[holiday.pk]), {"date": "2027-03-11", "name": "X"})
    assert response.status_code == 302
    holiday.refresh_from_db()
    assert holiday.date == D(2027, 3, 11) and not holiday.is_holiday
    update = (
        AuditEvent.objects.filter(object_id=str(holiday.pk), model="evaluation.HolidayOverride").order_by("pk").last()
    )
    assert update.action == "update" and update.before["date"] == "2027-03-10" and update.after["date"] == "2027-03-11"

    assert client.get(reverse("evaluation:holiday_delete", args=[holiday.pk])).status_code == 200
    assert HolidayOverride.objects.exists()  # the GET only asks
    response = client.post(reverse("evaluation:holiday_delete", args=[holiday.pk]))
    assert response.status_code == 302 and not HolidayOverride.objects.exists()
    assert _events(holiday.pk) == ["create", "update", "delete"]


def test_central_office_keeps_national_and_any_province_rows(world, client_for):
    client = client_for("central")
    response = client.post(reverse("evaluation:holiday_create"), {"date": "2027-03-12", "is_holiday": "on"})
    assert response.status_code == 302
    national = HolidayOverride.objects.get()
    assert national.province is None
    response = client.post(
        reverse("evaluation:holiday_create"), {"date": "2027-03-12", "province": world.ha_noi.pk, "name": "Làm việc"}
    )
    assert response.status_code == 302
    assert HolidayOverride.objects.get(province=world.ha_noi).is_holiday is False
    assert _events(national.pk) == ["create"]


def test_list_is_scoped_and_filtered_by_year(world, client_for):
    own = HolidayOverride.objects.create(province=world.bac_ninh, date=D(2027, 3, 10), name="Bắc Ninh 2027")
    HolidayOverride.objects.create(province=world.bac_ninh, date=D(2028, 3, 10), name="Bắc Ninh 2028")
    HolidayOverride.objects.create(province=world.ha_noi, date=D(2027, 3, 11), name="Hà Nội 2027")
    national = HolidayOverride.objects.create(province=None, date=D(2027, 3, 12), name="Toàn quốc 2027")

    page = client_for("province").get(reverse("evaluation:holiday_list"), {"year": "2027"})
    names = [h.name for h in page.context["page"].object_list]
    assert names == ["Bắc Ninh 2027", "Toàn quốc 2027"]
    assert [h.editable for h in page.context["page"].object_list] == [True, False]
    html = page.content.decode()
    assert reverse("evaluation:holiday_edit", args=[own.pk]) in html
    assert reverse("evaluation:holiday_edit", args=[national.pk]) not in html

    every = client_for("province").get(reverse("evaluation:holiday_list"), {"year": "all"})
    assert len(every.context["page"].object_list) == 3
    central = client_for("central").get(reverse("evaluation:holiday_list"), {"year": "2027"})
    assert len(central.context["page"].object_list) == 3
    # Another province's row: not found for the Hà Nội office's neighbour, not even to read.
    other = HolidayOverride.objects.get(province=world.ha_noi)
    assert client_for("province").get(reverse("evaluation:holiday_edit", args=[other.pk])).status_code == 404
    # A national row cannot be changed by a provincial office.
    response = client_for("province").post(
        reverse("evaluation:holiday_delete", args=[national.pk]), {}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403 and HolidayOverride.objects.filter(pk=national.pk).exists()
    # The page says why, in the user's language (Vietnamese by default).
    assert "Lịch ngày nghỉ toàn quốc do cơ quan OCOP trung ương quản lý." in response.content.decode()


def test_duplicate_day_is_a_form_error(world, client_for):
    HolidayOverride.objects.create(province=world.bac_ninh, date=D(2027, 3, 10), name="Có rồi")
    HolidayOverride.objects.create(province=None, date=D(2027, 3, 12), name="Toàn quốc")
    response = client_for("province").post(reverse("evaluation:holiday_create"), {"date": "2027-03-10"})
    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    # Vietnamese by default.
    assert "đã có trong lịch" in response.content.decode()
    # Two national rows for one day: the database would allow them (NULL is distinct), the form does not.
    response = client_for("central").post(reverse("evaluation:holiday_create"), {"date": "2027-03-12"})
    assert response.status_code == 400 and "date" in response.context["form"].errors
    # The same day for another province is fine.
    response = client_for("province_other").post(reverse("evaluation:holiday_create"), {"date": "2027-03-10"})
    assert response.status_code == 302
    assert HolidayOverride.objects.count() == 3


def test_editing_a_row_onto_an_existing_day_is_refused(world, client_for):
    HolidayOverride.objects.create(province=world.bac_ninh, date=D(2027, 3, 10))
    second = HolidayOverride.objects.create(province=world.bac_ninh, date=D(2027, 3, 11))
    response = client_for("province").post(
        reverse("evaluation:holiday_edit", args=[second.pk]), {"date": "2027-03-10", "is_holiday": "on"}
    )
    assert response.status_code == 400 and "date" in response.context["form"].errors
    second.refresh_from_db()
    assert second.date == D(2027, 3, 11)
    # Saving a row unchanged is not a duplicate of itself.
    response = client_for("province").post(
        reverse("evaluation:holiday_edit", args=[second.pk]), {"date": "2027-03-11", "is_holiday": "on"}
    )
    assert response.status_code == 302


def test_missing_or_bad_date_is_refused(world, client_for):
    response = client_for("province").post(reverse("evaluation:holiday_create"), {"date": "31/02/2027"})
    assert response.status_code == 400 and "date" in response.context["form"].errors
    assert not HolidayOverride.objects.exists()


def test_a_day_off_added_on_the_screen_moves_the_commune_deadline(world, client_for, clock):
    # A Monday in September clear of the national holidays: 15 working days end on Monday 28/9.
    clock.to(D(2026, 9, 7))
    assert calendar_for(world.bac_ninh).add_working_days(D(2026, 9, 7), 15) == D(2026, 9, 28)
    response = client_for("province").post(
        reverse("evaluation:holiday_create"), {"date": "2026-09-15", "is_holiday": "on", "name": "Lễ hội"}
    )
    assert response.status_code == 302
    dossier = submitted(world)
    assert dossier.commune_deadline == D(2026, 9, 29)
    # The Hà Nội calendar is not touched.
    assert calendar_for(world.ha_noi).add_working_days(D(2026, 9, 7), 15) == D(2026, 9, 28)


def _deadline_events(dossier) -> list[dict]:
    events = AuditEvent.objects.filter(model="evaluation.Dossier", object_id=str(dossier.pk), action="update")
    return [e.after for e in events.order_by("pk") if "commune_deadline" in (e.after or {})]


def test_a_dossier_already_submitted_follows_the_calendar_as_it_changes(world, client_for, clock):
    """Submitted on Monday 7/9/2026: 15 working days end on Monday 28/9. The office then adds a day off inside
    that span, moves it to after the deadline, brings it back, and removes it: the deadline follows each time,
    audited; Hà Nội's dossiers are not touched by Bắc Ninh's calendar."""
    clock.to(D(2026, 9, 7))
    dossier = submitted(world)
    assert dossier.commune_deadline == D(2026, 9, 28)
    office = client_for("province")
    response = office.post(
        reverse("evaluation:holiday_create"), {"date": "2026-09-15", "is_holiday": "on", "name": "Lễ hội"}, follow=True
    )
    assert "Hạn kiểm tra của xã đối với 1 hồ sơ đang chờ kiểm tra đã được tính lại." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.commune_deadline == D(2026, 9, 29)
    assert _deadline_events(dossier)[-1]["commune_deadline"] == "2026-09-29"
    holiday = HolidayOverride.objects.get()
    edit = reverse("evaluation:holiday_edit", args=[holiday.pk])
    # Moved to after the deadline: the span holds 15 working days again.
    office.post(edit, {"date": "2026-10-15", "is_holiday": "on", "name": "Lễ hội"})
    dossier.refresh_from_db()
    assert dossier.commune_deadline == D(2026, 9, 28)
    office.post(edit, {"date": "2026-09-16", "is_holiday": "on", "name": "Lễ hội"})
    dossier.refresh_from_db()
    assert dossier.commune_deadline == D(2026, 9, 29)
    office.post(reverse("evaluation:holiday_delete", args=[holiday.pk]))
    dossier.refresh_from_db()
    assert dossier.commune_deadline == D(2026, 9, 28)
    assert [e["commune_deadline"] for e in _deadline_events(dossier)] == [
        "2026-09-28",  # the submission
        "2026-09-29",
        "2026-09-28",
        "2026-09-29",
        "2026-09-28",
    ]
    # Another province's day off moves nothing here.
    client_for("central").post(
        reverse("evaluation:holiday_create"),
        {"date": "2026-09-15", "is_holiday": "on", "name": "Hà Nội", "province": world.ha_noi.pk},
    )
    dossier.refresh_from_db()
    assert dossier.commune_deadline == D(2026, 9, 28)


@pytest.mark.parametrize(
    ("persona", "shown"), [("province", True), ("central", True), ("admin", True), ("commune", False)]
)
def test_menu_link_for_the_offices(world, client_for, persona, shown):
    page = client_for(persona).get(reverse("front:dashboard")).content.decode()
    assert (f'href="{reverse("evaluation:holiday_list")}"' in page) is shown
