"""Who may read and keep province targets, and which areas a user may ask figures for: the one place."""

from __future__ import annotations

from typing import Any

from django.db import models

from ocop.accounts.models import Role

OFFICE_ROLES = (Role.ADMIN, Role.CENTRAL, Role.PROVINCE, Role.COMMUNE)


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_view_stats(user: Any) -> bool:
    """The statistics pages are the offices' (a producer has its own dashboard, a council member none)."""
    return _active(user) and user.role in OFFICE_ROLES


def area_in_scope(user: Any, unit: Any) -> bool:
    """Whether `user` may ask for the figures of `unit` (a unit of either map).

    A provincial office reads every unit lying in its present-day province
    today, former units included; a commune officer its own commune.
    """
    if not may_view_stats(user):
        return False
    if user.role in (Role.ADMIN, Role.CENTRAL):
        return True
    if user.role == Role.PROVINCE:
        return user.province_id is not None and unit.successor_province_id == user.province_id
    return user.commune_id is not None and unit.pk == user.commune_id


class ProvinceTargetQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_user(self, user: Any) -> ProvinceTargetQuerySet:
        if not may_view_stats(user):
            return self.none()
        if user.role in (Role.ADMIN, Role.CENTRAL):
            return self
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(province__successor_province_id=user.province_id)
        if user.role == Role.COMMUNE and user.commune_id:
            return self.filter(province__successor_province__in=models.Subquery(_commune_province(user.commune_id)))
        return self.none()

    def editable_by(self, user: Any) -> ProvinceTargetQuerySet:
        """Targets are kept by the provincial office of the province (and the central office, administrators)."""
        if not _active(user):
            return self.none()
        if user.role in (Role.ADMIN, Role.CENTRAL):
            return self
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(province__successor_province_id=user.province_id)
        return self.none()


def may_keep_targets(user: Any) -> bool:
    return _active(user) and (
        user.role in (Role.ADMIN, Role.CENTRAL) or (user.role == Role.PROVINCE and user.province_id is not None)
    )


def _commune_province(commune_id: int) -> models.QuerySet:  # type: ignore[type-arg]
    from ocop.geo.models import AdminUnit

    return AdminUnit.objects.filter(pk=commune_id).values("successor_province_id")
