"""Who may read, revoke, extend and inspect certificates: the one place that decides.

Reading follows the product (`Product.objects.for_user`). Acting on a
certificate follows the law: the provincial OCOP office of the product's
province acts on 3★–4★ certificates and the central office on 5★ ones
(QĐ 26/2026 Điều 8.2); an inspection may be made by the provincial office for
any product of its province and by the central office for any product
(Điều 9.4). Administrators may do everything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from ocop.accounts.models import Role
from ocop.certificates.policy import CENTRAL, policy_on
from ocop.lib import clock


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def central_stars(day: dt.date | None = None) -> frozenset[int]:
    """Stars certified (and revoked) by the central level under the policy in force."""
    return frozenset(star for star, level in policy_on(day).certifying_level.items() if level == CENTRAL)


def not_revoked_q(day: dt.date) -> models.Q:
    return models.Q(revoked_on__isnull=True) | models.Q(revoked_on__gt=day)


class CertificateQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def valid_on(self, day: dt.date) -> CertificateQuerySet:
        """Certificates in force on `day`: issued, not expired (or extended), not revoked by then."""
        return self.filter(
            models.Q(issued_on__lte=day),
            models.Q(expires_on__gte=day) | models.Q(extended_until__gte=day),
            not_revoked_q(day),
        )

    def with_status(self, status: str, day: dt.date | None = None) -> CertificateQuerySet:
        """Certificates whose status on `day` is `status`: models.certificate_status() as a filter.

        "in_force" is valid, expiring and extended together.
        """
        day = day or clock.today()
        opens = policy_on(day).reevaluation_opens_days
        window_start = day + dt.timedelta(days=opens)
        live = self.filter(not_revoked_q(day))
        if status == "in_force":
            return self.valid_on(day)
        if status == "revoked":
            return self.filter(revoked_on__lte=day)
        if status == "not_yet_valid":
            return live.filter(issued_on__gt=day)
        started = live.filter(issued_on__lte=day)
        if status == "valid":
            return started.filter(expires_on__gt=window_start)
        if status == "expiring":
            return started.filter(expires_on__gte=day, expires_on__lte=window_start)
        if status == "extended":
            return started.filter(expires_on__lt=day, extended_until__gte=day)
        if status == "expired":
            return started.filter(
                models.Q(expires_on__lt=day), models.Q(extended_until__isnull=True) | models.Q(extended_until__lt=day)
            )
        return self.none()

    def for_user(self, user: Any) -> CertificateQuerySet:
        from ocop.registry.models import Product

        products = Product.objects.for_user(user)
        if not products.query.where and not products.query.is_empty():
            # Every product (the central office, the administrator): no sub-query that restricts nothing.
            return self.all()
        return self.filter(product__in=products)

    def revocable_by(self, user: Any) -> CertificateQuerySet:
        """Certificates `user` may revoke (or extend under the transition rule): the certifying authority."""
        if not _active(user):
            return self.none()
        if user.role == Role.ADMIN:
            return self
        stars = central_stars()
        if user.role == Role.CENTRAL:
            return self.filter(star__in=stars)
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(product__province_id=user.province_id).exclude(star__in=stars)
        return self.none()

    def extendable_by(self, user: Any) -> CertificateQuerySet:
        return self.revocable_by(user)

    def inspectable_by(self, user: Any) -> CertificateQuerySet:
        if not _active(user):
            return self.none()
        if user.role in (Role.ADMIN, Role.CENTRAL):
            return self
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(product__province_id=user.province_id)
        return self.none()


class InspectionQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_user(self, user: Any) -> InspectionQuerySet:
        """Inspections of the certificates `user` may read (a producer sees those of its own products)."""
        from ocop.certificates.models import Certificate

        return self.filter(certificate__in=Certificate.objects.for_user(user))


def may_inspect_any(user: Any) -> bool:
    return _active(user) and user.role in (Role.ADMIN, Role.CENTRAL, Role.PROVINCE)
