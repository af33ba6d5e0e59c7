"""Who may see and change registry records: the one place that decides.

Every view, API endpoint and export asks these querysets; none filters by owner
on its own. Read scope and write scope differ: a central officer reads the
whole country but the registry is kept by the provinces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from ocop.accounts.models import Role

if TYPE_CHECKING:
    from ocop.accounts.models import User


def _scope_q(user: Any, *, producer_field: str, write: bool) -> models.Q | None:
    """The filter for `user`, or None for "everything". `models.Q(pk__in=[])` denies all."""
    nothing = models.Q(pk__in=[])
    if user is None or not user.is_authenticated or not user.is_active:
        return nothing
    role = user.role
    prefix = f"{producer_field}__" if producer_field else ""
    if role == Role.ADMIN:
        return None
    if role == Role.CENTRAL:
        return nothing if write else None
    if role == Role.PROVINCE:
        return models.Q(**{f"{prefix}province_id": user.province_id}) if user.province_id else nothing
    if role == Role.COMMUNE:
        if write or not user.commune_id:
            return nothing
        return models.Q(**{f"{prefix}current_commune_id": user.commune_id})
    if role == Role.PRODUCER:
        if not user.producer_id:
            return nothing
        return models.Q(**{f"{producer_field}_id" if producer_field else "pk": user.producer_id})
    # Council members reach products only through the dossiers assigned to
    # them, which the evaluation workflow scopes; the registry shows them none.
    return nothing


class ScopedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    # Path from this model to its Producer ("" for Producer itself).
    producer_field = ""

    def for_user(self, user: User | Any) -> ScopedQuerySet:
        q = _scope_q(user, producer_field=self.producer_field, write=False)
        return self if q is None else self.filter(q)

    def editable_by(self, user: User | Any) -> ScopedQuerySet:
        q = _scope_q(user, producer_field=self.producer_field, write=True)
        return self if q is None else self.filter(q)


class ProducerQuerySet(ScopedQuerySet):
    producer_field = ""

    def verifiable_by(self, user: User | Any) -> ProducerQuerySet:
        """Producers whose registration `user` may verify or reject."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(province_id=user.province_id)
        if user.role == Role.COMMUNE and user.commune_id:
            return self.filter(current_commune_id=user.commune_id)
        return self.none()


class ProductQuerySet(ScopedQuerySet):
    producer_field = "producer"


class EvidenceQuerySet(ScopedQuerySet):
    producer_field = "producer"
