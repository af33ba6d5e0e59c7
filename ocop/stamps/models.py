"""Serialized stamps for the packages of a lot, and the provinces' signing keys.

A `StampBatch` is one issue of N stamps for a lot; its `Stamp` rows are written
by a background task (a million per batch at harvest scale). The rows are
kept narrow on purpose: a stamp is its serial (20 characters), its position in
the batch (`seq`, 1..N in issue order: the "range" that activation and voiding
act on), a small-integer state and two timestamps. Everything else (product,
lot, producer, signature) is reached through the batch, so ten million stamps
cost ten million small rows and one unique index on the serial.

The URI printed in a stamp's QR code, its grammar and the signature over it
are in `ocop.stamps.codes`; the scan page resolves them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.stamps.querysets import SigningKeyQuerySet, StampBatchQuerySet, StampQuerySet

# Crockford base32 of 100 random bits (see codes.new_serial).
SERIAL_LENGTH = 20


class BatchStatus(models.TextChoices):
    GENERATING = "generating", _("Generating")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class StampState(models.IntegerChoices):
    # Small integers rather than text: the column is in every one of millions of rows.
    ISSUED = 1, _("Issued")
    ACTIVATED = 2, _("Activated")
    VOIDED = 3, _("Voided")


class SigningKey(models.Model):
    """A province's Ed25519 key for signed stamps.

    One active key per province (`retired_at` empty); rotation retires it and
    creates the next. A retired key signs no new batch but stays published, so
    every stamp it signed still verifies, and its private half stays (encrypted)
    so those batches can be printed again identically (Ed25519 is deterministic).
    The private key is only ever stored encrypted (see `ocop.stamps.keys`) and
    never leaves the server.
    """

    province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    # Printed in every signed QR code: short upper-case alphanumerics, e.g. "P24K1".
    kid = models.CharField(_("key id"), max_length=16, unique=True)
    public_key = models.BinaryField(_("public key"), max_length=32)
    private_key_encrypted = models.BinaryField(max_length=128, editable=False)
    valid_from = models.DateTimeField(_("valid from"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SigningKeyQuerySet.as_manager()

    class Meta:
        ordering = ["province", "-valid_from"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.UniqueConstraint(
                fields=["province"], condition=models.Q(retired_at__isnull=True), name="signingkey_one_active"
            ),
        ]

    def __str__(self) -> str:
        return self.kid

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class StampBatch(models.Model):
    lot = models.ForeignKey(
        "traceability.Lot", on_delete=models.PROTECT, related_name="stamp_batches", verbose_name=_("lot")
    )
    count = models.PositiveIntegerField(_("number of stamps"))
    # The product's GTIN-14 when the batch was issued ("" without one): frozen
    # so that a reprint carries the same URI (and signature) as the first print.
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    # How many stamps above the lot quantity the cap allowed when the batch was issued.
    spare_allowed = models.PositiveIntegerField(_("spare stamps allowed"), default=0)
    signed = models.BooleanField(_("signed stamps"), default=False)
    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, null=True, blank=True, related_name="batches", verbose_name=_("key")
    )
    status = models.CharField(_("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.GENERATING)
    # Rows written so far; the live figure during generation is in the cache (see progress.py).
    generated = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = StampBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("stamp batch")
        verbose_name_plural = _("stamp batches")
        constraints = [
            models.CheckConstraint(condition=models.Q(count__gt=0), name="stampbatch_count_positive"),
            models.CheckConstraint(
                condition=models.Q(signed=False) | models.Q(signing_key__isnull=False), name="stampbatch_signed_key"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} – {self.count}"

    def get_absolute_url(self) -> str:
        return reverse("stamps:batch_detail", args=[self.pk])

    @property
    def is_ready(self) -> bool:
        return self.status == BatchStatus.READY


class Stamp(models.Model):
    # No index of its own: the (batch, seq) unique constraint starts with it.
    batch = models.ForeignKey(StampBatch, on_delete=models.CASCADE, related_name="stamps", db_index=False)
    seq = models.PositiveIntegerField(_("number in batch"))
    serial = models.CharField(_("serial"), max_length=SERIAL_LENGTH, unique=True)
    state = models.PositiveSmallIntegerField(_("state"), choices=StampState.choices, default=StampState.ISSUED)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = StampQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "seq"]
        verbose_name = _("stamp")
        verbose_name_plural = _("stamps")
        constraints = [models.UniqueConstraint(fields=["batch", "seq"], name="stamp_unique_seq")]

    def __str__(self) -> str:
        return self.serial
