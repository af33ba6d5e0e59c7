"""Lot and trace-event pages: scope per persona (allow and deny), validation, the timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from ocop.audit.models import AuditEvent
from ocop.lib import clock
from ocop.registry.models import ProductStatus
from ocop.testing import make_evidence
from ocop.traceability.models import Lot, TraceEvent
from ocop.traceability.tests.util import make_event, make_lot

pytestmark = pytest.mark.django_db


def _lot_post(product, **overrides):
    data = {
        "product": product.pk,
        "number": "L2026-07",
        "produced_on": (clock.today() - dt.timedelta(days=2)).isoformat(),
        "expires_on": (clock.today() + dt.timedelta(days=20)).isoformat(),
        "quantity": "500",
        "unit": "KGM",
        "place_code": "VT-24-001",
        "note": "",
    }
    data.update(overrides)
    return data


def _event_post(**overrides):
    data = {
        "event_type": "harvest",
        "occurred_at": (clock.now() + dt.timedelta(hours=7) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "tz_offset": "+07:00",
        "actor": "HTX Persona A",
        "place": "Đồi vải thôn Đông",
    }
    data.update(overrides)
    return data


def _errors(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- Scope ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b", "sees_c"),
    [
        ("admin", True, True, True),
        ("central", True, True, True),
        ("province", True, True, False),
        ("province_other", False, False, True),
        ("commune", True, False, False),
        ("producer_a", True, False, False),
        ("producer_b", False, True, False),
        ("producer_pending", False, False, False),
    ],
)
def test_lot_list_shows_lots_in_scope_only(world, client_for, persona, sees_a, sees_b, sees_c):
    make_lot(world.product_a, "LOT-A")
    make_lot(world.product_b, "LOT-B")
    make_lot(world.product_c, "LOT-C")
    response = client_for(persona).get(reverse("traceability:lot_list"))
    assert response.status_code == 200
    shown = {lot.number for lot in response.context["page"].object_list}
    assert ("LOT-A" in shown, "LOT-B" in shown, "LOT-C" in shown) == (sees_a, sees_b, sees_c)


def test_council_members_have_no_lot_list(world, client_for):
    assert client_for("council").get(reverse("traceability:lot_list")).status_code == 403


def test_lot_querysets_follow_the_registry_scope(world):
    lot = make_lot(world.product_a)
    readers = {"admin", "central", "province", "commune", "producer_a"}
    for persona in ("admin", "central", "province", "province_other", "commune", "council", "producer_a", "producer_b"):
        user = world.user(persona)
        assert Lot.objects.for_user(user).filter(pk=lot.pk).exists() == (persona in readers), persona
        writable = persona in ("admin", "province", "producer_a")
        assert Lot.objects.editable_by(user).filter(pk=lot.pk).exists() == writable, persona


# --- Creating and editing lots ----------------------------------------------------------------------------------
def test_producer_creates_a_lot_with_its_evidence(world, client_for):
    evidence = make_evidence(world.producer_a, "Phiếu kết quả thử nghiệm")
    client = client_for("producer_a")
    response = client.post(reverse("traceability:lot_create"), _lot_post(world.product_a, evidence=[evidence.pk]))
    lot = Lot.objects.get()
    assert response.status_code == 302 and response["Location"] == lot.get_absolute_url()
    assert (lot.number, lot.producer, lot.province, lot.unit) == ("L2026-07", world.producer_a, world.bac_ninh, "KGM")
    assert list(lot.evidence.all()) == [evidence]
    assert lot.created_by == world.user("producer_a")
    assert AuditEvent.objects.filter(model="traceability.Lot", object_id=str(lot.pk), action="create").exists()


def test_lot_number_is_upper_cased(world, client_for):
    client_for("producer_a").post(reverse("traceability:lot_create"), _lot_post(world.product_a, number=" vt-2026.1 "))
    assert Lot.objects.get().number == "VT-2026.1"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"number": "LÔ 1/2026"}, "A lot number may contain only letters A-Z, digits, hyphens and dots"),
        ({"number": "-L1"}, "must start with a letter or a digit"),
        ({"number": "A" * 21}, "at most 20 characters"),
        ({"expires_on": (clock.today() - dt.timedelta(days=30)).isoformat()}, "cannot be before the production date"),
        ({"quantity": "0"}, "greater than or equal to 0.001"),
    ],
)
def test_bad_lot_input_is_refused_and_nothing_is_written(world, client_for, overrides, message):
    response = english(client_for("producer_a")).post(
        reverse("traceability:lot_create"), _lot_post(world.product_a, **overrides)
    )
    assert response.status_code == 200
    assert not Lot.objects.exists()
    with translation.override("en"):
        assert message in _errors(response)


def test_errors_are_translated_to_vietnamese(world, client_for):
    response = client_for("producer_a").post(
        reverse("traceability:lot_create"), _lot_post(world.product_a, number="LÔ 1")
    )
    assert "Số lô chỉ được gồm" in _errors(response)
    assert not Lot.objects.exists()


def test_duplicate_lot_number_of_the_same_product_is_refused(world, client_for):
    make_lot(world.product_a, "L2026-07")
    response = english(client_for("producer_a")).post(reverse("traceability:lot_create"), _lot_post(world.product_a))
    assert "already has a lot with this number" in _errors(response)
    assert Lot.objects.count() == 1
    # Another product may use the same number.
    make_lot(world.product_b, "L2026-07")
    assert Lot.objects.count() == 2


def test_evidence_of_another_producer_cannot_be_attached(world, client_for):
    foreign = make_evidence(world.producer_b, "Giấy của B")
    response = client_for("province").post(
        reverse("traceability:lot_create"), _lot_post(world.product_a, evidence=[foreign.pk])
    )
    assert response.status_code == 200 and not Lot.objects.exists()
    assert response.context["form"].errors["evidence"]


def test_lots_need_an_active_product_and_a_verified_producer(world, client_for):
    world.product_a.status = ProductStatus.DRAFT
    world.product_a.save()
    # Producer A has no other product: the page says there is nothing to open a lot for.
    response = client_for("producer_a").post(reverse("traceability:lot_create"), _lot_post(world.product_a))
    assert response.status_code == 403 and not Lot.objects.exists()
    # The office still has product B, but product A is not offered.
    response = client_for("province").post(reverse("traceability:lot_create"), _lot_post(world.product_a))
    assert response.status_code == 200 and not Lot.objects.exists()
    assert "product" in response.context["form"].errors
    # A pending producer may not open lots at all, and is told why.
    response = english(client_for("producer_pending")).get(reverse("traceability:lot_create"))
    assert response.status_code == 403
    assert "once your producer registration has been verified" in response.content.decode()


def test_an_office_cannot_open_a_lot_for_another_province(world, client_for):
    response = client_for("province_other").post(reverse("traceability:lot_create"), _lot_post(world.product_a))
    assert response.status_code == 200 and not Lot.objects.exists()
    assert "product" in response.context["form"].errors
    response = client_for("province").post(reverse("traceability:lot_create"), _lot_post(world.product_a))
    assert response.status_code == 302 and Lot.objects.get().created_by == world.user("province")


def test_edit_lot_allow_and_deny(world, client_for):
    lot = make_lot(world.product_a)
    url = reverse("traceability:lot_edit", args=[lot.pk])
    data = _lot_post(world.product_a, number=lot.number, quantity="900")
    assert client_for("producer_b").post(url, data).status_code == 404
    assert client_for("central").post(url, data).status_code == 403
    assert client_for("commune").post(url, data).status_code == 403
    lot.refresh_from_db()
    assert lot.quantity == 1200
    response = client_for("producer_a").post(url, data)
    assert response.status_code == 302
    lot.refresh_from_db()
    assert lot.quantity == 900 and lot.product == world.product_a
    # The product is fixed: a posted product is ignored.
    client_for("producer_a").post(url, {**data, "product": world.product_b.pk})
    lot.refresh_from_db()
    assert lot.product == world.product_a


# --- Trace events -------------------------------------------------------------------------------------------------
def test_producer_records_events_shown_on_the_timeline(world, client_for):
    lot = make_lot(world.product_a)
    client = client_for("producer_a")
    url = reverse("traceability:event_create", args=[lot.pk])
    assert client.post(url, _event_post(admin_unit=world.luc_ngan.pk)).status_code == 302
    later = (clock.now() + dt.timedelta(hours=7) - dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    shipping = _event_post(
        event_type="shipping",
        occurred_at=later,
        actor="Công ty Vận tải Lục Ngạn",
        actor_gln="8930000000019",
        place="Kho Lục Ngạn",
        previous_codes="VT-24-001",
        next_codes="CH-HN-01\nCH-HN-02",
    )
    assert client.post(url, shipping).status_code == 302
    events = list(lot.events.order_by("occurred_at"))
    assert [e.event_type for e in events] == ["harvest", "shipping"]
    assert events[0].admin_unit == world.luc_ngan and events[0].biz_step == "creating_class_instance"
    assert events[1].next_codes == ["CH-HN-01", "CH-HN-02"] and events[1].disposition == "in_transit"
    assert all(e.event_hash.startswith("ni:///sha-256;") and e.event_hash.endswith("?ver=CBV2.0") for e in events)
    page = client.get(lot.get_absolute_url()).content.decode()
    assert page.index("Xã Lục Ngạn") < page.index("Công ty Vận tải Lục Ngạn")
    assert "CH-HN-01, CH-HN-02" in page


def test_event_time_is_read_in_its_offset(world, client_for):
    lot = make_lot(world.product_a)
    day = clock.today() - dt.timedelta(days=1)
    client_for("producer_a").post(
        reverse("traceability:event_create", args=[lot.pk]),
        _event_post(occurred_at=f"{day:%Y-%m-%d}T08:30", tz_offset="+07:00"),
    )
    event = TraceEvent.objects.get()
    assert event.occurred_at == dt.datetime(day.year, day.month, day.day, 1, 30, tzinfo=dt.UTC)
    assert event.local_time.strftime("%H:%M %z") == "08:30 +0700"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"occurred_at": (clock.now() + dt.timedelta(hours=7, days=2)).strftime("%Y-%m-%dT%H:%M")},
            "cannot be in the future",
        ),
        ({"tz_offset": "7h"}, "A time zone offset looks like +07:00"),
        ({"place": ""}, "Say where the stage took place"),
        ({"location_gln": "8930000000010", "place": ""}, "check digit is wrong"),
        ({"actor": ""}, "This field is required"),
    ],
)
def test_bad_event_input_is_refused_and_nothing_is_written(world, client_for, overrides, message):
    lot = make_lot(world.product_a)
    response = english(client_for("producer_a")).post(
        reverse("traceability:event_create", args=[lot.pk]), _event_post(**overrides)
    )
    assert response.status_code == 200
    with translation.override("en"):
        assert message in _errors(response)
    assert not TraceEvent.objects.exists()


def test_the_same_event_twice_is_refused(world, client_for):
    lot = make_lot(world.product_a)
    url = reverse("traceability:event_create", args=[lot.pk])
    client = client_for("producer_a")
    assert client.post(url, _event_post()).status_code == 302
    response = english(client).post(url, _event_post())
    assert response.status_code == 200
    assert "This event is already recorded for this lot." in response.content.decode()
    assert TraceEvent.objects.count() == 1


def test_events_on_another_producers_lot_are_refused(world, client_for):
    lot_b = make_lot(world.product_b)
    url = reverse("traceability:event_create", args=[lot_b.pk])
    assert client_for("producer_a").post(url, _event_post()).status_code == 404
    # Readers who may not write are told so.
    assert client_for("central").post(url, _event_post()).status_code == 403
    assert client_for("province_other").post(url, _event_post()).status_code == 404
    assert not TraceEvent.objects.exists()
    assert client_for("province").post(url, _event_post(actor="HTX Persona B")).status_code == 302
    assert TraceEvent.objects.get().lot == lot_b


def test_trace_events_are_audited(world):
    lot = make_lot(world.product_a)
    event = make_event(lot)
    entry = AuditEvent.objects.get(model="traceability.TraceEvent", object_id=str(event.pk))
    assert entry.action == "create" and entry.after["event_hash"] == event.event_hash
