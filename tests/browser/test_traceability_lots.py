"""A producer opens a lot, records its harvest and shipping, downloads the EPCIS file and imports it back:
nothing is duplicated. Another producer cannot reach the lot."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from ocop.lib import clock
from ocop.traceability.models import Lot
from tests.browser.helpers import log_in, log_out, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_lot_events_and_epcis_round_trip(page, world, tmp_path):
    log_in(page, "persona_producer_a")
    page.goto(reverse("traceability:lot_list"))
    page.get_by_role("link", name="Lô hàng mới").click()
    page.select_option("#id_product", label="Vải thiều A")
    # A forbidden character: the form comes back with the error and keeps what was typed.
    page.fill("#id_number", "LÔ 01")
    page.fill("#id_produced_on", (clock.today() - dt.timedelta(days=1)).isoformat())
    page.fill("#id_quantity", "1500")
    page.select_option("#id_unit", value="KGM")
    page.fill("#id_place_code", "VT-24-0001")
    submit(page, "#id_number")
    assert page.locator(".errorlist").first.inner_text().startswith("Số lô chỉ được gồm")
    assert page.locator("#id_place_code").input_value() == "VT-24-0001"
    assert not Lot.objects.exists()
    page.fill("#id_number", "vt2026-01")
    submit(page, "#id_number")
    page.wait_for_url("**/trace/lots/*/")
    lot = Lot.objects.get()
    assert lot.number == "VT2026-01"

    for stage, hours_ago, actor in (("harvest", 20, "HTX Persona A"), ("shipping", 2, "Vận tải Lục Ngạn")):
        page.get_by_role("link", name="Sự kiện truy xuất mới").click()
        page.select_option("#id_event_type", value=stage)
        moment = clock.now().astimezone(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(hours=hours_ago)
        page.fill("#id_occurred_at", moment.strftime("%Y-%m-%dT%H:%M"))
        page.fill("#id_actor", actor)
        page.select_option("#id_admin_unit", label="Xã Lục Ngạn")
        page.fill("#id_next_codes", "CH-HN-01")
        submit(page, "#id_event_type")
        page.wait_for_url("**" + lot.get_absolute_url())
    timeline = page.locator("ol.timeline li")
    assert timeline.count() == 2
    assert "Thu hoạch / sản xuất" in timeline.nth(0).inner_text()
    assert "Vận tải Lục Ngạn" in timeline.nth(1).inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải các sự kiện dưới dạng EPCIS 2.0 (JSON-LD)").click()
    path = tmp_path / "lot.jsonld"
    download.value.save_as(path)
    document = json.loads(path.read_text())
    assert [e["type"] for e in document["epcisBody"]["eventList"]] == ["ObjectEvent", "ObjectEvent"]

    page.set_input_files("#id_document", str(path))
    submit(page, reverse("traceability:lot_epcis_import", args=[lot.pk]))
    page.wait_for_url("**" + lot.get_absolute_url())
    assert "Đã nhập 0 sự kiện, 2 sự kiện đã có từ trước." in page.locator("main").inner_text()
    assert lot.events.count() == 2
    log_out(page)

    log_in(page, "persona_producer_b")
    assert page.goto(lot.get_absolute_url()).status == 404


def test_lot_pages_are_accessible(page, world):
    from ocop.testing import make_evidence
    from ocop.traceability.tests.util import make_event, make_lot
    from tests.browser.test_accessibility import _check

    make_evidence(world.producer_a)
    lot = make_lot(world.product_a)
    make_event(lot)
    log_in(page, "persona_producer_a")
    for path in (
        reverse("traceability:lot_list"),
        reverse("traceability:lot_create"),
        lot.get_absolute_url(),
        reverse("traceability:lot_edit", args=[lot.pk]),
        reverse("traceability:event_create", args=[lot.pk]),
    ):
        _check(page, path)
