"""Issuing, generating, activating and voiding stamps.

Views, commands and tests call these functions; permission is checked before
(through the scope querysets), never here. Every operation on stamps is one
audit event, however many stamps it touches: the generation records a SHA-256
digest of all the serials in issue order, so the audit log can later show
that no serial was added or swapped.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.audit.log import acting_as, record
from ocop.audit.models import Action
from ocop.lib import clock
from ocop.stamps import codes, keys, progress
from ocop.stamps.models import BatchStatus, Stamp, StampBatch, StampState

# Rows per insert statement batch and per progress report.
CHUNK = 10_000
# A collision of 100-bit serials is astronomically unlikely; if the unique
# index ever refuses one, the whole batch is drawn again this many times.
ATTEMPTS = 3


class StampError(Exception):
    """A refused operation, with a translated message for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Eligibility ----------------------------------------------------------------------------
def certificate_in_force(product: Any) -> Any:
    """The product's certificate in force today on the platform's clock, or None."""
    from ocop.certificates.models import Certificate

    return Certificate.objects.filter(product=product).valid_on(clock.today()).order_by("-issued_on").first()


@dataclass(frozen=True)
class Allowance:
    """How many stamps a lot may still get."""

    quantity: int  # packages in the lot
    spare_percent: int
    cap: int  # quantity plus the spare, rounded down
    issued: int  # in earlier batches that did not fail
    counted: bool  # False when the lot's quantity is not a number of packages

    @property
    def remaining(self) -> int:
        return max(0, min(self.cap - self.issued, settings.STAMP_MAX_PER_BATCH))

    @property
    def spare(self) -> int:
        return self.cap - self.quantity


def allowance(lot: Any) -> Allowance:
    from ocop.traceability.models import QuantityUnit

    spare = settings.STAMP_SPARE_PERCENT
    counted = lot.unit == QuantityUnit.PIECE
    quantity = int(Decimal(lot.quantity or 0).to_integral_value(rounding="ROUND_FLOOR")) if counted else 0
    issued = sum(lot.stamp_batches.exclude(status=BatchStatus.FAILED).values_list("count", flat=True))
    cap = math.floor(quantity * (100 + spare) / 100)
    return Allowance(quantity=quantity, spare_percent=spare, cap=cap, issued=issued, counted=counted)


# --- Issuing and generation -----------------------------------------------------------------
def issue_batch(lot: Any, *, count: int, signed: bool, by: Any) -> StampBatch:
    """Create a batch of `count` stamps for `lot` and queue their generation.

    Refused without a certificate in force for the product, and beyond the
    lot's quantity plus the spare. A signed batch is signed by the key in
    force of the product's province (made on first use).
    """
    from ocop.registry.validators import gtin14
    from ocop.traceability.models import Lot

    with transaction.atomic():
        # Locks the lot so that two batches issued at once cannot both pass the cap.
        lot = Lot.objects.select_for_update().select_related("product").get(pk=lot.pk)
        product = lot.product
        if certificate_in_force(product) is None:
            raise StampError(_("Stamps can only be issued for a product whose OCOP certificate is in force today."))
        room = allowance(lot)
        if not room.counted:
            raise StampError(
                _(
                    "Stamps are counted per package: record this lot's quantity in pieces / packages "
                    "before issuing stamps."
                )
            )
        if count < 1:
            raise StampError(_("Issue at least one stamp."))
        if count > room.remaining:
            raise StampError(
                _(
                    "This lot may get at most %(cap)d stamps (%(quantity)d packages plus %(spare)d %% spare) and "
                    "%(issued)d are already issued: at most %(remaining)d more."
                )
                % {
                    "cap": room.cap,
                    "quantity": room.quantity,
                    "spare": room.spare_percent,
                    "issued": room.issued,
                    "remaining": room.remaining,
                }
            )
        key = keys.active_key(product.province, by=by) if signed else None
        batch = StampBatch.objects.create(
            lot=lot,
            count=count,
            gtin=gtin14(product.gtin) if product.gtin else "",
            spare_allowed=room.spare,
            signed=signed,
            signing_key=key,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
    progress.report(batch, 0)
    from ocop.stamps.tasks import generate_batch

    generate_batch.enqueue(batch.pk)
    return batch


_INSERT = "INSERT INTO stamps_stamp (batch_id, seq, serial, state, reason) VALUES (%s, %s, %s, %s, '')"


def _write_stamps(batch: StampBatch, report: Callable[[int], None]) -> str:
    """Insert the batch's rows in chunks inside the caller's transaction; the SHA-256 of the serials."""
    digest = hashlib.sha256()
    issued = int(StampState.ISSUED)
    written = 0
    with connection.cursor() as cursor:
        while written < batch.count:
            size = min(CHUNK, batch.count - written)
            serials = codes.new_serials(size)
            # Plain executemany through Django's connection: bulk_create would
            # build a model instance per row, several times slower at a million.
            cursor.executemany(
                _INSERT, [(batch.pk, written + i + 1, serial, issued) for i, serial in enumerate(serials)]
            )
            digest.update("\n".join(serials).encode("ascii") + b"\n")
            written += size
            report(written)
    return digest.hexdigest()


def generate(batch_id: int) -> StampBatch:
    """Write the stamps of a batch (the background task's body): one transaction, one audit event."""
    batch = StampBatch.objects.select_related("lot", "created_by").get(pk=batch_id)
    if batch.status != BatchStatus.GENERATING:
        return batch
    with acting_as(batch.created_by):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    digest = _write_stamps(batch, lambda n: progress.report(batch, n))
                    batch.status = BatchStatus.READY
                    batch.generated = batch.count
                    batch.finished_at = timezone.now()
                    batch.save(update_fields=["status", "generated", "finished_at"])
                    record(
                        Action.CREATE,
                        model=Stamp._meta.label,
                        object_id=f"batch:{batch.pk}",
                        object_repr=f"{batch.count} stamps of batch #{batch.pk}",
                        after={"batch": batch.pk, "count": batch.count, "serials_sha256": digest},
                        note=f"stamps 1-{batch.count} of batch #{batch.pk} issued for lot {batch.lot.number}",
                    )
                break
            except IntegrityError:
                if attempt == ATTEMPTS:
                    _fail(batch, "serial collision")
            except Exception as exc:  # the batch must never stay "generating" for ever
                _fail(batch, f"{type(exc).__name__}: {exc}")
                raise
    progress.clear(batch)
    return batch


def _fail(batch: StampBatch, error: str) -> None:
    batch.status = BatchStatus.FAILED
    batch.error = error[:500]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "finished_at"])


# --- Activation and voiding -----------------------------------------------------------------
def check_range(batch: StampBatch, first: int | None, last: int | None) -> tuple[int, int]:
    """The range [first, last] in the batch's numbering (the whole batch when both are empty)."""
    first = 1 if first is None else first
    last = batch.count if last is None else last
    if not 1 <= first <= last <= batch.count:
        raise StampError(
            _("A range goes from stamp 1 to stamp %(count)d, with the first not after the last.")
            % {"count": batch.count}
        )
    return first, last


def _ready(batch: StampBatch) -> None:
    if batch.status != BatchStatus.READY:
        raise StampError(_("The stamps of this batch are not generated yet."))


def activate(batch: StampBatch, *, first: int | None = None, last: int | None = None, reason: str = "") -> int:
    """Activate the issued stamps of a range (voided ones stay voided); how many changed."""
    _ready(batch)
    first, last = check_range(batch, first, last)
    if certificate_in_force(batch.lot.product) is None:
        raise StampError(_("Stamps can only be activated while the product's OCOP certificate is in force."))
    with transaction.atomic():
        changed = (
            Stamp.objects.filter(batch=batch, state=StampState.ISSUED)
            .in_range(first, last)
            .update(state=StampState.ACTIVATED, activated_at=clock.now())
        )
        _audit(batch, "activated", first, last, changed, reason)
    return changed


def void(batch: StampBatch, *, first: int | None = None, last: int | None = None, reason: str) -> int:
    """Void the stamps of a range, whatever their state; how many changed. A reason is required."""
    _ready(batch)
    first, last = check_range(batch, first, last)
    reason = (reason or "").strip()
    if not reason:
        raise StampError(_("Say why these stamps are voided."))
    with transaction.atomic():
        changed = (
            Stamp.objects.filter(batch=batch)
            .exclude(state=StampState.VOIDED)
            .in_range(first, last)
            .update(state=StampState.VOIDED, voided_at=clock.now(), reason=reason[:200])
        )
        _audit(batch, "voided", first, last, changed, reason)
    return changed


def _audit(batch: StampBatch, what: str, first: int, last: int, changed: int, reason: str) -> None:
    # One event for the whole range: a million stamps voided is one line in the log.
    record(
        Action.UPDATE,
        instance=batch,
        after={"stamps": what, "first": first, "last": last, "changed": changed, "reason": reason},
        note=f"stamps {first}-{last} of batch #{batch.pk} {what} ({changed} changed)"
        + (f": {reason}" if reason else ""),
    )


# --- Reading the stamps for printing --------------------------------------------------------
@dataclass(frozen=True)
class PrintedStamp:
    seq: int
    serial: str
    uri: str
    state: int


def base_url() -> str:
    """The host printed in stamps: settings.SITE_URL (a development default without it)."""
    return (settings.SITE_URL or "http://localhost:8000").rstrip("/")


def uri_maker(batch: StampBatch) -> Callable[[str], str]:
    """A function serial → the URI printed for it, signed when the batch is (the key decrypted once)."""
    base = base_url()
    lot_number = batch.lot.number
    if batch.signed:
        key = batch.signing_key
        secret = keys.private_key(key)

        def make(serial: str) -> str:
            ident = codes.identity(serial, batch.gtin, lot_number)
            return codes.stamp_uri(base, ident, key.kid, keys.sign(key, ident, secret))

        return make

    def make_unsigned(serial: str) -> str:
        return codes.stamp_uri(base, codes.identity(serial, batch.gtin, lot_number))

    return make_unsigned


def printed_stamps(
    batch: StampBatch, first: int | None = None, last: int | None = None, chunk: int = 5000
) -> Iterator[PrintedStamp]:
    """The stamps of a range in issue order with their URIs, read in chunks (fit for a million)."""
    first, last = check_range(batch, first, last)
    make = uri_maker(batch)
    start = first
    while start <= last:
        end = min(last, start + chunk - 1)
        rows = (
            Stamp.objects.filter(batch=batch, seq__gte=start, seq__lte=end)
            .order_by("seq")
            .values_list("seq", "serial", "state")
        )
        for seq, serial, state in rows:
            yield PrintedStamp(seq, serial, make(serial), state)
        start = end + 1
