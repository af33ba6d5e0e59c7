"""EPCIS 2.0: the standard event hash, the export of a lot, the import back without duplicates.

No EPCIS 2.0 JSON schema ships in a package we can install offline, so the
structure is checked against what the standard defines (EPCIS 2.0 §9 and its
JSON schema's required fields), through `epcis.validate_document`, which the
import uses too, plus explicit assertions on each field here.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from ocop.audit.models import AuditEvent
from ocop.certificates.tests.util import make_certificate
from ocop.lib import clock
from ocop.registry.validators import gtin_check_digit
from ocop.traceability import actions, epcis
from ocop.traceability.models import EventSource, TraceEvent
from ocop.traceability.tests.util import make_event, make_lot

REFERENCE_CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"gs1": "https://gs1.org/voc/"}]
# The reference implementation's published example (epcis-event-hash-generator, tests/examples/
# epcisDocWithSingleEvent.jsonld with its .prehashes and .hashes files).
REFERENCE_EVENT = {
    "type": "ObjectEvent",
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
    "eventTime": "2022-02-16T20:33:31.116000-06:00",
    "eventTimeZoneOffset": "-06:00",
    "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
    "bizTransactionList": [{"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"}],
}
REFERENCE_PRE_HASH = (
    "eventType=ObjectEventeventTime=2022-02-17T02:33:31.116ZeventTimeZoneOffset=-06:00"
    "epcListepc=https://id.gs1.org/01/10614141073464/21/2017epc=https://id.gs1.org/01/10614141073464/21/2018"
    "action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit"
    "readPointid=https://id.gs1.org/414/0614141073467/254/1234"
    "bizTransactionListbizTransaction=http://transaction.acme.com/po/12345678type=https://ref.gs1.org/cbv/BTT-po"
)
REFERENCE_HASH = "ni:///sha-256;3e0f2437f4cb5e8a1b832b769c0eed1bf3e1421f14061132e9800ded03f10182?ver=CBV2.0"


# --- The event hash ----------------------------------------------------------------------------------------------
def test_hash_matches_the_reference_implementation():
    assert epcis.pre_hash(REFERENCE_EVENT, REFERENCE_CONTEXT) == REFERENCE_PRE_HASH
    assert epcis.event_hash(REFERENCE_EVENT, REFERENCE_CONTEXT) == REFERENCE_HASH


def test_pre_hash_of_class_level_quantities_follows_the_reference():
    # From the reference's epcisDocWithVariousEventTypes example; its published pre-hash strings predate the
    # CBV 2.0 Web vocabulary (https://ns.gs1.org/voc/Bizstep-…), so only the identifier and ordering rules are
    # compared here, on the part before the business step.
    aggregation = {
        "type": "AggregationEvent",
        "eventTime": "2019-10-21T17:30:56.591+02:00",
        "eventTimeZoneOffset": "+02:00",
        "parentID": "urn:epc:id:sscc:4012344.0111111133",
        "childQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:4054739.099902.P2", "quantity": 12, "uom": "KGM"},
            {"epcClass": "urn:epc:class:lgtin:4054739.012345.lot2", "quantity": 17},
        ],
        "action": "ADD",
        "bizStep": "packing",
    }
    assert (
        epcis.pre_hash(aggregation, REFERENCE_CONTEXT)
        .split("action=")[0]
        .endswith(
            "childQuantityListquantityElementepcClass=https://id.gs1.org/01/04054739123451/10/lot2quantity=17"
            "quantityElementepcClass=https://id.gs1.org/01/04054739999025/10/P2quantity=12uom=KGM"
        )
    )
    transformation = {
        "type": "TransformationEvent",
        "eventTime": "2019-10-21T14:58:56.591+02:00",
        "eventTimeZoneOffset": "+02:00",
        "inputQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:4012345.011111.4444", "quantity": 10, "uom": "KGM"},
            {"epcClass": "urn:epc:class:lgtin:0614141.077777.987", "quantity": 30},
            {"epcClass": "urn:epc:idpat:sgtin:4012345.066666.*", "quantity": 220},
        ],
        "transformationID": "urn:epc:id:gdti:4012345.55555.1234",
    }
    assert epcis.pre_hash(transformation, REFERENCE_CONTEXT) == (
        "eventType=TransformationEventeventTime=2019-10-21T12:58:56.591ZeventTimeZoneOffset=+02:00"
        "inputQuantityListquantityElementepcClass=https://id.gs1.org/01/00614141777778/10/987quantity=30"
        "quantityElementepcClass=https://id.gs1.org/01/04012345111118/10/4444quantity=10uom=KGM"
        "quantityElementepcClass=https://id.gs1.org/01/04012345666663quantity=220"
        "transformationID=https://id.gs1.org/253/40123455555541234"
    )


def test_same_event_same_hash_whatever_the_notation():
    base = epcis.event_hash(REFERENCE_EVENT, REFERENCE_CONTEXT)
    # Fields in another order, lists in another order.
    shuffled = dict(reversed(list(REFERENCE_EVENT.items())))
    shuffled["epcList"] = list(reversed(REFERENCE_EVENT["epcList"]))
    assert epcis.event_hash(shuffled, REFERENCE_CONTEXT) == base
    # The same instant in UTC, with or without milliseconds written out; CBV words as Web URIs or old URNs;
    # EPC URNs as Digital Links on another domain.
    variant = copy.deepcopy(REFERENCE_EVENT)
    variant["eventTime"] = "2022-02-17T02:33:31.116Z"
    variant["bizStep"] = "https://ref.gs1.org/cbv/BizStep-shipping"
    variant["disposition"] = "urn:epcglobal:cbv:disp:in_transit"
    variant["epcList"] = [
        "https://example.vn/01/10614141073464/21/2018?linkType=all",
        "https://id.gs1.org/01/10614141073464/21/2017",
    ]
    assert epcis.event_hash(variant, REFERENCE_CONTEXT) == base
    # Any change to what happened changes the hash; so does the recorded offset.
    for key, value in (("eventTime", "2022-02-17T02:33:31.117Z"), ("eventTimeZoneOffset", "+07:00"), ("action", "ADD")):
        changed = {**REFERENCE_EVENT, key: value}
        assert epcis.event_hash(changed, REFERENCE_CONTEXT) != base, key


def test_numbers_and_extensions_are_canonical():
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-06-01T08:00:00+07:00",
        "eventTimeZoneOffset": "+07:00",
        "action": "OBSERVE",
        "quantityList": [{"epcClass": "https://id.gs1.org/01/08931234567893/10/L1", "quantity": 600.0, "uom": "KGM"}],
        "ex:codes": ["B", "A"],
    }
    context = [epcis.EPCIS_CONTEXT, {"ex": "https://ns.example.vn/epcis/"}]
    text = epcis.pre_hash(event, context)
    assert "quantity=600uom=KGM" in text
    assert text.endswith("{https://ns.example.vn/epcis/}codes=A{https://ns.example.vn/epcis/}codes=B")
    again = {**event, "quantityList": [{**event["quantityList"][0], "quantity": 600}], "ex:codes": ["A", "B"]}
    assert epcis.event_hash(again, context) == epcis.event_hash(event, context)


# --- Export -------------------------------------------------------------------------------------------------------
def _gtin() -> str:
    body = "893123456789"
    return body + str(gtin_check_digit(body))


@pytest.fixture
def traced_lot(world):
    world.product_a.gtin = _gtin()
    world.product_a.save()
    lot = make_lot(world.product_a, "VT2026-01")
    start = clock.now() - dt.timedelta(days=2)
    make_event(lot, occurred_at=start, admin_unit=world.luc_ngan, location_gln="8930000000019")
    make_event(
        lot,
        event_type="processing",
        occurred_at=start + dt.timedelta(hours=3),
        previous_codes=["https://id.gs1.org/01/08930000000026/10/RAW-1", "VUNG-TRONG-01"],
        quantity=Decimal("950.5"),
    )
    make_event(
        lot,
        event_type="packing",
        occurred_at=start + dt.timedelta(hours=5),
        parent_code="https://id.gs1.org/00/089300000000000012",
    )
    make_event(
        lot,
        event_type="shipping",
        occurred_at=start + dt.timedelta(hours=8),
        tz_offset="+08:00",
        actor="Công ty Vận tải Bắc Giang",
        actor_gln="8930000000019",
        next_codes=["CH-HN-01"],
    )
    make_event(lot, event_type="receiving", occurred_at=start + dt.timedelta(hours=20), actor="Cửa hàng OCOP Hà Nội")
    return lot


def test_export_is_an_epcis_2_document(world, client_for, traced_lot):
    response = client_for("producer_a").get(reverse("traceability:lot_epcis", args=[traced_lot.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    document = json.loads(response.content)
    assert epcis.validate_document(document)  # raises on any structural error
    assert document["@context"][0] == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    assert document["type"] == "EPCISDocument" and document["schemaVersion"] == "2.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", document["creationDate"])
    events = document["epcisBody"]["eventList"]
    assert [e["type"] for e in events] == [
        "ObjectEvent",
        "TransformationEvent",
        "AggregationEvent",
        "ObjectEvent",
        "ObjectEvent",
    ]
    lot_class = f"https://id.gs1.org/01/0{_gtin()}/10/VT2026-01"
    harvest, processing, packing, shipping, receiving = events
    assert harvest["action"] == "ADD" and harvest["bizStep"] == "creating_class_instance"
    assert harvest["quantityList"] == [{"epcClass": lot_class, "quantity": 1200, "uom": "H87"}]
    assert harvest["readPoint"] == harvest["bizLocation"] == {"id": "https://id.gs1.org/414/8930000000019"}
    assert harvest["ocop:adminUnit"].endswith("/commune/" + world.luc_ngan.code)
    assert processing["outputQuantityList"] == [{"epcClass": lot_class, "quantity": 950.5, "uom": "H87"}]
    assert processing["inputEPCList"] == ["https://id.gs1.org/01/08930000000026/10/RAW-1"]
    assert processing["ocop:traceCodesBack"] == ["https://id.gs1.org/01/08930000000026/10/RAW-1", "VUNG-TRONG-01"]
    assert "action" not in processing
    assert packing["parentID"] == "https://id.gs1.org/00/089300000000000012" and packing["action"] == "ADD"
    assert packing["childQuantityList"][0]["epcClass"] == lot_class
    assert shipping["action"] == "OBSERVE" and (shipping["bizStep"], shipping["disposition"]) == (
        "shipping",
        "in_transit",
    )
    assert shipping["eventTimeZoneOffset"] == "+08:00" and shipping["eventTime"].endswith("+08:00")
    assert shipping["sourceList"] == [{"type": "possessing_party", "source": "https://id.gs1.org/417/8930000000019"}]
    assert shipping["ocop:traceCodesForward"] == ["CH-HN-01"]
    assert receiving["bizStep"] == "receiving"
    # eventID is the stored event hash, which is the standard hash of the exported event.
    stored = list(traced_lot.events.order_by("occurred_at").values_list("event_hash", flat=True))
    assert [e["eventID"] for e in events] == stored
    assert [epcis.event_hash(e, document["@context"]) for e in events] == stored
    assert AuditEvent.objects.filter(action="export", model="traceability.Lot", object_id=str(traced_lot.pk)).exists()


def test_a_lot_without_gtin_gets_a_platform_identifier(world, settings):
    settings.SITE_URL = "https://ocop.example.vn"
    lot = make_lot(world.product_b, "NA-01")
    make_event(lot, actor="HTX Persona B")
    event = actions.export_document(lot)["epcisBody"]["eventList"][0]
    assert event["quantityList"][0]["epcClass"] == f"https://ocop.example.vn/trace/id/{world.product_b.pk}/NA-01"


def test_shifting_the_offset_notation_of_a_stored_event_keeps_its_hash(world):
    lot = make_lot(world.product_a)
    moment = dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC)
    with clock.travel(0):
        event = make_event(lot, occurred_at=moment.astimezone(dt.timezone(dt.timedelta(hours=7))))
    body = epcis.event_body(event)
    body["eventTime"] = "2026-03-01T01:00:00Z"
    assert epcis.event_hash(body, epcis.document_context()) == event.event_hash


# --- Import ---------------------------------------------------------------------------------------------------------
def _snapshot(lot):
    fields = (
        "event_type",
        "occurred_at",
        "tz_offset",
        "actor",
        "actor_gln",
        "admin_unit_id",
        "location_gln",
        "place",
        "quantity",
        "parent_code",
        "trace_codes",
        "previous_codes",
        "next_codes",
        "biz_step",
        "disposition",
        "event_hash",
    )
    return list(lot.events.order_by("occurred_at").values_list(*fields))


def test_round_trip_restores_every_event_and_adds_no_duplicates(world, traced_lot):
    document = actions.export_document(traced_lot)
    before = _snapshot(traced_lot)
    result = actions.import_document(traced_lot, json.dumps(document))
    assert (len(result.created), result.duplicates) == (0, 5)
    TraceEvent.objects.filter(lot=traced_lot).delete()
    result = actions.import_document(traced_lot, json.dumps(document).encode())
    assert (len(result.created), result.duplicates) == (5, 0)
    assert _snapshot(traced_lot) == before
    assert set(traced_lot.events.values_list("source", flat=True)) == {EventSource.IMPORTED}
    again = actions.import_document(traced_lot, document)
    assert (len(again.created), again.duplicates) == (0, 5)
    assert traced_lot.events.count() == 5
    assert AuditEvent.objects.filter(action="import", model="traceability.Lot").count() == 3


def test_import_of_a_foreign_document_in_urn_notation(world):
    world.product_a.gtin = _gtin()
    world.product_a.save()
    lot = make_lot(world.product_a, "VT2026-02")
    # A partner's system writes the lot as an EPC class URN (company prefix 8931234, 6-digit reference).
    urn = f"urn:epc:class:lgtin:8931234.0{_gtin()[7:12]}.VT2026-02"
    when = (clock.now() - dt.timedelta(hours=2)).astimezone(dt.timezone(dt.timedelta(hours=7)))
    document = {
        "@context": [epcis.EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-01T00:00:00Z",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": when.isoformat(),
                    "eventTimeZoneOffset": "+07:00",
                    "action": "OBSERVE",
                    "bizStep": "urn:epcglobal:cbv:bizstep:receiving",
                    "disposition": "in_progress",
                    "quantityList": [{"epcClass": urn, "quantity": 40, "uom": "H87"}],
                    "bizLocation": {"id": "urn:epc:id:sgln:8930000.00001.0"},
                    "destinationList": [{"type": "possessing_party", "destination": "urn:epc:id:pgln:8930000.00001"}],
                }
            ]
        },
    }
    result = actions.import_document(lot, document)
    event = result.created[0]
    assert (event.event_type, event.biz_step, event.disposition, event.quantity) == (
        "receiving",
        "receiving",
        "in_progress",
        40,
    )
    assert event.location_gln == event.actor_gln == "8930000000019"
    assert event.event_hash == epcis.event_hash(document["epcisBody"]["eventList"][0], document["@context"])
    assert actions.import_document(lot, document).duplicates == 1


def _document_with(lot, **changes):
    make_event(lot)
    document = actions.export_document(lot)
    TraceEvent.objects.filter(lot=lot).delete()
    event = document["epcisBody"]["eventList"][0]
    for key, value in changes.items():
        if value is None:
            event.pop(key, None)
        else:
            event[key] = value
    return document


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update({"@context": ["https://example.org/other.jsonld"]}), "EPCIS 2.0 context"),
        (lambda d: d.update({"schemaVersion": "1.2"}), "Only EPCIS 2.0 documents"),
        (
            lambda d: d["epcisBody"]["eventList"][0].pop("eventTimeZoneOffset"),
            "Event 1 has no valid eventTimeZoneOffset",
        ),
        (
            lambda d: d["epcisBody"]["eventList"][0].update({"eventTime": "01/02/2026"}),
            "Event 1 has no valid eventTime",
        ),
        (lambda d: d["epcisBody"]["eventList"][0].update({"type": "Event"}), "Event 1 has an unknown event type"),
        (lambda d: d["epcisBody"]["eventList"][0].update({"action": "MOVE"}), "no valid action"),
        (lambda d: d["epcisBody"]["eventList"][0].update({"bizStep": "picking up"}), "neither a CBV word nor a URI"),
        (
            lambda d: d["epcisBody"]["eventList"][0]["quantityList"][0].update({"uom": "kg"}),
            "UN/ECE Recommendation 20",
        ),
        (
            lambda d: d["epcisBody"]["eventList"][0]["quantityList"][0].update(
                {"epcClass": "https://id.gs1.org/01/08930000000026/10/OTHER"}
            ),
            "Event 1 does not concern this lot",
        ),
        (
            lambda d: d["epcisBody"]["eventList"][0].update(
                {"eventTime": (clock.now() + dt.timedelta(days=3)).isoformat()}
            ),
            "Event 1: The time of an event cannot be in the future.",
        ),
    ],
)
def test_invalid_documents_are_refused_with_a_clear_message(world, mutate, message):
    lot = make_lot(world.product_a)
    document = _document_with(lot)
    mutate(document)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.import_document(lot, document)
    with translation.override("en"):
        assert message in " ".join(caught.value.messages)
    assert not lot.events.exists()


def test_import_is_all_or_nothing(world):
    lot = make_lot(world.product_a)
    make_event(lot)
    make_event(lot, event_type="packing", occurred_at=clock.now() - dt.timedelta(hours=1))
    document = actions.export_document(lot)
    TraceEvent.objects.filter(lot=lot).delete()
    document["epcisBody"]["eventList"][1]["eventTimeZoneOffset"] = "7"
    with translation.override("en"), pytest.raises(ValidationError, match="Event 2"):
        actions.import_document(lot, document)
    assert not lot.events.exists()


def test_import_page_upload_and_json_api(world, client_for, traced_lot):
    document = actions.export_document(traced_lot)
    TraceEvent.objects.filter(lot=traced_lot).delete()
    url = reverse("traceability:lot_epcis_import", args=[traced_lot.pk])
    upload = SimpleUploadedFile("lot.jsonld", json.dumps(document).encode(), content_type="application/ld+json")
    # Not the producer's lot: not found; a reader who may not write: refused.
    assert client_for("producer_b").post(url, {"document": upload}).status_code == 404
    upload.seek(0)
    assert client_for("central").post(url, {"document": upload}).status_code == 403
    assert not traced_lot.events.exists()
    upload.seek(0)
    response = client_for("producer_a").post(url, {"document": upload})
    assert response.status_code == 302 and traced_lot.events.count() == 5
    body = json.dumps(document)
    response = client_for("province").post(url, body, content_type="application/ld+json")
    assert response.status_code == 200 and response.json() == {"created": 0, "duplicates": 5}
    broken = client_for("province").post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "epcis_not_json"
    page = client_for("producer_a").post(url, {"document": SimpleUploadedFile("x.json", b"[]")})
    assert page.status_code == 400 and "EPCIS" in page.content.decode()
    assert traced_lot.events.count() == 5


# --- Public API ------------------------------------------------------------------------------------------------------
def test_public_api_serves_lots_of_certified_products_only(world, client, traced_lot):
    url = f"/api/v1/lots/{traced_lot.pk}/epcis"
    assert client.get(url).status_code == 404
    make_certificate(world.product_a, star=4)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/ld+json")
    document = response.json()
    assert len(epcis.validate_document(document)) == 5
    # Public reads are not exports by a user: they do not go to the audit chain.
    assert not AuditEvent.objects.filter(action="export").exists()
    other = make_lot(world.product_b, "NA-01")
    assert client.get(f"/api/v1/lots/{other.pk}/epcis").status_code == 404
