"""EPCIS 2.0 JSON-LD for lots: building documents, the standard event hash, reading documents back.

Identifiers. A lot of a product with a GTIN is the class-level identifier
"https://id.gs1.org/01/{GTIN-14}/10/{lot}", the GS1 Digital Link form of
urn:epc:class:lgtin. EPCIS 2.0 accepts either form; we write the Digital Link
because the EPC URN needs the length of the GS1 company prefix inside the GTIN,
which GS1 Vietnam allocates in several lengths and the registry does not
record (a wrong split would produce a wrong identifier). Imports accept both.
A lot of a product without a GTIN gets a URI under the platform's domain, and
so does a container code that is neither a URI nor an SSCC. Every exported
document is checked in the tests against GS1's EPCIS 2.0 JSON schema
(tests/test_epcis_schema.py).

Event hash. `event_hash()` follows the GS1 "EPCIS event hash" algorithm
(CBV 2.0, https://ref.gs1.org/standards/cbv/): a pre-hash string of the event's
fields in the canonical order, values normalised (UTC times to the
millisecond, CBV bare words to their Web URIs, EPC URNs and Digital Links to
constrained canonical Digital Links, numbers without trailing zeros), lists
sorted, user extensions as "{namespace}name=value" sorted and appended; then
SHA-256 in an RFC 6920 "ni" URI. Checked against the reference
implementation's published example (see tests/test_epcis_hash.py). One
deliberate difference: a string is treated as a number only when it is
written as a plain decimal number, where the reference would also take
"nan" or "1_000" for numbers.

Circular 02/2024 data without a standard EPCIS field (the actor's name, the
administrative unit, the trace codes one step back and one step forward) travel
as user extensions in the platform's namespace (prefix "ocop").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from django.conf import settings
from django.utils.translation import gettext as _

from ocop.registry.validators import gtin14, gtin_check_digit

if TYPE_CHECKING:
    from ocop.traceability.models import Lot, TraceEvent

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
HASH_VERSION = "CBV2.0"
CBV = "https://ref.gs1.org/cbv/"
GS1_DL = "https://id.gs1.org"
PREFIX = "ocop"

EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent")
ACTIONS = ("ADD", "OBSERVE", "DELETE")

# CBV 2.0 vocabularies (section 7): the bare words a JSON-LD document may use.
BIZ_STEPS = (
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "sampling",
    "sensor_reporting",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
)
DISPOSITIONS = (
    "active",
    "available",
    "completeness_inferred",
    "completeness_verified",
    "conformant",
    "container_closed",
    "container_open",
    "damaged",
    "destroyed",
    "dispensed",
    "disposed",
    "encoded",
    "expired",
    "in_progress",
    "in_transit",
    "inactive",
    "mismatch_class",
    "mismatch_instance",
    "mismatch_quantity",
    "needs_replacement",
    "no_pedigree_match",
    "non_conformant",
    "non_sellable_other",
    "partially_dispensed",
    "recalled",
    "reserved",
    "retail_sold",
    "returned",
    "sellable_accessible",
    "sellable_not_accessible",
    "stolen",
    "unavailable",
    "unknown",
)
# Where a bare word of each field is expanded to in the CBV Web vocabulary.
_VOCABULARY = {"bizStep": "BizStep-", "disposition": "Disp-"}
_TYPED_LIST_VOCABULARY = {"bizTransactionList": "BTT-", "sourceList": "SDT-", "destinationList": "SDT-"}
_URN_VOCABULARY = {
    "urn:epcglobal:cbv:bizstep:": CBV + "BizStep-",
    "urn:epcglobal:cbv:disp:": CBV + "Disp-",
    "urn:epcglobal:cbv:btt:": CBV + "BTT-",
    "urn:epcglobal:cbv:sdt:": CBV + "SDT-",
    "urn:epcglobal:cbv:er:": CBV + "ER-",
}
_STANDARD_CURIES = {"gs1": "https://gs1.org/voc/", "epcis": "https://ref.gs1.org/epcis/", "cbv": CBV}


class EPCISError(ValueError):
    """A document or event that cannot be read; the message is translated and says where."""


# --- Identifiers --------------------------------------------------------------------------------
def platform_base() -> str:
    return (getattr(settings, "SITE_URL", "") or "http://localhost").rstrip("/")


def namespace() -> str:
    """The namespace of the platform's EPCIS user extensions."""
    return f"{platform_base()}/ns/epcis/"


def lot_class_uri(lot: Lot) -> str:
    """The class-level identifier of `lot` (product + lot number)."""
    gtin = (lot.product.gtin or "").strip()
    if gtin:
        return f"{GS1_DL}/01/{gtin14(gtin)}/10/{quote(lot.number, safe='')}"
    return f"{platform_base()}/trace/id/{lot.product_id}/{quote(lot.number, safe='')}"


def _container_base() -> str:
    return f"{platform_base()}/trace/container/"


def container_uri(code: str) -> str:
    """The URI an EPCIS parentID needs for a container code, which the event form takes in any notation.

    A URI stays as written; an SSCC written as its 18 digits becomes its GS1
    Digital Link; any other code a URI under the platform's domain, which the
    import turns back into the code (`container_code`).
    """
    code = code.strip()
    if _is_uri(code):
        return code
    if re.fullmatch(r"\d{18}", code) and gtin_check_digit(code[:-1]) == int(code[-1]):
        return f"{GS1_DL}/00/{code}"
    return _container_base() + quote(code, safe="")


def container_code(uri: str) -> str:
    """The container code a parentID stands for: the inverse of `container_uri` for the platform's own URIs."""
    base = _container_base()
    return unquote(uri[len(base) :]) if uri.startswith(base) else uri


def transformation_id(event: TraceEvent) -> str:
    """A transformationID of its own for a processing event with no input identifier.

    EPCIS 2.0 (and its JSON schema) accepts a TransformationEvent with outputs
    only when a transformationID says which transformation it belongs to. It is
    derived from the lot and the event time, never random, so that the event
    hash computed when the event is saved is the hash of every later export.
    """
    name = f"{lot_class_uri(event.lot)}@{canonical_time(event.occurred_at.isoformat())}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def location_uri(gln: str) -> str:
    return f"{GS1_DL}/414/{gln}"


def party_uri(gln: str) -> str:
    return f"{GS1_DL}/417/{gln}"


def _with_check_digit(body: str) -> str:
    return body + str(gtin_check_digit(body))


_EPC_CHARS = r"(?:%[0-9A-Fa-f]{2}|[!')(*+,.0-9:;=A-Za-z_-])"
# (pattern, digits in company prefix + reference, builder of the Digital Link path)
_URN_PATTERNS: list[tuple[re.Pattern[str], int, Any]] = [
    (
        re.compile(rf"urn:epc:id:sgtin:(\d{{6,12}})\.(\d{{1,7}})\.({_EPC_CHARS}{{1,20}})"),
        13,
        lambda cp, ref, ser: f"/01/{_with_check_digit(ref[:1] + cp + ref[1:])}/21/{ser}",
    ),
    (
        re.compile(rf"urn:epc:class:lgtin:(\d{{6,12}})\.(\d{{1,7}})\.({_EPC_CHARS}{{1,20}})"),
        13,
        lambda cp, ref, lot: f"/01/{_with_check_digit(ref[:1] + cp + ref[1:])}/10/{lot}",
    ),
    (
        re.compile(r"urn:epc:idpat:sgtin:(\d{6,12})\.(\d{1,7})\.\*"),
        13,
        lambda cp, ref: f"/01/{_with_check_digit(ref[:1] + cp + ref[1:])}",
    ),
    (
        re.compile(r"urn:epc:id:sscc:(\d{6,12})\.(\d{5,11})"),
        17,
        lambda cp, ref: f"/00/{_with_check_digit(ref[:1] + cp + ref[1:])}",
    ),
    (
        re.compile(rf"urn:epc:id:sgln:(\d{{6,12}})\.(\d{{0,6}})\.({_EPC_CHARS}{{1,20}})"),
        12,
        lambda cp, ref, ext: f"/414/{_with_check_digit(cp + ref)}" + ("" if ext == "0" else f"/254/{ext}"),
    ),
    (
        re.compile(rf"urn:epc:id:gdti:(\d{{6,12}})\.(\d{{0,6}})\.({_EPC_CHARS}{{0,17}})"),
        12,
        lambda cp, ref, ser: f"/253/{_with_check_digit(cp + ref)}{ser}",
    ),
    (
        re.compile(r"urn:epc:id:pgln:(\d{6,12})\.(\d{0,6})"),
        12,
        lambda cp, ref: f"/417/{_with_check_digit(cp + ref)}",
    ),
]
# Keys (and key qualifiers) kept in a constrained canonical Digital Link, with the syntax of each value
# (GS1 AI encodable character set 82 less the characters a URI path must percent-encode).
_AI = r"(?:%[0-9A-Fa-f]{2}|[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A])"
_DL_CANONICAL = [
    re.compile(r"/00/\d{18}"),
    re.compile(rf"/01/\d{{14}}(?:/(?:10|21)/{_AI}{{1,20}})?"),
    re.compile(rf"/414/\d{{13}}(?:/254/{_AI}{{1,20}})?"),
    re.compile(rf"/253/\d{{13}}{_AI}{{0,17}}"),
    re.compile(r"/417/\d{13}"),
    re.compile(rf"/8003/\d{{14}}{_AI}{{0,16}}"),
    re.compile(rf"/8004/{_AI}{{1,30}}"),
]
_DL_KEY = re.compile(r"/(00|01|253|414|417|8003|8004)/")


def _normalise_digital_link(uri: str) -> str | None:
    """The constrained canonical form of a GS1 Digital Link URI on any domain, or None if `uri` is not one."""
    if not uri.startswith(("http://", "https://")):
        return None
    uri = uri.split("#", 1)[0].split("?", 1)[0]
    found = _DL_KEY.search(uri)
    if found is None:
        return None
    path = uri[found.start() :].rstrip("/")
    parts = path.split("/")[1:]
    if len(parts) < 2:
        return None
    key, value, qualifiers = parts[0], parts[1], dict(zip(parts[2::2], parts[3::2], strict=False))
    if key == "01":
        value = value.zfill(14) if value.isdigit() and len(value) in (8, 12, 13) else value
        # The most fine-grained level only: a serial makes the lot redundant.
        if "21" in qualifiers:
            path = f"/01/{value}/21/{qualifiers['21']}"
        elif "10" in qualifiers:
            path = f"/01/{value}/10/{qualifiers['10']}"
        else:
            path = f"/01/{value}"
    elif key == "414":
        path = f"/414/{value}" + (f"/254/{qualifiers['254']}" if "254" in qualifiers else "")
    else:
        path = f"/{key}/{value}"
    if not any(pattern.fullmatch(path) for pattern in _DL_CANONICAL):
        return None
    return GS1_DL + path


def canonical_id(uri: str) -> str:
    """`uri` as the event hash reads it: EPC URNs and Digital Links as constrained canonical Digital Links."""
    uri = uri.strip()
    if uri.startswith("urn:epc:"):
        for pattern, digits, build in _URN_PATTERNS:
            found = pattern.fullmatch(uri)
            # A URN whose company prefix and reference do not add up to the key's length is not one.
            if found is not None and len(found.group(1)) + len(found.group(2)) == digits:
                return GS1_DL + build(*found.groups())
        return uri
    return _normalise_digital_link(uri) or uri


# --- The event hash --------------------------------------------------------------------------------
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_LIST_OF_IDS = ("epcList", "inputEPCList", "childEPCs", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
# The canonical property order (the reference implementation's, which puts parentID before epcList).
_ORDER = (
    "eventTime",
    "eventTimeZoneOffset",
    "certificationInfo",
    "parentID",
    "epcList",
    "inputEPCList",
    "childEPCs",
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputEPCList",
    "outputQuantityList",
    "action",
    "transformationID",
    "bizStep",
    "disposition",
    "persistentDisposition",
    "readPoint",
    "bizLocation",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
)
# Never part of the hash: they are about the record, not the event.
_IGNORED = {"type", "eventID", "recordTime", "errorDeclaration", "@context", "rdfs:comment", "comment"}


def canonical_time(value: str) -> str:
    """An ISO 8601 time in UTC with milliseconds and "Z"; unchanged if it is not a time."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    moment = moment.astimezone(dt.UTC)
    # Rounded to the millisecond as the reference implementation does (round half to even).
    micro = round(moment.microsecond, -3)
    moment = moment.replace(microsecond=0) + dt.timedelta(microseconds=micro)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def canonical_number(value: Any) -> str:
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def _value(value: Any, prefixes: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return canonical_number(value)
    text = str(value).strip()
    for urn, web in _URN_VOCABULARY.items():
        if text.startswith(urn):
            return web + text[len(urn) :]
    prefix, sep, rest = text.partition(":")
    if sep and prefix in prefixes and not rest.startswith("//"):
        return prefixes[prefix] + rest
    if _NUMBER.fullmatch(text):
        try:
            return canonical_number(text)
        except InvalidOperation:
            return text
    return canonical_id(text)


def _bare(word: Any, vocabulary: str, prefixes: dict[str, str]) -> str:
    text = str(word).strip()
    if text and ":" not in text:
        return CBV + vocabulary + text
    return _value(text, prefixes)


def _pairs(items: Iterable[str]) -> str:
    return "".join(sorted(items))


def _extension_key(key: str, prefixes: dict[str, str]) -> str:
    prefix, sep, local = key.partition(":")
    if sep and prefix in prefixes:
        return "{" + prefixes[prefix] + "}" + local
    return key


def _generic(key: str, value: Any, prefixes: dict[str, str]) -> list[str]:
    """Pre-hash strings of a user extension (or ilmd) element: one per value when `value` is a list."""
    if isinstance(value, list):
        return [s for item in value for s in _generic(key, item, prefixes)]
    name = _extension_key(key, prefixes)
    if isinstance(value, dict):
        text = value.get("#text")
        children = [
            s
            for k, v in value.items()
            if k not in ("#text", "type") and not k.startswith("@")
            for s in _generic(k, v, prefixes)
        ]
        head = name + (f"={_value(text, prefixes)}" if text not in (None, "") else "")
        return [head + _pairs(children)] if (children or text not in (None, "")) else [name]
    if value is None or str(value).strip() == "":
        return [name]
    return [f"{name}={_value(value, prefixes)}"]


def _quantity(element: dict[str, Any], prefixes: dict[str, str]) -> str:
    out = "quantityElement"
    if element.get("epcClass") not in (None, ""):
        out += f"epcClass={_value(element['epcClass'], prefixes)}"
    if element.get("quantity") not in (None, ""):
        out += f"quantity={_value(element['quantity'], prefixes)}"
    if element.get("uom") not in (None, ""):
        out += f"uom={_value(element['uom'], prefixes)}"
    return out


def _typed(entry: dict[str, Any], item: str, vocabulary: str, prefixes: dict[str, str]) -> str:
    # The type follows the value it qualifies (rule 13), before the entries are sorted.
    out = f"{item}={_value(entry.get(item, ''), prefixes)}"
    if entry.get("type") not in (None, ""):
        out += f"type={_bare(entry['type'], vocabulary, prefixes)}"
    return out


def _field(key: str, value: Any, prefixes: dict[str, str]) -> str:
    if value in (None, "", [], {}):
        return ""
    if key in ("eventTime", "eventTimeZoneOffset", "action", "parentID", "transformationID", "certificationInfo"):
        values = value if isinstance(value, list) else [value]
        if key == "eventTime":
            return f"eventTime={canonical_time(str(value))}"
        return _pairs(f"{key}={_value(v, prefixes)}" for v in values)
    if key in _LIST_OF_IDS:
        return key + _pairs(f"epc={_value(v, prefixes)}" for v in value)
    if key in _QUANTITY_LISTS:
        return key + _pairs(_quantity(v, prefixes) for v in value)
    if key in _VOCABULARY:
        return f"{key}={_bare(value, _VOCABULARY[key], prefixes)}"
    if key == "persistentDisposition":
        parts = [
            f"{part}={_bare(v, 'Disp-', prefixes)}"
            for part in ("set", "unset")
            for v in sorted(value.get(part) or [], key=lambda v: _bare(v, "Disp-", prefixes))
        ]
        return key + "".join(parts)
    if key in ("readPoint", "bizLocation"):
        extras = [s for k, v in value.items() if k != "id" for s in _generic(k, v, prefixes)]
        head = f"id={_value(value['id'], prefixes)}" if value.get("id") else ""
        return key + head + _pairs(extras)
    if key in _TYPED_LIST_VOCABULARY:
        item = {"bizTransactionList": "bizTransaction", "sourceList": "source", "destinationList": "destination"}[key]
        return key + _pairs(_typed(entry, item, _TYPED_LIST_VOCABULARY[key], prefixes) for entry in value)
    # sensorElementList: rare in our documents; hashed generically, in a stable order.
    return key + _pairs(s for element in value for s in _generic("sensorElement", element, prefixes))


def context_prefixes(context: Any) -> dict[str, str]:
    """Namespace prefixes declared in a JSON-LD @context (strings in it are remote contexts)."""
    prefixes = dict(_STANDARD_CURIES)
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, dict):
            prefixes.update({k: v for k, v in item.items() if isinstance(v, str) and not k.startswith("@")})
    return prefixes


def pre_hash(event: dict[str, Any], context: Any = None) -> str:
    """The canonical pre-hash string of one EPCIS 2.0 JSON event."""
    prefixes = context_prefixes(context if context is not None else event.get("@context"))
    out = f"eventType={event.get('type', '')}"
    out += "".join(_field(key, event[key], prefixes) for key in _ORDER if key in event)
    rest = [s for k, v in event.items() if k not in _IGNORED and k not in _ORDER for s in _generic(k, v, prefixes)]
    return out + _pairs(rest)


def event_hash(event: dict[str, Any], context: Any = None) -> str:
    digest = hashlib.sha256(pre_hash(event, context).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver={HASH_VERSION}"


# --- Export ---------------------------------------------------------------------------------------------
def document_context() -> list[Any]:
    return [EPCIS_CONTEXT, {PREFIX: namespace()}]


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _quantity_element(lot: Lot, quantity: Decimal | None) -> dict[str, Any]:
    return {"epcClass": lot_class_uri(lot), "quantity": _number(quantity or lot.quantity), "uom": lot.unit}


def event_body(event: TraceEvent) -> dict[str, Any]:
    """The EPCIS 2.0 JSON of `event` without its eventID: what the event hash is computed over.

    Harvest, packing, shipping and receiving are ObjectEvents on the lot's
    class-level identifier; packing into, or moving, a container with a code
    is an AggregationEvent under that container (`container_uri`); processing
    is a TransformationEvent whose output is the lot and whose inputs are the
    trace codes one step back that are URIs (with none, a transformationID of
    its own, as EPCIS requires).
    """
    from ocop.traceability.models import EventType

    lot = event.lot
    element = _quantity_element(lot, event.quantity)
    ns = PREFIX + ":"
    body: dict[str, Any] = {
        "eventTime": event.local_time.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": event.tz_offset,
    }
    if event.event_type == EventType.PROCESSING:
        body["type"] = "TransformationEvent"
        inputs = [code for code in event.previous_codes if _is_uri(code)]
        if inputs:
            body["inputEPCList"] = inputs
        else:
            body["transformationID"] = transformation_id(event)
        body["outputQuantityList"] = [element]
    elif event.parent_code:
        body["type"] = "AggregationEvent"
        body["parentID"] = container_uri(event.parent_code)
        body["childQuantityList"] = [element]
        body["action"] = "ADD" if event.event_type == EventType.PACKING else "OBSERVE"
    else:
        body["type"] = "ObjectEvent"
        body["quantityList"] = [element]
        body["action"] = "ADD" if event.event_type == EventType.HARVEST else "OBSERVE"
    body["bizStep"] = event.biz_step
    if event.disposition:
        body["disposition"] = event.disposition
    if event.location_gln:
        body["readPoint"] = {"id": location_uri(event.location_gln)}
        body["bizLocation"] = {"id": location_uri(event.location_gln)}
    if event.actor_gln and event.event_type == EventType.SHIPPING:
        body["sourceList"] = [{"type": "possessing_party", "source": party_uri(event.actor_gln)}]
    if event.actor_gln and event.event_type == EventType.RECEIVING:
        body["destinationList"] = [{"type": "possessing_party", "destination": party_uri(event.actor_gln)}]
    body[ns + "stage"] = event.event_type
    body[ns + "actor"] = event.actor
    if event.actor_gln:
        body[ns + "actorGLN"] = event.actor_gln
    if event.admin_unit_id:
        unit = event.admin_unit
        body[ns + "adminUnit"] = f"{unit.map}/{unit.level}/{unit.code}"
        body[ns + "adminUnitName"] = unit.name
    if event.place:
        body[ns + "place"] = event.place
    if event.trace_codes:
        body[ns + "traceCodes"] = list(event.trace_codes)
    if event.previous_codes:
        body[ns + "traceCodesBack"] = list(event.previous_codes)
    if event.next_codes:
        body[ns + "traceCodesForward"] = list(event.next_codes)
    if event.note:
        body[ns + "note"] = event.note
    return body


def compute_hash(event: TraceEvent) -> str:
    return event_hash(event_body(event), document_context())


def lot_document(lot: Lot, events: Iterable[TraceEvent], *, created: dt.datetime) -> dict[str, Any]:
    """The EPCISDocument of `lot`: its events, each with the stored event hash as eventID."""
    event_list = []
    for event in events:
        body = event_body(event)
        body = {"type": body.pop("type"), "eventID": event.event_hash, **body}
        event_list.append(body)
    return {
        "@context": document_context(),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "epcisBody": {"eventList": event_list},
    }


# --- Validation and import ----------------------------------------------------------------------------
# An absolute URI (RFC 3986): a scheme, then only the characters a URI may hold, so that an IRI such as
# "lot:số-1" is not taken for one (the EPCIS JSON schema's "uri" format refuses it).
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=-]|%[0-9A-Fa-f]{2})+")
_OFFSET = re.compile(r"[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)")
_UOM = re.compile(r"[A-Z0-9]{2,3}")


def _is_uri(value: Any) -> bool:
    return isinstance(value, str) and _URI.fullmatch(value) is not None


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def validate_event(event: Any, where: str) -> None:
    """Raise EPCISError if `event` breaks the EPCIS 2.0 JSON schema's rules for the fields we read."""
    if not isinstance(event, dict):
        raise EPCISError(_("%(where)s is not a JSON object.") % {"where": where})
    kind = event.get("type")
    if kind not in EVENT_TYPES:
        raise EPCISError(_("%(where)s has an unknown event type: %(type)s.") % {"where": where, "type": kind})
    if _parse_time(event.get("eventTime")) is None:
        raise EPCISError(_("%(where)s has no valid eventTime (an ISO 8601 time with its offset).") % {"where": where})
    if not isinstance(event.get("eventTimeZoneOffset"), str) or not _OFFSET.fullmatch(event["eventTimeZoneOffset"]):
        raise EPCISError(_("%(where)s has no valid eventTimeZoneOffset (e.g. +07:00).") % {"where": where})
    if kind != "TransformationEvent" and event.get("action") not in ACTIONS:
        raise EPCISError(_("%(where)s has no valid action (ADD, OBSERVE or DELETE).") % {"where": where})
    if "eventID" in event and not _is_uri(event["eventID"]):
        raise EPCISError(_("%(where)s has an eventID that is not a URI.") % {"where": where})
    for key in (*_LIST_OF_IDS,):
        if key in event and (not isinstance(event[key], list) or not all(_is_uri(v) for v in event[key])):
            raise EPCISError(_("%(where)s: %(field)s must be a list of URIs.") % {"where": where, "field": key})
    for key in _QUANTITY_LISTS:
        if key not in event:
            continue
        items = event[key]
        if not isinstance(items, list):
            raise EPCISError(_("%(where)s: %(field)s must be a list.") % {"where": where, "field": key})
        for item in items:
            if not isinstance(item, dict) or not _is_uri(item.get("epcClass")):
                raise EPCISError(
                    _("%(where)s: every element of %(field)s needs an epcClass URI.") % {"where": where, "field": key}
                )
            quantity = item.get("quantity")
            if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int | float)):
                raise EPCISError(_("%(where)s: a quantity must be a number.") % {"where": where})
            if "uom" in item and (not isinstance(item["uom"], str) or not _UOM.fullmatch(item["uom"])):
                raise EPCISError(
                    _("%(where)s: a unit of measure must be a UN/ECE Recommendation 20 code such as KGM.")
                    % {"where": where}
                )
    for key in ("readPoint", "bizLocation"):
        if key in event and (not isinstance(event[key], dict) or not _is_uri(event[key].get("id"))):
            raise EPCISError(_("%(where)s: %(field)s needs an id URI.") % {"where": where, "field": key})
    if "parentID" in event and not _is_uri(event["parentID"]):
        raise EPCISError(_("%(where)s: parentID must be a URI.") % {"where": where})
    for key, words in (("bizStep", BIZ_STEPS), ("disposition", DISPOSITIONS)):
        value = event.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or (value not in words and not _is_uri(value)):
            raise EPCISError(
                _("%(where)s: %(field)s is neither a CBV word nor a URI: %(value)s.")
                % {"where": where, "field": key, "value": value}
            )
    if kind == "ObjectEvent" and "epcList" not in event and not event.get("quantityList"):
        raise EPCISError(_("%(where)s: an ObjectEvent needs an epcList or a quantityList.") % {"where": where})
    if kind == "AggregationEvent" and event.get("action") != "DELETE":
        if not event.get("childEPCs") and not event.get("childQuantityList"):
            raise EPCISError(
                _("%(where)s: an AggregationEvent needs childEPCs or a childQuantityList.") % {"where": where}
            )
    if kind == "TransformationEvent" and not any(
        event.get(k) for k in ("inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList")
    ):
        raise EPCISError(_("%(where)s: a TransformationEvent needs inputs or outputs.") % {"where": where})


def validate_document(document: Any) -> list[dict[str, Any]]:
    """The event list of an EPCISDocument; EPCISError (translated, saying where) if it is not one."""
    if not isinstance(document, dict):
        raise EPCISError(_("The file is not an EPCIS document: a JSON object was expected."))
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if EPCIS_CONTEXT not in contexts and not any(
        isinstance(c, str) and c.startswith("https://ref.gs1.org/standards/epcis/") for c in contexts
    ):
        raise EPCISError(_("The document's @context does not name the EPCIS 2.0 context."))
    if document.get("type") != "EPCISDocument":
        raise EPCISError(_("The document's type is not EPCISDocument."))
    if str(document.get("schemaVersion", "")) not in ("2.0", "2"):
        raise EPCISError(_("Only EPCIS 2.0 documents can be read (schemaVersion 2.0)."))
    if _parse_time(document.get("creationDate")) is None:
        raise EPCISError(_("The document has no valid creationDate."))
    body = document.get("epcisBody")
    if not isinstance(body, dict) or not isinstance(body.get("eventList"), list):
        raise EPCISError(_("The document has no epcisBody with an eventList."))
    events = body["eventList"]
    for number, event in enumerate(events, start=1):
        validate_event(event, _("Event %(number)d") % {"number": number})
    return events


def referenced_ids(event: dict[str, Any]) -> set[str]:
    """Every object identifier an event names, canonicalised (so a URN and a Digital Link compare equal)."""
    ids = {canonical_id(v) for key in _LIST_OF_IDS for v in event.get(key) or []}
    ids |= {canonical_id(q["epcClass"]) for key in _QUANTITY_LISTS for q in event.get(key) or []}
    if event.get("parentID"):
        ids.add(canonical_id(event["parentID"]))
    return ids


def _gln_from(uri: str | None, key: str) -> str:
    if not uri:
        return ""
    found = re.fullmatch(rf"{re.escape(GS1_DL)}/{key}/(\d{{13}})", canonical_id(uri))
    return found.group(1) if found else ""


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if str(v).strip()]


def _local_word(value: str | None, vocabulary: str) -> str:
    """A CBV value as the bare word we store ("shipping"), whatever notation it came in."""
    if not value:
        return ""
    value = value.strip()
    for urn, web in _URN_VOCABULARY.items():
        if value.startswith(urn):
            value = web + value[len(urn) :]
    for prefix in (CBV + vocabulary, "cbv:" + vocabulary):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def event_fields(event: dict[str, Any], prefixes: dict[str, str], lot: Lot) -> dict[str, Any]:
    """TraceEvent field values read from an EPCIS event (already validated)."""
    from ocop.traceability.models import EventType

    ns = "{" + namespace() + "}"

    def ext(name: str) -> Any:
        # Our extensions, under whichever prefix the document bound our namespace to.
        for key, value in event.items():
            if _extension_key(key, prefixes) == ns + name:
                return value
        return None

    kind = event["type"]
    biz_step = _local_word(event.get("bizStep"), "BizStep-")
    stage = ext("stage")
    if stage not in EventType.values:
        stage = {
            "TransformationEvent": EventType.PROCESSING,
            "creating_class_instance": EventType.HARVEST,
            "commissioning": EventType.HARVEST,
            "packing": EventType.PACKING,
            "shipping": EventType.SHIPPING,
            "departing": EventType.SHIPPING,
            "receiving": EventType.RECEIVING,
            "arriving": EventType.RECEIVING,
            "accepting": EventType.RECEIVING,
        }.get(kind if kind == "TransformationEvent" else biz_step, EventType.SHIPPING)
    moment = _parse_time(event["eventTime"])
    assert moment is not None  # validated
    offset = event["eventTimeZoneOffset"]
    element = None
    target = canonical_id(lot_class_uri(lot))
    for key in _QUANTITY_LISTS:
        for item in event.get(key) or []:
            if canonical_id(item["epcClass"]) == target and item.get("quantity") is not None:
                element = item
    quantity = Decimal(str(element["quantity"])) if element else None
    previous = _strings(ext("traceCodesBack"))
    if not previous and kind == "TransformationEvent":
        previous = _strings(event.get("inputEPCList"))
    readpoint = (event.get("bizLocation") or event.get("readPoint") or {}).get("id")
    parties = [p.get("source") for p in event.get("sourceList") or []]
    parties += [p.get("destination") for p in event.get("destinationList") or []]
    actor_gln = str(ext("actorGLN") or "").strip() or next((g for g in (_gln_from(p, "417") for p in parties) if g), "")
    return {
        "event_type": stage,
        "occurred_at": moment.astimezone(dt.UTC),
        "tz_offset": offset,
        "trace_codes": _strings(ext("traceCodes")),
        # An event on the whole lot stores no quantity of its own (the export writes the lot's).
        "quantity": quantity if quantity is not None and quantity != lot.quantity else None,
        "parent_code": container_code(str(event.get("parentID") or "")) if kind == "AggregationEvent" else "",
        "location_gln": _gln_from(readpoint, "414"),
        "place": str(ext("place") or "").strip() or ("" if _gln_from(readpoint, "414") else (readpoint or "")),
        "actor": str(ext("actor") or "").strip() or actor_gln,
        "actor_gln": actor_gln,
        "previous_codes": previous,
        "next_codes": _strings(ext("traceCodesForward")),
        "biz_step": biz_step,
        "disposition": _local_word(event.get("disposition"), "Disp-"),
        "note": str(ext("note") or "").strip(),
        "admin_unit_key": str(ext("adminUnit") or "").strip(),
    }
