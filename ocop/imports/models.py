"""Spreadsheet import jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PRODUCERS = "producers", _("Producers")
    PRODUCTS = "products", _("Products with their OCOP ratings")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MAPPED = "mapped", _("Columns mapped")
    VALIDATING = "validating", _("Checking")
    PREVIEW = "preview", _("Ready to import")
    INVALID = "invalid", _("Has errors")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


def import_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{instance.sha256}.{instance.file_format}"


class ImportJob(models.Model):
    kind = models.CharField(_("what to import"), max_length=20, choices=ImportKind.choices)
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=import_path)
    original_name = models.CharField(max_length=250)
    file_format = models.CharField(max_length=5)  # xlsx | csv
    sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # field -> column header
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row": 3, "column": "...", "message": "..."}]
    summary = models.JSONField(default=dict)  # counts of created / updated / unchanged
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
