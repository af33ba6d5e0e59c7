"""Traceability workflows: lots, trace events, EPCIS export and import.

These functions change data; they do not decide who may call them (the views
and the API ask `ocop.traceability.querysets` first). Lot and event saves are
audited by the model signals; exports and imports add one summary entry each.
Refusals are ValidationErrors with translated messages, raised before
anything is stored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ocop.audit.log import record
from ocop.audit.models import Action
from ocop.lib import clock
from ocop.registry.models import Evidence, ProducerStatus, Product, ProductStatus
from ocop.traceability import epcis
from ocop.traceability.models import EventSource, EventType, Lot, TraceEvent, normalise_lot_number

if TYPE_CHECKING:
    from ocop.accounts.models import User

# Phones and farm computers keep imperfect clocks; an event a few minutes "in
# the future" is a clock skew, one an hour ahead is a typing mistake.
FUTURE_TOLERANCE = dt.timedelta(minutes=15)
# An EPCIS file for one lot is small; this bounds what a request can make us parse.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_EVENTS_PER_IMPORT = 5000

# The CBV business step and disposition a stage gets when none is chosen.
DEFAULT_VOCABULARY: dict[str, tuple[str, str]] = {
    EventType.HARVEST: ("creating_class_instance", "active"),
    EventType.PROCESSING: ("commissioning", "active"),
    EventType.PACKING: ("packing", "in_progress"),
    EventType.SHIPPING: ("shipping", "in_transit"),
    EventType.RECEIVING: ("receiving", "in_progress"),
}

LOT_FIELDS = ("number", "produced_on", "expires_on", "quantity", "unit", "place_code", "note")


# --- Lots -----------------------------------------------------------------------------------------------
def _check_product(product: Product) -> None:
    if product.producer.status != ProducerStatus.VERIFIED:
        raise ValidationError(
            _("Lots can only be opened for a verified producer; this producer's registration is not verified."),
            code="producer_not_verified",
        )
    if product.status != ProductStatus.ACTIVE:
        raise ValidationError(
            _("Lots can only be opened for an active product; this product is %(status)s.")
            % {"status": product.get_status_display().lower()},
            code="product_not_active",
        )


def _check_evidence(product: Product, evidence: Iterable[Evidence]) -> list[Evidence]:
    documents = list(evidence)
    foreign = [doc for doc in documents if doc.producer_id != product.producer_id]
    if foreign:
        raise ValidationError(
            {"evidence": _("Only documents from this producer's own evidence library can be attached.")},
            code="evidence_foreign",
        )
    return documents


def _save_lot(lot: Lot) -> Lot:
    lot.full_clean(exclude=["producer", "province", "created_by"])
    try:
        with transaction.atomic():
            lot.save()
    except IntegrityError as exc:
        raise _duplicate_number() from exc
    return lot


def _duplicate_number() -> ValidationError:
    return ValidationError({"number": _("This product already has a lot with this number.")}, code="lot_number_taken")


def create_lot(
    product: Product, fields: Mapping[str, Any], *, evidence: Iterable[Evidence] = (), actor: User | None = None
) -> Lot:
    """Open a lot of `product`; `fields` holds LOT_FIELDS values."""
    _check_product(product)
    documents = _check_evidence(product, evidence)
    lot = Lot(product=product, created_by=actor, **{k: v for k, v in fields.items() if k in LOT_FIELDS})
    lot.number = normalise_lot_number(lot.number)
    if Lot.objects.filter(product=product, number=lot.number).exists():
        raise _duplicate_number()
    with transaction.atomic():
        _save_lot(lot)
        lot.evidence.set(documents)
    return lot


def update_lot(lot: Lot, fields: Mapping[str, Any], *, evidence: Iterable[Evidence] | None = None) -> Lot:
    """Change a lot's data. Its product never changes: stamps and events name it."""
    for name, value in fields.items():
        if name in LOT_FIELDS:
            setattr(lot, name, value)
    lot.number = normalise_lot_number(lot.number)
    if Lot.objects.filter(product_id=lot.product_id, number=lot.number).exclude(pk=lot.pk).exists():
        raise _duplicate_number()
    documents = _check_evidence(lot.product, evidence) if evidence is not None else None
    with transaction.atomic():
        _save_lot(lot)
        if documents is not None:
            lot.evidence.set(documents)
    return lot


# --- Trace events -----------------------------------------------------------------------------------------
def _check_time(moment: dt.datetime) -> None:
    if moment > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError(
            {"occurred_at": _("The time of an event cannot be in the future.")}, code="event_in_future"
        )


def _duplicate_event() -> ValidationError:
    return ValidationError(_("This event is already recorded for this lot."), code="event_duplicate")


def _prepare_event(lot: Lot, fields: Mapping[str, Any], *, source: str, actor: User | None) -> TraceEvent:
    data = dict(fields)
    data.pop("admin_unit_key", None)
    event = TraceEvent(lot=lot, source=source, created_by=actor, **data)
    step, disposition = DEFAULT_VOCABULARY.get(event.event_type, ("other", ""))
    event.biz_step = event.biz_step or step
    if not event.disposition and not fields.get("biz_step"):
        event.disposition = disposition
    if event.occurred_at is not None:
        # EPCIS times carry milliseconds; keeping more would make the stored time and the exported one differ.
        event.occurred_at = event.occurred_at.replace(microsecond=event.occurred_at.microsecond // 1000 * 1000)
        _check_time(event.occurred_at)
    # The actor's name is required when entered on a page (the form says so);
    # an imported event from another system may identify its actor by GLN only.
    event.full_clean(exclude=["lot", "created_by", "event_hash", "actor"])
    event.lot = lot
    event.event_hash = epcis.compute_hash(event)
    return event


def add_event(lot: Lot, fields: Mapping[str, Any], *, actor: User | None = None) -> TraceEvent:
    """Record one trace event on `lot`, refused if the same event (same hash) is already there."""
    event = _prepare_event(lot, fields, source=EventSource.ENTERED, actor=actor)
    if lot.events.filter(event_hash=event.event_hash).exists():
        raise _duplicate_event()
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError as exc:  # the same event saved by a parallel request
        raise _duplicate_event() from exc
    return event


# --- EPCIS ---------------------------------------------------------------------------------------------------
def export_document(lot: Lot, *, audit: bool = True) -> dict[str, Any]:
    """The lot's EPCISDocument.

    An export by a signed-in user is recorded in the audit log; the public
    API (`audit=False`) serves data already public on the scan page and is not,
    so anonymous reads cannot flood the chain.
    """
    events = lot.events.select_related("admin_unit").order_by("occurred_at", "pk")
    document = epcis.lot_document(lot, events, created=clock.now())
    if audit:
        record(Action.EXPORT, instance=lot, note=f"EPCIS 2.0: {len(document['epcisBody']['eventList'])} events")
    return document


@dataclass
class ImportResult:
    created: list[TraceEvent] = field(default_factory=list)
    duplicates: int = 0


def _load(data: bytes | str | Mapping[str, Any]) -> Any:
    if isinstance(data, Mapping):
        return data
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)d MB.") % {"size": MAX_DOCUMENT_BYTES // (1024 * 1024)},
            code="epcis_too_large",
        )
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(_("The file is not valid JSON."), code="epcis_not_json") from exc


def _admin_unit(key: str) -> Any:
    from ocop.geo.models import AdminUnit

    parts = key.split("/")
    if len(parts) != 3:
        return None
    return AdminUnit.objects.filter(map=parts[0], level=parts[1], code=parts[2]).first()


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(f"{message}" for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


def import_document(lot: Lot, data: bytes | str | Mapping[str, Any], *, actor: User | None = None) -> ImportResult:
    """Add the events of an EPCIS 2.0 JSON-LD document to `lot`; all or nothing.

    An event already on the lot — same standard event hash, or the eventID of
    an event this platform exported — is skipped, so importing the same file
    twice adds nothing. Every event must name this lot (its class-level
    identifier, as a Digital Link or an EPC URN). Any invalid event refuses
    the whole document with a message that says which event and why.
    """
    document = _load(data)
    try:
        events = epcis.validate_document(document)
    except epcis.EPCISError as exc:
        raise ValidationError(str(exc), code="epcis_invalid") from exc
    if len(events) > MAX_EVENTS_PER_IMPORT:
        raise ValidationError(
            _("A document may hold at most %(max)d events.") % {"max": MAX_EVENTS_PER_IMPORT}, code="epcis_too_many"
        )
    context = document.get("@context")
    prefixes = epcis.context_prefixes(context)
    lot_id = epcis.canonical_id(epcis.lot_class_uri(lot))
    known = set(lot.events.values_list("event_hash", flat=True))
    result = ImportResult()
    pending: list[TraceEvent] = []
    for number, raw in enumerate(events, start=1):
        where = _("Event %(number)d") % {"number": number}
        if lot_id not in epcis.referenced_ids(raw):
            raise ValidationError(
                _("%(where)s does not concern this lot (%(id)s).") % {"where": where, "id": lot_id},
                code="epcis_other_lot",
            )
        digest = epcis.event_hash(raw, context)
        if digest in known or raw.get("eventID") in known:
            result.duplicates += 1
            continue
        fields = epcis.event_fields(raw, prefixes, lot)
        unit_key = fields.pop("admin_unit_key")
        fields["admin_unit"] = _admin_unit(unit_key) if unit_key else None
        try:
            event = _prepare_event(lot, fields, source=EventSource.IMPORTED, actor=actor)
        except ValidationError as exc:
            raise ValidationError(
                _("%(where)s: %(errors)s") % {"where": where, "errors": _messages(exc)}, code="epcis_invalid"
            ) from exc
        # The identity of an imported event is the hash of the event as its source wrote it.
        event.event_hash = digest
        known.add(digest)
        pending.append(event)
    with transaction.atomic():
        for event in pending:
            event.save()
        result.created = pending
        record(
            Action.IMPORT,
            instance=lot,
            note=f"EPCIS 2.0: {len(pending)} new events, {result.duplicates} already recorded",
        )
    return result
