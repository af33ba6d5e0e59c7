"""What each role's dashboard shows: the figures that need the user's attention.

Every figure starts from a scope queryset (`for_user`, `verifiable_by`), so a
dashboard can never count a record its reader may not open. Each function
returns plain data for the template and keeps to a fixed, small number of
queries (pinned in the tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from ocop.accounts.models import LoginAttempt, Role, User
from ocop.certificates.models import Certificate
from ocop.certificates.policy import policy_on
from ocop.imports.models import ImportJob
from ocop.lib import clock
from ocop.registry.models import Evidence, Producer, ProducerStatus, Product, ProductStatus
from ocop.scans.dashboards import alert_block

# QĐ 26/2026: a re-evaluation is filed between 180 and 120 days before expiry; certificates from the
# opening of that period on are flagged to their producer. The numbers come from the certificate policy.
_POLICY = policy_on()
CERTIFICATE_WARNING_DAYS = _POLICY.reevaluation_opens_days
REEVALUATION_OPENS_DAYS = _POLICY.reevaluation_opens_days
REEVALUATION_CLOSES_DAYS = _POLICY.reevaluation_closes_days
LIST_LIMIT = 10
STARS = (3, 4, 5)


@dataclass
class StarCounts:
    label: str
    unit_id: int | None = None
    by_star: dict[int, int] = field(default_factory=dict)

    @property
    def cells(self) -> list[int]:
        return [self.by_star.get(star, 0) for star in STARS]

    @property
    def rows(self) -> list[tuple[int, int]]:
        return [(star, self.by_star.get(star, 0)) for star in STARS]

    @property
    def total(self) -> int:
        return sum(self.by_star.values())


def _stars(queryset: Any) -> dict[int, int]:
    """Products with a valid certificate, per star (a product counts once, at its highest star)."""
    rows = queryset.values("product").annotate(best=Max("star")).values_list("best", flat=True)
    counts: dict[int, int] = {}
    for star in rows:
        counts[star] = counts.get(star, 0) + 1
    return counts


def producer_dashboard(user: Any, today: dt.date) -> dict[str, Any]:
    producer = Producer.objects.for_user(user).select_related("current_commune", "commune").first()
    products = Product.objects.for_user(user)
    evidence = Evidence.objects.for_user(user)
    warning = today + dt.timedelta(days=settings.EVIDENCE_EXPIRY_WARNING_DAYS)
    evidence_counts = evidence.aggregate(
        expired=Count("pk", filter=Q(expires_on__lt=today)),
        expiring=Count("pk", filter=Q(expires_on__gte=today, expires_on__lte=warning)),
    )
    product_counts = products.aggregate(total=Count("pk"), draft=Count("pk", filter=Q(status=ProductStatus.DRAFT)))
    expiring = (
        Certificate.objects.for_user(user)
        .valid_on(today)
        .filter(expires_on__lte=today + dt.timedelta(days=CERTIFICATE_WARNING_DAYS))
        .select_related("product")
        .order_by("expires_on")
    )
    return {
        "producer": producer,
        "products_total": product_counts["total"],
        "products_draft": product_counts["draft"],
        "evidence_expired": evidence_counts["expired"],
        "evidence_expiring": evidence_counts["expiring"],
        "evidence_warning_days": settings.EVIDENCE_EXPIRY_WARNING_DAYS,
        "certificates_expiring": list(expiring[:LIST_LIMIT]),
        "certificate_warning_days": CERTIFICATE_WARNING_DAYS,
        **alert_block(user),
    }


def commune_dashboard(user: Any, today: dt.date) -> dict[str, Any]:
    pending = Producer.objects.verifiable_by(user).filter(status=ProducerStatus.PENDING).order_by("created_at")
    products = Product.objects.for_user(user)
    product_counts = products.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=ProductStatus.ACTIVE)),
        draft=Count("pk", filter=Q(status=ProductStatus.DRAFT)),
    )
    from ocop.geo.models import AdminUnit

    return {
        "commune": AdminUnit.objects.select_related("parent").filter(pk=user.commune_id).first(),
        "pending_total": pending.count(),
        "pending": list(pending[:LIST_LIMIT]),
        "products_total": product_counts["total"],
        "products_active": product_counts["active"],
        "products_draft": product_counts["draft"],
        "stars": StarCounts("", by_star=_stars(Certificate.objects.for_user(user).valid_on(today))),
    }


def province_dashboard(user: Any, today: dt.date) -> dict[str, Any]:
    pending = Producer.objects.verifiable_by(user).filter(status=ProducerStatus.PENDING)
    products = Product.objects.for_user(user)
    valid = Certificate.objects.for_user(user).valid_on(today)
    window = (
        valid.filter(
            expires_on__gte=today + dt.timedelta(days=REEVALUATION_CLOSES_DAYS),
            expires_on__lte=today + dt.timedelta(days=REEVALUATION_OPENS_DAYS),
        )
        .select_related("product__producer")
        .order_by("expires_on")
    )
    window_rows = list(window[: LIST_LIMIT + 1])
    # Both maps: products by the province they were registered under (a
    # former province for records made before July 2025).
    by_origin = (
        products.values("producer__commune__province_id", "producer__commune__province__name", "producer__commune__map")
        .annotate(n=Count("pk"))
        .order_by("producer__commune__map", "producer__commune__province__name")
    )
    return {
        "province": user.province,
        "pending_total": pending.count(),
        "products_total": products.count(),
        "stars": StarCounts("", by_star=_stars(valid)),
        "reevaluation": window_rows[:LIST_LIMIT],
        "reevaluation_more": len(window_rows) > LIST_LIMIT,
        "reevaluation_total": window.count() if len(window_rows) > LIST_LIMIT else len(window_rows),
        "reevaluation_opens": REEVALUATION_OPENS_DAYS,
        "reevaluation_closes": REEVALUATION_CLOSES_DAYS,
        "by_origin": [
            {
                "unit_id": row["producer__commune__province_id"],
                "name": row["producer__commune__province__name"],
                "legacy": row["producer__commune__map"] == "legacy",
                "count": row["n"],
            }
            for row in by_origin
        ],
        "imports": list(ImportJob.objects.for_user(user).select_related("created_by")[:5]),
        **alert_block(user),
    }


def central_dashboard(user: Any, today: dt.date) -> dict[str, Any]:
    valid = Certificate.objects.for_user(user).valid_on(today)
    # Highest valid star per product, then counted per province and star.
    rows = (
        valid.values("product", "product__province_id", "product__province__name")
        .annotate(best=Max("star"))
        .values_list("product__province_id", "product__province__name", "best")
    )
    provinces: dict[int, StarCounts] = {}
    for province_id, name, star in rows:
        entry = provinces.setdefault(province_id, StarCounts(name, province_id))
        entry.by_star[star] = entry.by_star.get(star, 0) + 1
    table = sorted(provinces.values(), key=lambda e: (-e.total, e.label))
    totals = StarCounts("")
    for entry in table:
        for star, n in entry.by_star.items():
            totals.by_star[star] = totals.by_star.get(star, 0) + n
    return {
        "table": table,
        "totals": totals,
        "products_total": Product.objects.for_user(user).count(),
        "producers_total": Producer.objects.for_user(user).count(),
    }


def council_dashboard(user: Any, today: dt.date) -> dict[str, Any]:
    return {"province": user.province}


def admin_dashboard(user: Any, today: dt.date) -> dict[str, Any]:
    since = timezone.now() - dt.timedelta(hours=24)
    counts = dict(User.objects.filter(is_active=True).values_list("role").annotate(n=Count("pk")).order_by())
    roles = [(value, label, counts.get(value, 0)) for value, label in Role.choices]
    failures = LoginAttempt.objects.filter(success=False, at__gte=since).aggregate(
        failed=Count("pk", filter=Q(refused=False)), refused=Count("pk", filter=Q(refused=True))
    )
    return {
        "roles": roles,
        "users_total": sum(counts.values()),
        "failed_logins": failures["failed"],
        "refused_logins": failures["refused"],
        "since": since,
        "producers_pending": Producer.objects.for_user(user).filter(status=ProducerStatus.PENDING).count(),
    }


BUILDERS = {
    Role.PRODUCER: producer_dashboard,
    Role.COMMUNE: commune_dashboard,
    Role.PROVINCE: province_dashboard,
    Role.CENTRAL: central_dashboard,
    Role.COUNCIL: council_dashboard,
    Role.ADMIN: admin_dashboard,
}


def dashboard_for(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    """The figures of `user`'s dashboard, by role."""
    return BUILDERS[user.role](user, today or clock.today())
