"""OCOP recognitions: certificates, their revocation, post-recognition inspections and reminders.

A certificate is an official record: the registry carries a product's ratings
with it (imported from provincial spreadsheets, the demo, or issued on the
platform by `actions.issue_certificate`). Its status on a date is decided by
one function, `certificate_status()`; nothing else compares its dates.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.certificates.policy import Policy, policy_for
from ocop.certificates.querysets import CertificateQuerySet, InspectionQuerySet
from ocop.lib import clock


class CertificateStatus(models.TextChoices):
    NOT_YET_VALID = "not_yet_valid", _("Not yet in force")
    VALID = "valid", _("Valid")
    # Inside the re-evaluation period: from 180 days before expiry to the expiry date.
    EXPIRING = "expiring", _("Expiring soon")
    # Past its expiry but kept in force under QĐ 26/2026 Điều 12.3.
    EXTENDED = "extended", _("Extended (transition rule)")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


# Statuses in which the certificate is in force: the product may carry the OCOP mark.
IN_FORCE = frozenset({CertificateStatus.VALID, CertificateStatus.EXPIRING, CertificateStatus.EXTENDED})


class CertificateSource(models.TextChoices):
    IMPORT = "import", _("Imported record")
    DEMO = "demo", _("Demo data")
    EVALUATION = "evaluation", _("Evaluation on the platform")
    MANUAL = "manual", _("Entered by an office")


def certificate_status(
    *,
    issued_on: dt.date,
    expires_on: dt.date,
    revoked_on: dt.date | None,
    extended_until: dt.date | None,
    day: dt.date,
    policy: Policy,
) -> CertificateStatus:
    """The status of a certificate on `day`. The one place that decides it.

    - revoked from the day of the revocation decision;
    - in force from the issue date to the expiry date, both included; inside
      that, "expiring" from the day the re-evaluation window opens (180 days
      before expiry);
    - after the expiry date, "extended" up to `extended_until` when an office
      set it under the transition rule, else expired.

    `CertificateQuerySet.with_status()` is the same rule written as a filter;
    the tests hold the two together.
    """
    if revoked_on is not None and revoked_on <= day:
        return CertificateStatus.REVOKED
    if day < issued_on:
        return CertificateStatus.NOT_YET_VALID
    if day <= expires_on:
        if day >= expires_on - dt.timedelta(days=policy.reevaluation_opens_days):
            return CertificateStatus.EXPIRING
        return CertificateStatus.VALID
    if extended_until is not None and day <= extended_until:
        return CertificateStatus.EXTENDED
    return CertificateStatus.EXPIRED


def new_verification_token() -> str:
    # 96 random bits: the public verification page cannot be found by counting.
    return secrets.token_urlsafe(12)


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
    # QĐ 26/2026 Điều 12.3: set by an office, at most 180 days after expiry.
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=500, blank=True)
    rulebook = models.CharField(_("rulebook"), max_length=30, blank=True)
    source = models.CharField(max_length=20, choices=CertificateSource.choices, default=CertificateSource.MANUAL)
    # The key of the public verification page (printed as a QR code on the certificate).
    verify_token = models.CharField(max_length=32, unique=True, default=new_verification_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            # Only 3★–5★ products are recognised (every rulebook since 2019): 1★ and 2★ get no certificate.
            models.CheckConstraint(
                condition=models.Q(star__gte=3, star__lte=5),
                name="certificate_certified_stars",
                violation_error_message=_("Only products rated 3 to 5 stars receive an OCOP certificate."),
            ),
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("issued_on")), name="certificate_dates"),
            models.CheckConstraint(
                condition=models.Q(extended_until__isnull=True) | models.Q(extended_until__gt=models.F("expires_on")),
                name="certificate_extension_after_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["issued_on", "expires_on"]),
            # Every column the statistics read of a certificate (the star in force, the status on a day): SQLite
            # answers them from this index alone, without reading the wide table rows (ocop.stats.figures).
            models.Index(
                fields=["product", "issued_on", "star", "expires_on", "extended_until", "revoked_on"],
                name="certificate_product_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} – {self.star}★"

    def get_absolute_url(self) -> str:
        return reverse("certificates:detail", args=[self.pk])

    def get_verify_url(self) -> str:
        return reverse("certificates:verify", args=[self.verify_token])

    def status_on(self, day: dt.date | None = None) -> CertificateStatus:
        day = day or clock.today()
        return certificate_status(
            issued_on=self.issued_on,
            expires_on=self.expires_on,
            revoked_on=self.revoked_on,
            extended_until=self.extended_until,
            day=day,
            policy=policy_for(self, day),
        )

    @property
    def status(self) -> CertificateStatus:
        return self.status_on()

    def reevaluation_window(self) -> tuple[dt.date, dt.date]:
        return policy_for(self).window(self.expires_on)


class Proposal(models.Model):
    """A product proposed by a council for a higher level (e.g. 5★ to the ministry)."""

    product = models.ForeignKey("registry.Product", on_delete=models.PROTECT, related_name="proposals")
    star = models.PositiveSmallIntegerField(_("proposed stars"))
    proposed_on = models.DateField(_("proposed on"))
    proposed_by = models.CharField(_("proposed by"), max_length=250, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-proposed_on"]


# --- Post-recognition inspection (QĐ 26/2026 Điều 9) ---------------------------------------------
class InspectionKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic")
    AD_HOC = "ad_hoc", _("Ad hoc")


class InspectionOutcome(models.TextChoices):
    OK = "ok", _("No issue: the product keeps its recognition")
    CORRECTIVE = "corrective", _("Corrective action required by a due date")
    PROPOSE_REVOCATION = "propose_revocation", _("Propose revocation of the certificate")


class Inspection(models.Model):
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="inspections")
    kind = models.CharField(_("type of inspection"), max_length=20, choices=InspectionKind.choices)
    inspected_on = models.DateField(_("date of inspection"))
    inspector = models.CharField(_("inspector or inspection team"), max_length=250)
    # Điều 9.3: what an inspection checks.
    criteria_maintained = models.BooleanField(_("criteria of the rating maintained"))
    mark_used_correctly = models.BooleanField(_("OCOP mark used correctly"))
    product_info_correct = models.BooleanField(_("product information and promotion correct"))
    findings = models.TextField(_("findings"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=InspectionOutcome.choices)
    corrective_due_on = models.DateField(_("corrective action due by"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(corrective_due_on__isnull=True) | models.Q(outcome="corrective"),
                name="inspection_due_date_only_for_corrective",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.inspected_on:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("certificates:inspection_detail", args=[self.pk])

    @property
    def all_checks_passed(self) -> bool:
        return self.criteria_maintained and self.mark_used_correctly and self.product_info_correct


# --- Revocation (QĐ 26/2026 Điều 8) ------------------------------------------------------------------
class RevocationGround(models.TextChoices):
    DISHONEST_DOSSIER = "dishonest_dossier", _("Dishonest or forged information in the dossier (Article 8.1.a)")
    CRITERIA_NOT_MET = (
        "criteria_not_met",
        _("The product no longer meets the criteria, by an inspection conclusion (Article 8.1.b)"),
    )
    LAW_VIOLATION = (
        "law_violation",
        _(
            "Violation of the law on product quality, food safety, environment, intellectual property "
            "or labelling (Article 8.1.c)"
        ),
    )
    MARK_MISUSE = "mark_misuse", _("The OCOP mark used wrongly, misleading about the product (Article 8.1.d)")
    PRODUCTION_STOPPED = "production_stopped", _("The producer no longer makes the product (Article 8.1.đ)")
    OTHER_CONCLUSION = (
        "other_conclusion",
        _("Other conclusion of a competent authority that the product no longer qualifies (Article 8.1.e)"),
    )


class Revocation(models.Model):
    certificate = models.OneToOneField(Certificate, on_delete=models.PROTECT, related_name="revocation")
    ground = models.CharField(_("legal ground"), max_length=30, choices=RevocationGround.choices)
    # The conclusion of the competent authority (or the commune's confirmation
    # that production stopped): the 15-day deadline runs from it.
    finding_date = models.DateField(_("date of the finding"))
    decision_number = models.CharField(_("decision number"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    details = models.TextField(_("details"), blank=True)
    evidence = models.ManyToManyField(
        "registry.Evidence", related_name="revocations", blank=True, verbose_name=_("evidence")
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="revocations"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision_date__gte=models.F("finding_date")), name="revocation_after_finding"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.get_ground_display()})"

    @property
    def deadline(self) -> dt.date:
        return self.finding_date + dt.timedelta(days=policy_for(self.certificate, self.finding_date).revocation_days)

    @property
    def on_time(self) -> bool:
        return self.decision_date <= self.deadline


# --- Reminders ----------------------------------------------------------------------------------------
class ReminderKind(models.TextChoices):
    WINDOW_OPENS = "window_opens", _("Re-evaluation period opens")
    WINDOW_CLOSING = "window_closing", _("Re-evaluation period closes soon")
    WINDOW_CLOSED = "window_closed", _("Re-evaluation period closed")
    EXPIRY = "expiry", _("Certificate expiry")


class Reminder(models.Model):
    """A reminder sent about a certificate: each kind once per certificate (the sweep's memory)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    # The day of the sweep that sent it (the platform clock's today).
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sent_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["certificate", "kind"], name="reminder_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind} {self.sent_on}"
