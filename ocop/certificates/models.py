"""OCOP recognitions: certificates of star rating and proposals to a higher level.

This app holds the certificate as an official record so the registry can carry
a product's existing ratings (imported from provincial spreadsheets or the demo).
The evaluation workflow that produces new certificates builds on it.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class CertificateSource(models.TextChoices):
    IMPORT = "import", _("Imported record")
    DEMO = "demo", _("Demo data")
    EVALUATION = "evaluation", _("Evaluation on the platform")
    MANUAL = "manual", _("Entered by an office")


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def valid_on(self, day: dt.date) -> CertificateQuerySet:
        """Certificates in force on `day`: issued, not yet expired, not revoked by then."""
        return self.filter(issued_on__lte=day, expires_on__gte=day).exclude(revoked_on__lte=day)

    def for_user(self, user):  # type: ignore[no-untyped-def]
        from ocop.registry.models import Product

        return self.filter(product__in=Product.objects.for_user(user))


class Certificate(models.Model):
    product = models.ForeignKey("registry.Product", on_delete=models.PROTECT, related_name="certificates")
    star = models.PositiveSmallIntegerField(_("stars"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    number = models.CharField(_("certificate number"), max_length=60, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=250, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=500, blank=True)
    rulebook = models.CharField(_("rulebook"), max_length=30, blank=True)
    source = models.CharField(max_length=20, choices=CertificateSource.choices, default=CertificateSource.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(condition=models.Q(star__gte=1, star__lte=5), name="certificate_star_range"),
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("issued_on")), name="certificate_dates"),
        ]
        indexes = [models.Index(fields=["issued_on", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.number or self.pk} – {self.star}★"

    def status_on(self, day: dt.date | None = None) -> str:
        day = day or timezone.localdate()
        if self.revoked_on and self.revoked_on <= day:
            return CertificateStatus.REVOKED
        if self.expires_on < day:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def status(self) -> str:
        return self.status_on()


class Proposal(models.Model):
    """A product proposed by a council for a higher level (e.g. 5★ to the ministry)."""

    product = models.ForeignKey("registry.Product", on_delete=models.PROTECT, related_name="proposals")
    star = models.PositiveSmallIntegerField(_("proposed stars"))
    proposed_on = models.DateField(_("proposed on"))
    proposed_by = models.CharField(_("proposed by"), max_length=250, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-proposed_on"]
