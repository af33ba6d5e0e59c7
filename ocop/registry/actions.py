"""Registry workflows shared by the pages, the spreadsheet import and the API.

These functions change data; they do not decide who may call them (the views
ask `ocop.registry.querysets` first). Every save is audited by the model
signals of the audit app, so nothing here writes to the audit log directly.
Refusals are ValidationErrors with translated messages, raised before
anything is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.registry import files
from ocop.registry.models import (
    Evidence,
    Producer,
    ProducerStatus,
    Product,
    ProductCodeSerial,
    ProductPhoto,
)

if TYPE_CHECKING:
    from ocop.accounts.models import User
    from ocop.geo.models import AdminUnit

# A product carries at most this many photos: enough for a catalogue page.
MAX_PHOTOS_PER_PRODUCT = 20

# Fields that identify a producer: once verified, its own account no longer
# changes them (an office does, so the verification stays meaningful).
PRODUCER_IDENTITY_FIELDS = ("name", "kind", "tax_code", "registration_number", "commune")


# --- Producers ---------------------------------------------------------------------------
def _place(producer: Producer, commune: AdminUnit) -> None:
    """Put `producer` in a commune.

    `commune` is normally a present-day commune. A record made under the old
    map keeps the legacy commune it names and only gets `commune` as its
    present-day commune; a legacy commune (from an import) is taken as is.
    """
    legacy_record = producer.commune_id is not None and not producer.commune.is_current
    if legacy_record and commune.is_current:
        producer.current_commune = commune
    else:
        producer.commune = commune
        producer.current_commune = commune if commune.is_current else None


def create_producer(
    fields: Mapping[str, Any], *, actor: User | None = None, status: str = ProducerStatus.PENDING
) -> Producer:
    """Register a producer. `fields` holds model field values; "commune" is required.

    New producers wait for verification unless `status` says otherwise (an
    import of producers already recognised by a province, for instance).
    """
    data = dict(fields)
    commune = data.pop("commune")
    current = data.pop("current_commune", None)
    producer = Producer(**data)
    _place(producer, commune)
    if current is not None and not commune.is_current:
        producer.current_commune = current
    producer.status = status
    if status == ProducerStatus.VERIFIED:
        producer.verified_at = timezone.now()
        producer.verified_by = actor
    producer.save()
    return producer


@transaction.atomic
def update_producer(producer: Producer, changes: Mapping[str, Any], *, actor: User | None = None) -> Producer:
    """Change a producer's profile. Status and verification fields are not changed here.

    When the producer's own account edits a rejected registration, it goes
    back to the queue for verification. Moving the producer updates the scope
    keys its products carry.
    """
    forbidden = {"status", "verified_at", "verified_by", "status_note", "province"} & set(changes)
    if forbidden:
        raise ValueError(f"update_producer cannot change {sorted(forbidden)}; use verify_producer/reject_producer")
    before = (producer.province_id, producer.current_commune_id)
    for name, value in changes.items():
        if name == "commune":
            _place(producer, value)
        else:
            setattr(producer, name, value)
    own_account = actor is not None and getattr(actor, "producer_id", None) == producer.pk
    if own_account and producer.status == ProducerStatus.REJECTED:
        producer.status = ProducerStatus.PENDING
    producer.save()
    if (producer.province_id, producer.current_commune_id) != before:
        for product in producer.products.all():
            product.producer = producer
            product.save()
    return producer


def verify_producer(producer: Producer, *, actor: User, note: str = "") -> Producer:
    """Accept a producer's registration: from now on it may add products and evidence."""
    producer.status = ProducerStatus.VERIFIED
    producer.verified_at = timezone.now()
    producer.verified_by = actor
    producer.status_note = note[:500]
    producer.save(update_fields=["status", "verified_at", "verified_by", "status_note", "updated_at"])
    return producer


def reject_producer(producer: Producer, *, actor: User, reason: str) -> Producer:
    """Refuse a producer's registration, with the reason shown to the producer.

    `verified_at`/`verified_by` record who decided and when, whichever the decision.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection: the producer will see it."), code="reason")
    producer.status = ProducerStatus.REJECTED
    producer.verified_at = timezone.now()
    producer.verified_by = actor
    producer.status_note = reason[:500]
    producer.save(update_fields=["status", "verified_at", "verified_by", "status_note", "updated_at"])
    return producer


# --- Products ----------------------------------------------------------------------------
def create_product(producer: Producer, fields: Mapping[str, Any], *, actor: User | None = None) -> Product:
    product = Product(producer=producer, **fields)
    product.save()
    return product


def update_product(product: Product, changes: Mapping[str, Any], *, actor: User | None = None) -> Product:
    forbidden = {"producer", "code", "province", "current_commune"} & set(changes)
    if forbidden:
        raise ValueError(f"update_product cannot change {sorted(forbidden)}")
    for name, value in changes.items():
        setattr(product, name, value)
    product.save()
    return product


def format_product_code(province_code: str, commune_code: str, serial: int, year: int) -> str:
    """`(T)-(X)-(STT)-(year)` of QĐ 26/2026, e.g. 24-07186-003-2026.

    Zero-padding (the decision does not fix one): province 2 digits and
    commune 5 digits, as in the official unit codes (QĐ 19/2025); serial 3
    digits, growing to 4 past 999 rather than wrapping; year 4 digits.
    """
    return f"{province_code.zfill(2)}-{commune_code.zfill(5)}-{serial:03d}-{year:04d}"


class ProductCodeError(ValidationError):
    pass


def assign_product_code(product: Product, year: int) -> str:
    """Give `product` the next OCOP product code of its commune for `year`.

    The commune's serial row is locked (SELECT … FOR UPDATE) for the whole
    assignment, so two assignments in the same commune and year queue and
    never share a serial. A serial already taken by an imported code is
    skipped.
    """
    with transaction.atomic():
        # Lock the product row only: the joined rows need no lock, and
        # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        locked = (
            Product.objects.select_for_update(of=("self",))
            .select_related("producer__current_commune__province")
            .get(pk=product.pk)
        )
        if locked.code:
            raise ProductCodeError(
                _("This product already has the code %(code)s.") % {"code": locked.code}, code="has_code"
            )
        commune = locked.producer.current_commune
        if commune is None:
            raise ProductCodeError(
                _("The producer's present-day commune is not known: set it on the producer's profile first."),
                code="no_commune",
            )
        province_code = commune.province.code if commune.province_id else ""
        # get_or_create retries the read if a concurrent insert wins the race.
        ProductCodeSerial.objects.get_or_create(commune=commune, year=year)
        serial = ProductCodeSerial.objects.select_for_update().get(commune=commune, year=year)
        while True:
            serial.last_serial += 1
            code = format_product_code(province_code, commune.code, serial.last_serial, year)
            if not Product.objects.filter(code=code).exists():
                break
        serial.save(update_fields=["last_serial"])
        locked.code = code
        locked.save(update_fields=["code", "updated_at"])
    product.code = code
    return code


# --- Photos ------------------------------------------------------------------------------
def add_photo(product: Product, upload: Any, *, caption: str = "", actor: User | None = None) -> ProductPhoto:
    """Check, clean and store a product photo with its thumbnail (see files.clean_photo)."""
    clean = files.clean_photo(upload)
    with transaction.atomic():
        # Lock the product so two uploads do not take the same position or
        # both slip under the limit.
        Product.objects.select_for_update().filter(pk=product.pk).first()
        existing = ProductPhoto.objects.filter(product=product)
        if existing.filter(sha256=clean.sha256).exists():
            raise ValidationError(_("This photo is already on the product."), code="photo_duplicate")
        if existing.count() >= MAX_PHOTOS_PER_PRODUCT:
            raise ValidationError(
                _("A product can have at most %(n)s photos: delete one first.") % {"n": MAX_PHOTOS_PER_PRODUCT},
                code="photo_limit",
            )
        position = (existing.aggregate(top=Max("position"))["top"] or 0) + 1
        photo = ProductPhoto(
            product=product,
            content_type=clean.content_type,
            width=clean.width,
            height=clean.height,
            size=len(clean.content),
            sha256=clean.sha256,
            caption=caption[:200],
            position=position,
        )
        photo.image.save(f"photo.{clean.extension}", ContentFile(clean.content), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(clean.thumbnail), save=False)
        try:
            photo.save()
        except BaseException:
            _delete_files(photo.image, photo.thumbnail)
            raise
    return photo


def delete_photo(photo: ProductPhoto, *, actor: User | None = None) -> None:
    image, thumbnail = photo.image, photo.thumbnail
    photo.delete()
    transaction.on_commit(lambda: _delete_files(image, thumbnail))


def _delete_files(*fields: Any) -> None:
    for field in fields:
        if field and field.name:
            field.storage.delete(field.name)


# --- Evidence ----------------------------------------------------------------------------
class DuplicateEvidence(ValidationError):
    """The producer already has this very file; `existing` is the document to offer instead."""

    def __init__(self, existing: Evidence) -> None:
        super().__init__(
            _("This file is already in the producer's evidence library as “%(title)s”.") % {"title": existing.title},
            code="evidence_duplicate",
        )
        self.existing = existing


def find_duplicate_evidence(producer: Producer, sha256: str) -> Evidence | None:
    return Evidence.objects.filter(producer=producer, sha256=sha256).first()


def _check_products(producer: Producer, products: Iterable[Product]) -> list[Product]:
    products = list(products)
    if any(p.producer_id != producer.pk for p in products):
        raise ValidationError(_("Evidence can only be linked to the producer's own products."), code="products")
    return products


def add_evidence(
    producer: Producer,
    upload: Any,
    fields: Mapping[str, Any],
    *,
    products: Iterable[Product] = (),
    actor: User | None = None,
) -> Evidence:
    """Store an evidence document after checking its type, size and that it is not already there.

    Raises DuplicateEvidence (carrying the existing document) when the
    producer already holds a file with the same SHA-256.
    """
    checked = files.check_evidence_file(upload)
    linked = _check_products(producer, products)
    _check_dates(fields.get("issued_on"), fields.get("expires_on"))
    original = (getattr(upload, "name", "") or "document").replace("\\", "/").rsplit("/", 1)[-1][:250]
    with transaction.atomic():
        # Serialise uploads per producer so the same file sent twice at once
        # is still caught as a duplicate.
        Producer.objects.select_for_update().filter(pk=producer.pk).first()
        existing = find_duplicate_evidence(producer, checked.sha256)
        if existing is not None:
            raise DuplicateEvidence(existing)
        evidence = Evidence(
            producer=producer,
            original_name=original,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor if actor is not None and actor.is_authenticated else None,
            **fields,
        )
        evidence.file.save(f"document.{checked.extension}", upload, save=False)
        try:
            evidence.save()
            evidence.products.set(linked)
        except BaseException:
            _delete_files(evidence.file)
            raise
    return evidence


def update_evidence(
    evidence: Evidence,
    changes: Mapping[str, Any],
    *,
    products: Iterable[Product] | None = None,
    actor: User | None = None,
) -> Evidence:
    """Change an evidence document's description and links. The file itself never changes:
    a new version is a new document, so what a dossier pointed to stays as it was."""
    forbidden = {"file", "sha256", "size", "content_type", "producer", "original_name"} & set(changes)
    if forbidden:
        raise ValueError(f"update_evidence cannot change {sorted(forbidden)}")
    _check_dates(changes.get("issued_on", evidence.issued_on), changes.get("expires_on", evidence.expires_on))
    linked = _check_products(evidence.producer, products) if products is not None else None
    with transaction.atomic():
        for name, value in changes.items():
            setattr(evidence, name, value)
        evidence.save()
        if linked is not None:
            evidence.products.set(linked)
    return evidence


def _check_dates(issued_on: Any, expires_on: Any) -> None:
    if issued_on and expires_on and expires_on <= issued_on:
        raise ValidationError({"expires_on": _("The expiry date must be after the issue date.")})
