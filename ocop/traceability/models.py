"""Traceability: lots (batches) of a product and the trace events on them.

A lot is what a stamp batch is printed for and what a consumer's scan shows
beside the certificate. Its trace events carry the minimum data of Circular
02/2024/TT-BKHCN (what, where, when, who, one step back and one step forward)
and are exchanged as EPCIS 2.0 events (see `epcis.py`); the standard event
hash identifies an event across systems, so the same event imported twice is
refused.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.registry.validators import gtin_check_digit
from ocop.traceability.querysets import LotQuerySet, TraceEventQuerySet

# GS1 AI (10) takes up to 20 characters of the GS1 "character set 82". We keep
# to upper-case letters, digits, "-" and ".": all of them are URI-safe in a GS1
# Digital Link path without percent-encoding and belong to the QR code's
# alphanumeric mode, so a stamp's QR code stays small (version 3-4).
LOT_NUMBER_RE = re.compile(r"[A-Z0-9](?:[A-Z0-9.-]{0,19})")
LOT_NUMBER_MAX = 20


def normalise_lot_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_lot_number(value: str) -> None:
    if len(value) > LOT_NUMBER_MAX:
        raise ValidationError(
            _("A lot number has at most %(max)d characters."), code="lot_number_length", params={"max": LOT_NUMBER_MAX}
        )
    if not LOT_NUMBER_RE.fullmatch(value):
        raise ValidationError(
            _(
                "A lot number may contain only letters A-Z, digits, hyphens and dots, and must start with "
                "a letter or a digit."
            ),
            code="lot_number_chars",
        )


def validate_gln(value: str) -> None:
    """A GS1 Global Location Number: 13 digits with the GS1 mod-10 check digit."""
    if not re.fullmatch(r"\d{13}", value or ""):
        raise ValidationError(_("A GLN (GS1 location number) has 13 digits."), code="gln_format")
    if gtin_check_digit(value[:-1]) != int(value[-1]):
        raise ValidationError(_("The GLN's check digit is wrong: please check the number."), code="gln_check")


TZ_OFFSET_RE = re.compile(r"[+-](?:0\d|1[0-4]):[0-5]\d")


def validate_tz_offset(value: str) -> None:
    if not TZ_OFFSET_RE.fullmatch(value or "") or value in ("-00:00",):
        raise ValidationError(_("A time zone offset looks like +07:00."), code="tz_offset")


def format_tz_offset(offset: dt.timedelta | None) -> str:
    """ "+07:00" for a UTC offset (EPCIS eventTimeZoneOffset notation)."""
    minutes = int((offset or dt.timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def parse_tz_offset(value: str) -> dt.timezone:
    sign = -1 if value.startswith("-") else 1
    hours, minutes = value[1:].split(":")
    return dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))


# UN/ECE Recommendation 20 unit codes, which EPCIS quantityList "uom" uses.
class QuantityUnit(models.TextChoices):
    PIECE = "H87", _("pieces / packages")
    KILOGRAM = "KGM", _("kilograms")
    TONNE = "TNE", _("tonnes")
    GRAM = "GRM", _("grams")
    LITRE = "LTR", _("litres")
    MILLILITRE = "MLT", _("millilitres")


class Lot(models.Model):
    product = models.ForeignKey(
        "registry.Product", on_delete=models.PROTECT, related_name="lots", verbose_name=_("product")
    )
    number = models.CharField(
        _("lot number"),
        max_length=LOT_NUMBER_MAX,
        validators=[validate_lot_number],
        help_text=_("Up to 20 characters: letters A-Z, digits, hyphens and dots (GS1 AI 10)."),
    )
    produced_on = models.DateField(_("production / harvest date"))
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("unit"), max_length=3, choices=QuantityUnit.choices, default=QuantityUnit.PIECE)
    place_code = models.CharField(
        _("planting-area or facility code"),
        max_length=50,
        blank=True,
        help_text=_("Planting-area code (mã số vùng trồng) or packing / production facility code."),
    )
    note = models.TextField(_("note"), blank=True)
    # The test reports and certifications (VietGAP, organic, …) that apply to
    # this lot, from the producer's evidence library.
    evidence = models.ManyToManyField(
        "registry.Evidence", related_name="lots", blank=True, verbose_name=_("test reports and certifications")
    )
    # Denormalised from the product on every save: scope and per-province
    # reports filter on the lot table alone.
    producer = models.ForeignKey("registry.Producer", on_delete=models.PROTECT, related_name="lots", editable=False)
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LotQuerySet.as_manager()

    class Meta:
        ordering = ["-produced_on", "-id"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [models.UniqueConstraint(fields=["product", "number"], name="lot_unique_number_per_product")]
        indexes = [
            models.Index(fields=["producer", "produced_on"], name="lot_producer_date"),
            models.Index(fields=["province", "produced_on"], name="lot_province_date"),
        ]

    def __str__(self) -> str:
        return f"{self.product} – {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("traceability:lot_detail", args=[self.pk])

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.number = normalise_lot_number(self.number)
        self.producer_id = self.product.producer_id
        self.province_id = self.product.province_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.produced_on and self.expires_on and self.expires_on < self.produced_on:
            raise ValidationError(
                {"expires_on": _("The expiry date cannot be before the production date.")}, code="expiry_before"
            )

    @property
    def is_expired(self) -> bool:
        from ocop.lib import clock

        return self.expires_on is not None and self.expires_on < clock.today()


class EventType(models.TextChoices):
    HARVEST = "harvest", _("Harvest / production")
    PROCESSING = "processing", _("Processing")
    PACKING = "packing", _("Packing")
    SHIPPING = "shipping", _("Shipping")
    RECEIVING = "receiving", _("Receiving")


class EventSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported (EPCIS)")


class TraceEvent(models.Model):
    """One stage in a lot's history: the Circular 02/2024 minimum data, EPCIS-ready."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="events", verbose_name=_("lot"))
    event_type = models.CharField(_("stage"), max_length=20, choices=EventType.choices)
    # When: stored in UTC; the offset the event was recorded in is kept
    # because EPCIS carries it (eventTimeZoneOffset) and the event hash reads it.
    occurred_at = models.DateTimeField(_("time"))
    tz_offset = models.CharField(_("time zone offset"), max_length=6, default="+07:00", validators=[validate_tz_offset])
    # What: the lot itself, plus any other product/lot trace codes the stage
    # handled (one per line, e.g. a TCVN 13274 code or an EPC URI).
    trace_codes = models.JSONField(_("trace codes"), default=list, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    # Packing into / shipping a logistic unit (SSCC or another container code):
    # exported as an EPCIS AggregationEvent.
    parent_code = models.CharField(_("container code (SSCC)"), max_length=100, blank=True)
    # Where: an administrative unit and/or a GS1 location, or a place in words.
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administrative unit"),
    )
    location_gln = models.CharField(_("location GLN"), max_length=13, blank=True, validators=[validate_gln])
    place = models.CharField(_("place"), max_length=250, blank=True)
    # Who.
    actor = models.CharField(_("organisation"), max_length=250)
    actor_gln = models.CharField(_("organisation GLN"), max_length=13, blank=True, validators=[validate_gln])
    # One step back and one step forward (Circular 02/2024): the trace codes of
    # where the goods came from and where they go next.
    previous_codes = models.JSONField(_("trace codes one step back"), default=list, blank=True)
    next_codes = models.JSONField(_("trace codes one step forward"), default=list, blank=True)
    # CBV 2.0 vocabulary, stored as the bare term ("packing", "in_transit").
    biz_step = models.CharField(_("business step"), max_length=40)
    disposition = models.CharField(_("disposition"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    # "ni:///sha-256;<hex>?ver=CBV2.0", the GS1 EPCIS event hash: also the
    # EPCIS eventID on export.
    event_hash = models.CharField(max_length=120, editable=False)
    source = models.CharField(_("source"), max_length=10, choices=EventSource.choices, default=EventSource.ENTERED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TraceEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("trace event")
        verbose_name_plural = _("trace events")
        constraints = [models.UniqueConstraint(fields=["lot", "event_hash"], name="traceevent_unique_hash_per_lot")]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def local_time(self) -> dt.datetime:
        """The event time in the offset it was recorded in."""
        return self.occurred_at.astimezone(parse_tz_offset(self.tz_offset))
