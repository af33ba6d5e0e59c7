"""The scan log and the alerts it raises.

A `Scan` is one consumer opening a stamp's page: the stamp, the time, a coarse place (a present-day province,
only from the consumer's consent, see `places.py`) and a salted hash of the browser's user agent. No IP
address, no coordinates, nothing that names a person (Law 91/2025, BRIEF §8). A stamp's running figures (scan
count, distinct days, first scan) live in `ScanSummary`, one narrow row per scanned stamp, so that recording a
scan is one insert and one update and showing the count reads one row.

An `Alert` is a suspected counterfeit, raised by a rule of `rules.py` or by a consumer's report; it names the
stamp, lot and product it concerns and carries the producer for scoping (`querysets.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ocop.lib import clock
from ocop.lib.fields import RowidAutoField, RowidOneToOneField
from ocop.scans.querysets import AlertQuerySet, ScanQuerySet


class PlaceSource(models.TextChoices):
    NONE = "", pgettext_lazy("place of a scan", "Unknown")
    GEOLOCATION = "geolocation", _("Shared location (province only)")
    CHOSEN = "chosen", _("Chosen by the consumer")


class Scan(models.Model):
    # The log only grows (scans are never deleted): on SQLite the id is the rowid without AUTOINCREMENT, whose
    # bookkeeping was one more page written by every scan (`RowidAutoField`).
    id = RowidAutoField(primary_key=True)
    # Indexed with the time below (stamp first), which serves every per-stamp query.
    stamp = models.ForeignKey("stamps.Stamp", on_delete=models.CASCADE, related_name="scans", db_index=False)
    at = models.DateTimeField(_("time"), default=clock.now)
    # Not indexed: the pages that count scans per province read every scan in the reader's scope anyway, and
    # administrative units, which the index would protect, are never deleted.
    province = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        db_index=False,
    )
    place_source = models.CharField(max_length=12, choices=PlaceSource.choices, blank=True, default="")
    # HMAC-SHA-256 of the user agent with a secret salt that changes every month (see actions.ua_hash): tells
    # devices apart within a month, never which browser it was, and never links a device across months.
    ua_hash = models.CharField(max_length=64, blank=True)
    # What the consumer was shown, for the record: the stamp's state and the certificate's status at the time.
    stamp_state = models.PositiveSmallIntegerField()
    certificate_status = models.CharField(max_length=20, blank=True)

    objects = ScanQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [models.Index(fields=["stamp", "at"], name="scan_stamp_time")]

    def __str__(self) -> str:
        return f"{self.stamp_id} @ {self.at:%Y-%m-%d %H:%M}"


class ScanSummary(models.Model):
    """A stamp's running scan figures, updated in place by every counted scan."""

    # On SQLite the stamp's id is the table's rowid: a summary is one b-tree entry, with no index beside it.
    stamp = RowidOneToOneField("stamps.Stamp", on_delete=models.CASCADE, primary_key=True, related_name="scan_summary")
    count = models.PositiveIntegerField(default=0)
    # Distinct days (platform time zone) with at least one scan.
    days = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    # The three references below are not indexed: nothing looks summaries up by them, and a stamp's first scan
    # writes its summary row, so every index is one more page written by the commonest scan of all (a first
    # scan took 12 % longer with them). Only deleting a scan or an administrative unit would look for them,
    # and the platform deletes neither (stamps, hence scans, are kept; units are reference data).
    first_scan = models.ForeignKey(Scan, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False)
    first_province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    last_at = models.DateTimeField()
    last_day = models.DateField()
    # The latest scan with a known province: the next located scan is compared with it (travel speed rule).
    located_province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    located_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("scan summary")


class AlertRule(models.TextChoices):
    TOO_MANY_SCANS = "too_many_scans", _("More scans than plausible for one package")
    TOO_MANY_DAYS = "too_many_days", _("Scanned on more days than plausible for one package")
    IMPOSSIBLE_TRAVEL = "impossible_travel", _("Scanned in distant provinces within a short time")
    VOIDED_STAMP = "voided_stamp", _("Scan of a voided stamp")
    INACTIVE_STAMP = "inactive_stamp", _("Scan of a stamp that was never activated")
    AFTER_REVOCATION = "after_revocation", _("Scan after the certificate was revoked")
    CONSUMER_REPORT = "consumer_report", _("Suspected fake reported by a consumer")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed (no counterfeit)")
    CONFIRMED = "confirmed", _("Confirmed counterfeit")


class Alert(models.Model):
    rule = models.CharField(_("rule"), max_length=30, choices=AlertRule.choices)
    status = models.CharField(_("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    # What the rule found, e.g. {"count": 51, "limit": 50} or the two provinces and the speed.
    details = models.JSONField(_("details"), default=dict, blank=True)
    stamp = models.ForeignKey(
        "stamps.Stamp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("stamp")
    )
    lot = models.ForeignKey(
        "traceability.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lot")
    )
    product = models.ForeignKey(
        "registry.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    # The scope key, copied from the product (none for a report about a code that names no known product: only
    # the central office and administrators see those).
    producer = models.ForeignKey("registry.Producer", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # A consumer's report: what they wrote and, if they chose to leave it, how to reach them (personal data:
    # shown only to the offices and producer in scope, never published).
    message = models.TextField(_("message"), blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    # One open alert per key (e.g. "voided_stamp:stamp:42"): a rule that fires again adds a hit instead.
    key = models.CharField(max_length=120)
    hits = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("raised at"), default=clock.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=clock.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=models.Q(status="open"), name="alert_one_open_per_key")
        ]
        indexes = [models.Index(fields=["producer", "status"], name="alert_producer_status")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("scans:alert_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN
