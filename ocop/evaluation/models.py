"""Evaluation dossiers (hồ sơ đánh giá, QĐ 26/2026 Điều 6–7 and Phụ lục III).

A producer opens a dossier for one product, fills Mẫu 01 (registration) and
Mẫu 02 (self-assessment), picks evidence from its library and self-scores on
the product's criteria sheet. Submitting freezes a `DossierVersion`; the
commune officer checks it, writes Mẫu 03 (`CommuneReport`) and returns or
forwards it. The provincial and central steps set the later statuses.

Status changes go through `ocop.evaluation.actions.change_status()`, which
checks `TRANSITIONS` and writes a `StatusChange` row: the timeline.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.evaluation.querysets import DossierQuerySet, HolidayOverrideQuerySet, ScopedByDossierQuerySet


class DossierKind(models.TextChoices):
    # Mẫu 01: "Đăng ký đánh giá lần đầu / nâng hạng / đánh giá lại".
    FIRST = "first", _("First evaluation")
    UPGRADE = "upgrade", _("Upgrade")
    REEVALUATION = "reevaluation", _("Re-evaluation")


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the commune")
    RETURNED = "returned", _("Returned to the producer")
    FORWARDED = "forwarded", _("Forwarded to the province")
    # Set by the provincial and central workflow.
    UNDER_REVIEW = "under_review", _("Under review by the province")
    IN_COUNCIL = "in_council", _("In council")
    SCORED = "scored", _("Scored")
    PROPOSED_CENTRAL = "proposed_central", _("Proposed to the central council")
    RECOGNISED = "recognised", _("Recognised")
    NOT_RECOGNISED = "not_recognised", _("Not recognised")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = DossierStatus
# Allowed moves of the state machine. The commune half is driven by this app;
# the provincial half by the council workflow, through the same function.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.RETURNED, S.FORWARDED, S.WITHDRAWN}),
    S.RETURNED: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.FORWARDED: frozenset({S.UNDER_REVIEW, S.IN_COUNCIL, S.RETURNED, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.IN_COUNCIL, S.RETURNED, S.WITHDRAWN}),
    S.IN_COUNCIL: frozenset({S.SCORED, S.WITHDRAWN}),
    S.SCORED: frozenset({S.PROPOSED_CENTRAL, S.RECOGNISED, S.NOT_RECOGNISED, S.IN_COUNCIL}),
    S.PROPOSED_CENTRAL: frozenset({S.IN_COUNCIL, S.SCORED, S.RECOGNISED, S.NOT_RECOGNISED}),
    S.RECOGNISED: frozenset(),
    S.NOT_RECOGNISED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# Statuses in which the producer may still change the dossier.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.RETURNED})
# Statuses in which a dossier is "open": a product has at most one open dossier.
CLOSED_STATUSES = frozenset({S.RECOGNISED, S.NOT_RECOGNISED, S.WITHDRAWN})


class Dossier(models.Model):
    product = models.ForeignKey(
        "registry.Product", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("product")
    )
    # Scope keys copied from the product when the dossier is opened (the
    # present-day commune and province), so every queryset is one filter.
    producer = models.ForeignKey("registry.Producer", on_delete=models.PROTECT, related_name="dossiers", editable=False)
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+", null=True, editable=False)
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+", editable=False)
    kind = models.CharField(_("type of registration"), max_length=20, choices=DossierKind.choices)
    # The certificate an upgrade or re-evaluation starts from.
    certificate = models.ForeignKey(
        "certificates.Certificate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("current certificate"),
    )
    rulebook = models.CharField(_("rulebook"), max_length=30)
    sheet = models.PositiveSmallIntegerField(_("criteria sheet"))
    status = models.CharField(
        _("status"), max_length=20, choices=DossierStatus.choices, default=DossierStatus.DRAFT, db_index=True
    )
    # "…/PĐK-(province)-(commune)-(year)", given on the first submission.
    registration_number = models.CharField(_("registration form number"), max_length=60, blank=True)
    form01 = models.JSONField(_("registration form (Mẫu 01)"), default=dict, blank=True)
    form02 = models.JSONField(_("self-assessment report (Mẫu 02)"), default=dict, blank=True)
    # {criterion code: option id} on the dossier's sheet.
    self_assessment = models.JSONField(_("self-assessment"), default=dict, blank=True)
    evidence = models.ManyToManyField(
        "registry.Evidence", related_name="dossiers", blank=True, verbose_name=_("evidence documents")
    )
    samples_count = models.PositiveSmallIntegerField(_("product samples"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    commune_deadline = models.DateField(_("commune deadline"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    # The reasons of the latest return, shown to the producer.
    return_reasons = models.TextField(_("reasons for return"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["commune", "status"], name="dossier_commune_status"),
            models.Index(fields=["province", "status"], name="dossier_province_status"),
            # The national count by stage (filed dossiers, those past the commune's deadline) read from the index
            # alone on SQLite (ocop.stats.figures.dossiers).
            models.Index(fields=["status", "submitted_at", "commune_deadline"], name="dossier_stage_deadline"),
        ]

    def __str__(self) -> str:
        return self.registration_number or _("Dossier %(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("evaluation:dossier_detail", args=[self.pk])

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.product_id and not self.producer_id:
            self.producer_id = self.product.producer_id
            self.commune_id = self.product.current_commune_id
            self.province_id = self.product.province_id
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def latest_version(self) -> DossierVersion | None:
        return self.versions.order_by("-number").first()


class DossierVersion(models.Model):
    """The dossier as submitted: frozen, never changed. A resubmission makes a new version."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField()
    # SHA-256 of the canonical JSON of `content` (sorted keys, no spaces, UTF-8).
    sha256 = models.CharField(max_length=64)
    # [{"id", "doc_type", "title", "sha256", "expires_on"}] of the evidence picked.
    evidence_hashes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedByDossierQuerySet.as_manager()

    class Meta:
        ordering = ["dossier", "number"]
        verbose_name = _("dossier version")
        verbose_name_plural = _("dossier versions")
        constraints = [models.UniqueConstraint(fields=["dossier", "number"], name="dossier_version_unique")]

    def __str__(self) -> str:
        return f"{self.dossier} v{self.number}"


class CommuneConclusion(models.TextChoices):
    FORWARD = "forward", _("Forward to the province")
    RETURN = "return", _("Return to the producer")


class CommuneReport(models.Model):
    """Mẫu 03: the commune's assessment of one submitted version."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="commune_reports")
    version = models.ForeignKey(DossierVersion, on_delete=models.PROTECT, related_name="commune_reports")
    raw_materials = models.TextField(_("local raw materials"), blank=True)
    local_labour = models.TextField(_("local labour"), blank=True)
    idea_origin = models.TextField(_("origin of the product idea"), blank=True)
    local_identity = models.TextField(_("local identity and culture"), blank=True)
    other_remarks = models.TextField(_("other remarks"), blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=10, choices=CommuneConclusion.choices, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    report_date = models.DateField(_("report date"))
    # Set when the commune's decision is taken; a decided report is frozen.
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedByDossierQuerySet.as_manager()

    class Meta:
        ordering = ["dossier", "created_at"]
        verbose_name = _("commune report")
        verbose_name_plural = _("commune reports")
        constraints = [models.UniqueConstraint(fields=["version"], name="commune_report_one_per_version")]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.report_date}"


class StatusChange(models.Model):
    """One step of a dossier's timeline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=DossierStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=DossierStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    objects = ScopedByDossierQuerySet.as_manager()

    class Meta:
        ordering = ["dossier", "at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")


class RegistrationSerial(models.Model):
    """The serial of registration forms (…/PĐK-…) a commune keeps per year."""

    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="registration_serial_unique")]


class HolidayOverride(models.Model):
    """A province's change to the national holiday calendar used for working-day deadlines.

    `is_holiday=True` adds a day off (e.g. a provincial holiday or a bridge
    day); `False` makes a listed holiday or weekend day a working day (a
    compensating Saturday). No province means every province.
    """

    province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    date = models.DateField(_("date"))
    is_holiday = models.BooleanField(_("day off"), default=True)
    name = models.CharField(_("name"), max_length=150, blank=True)

    objects = HolidayOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")
        constraints = [models.UniqueConstraint(fields=["province", "date"], name="holiday_override_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class DeadlineReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Commune check due soon")
    OVERDUE = "overdue", _("Commune check overdue")


class DeadlineReminder(models.Model):
    """A reminder about the commune's deadline, sent once per dossier, kind and deadline (the sweep's memory).

    The deadline is part of the key: a dossier returned and filed again gets a
    new deadline, and its reminders are due again.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="deadline_reminders")
    kind = models.CharField(max_length=20, choices=DeadlineReminderKind.choices)
    deadline = models.DateField()
    # The day of the sweep that sent it (the platform clock's today).
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sent_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "kind", "deadline"], name="deadline_reminder_once")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.deadline}"
