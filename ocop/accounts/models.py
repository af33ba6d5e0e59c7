"""Users and their roles.

Each user has exactly one role and, for scoped roles, the one unit or producer
the role applies to. One role per account keeps every scope check a single
lookup; a person with two jobs gets two accounts, which also keeps the audit
trail of each job apart.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Platform administrator")
    CENTRAL = "central", _("Central OCOP office")
    PROVINCE = "province", _("Provincial OCOP office")
    COMMUNE = "commune", _("Commune officer")
    COUNCIL = "council", _("Council or advisory team member")
    PRODUCER = "producer", _("Producer")


# Roles that act on official records must pass a second factor (TOTP).
SECOND_FACTOR_ROLES = frozenset({Role.ADMIN, Role.CENTRAL, Role.PROVINCE, Role.COMMUNE, Role.COUNCIL})


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PRODUCER)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    province = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        limit_choices_to={"map": "current", "level": "province"},
    )
    commune = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
        limit_choices_to={"map": "current", "level": "commune"},
    )
    producer = models.ForeignKey(
        "registry.Producer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("producer"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    def clean(self) -> None:
        super().clean()
        required = {
            Role.PROVINCE: ("province",),
            Role.COUNCIL: ("province",),
            Role.COMMUNE: ("commune",),
            Role.PRODUCER: (),
        }.get(self.role, ())
        for field in required:
            if getattr(self, f"{field}_id") is None:
                raise ValidationError(
                    {field: _("This role needs a %(field)s.") % {"field": self._meta.get_field(field).verbose_name}}
                )

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # A commune officer's province is always the commune's province, so
        # province-wide queries never miss them.
        if self.role == Role.COMMUNE and self.commune_id and self.commune:
            self.province_id = self.commune.province_id
        super().save(*args, **kwargs)


class LoginAttempt(models.Model):
    """Every login attempt, successful or not: the throttle reads these rows."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    success = models.BooleanField(default=False)
    stage = models.CharField(max_length=20, default="password")  # password | otp
    user_agent = models.CharField(max_length=300, blank=True)
    # Refused by the throttle before any credential was checked. Such rows are
    # logged but not counted as failures, so retrying during a cool-off does
    # not push the end of the cool-off further away.
    refused = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"])]
