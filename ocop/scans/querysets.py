"""Who may see and handle scan alerts: the one place that decides.

Reading follows the producer exactly as the registry does (`ocop.registry.querysets`): a producer sees the
alerts on its own products, a provincial office those of its province, a commune officer those of its
commune, the central office and administrators all of them (including reports about codes that name no
known product). Handling an alert (dismissing it or confirming a counterfeit) is an office's finding: the
provincial office of the product's province, the central office for alerts that name no product, an
administrator for any.
"""

from __future__ import annotations

from typing import Any

from ocop.accounts.models import Role
from ocop.registry.querysets import ScopedQuerySet


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_browse_alerts(user: Any) -> bool:
    """Whether `user` may open the alert list (council members reach no products outside their dossiers)."""
    return _active(user) and user.role in (Role.ADMIN, Role.CENTRAL, Role.PROVINCE, Role.COMMUNE, Role.PRODUCER)


class AlertQuerySet(ScopedQuerySet):
    producer_field = "producer"

    def handleable_by(self, user: Any) -> AlertQuerySet:
        if not _active(user):
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.CENTRAL:
            return self.filter(producer__isnull=True)
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(producer__province_id=user.province_id)
        return self.none()


class ScanQuerySet(ScopedQuerySet):
    """Scans of the stamps a user may read (stamps follow their lot's producer)."""

    producer_field = "stamp__batch__lot__producer"
