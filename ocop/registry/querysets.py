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
    from ocop.geo.models import AdminUnitQuerySet


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_browse_registry(user: Any) -> bool:
    """Whether `user` may open the registry lists at all.

    Council members are left out on purpose: they reach products only through
    the dossiers assigned to them, so a registry list would show them rows they
    have no business reading (the querysets already give them none).
    """
    return _active(user) and user.role in (Role.ADMIN, Role.CENTRAL, Role.PROVINCE, Role.COMMUNE, Role.PRODUCER)


def may_register_producers(user: Any) -> bool:
    """Whether `user` may enter a new producer (self-registration goes through accounts)."""
    if not _active(user):
        return False
    return user.role == Role.ADMIN or (user.role == Role.PROVINCE and user.province_id is not None)


def placeable_communes(user: Any, producer: Any = None) -> AdminUnitQuerySet:
    """Present-day communes in which `user` may place a producer (new or `producer`).

    A provincial office works in its own province; a producer moves only
    within its present-day province (moving to another province changes which
    office keeps it, so an administrator does that). A record made under the
    old map keeps its legacy commune and can only get a present-day commune of
    the province that absorbed it.
    """
    from ocop.geo.models import AdminUnit

    communes = AdminUnit.objects.current().communes()
    if not _active(user):
        return communes.none()
    if producer is not None and producer.pk and (user.role != Role.ADMIN or not producer.commune.is_current):
        communes = communes.filter(province_id=producer.province_id)
    if user.role == Role.ADMIN:
        return communes
    if user.role == Role.PROVINCE and user.province_id:
        return communes.filter(province_id=user.province_id)
    if user.role == Role.PRODUCER and producer is not None and producer.pk == user.producer_id:
        return communes
    return communes.none()


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

    def accepting_records_from(self, user: User | Any) -> ProducerQuerySet:
        """Producers for which `user` may add products and evidence documents.

        A producer's own account may do so only once its registration has been
        verified; offices add records for any producer they keep.
        """
        qs = self.editable_by(user)
        if _active(user) and user.role == Role.PRODUCER:
            from ocop.registry.models import ProducerStatus

            qs = qs.filter(status=ProducerStatus.VERIFIED)
        return qs  # type: ignore[return-value]


class ProductQuerySet(ScopedQuerySet):
    producer_field = "producer"

    def codable_by(self, user: User | Any) -> ProductQuerySet:
        """Products to which `user` may assign an OCOP product code (the provincial office's job)."""
        if not _active(user):
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(province_id=user.province_id)
        return self.none()


class ProductPhotoQuerySet(ScopedQuerySet):
    # A photo is readable by whoever may read its product.
    producer_field = "product__producer"


class EvidenceQuerySet(ScopedQuerySet):
    producer_field = "producer"
