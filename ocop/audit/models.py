"""The audit log: append-only, chained by hash.

Each row's hash covers its own content and the previous row's hash, so a row
changed or deleted after the fact breaks the chain at that point and
`manage.py audit_verify` reports where.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

GENESIS = "0" * 64


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    OTP_ENROLLED = "otp_enrolled", _("Second factor enrolled")
    OTP_FAILED = "otp_failed", _("Second factor failed")
    OTP_VERIFIED = "otp_verified", _("Second factor verified")
    RECOVERY_USED = "recovery_used", _("Recovery code used")
    LOGIN_THROTTLED = "login_throttled", _("Login refused (too many failures)")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    VERIFY = "verify", pgettext_lazy("audit action", "Verified")


def may_browse(user: Any) -> bool:
    """Only platform administrators read the audit log: it holds every change, personal data included."""
    from ocop.accounts.models import Role  # late: accounts code records events through this app

    return bool(user is not None and user.is_authenticated and user.is_active and user.role == Role.ADMIN)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_user(self, user: Any) -> AuditEventQuerySet:
        return self if may_browse(user) else self.none()

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:  # type: ignore[override]
        raise PermissionError("the audit log is append-only")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time (UTC)"), db_index=True)
    # PROTECT: accounts are deactivated, never deleted, and the hash covers
    # actor_id, which SET_NULL would silently rewrite.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kept as text too: the chain must verify even after a user row is gone.
    actor_name = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices, db_index=True)
    model = models.CharField(_("record type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=250, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    note = models.CharField(max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.model} {self.object_id}"

    @property
    def changed_fields(self) -> list[str]:
        """The field names the event touches (not part of the hash)."""
        return list(dict.fromkeys([*(self.before or {}), *(self.after or {})]))

    def payload(self) -> dict[str, Any]:
        """The fields the hash covers, in a form that survives a database round trip."""
        return {
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "ip": self.ip,
            "action": self.action,
            "model": self.model,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "note": self.note,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(
            self.payload(), sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":")
        )
        return hashlib.sha256(f"{self.prev_hash}|{canonical}".encode()).hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("the audit log is append-only")


class BreakReason(models.TextChoices):
    """Why verification stopped at a row."""

    PREV_HASH = (
        "prev_hash",
        _("Its previous hash does not match the row before it: a row before it was changed or deleted."),
    )
    HASH = "hash", _("Its content does not match its hash: the row was changed.")
    ANCHOR = (
        "anchor",
        _("A row that an earlier verification saw is missing or changed: rows were deleted from the end of the log."),
    )


class ChainCheck(models.Model):
    """The result of one walk of the chain.

    Pages show the latest result instead of walking the whole log on every
    view. The last row seen is kept as an anchor: the chain alone cannot
    notice rows cut off its end, the next verification can.
    """

    at = models.DateTimeField(pgettext_lazy("audit chain check", "verified at"), default=timezone.now)
    checked = models.PositiveBigIntegerField(_("rows checked"))
    broken_at = models.BigIntegerField(_("first broken row"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=BreakReason.choices, blank=True)
    last_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("chain verification")
        verbose_name_plural = _("chain verifications")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'OK' if self.ok else f'broken at {self.broken_at}'}"

    @property
    def ok(self) -> bool:
        return self.broken_at is None
