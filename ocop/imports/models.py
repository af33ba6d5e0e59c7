"""Spreadsheet import jobs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ocop.accounts.models import Role


class ImportKind(models.TextChoices):
    PRODUCERS = "producers", _("Producers")
    PRODUCTS = "products", _("Products with their OCOP ratings")


class ImportStatus(models.TextChoices):
    # With a context: "Imported" and "Uploaded" mean other things elsewhere in the interface.
    UPLOADED = "uploaded", pgettext_lazy("import status", "Uploaded")
    MAPPED = "mapped", pgettext_lazy("import status", "Columns mapped")
    VALIDATING = "validating", pgettext_lazy("import status", "Checking")
    PREVIEW = "preview", pgettext_lazy("import status", "Ready to import")
    INVALID = "invalid", pgettext_lazy("import status", "Has errors")
    IMPORTING = "importing", pgettext_lazy("import status", "Importing")
    DONE = "done", pgettext_lazy("import status", "Imported")
    FAILED = "failed", pgettext_lazy("import status", "Failed")


# Statuses in which a background task is (or should be) working on the job.
RUNNING_STATUSES = frozenset({ImportStatus.VALIDATING, ImportStatus.IMPORTING})


def import_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{instance.sha256}.{instance.file_format}"


def may_import(user: Any) -> bool:
    """Whether `user` may upload spreadsheets at all: a provincial office or an administrator."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.role == Role.ADMIN or (user.role == Role.PROVINCE and user.province_id is not None)


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def for_user(self, user: Any) -> ImportJobQuerySet:
        """Jobs `user` may see and run: its province's for a provincial office, all for an administrator."""
        if not may_import(user):
            return self.none()
        if user.role == Role.ADMIN:
            return self
        return self.filter(province_id=user.province_id)


class ImportJob(models.Model):
    kind = models.CharField(_("what to import"), max_length=20, choices=ImportKind.choices)
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=import_path)
    original_name = models.CharField(max_length=250)
    file_format = models.CharField(max_length=5)  # xlsx | csv
    # How a CSV file was decoded at upload, so every later pass reads it the same way.
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # field -> column header
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # [{"row": 3, "column": "...", "code": "...", "params": {...}}], capped; error_count is the full count.
    errors = models.JSONField(default=list)
    error_count = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)  # counts of created / updated / unchanged, and a sample of rows
    failure_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def can_confirm(self) -> bool:
        return self.status == ImportStatus.PREVIEW and self.error_count == 0
