"""Who may see and act on dossiers: the one place that decides.

Read scope: a producer sees its own dossiers; once a dossier has been filed,
a commune officer sees those of its present-day commune, a provincial office
those of its province, the central office all, a council member those
assigned to it; the platform administrator sees everything. Views never
filter by owner themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from ocop.accounts.models import Role

if TYPE_CHECKING:
    from ocop.accounts.models import User


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def assigned_to(user: User | Any) -> models.QuerySet:  # type: ignore[type-arg]
    """Ids of the dossiers assigned to council member `user` (as a values queryset).

    The council workflow owns the assignment; this hook is the one place that
    asks it. Until the assignment exists a council member is assigned nothing.
    """
    from ocop.evaluation.models import Dossier

    hook = _assignment_hook
    if hook is None:
        return Dossier.objects.none().values("pk")
    return hook(user)


# Set by the council app: a callable(user) -> queryset of dossier ids (values("pk") or values_list flat).
_assignment_hook: Any = None


def set_assignment_hook(hook: Any) -> None:
    global _assignment_hook
    _assignment_hook = hook


def _scope_q(user: Any, prefix: str = "") -> models.Q | None:
    """The read filter for `user`, or None for "everything"."""
    nothing = models.Q(pk__in=[])
    if not _active(user):
        return nothing
    role = user.role
    if role == Role.ADMIN:
        return None
    if role == Role.PRODUCER:
        return models.Q(**{f"{prefix}producer_id": user.producer_id}) if user.producer_id else nothing
    # Offices see a dossier once it has been filed: a draft is the producer's own work in progress.
    filed = models.Q(**{f"{prefix}submitted_at__isnull": False})
    if role == Role.CENTRAL:
        return filed
    if role == Role.PROVINCE:
        return filed & models.Q(**{f"{prefix}province_id": user.province_id}) if user.province_id else nothing
    if role == Role.COMMUNE:
        return filed & models.Q(**{f"{prefix}commune_id": user.commune_id}) if user.commune_id else nothing
    if role == Role.COUNCIL:
        return filed & models.Q(**{f"{prefix}pk__in": assigned_to(user)})
    return nothing


class DossierQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_user(self, user: User | Any) -> DossierQuerySet:
        q = _scope_q(user)
        return self if q is None else self.filter(q)

    def editable_by(self, user: User | Any) -> DossierQuerySet:
        """Dossiers whose content `user` may change: the producer's own, while draft or returned."""
        from ocop.evaluation.models import EDITABLE_STATUSES

        if not _active(user) or user.role != Role.PRODUCER or not user.producer_id:
            return self.none()
        return self.filter(producer_id=user.producer_id, status__in=EDITABLE_STATUSES)

    def owned_by(self, user: User | Any) -> DossierQuerySet:
        """Dossiers the producer account `user` files (whatever their status)."""
        if not _active(user) or user.role != Role.PRODUCER or not user.producer_id:
            return self.none()
        return self.filter(producer_id=user.producer_id)

    def checkable_by(self, user: User | Any) -> DossierQuerySet:
        """Dossiers whose commune check `user` performs: the officer of the dossier's present-day commune."""
        if not _active(user) or user.role != Role.COMMUNE or not user.commune_id:
            return self.none()
        return self.filter(commune_id=user.commune_id)


class ScopedByDossierQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Rows that belong to a dossier are readable by whoever may read the dossier."""

    def for_user(self, user: User | Any) -> ScopedByDossierQuerySet:
        q = _scope_q(user, prefix="dossier__")
        return self if q is None else self.filter(q)


# --- Holiday calendar ----------------------------------------------------------------------------
# A province's changes to the national holiday calendar are kept by its provincial office; the rows for every
# province (no province) by the central office and administrators. Other roles never see the screen.
def may_keep_holidays(user: User | Any) -> bool:
    return _active(user) and (
        user.role in (Role.ADMIN, Role.CENTRAL) or (user.role == Role.PROVINCE and user.province_id is not None)
    )


def may_keep_national_holidays(user: User | Any) -> bool:
    return _active(user) and user.role in (Role.ADMIN, Role.CENTRAL)


class HolidayOverrideQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_user(self, user: User | Any) -> HolidayOverrideQuerySet:
        """The central office and administrators read every row; a provincial office its own and the national ones."""
        if not may_keep_holidays(user):
            return self.none()
        if may_keep_national_holidays(user):
            return self
        return self.filter(models.Q(province_id=user.province_id) | models.Q(province__isnull=True))

    def editable_by(self, user: User | Any) -> HolidayOverrideQuerySet:
        """A provincial office changes its own province's rows only; the national rows are the central office's."""
        if not may_keep_holidays(user):
            return self.none()
        if may_keep_national_holidays(user):
            return self
        return self.filter(province_id=user.province_id)


def holiday_overrides() -> HolidayOverrideQuerySet:
    """Every HolidayOverride row, to be scoped with `for_user` / `editable_by` (the model's manager)."""
    from ocop.evaluation.models import HolidayOverride

    return HolidayOverride.objects.all()
