"""Resolving what a consumer scanned: a stamp, a lot, a product, or nothing genuine.

Two address forms reach here (grammar in `ocop.stamps.codes`):

- GS1 Digital Link: ``/01/{gtin}[/10/{lot}[/21/{serial}[/K/{kid}/G/{signature}]]]``. The full path names one
  stamp; shorter paths name the lot or the product, as GS1 resolvers do.
- the short form ``/S/{serial}[/K/{kid}/G/{signature}]`` for products without a GTIN.

Matching is case-insensitive (stamps are printed in upper case; serials, lot numbers and key ids are stored
in upper case). A GTIN of 8, 12 or 13 digits is accepted and padded to 14, as GS1 resolvers do.

Walking up: a serial that is not ours under a lot that is, or a lot that is not ours under a GTIN that is,
resolves to `Resolution(found=None, lot=…, product=…)` with the reason; the view decides what to answer
(see `views.py`: a page that says the stamp is not genuine and shows the lot or product, or a 307 to the
less specific identifier for a machine asking for links). Only products that have (or had) an OCOP
certificate are public here (`public_products()`): a GTIN of a product still in draft resolves to nothing.

Every function here only reads; nothing raises on any input.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import router
from django.db.models import Exists, OuterRef, QuerySet

from ocop.certificates.models import IN_FORCE, Certificate
from ocop.geo.models import AdminUnit
from ocop.registry.models import Product
from ocop.registry.validators import gtin_check_digit
from ocop.scans import pagecache, sql
from ocop.scans.models import ScanSummary
from ocop.stamps import codes
from ocop.stamps.models import Stamp
from ocop.traceability.models import Lot

STAMP = "stamp"
LOT = "lot"
PRODUCT = "product"

# Why a look-up found no stamp (or no lot / product for the shorter paths).
MALFORMED = "malformed"
UNKNOWN_PRODUCT = "unknown_product"
UNKNOWN_LOT = "unknown_lot"
UNKNOWN_SERIAL = "unknown_serial"
# The serial exists, but under another product or lot than the code says: a genuine serial copied onto a
# forged code.
MISMATCH = "mismatch"

_LOT_RE = re.compile(r"[0-9A-Z][0-9A-Z.-]{0,19}")


@dataclass
class Resolution:
    kind: str  # STAMP, LOT or PRODUCT: what the address asks for
    found: Any = None  # the Stamp, Lot or Product asked for; None when it is not ours
    reason: str = ""  # when `found` is None
    parsed: codes.ParsedStamp | None = None
    lot: Lot | None = None  # the lot named by the address (walking up), or the stamp's lot
    product: Product | None = None

    @property
    def ok(self) -> bool:
        return self.found is not None


def public_products() -> QuerySet[Product]:
    """Products the resolver may show anybody: those with at least one OCOP certificate (in any status)."""
    return Product.objects.filter(Exists(Certificate.objects.filter(product=OuterRef("pk"))))


def gtin14(text: str) -> str | None:
    """A GTIN as typed in an address, padded to 14 digits; None unless it has 8, 12, 13 or 14 digits and a
    valid check digit."""
    if not re.fullmatch(r"\d{8}|\d{12,14}", text or ""):
        return None
    if gtin_check_digit(text[:-1]) != int(text[-1]):
        return None
    return text.zfill(14)


def _gtin_forms(value: str) -> list[str]:
    """The ways a registry record may hold a 14-digit GTIN (GTIN-8/12/13 keep their own length there)."""
    forms = [value]
    for length in (13, 12, 8):
        head, tail = value[: 14 - length], value[14 - length :]
        if set(head) == {"0"}:
            forms.append(tail)
    return forms


def product_for_gtin(value: str) -> Product | None:
    return (
        public_products()
        .filter(gtin__in=_gtin_forms(value))
        .select_related("producer__province", "producer__current_commune")
        .order_by("pk")
        .first()
    )


def lot_for(product: Product, number: str) -> Lot | None:
    return Lot.objects.filter(product=product, number=number.upper()).first()


# --- The stamp look-up: the hot path of every scan ---------------------------------------------------------
def _stamp(serial: str, gen: int | None = None) -> Stamp | None:
    """The stamp with `serial`, its running figures (`stamp.scan_summary`, with `first_province`) and its batch.

    One indexed query (`sql.select_stamp`); the batch, lot, product and producer are the same for every stamp of
    a batch and come from `pagecache.batch()`."""
    alias = router.db_for_read(Stamp)
    row = sql.fetch_stamp(alias, serial)
    if row is None:
        return None
    n, m = len(sql.STAMP_FIELDS), len(sql.SUMMARY_FIELDS)
    stamp = Stamp.from_db(alias, _STAMP_NAMES, sql.python_values(alias, sql.STAMP_FIELDS, row[:n]))
    summary = None
    if row[n] is not None:
        summary = ScanSummary.from_db(
            alias, _SUMMARY_NAMES, sql.python_values(alias, sql.SUMMARY_FIELDS, row[n : n + m])
        )
        province = None
        if summary.first_province_id is not None:
            province = AdminUnit.from_db(alias, ["id", "name"], [summary.first_province_id, row[n + m]])
        ScanSummary.first_province.field.set_cached_value(summary, province)
        ScanSummary.stamp.field.set_cached_value(summary, stamp)
    Stamp.scan_summary.related.set_cached_value(stamp, summary)
    Stamp.batch.field.set_cached_value(stamp, pagecache.batch(stamp.batch_id, gen=gen))
    return stamp


_STAMP_NAMES = [f.attname for f in sql.STAMP_FIELDS]
_SUMMARY_NAMES = [f.attname for f in sql.SUMMARY_FIELDS]


def _walk_up(kind: str, gtin: str, lot_number: str, parsed: codes.ParsedStamp | None, reason: str) -> Resolution:
    product = product_for_gtin(gtin)
    if product is None:
        return Resolution(kind, reason=UNKNOWN_PRODUCT if reason != MALFORMED else MALFORMED, parsed=parsed)
    lot = lot_for(product, lot_number) if lot_number and _LOT_RE.fullmatch(lot_number) else None
    if lot_number and lot is None:
        reason = UNKNOWN_LOT
    return Resolution(kind, reason=reason, parsed=parsed, lot=lot, product=product)


def resolve_gs1(rest: str, *, gen: int | None = None) -> Resolution:
    """Resolve the part of a Digital Link path after "/01/" (`gen`: the `pagecache` generation, if read)."""
    text = (rest or "").strip("/")
    head, _sep, tail = text.partition("/")
    padded = gtin14(head)
    # A GTIN-8, -12 or -13 is read as its GTIN-14 (GS1 resolvers do the same); stamps print the 14 digits.
    parsed = codes.parse(f"01/{padded}/{tail}") if padded is not None else None
    if parsed is not None:
        stamp = _stamp(parsed.serial, gen)
        if stamp is not None:
            lot = stamp.batch.lot
            product = lot.product
            # The GTIN printed is the one frozen on the batch when it was issued.
            if stamp.batch.gtin == parsed.gtin and lot.number == parsed.lot:
                return Resolution(STAMP, found=stamp, parsed=parsed, lot=lot, product=product)
            return _walk_up(STAMP, parsed.gtin, parsed.lot, parsed, MISMATCH)
        return _walk_up(STAMP, parsed.gtin, parsed.lot, parsed, UNKNOWN_SERIAL)

    segments = (rest or "").strip("/").upper().split("/")
    gtin = gtin14(segments[0])
    if gtin is None:
        return Resolution(STAMP if len(segments) > 3 else LOT if len(segments) > 1 else PRODUCT, reason=MALFORMED)
    if len(segments) == 1:
        product = product_for_gtin(gtin)
        if product is None:
            return Resolution(PRODUCT, reason=UNKNOWN_PRODUCT)
        return Resolution(PRODUCT, found=product, product=product)
    lot_number = segments[2] if len(segments) >= 3 and segments[1] == "10" else ""
    if len(segments) == 3 and lot_number:
        walked = _walk_up(LOT, gtin, lot_number, None, UNKNOWN_LOT)
        if walked.lot is not None:
            walked.found, walked.reason = walked.lot, ""
        return walked
    # Anything longer that is not a stamp of ours (a serial of the wrong shape, an unknown qualifier): the
    # stamp is not genuine, but the product and lot it names may be.
    return _walk_up(STAMP, gtin, lot_number, None, MALFORMED)


def resolve_short(rest: str, *, gen: int | None = None) -> Resolution:
    """Resolve the part of a short stamp path after "/S/" (`gen`: the `pagecache` generation, if read)."""
    text = (rest or "").strip("/")
    parsed = codes.parse("S/" + text)
    serial = parsed.serial if parsed is not None else None
    if serial is None and "/" not in text:
        # A serial typed by a person: Crockford's look-alikes (O, I, L) and separators are forgiven.
        serial = codes.normalise_serial(text)
    if serial is None:
        return Resolution(STAMP, reason=MALFORMED)
    stamp = _stamp(serial, gen)
    if stamp is None:
        return Resolution(STAMP, reason=UNKNOWN_SERIAL, parsed=parsed)
    lot = stamp.batch.lot
    return Resolution(STAMP, found=stamp, parsed=parsed, lot=lot, product=lot.product)


# --- The certificate a consumer is shown ---------------------------------------------------------------
def certificate_for(product: Product, today: dt.date) -> Certificate | None:
    """The certificate that answers "may this product carry the OCOP mark today?".

    The highest-star certificate in force; when none is, the most recently issued one (whose status —
    revoked, expired, not yet in force — is then the answer). None for a product never certified.
    """
    certificates = list(Certificate.objects.filter(product=product).order_by("-issued_on", "-pk"))
    in_force = [c for c in certificates if c.status_on(today) in IN_FORCE]
    if in_force:
        return max(in_force, key=lambda c: (c.star, c.issued_on))
    return certificates[0] if certificates else None
