"""Who may see and act on stamp batches and signing keys: the one place that decides.

Stamps follow their lot, and a lot follows its producer exactly as a product
does (`ocop.registry.querysets`): a producer reads and issues for its own lots,
a provincial office for the producers of its province, a commune officer reads
those of its commune, the central office reads everything and issues nothing.
Signing keys belong to a province: its office (and an administrator) rotates
them; the public halves are public.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from ocop.accounts.models import Role
from ocop.registry.querysets import ScopedQuerySet


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_browse_stamps(user: Any) -> bool:
    """Whether `user` may open the stamp batch list at all (council members reach no lots)."""
    return _active(user) and user.role in (Role.ADMIN, Role.CENTRAL, Role.PROVINCE, Role.COMMUNE, Role.PRODUCER)


class StampBatchQuerySet(ScopedQuerySet):
    # The lot carries its producer (denormalised from the product).
    producer_field = "lot__producer"


class StampQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_user(self, user: Any) -> StampQuerySet:
        from ocop.stamps.models import StampBatch

        return self.filter(batch__in=StampBatch.objects.for_user(user))

    def in_range(self, first: int | None, last: int | None) -> StampQuerySet:
        """Stamps whose number in the batch lies in [first, last] (either end open when None)."""
        qs = self
        if first is not None:
            qs = qs.filter(seq__gte=first)
        if last is not None:
            qs = qs.filter(seq__lte=last)
        return qs


class SigningKeyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def active(self) -> SigningKeyQuerySet:
        return self.filter(retired_at__isnull=True)

    def managed_by(self, user: Any) -> SigningKeyQuerySet:
        """Keys `user` may see the details of and rotate: its own province's, or all for an administrator."""
        if not _active(user):
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(province_id=user.province_id)
        return self.none()
