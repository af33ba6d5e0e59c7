"""What the public may see: the one place that decides it for the catalogue, its API, sitemap and exports.

A product is public when it is not a draft, its producer's registration is
verified, and it has been certified at least once — except when its most
recent certificate has been revoked and no certificate is in force (a
revoked product disappears; an expired one stays, shown as expired and not as
OCOP). Certificates dated in the future are ignored until their day.

Every public product carries the certificate the public sees (the one "shown"):
the best certificate in force today (highest star, newest), else the most
recent one, which is then expired. Its star, dates and status are annotated so a
list page reads them without one query per row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.db import connections, models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import OrderBy

from ocop.accounts.models import Role
from ocop.lib import clock
from ocop.registry.querysets import ScopedQuerySet

# The status of the shown certificate, as CertificateStatus values (ocop.certificates.models).
VALID, EXPIRING, EXTENDED, EXPIRED = "valid", "expiring", "extended", "expired"
PUBLIC_STATUSES = (VALID, EXPIRING, EXTENDED, EXPIRED)


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _started(day: dt.date) -> Any:
    from ocop.certificates.models import Certificate

    return Certificate.objects.filter(product=OuterRef("pk"), issued_on__lte=day)


def _shown(day: dt.date) -> Any:
    """The certificates of the outer product, the shown one first."""
    from ocop.certificates.models import Certificate

    in_force = Certificate.objects.valid_on(day).filter(pk=OuterRef("pk"))
    return (
        _started(day)
        .annotate(in_force=Exists(in_force))
        .order_by("-in_force", "-star", "-issued_on", "-pk")
        .values("pk")  # replaced per field below
    )


def annotate_certificates(queryset: Any, day: dt.date) -> Any:
    """Annotate products with `best_star` and the shown certificate's fields and status on `day`.

    best_star: highest star of a certificate in force on `day`, else None.
    certificate_status: "valid", "expiring", "extended" or "expired" (certificate_status() in
    ocop.certificates.models decides the same; tests/test_querysets.py holds the two together).
    """
    from ocop.certificates.models import Certificate
    from ocop.certificates.policy import policy_on

    in_force = Certificate.objects.valid_on(day).filter(product=OuterRef("pk"))
    shown = _shown(day)

    def field(name: str) -> Subquery:
        return Subquery(shown.values(name)[:1])

    window_end = day + dt.timedelta(days=policy_on(day).reevaluation_opens_days)
    return queryset.annotate(
        best_star=Subquery(in_force.order_by("-star").values("star")[:1]),
        certificate_id=field("pk"),
        certificate_star=field("star"),
        certificate_number=field("number"),
        certificate_issued_on=field("issued_on"),
        certificate_expires_on=field("expires_on"),
        certificate_extended_until=field("extended_until"),
    ).annotate(
        certificate_status=Case(
            When(best_star__isnull=True, then=Value(EXPIRED)),
            When(certificate_expires_on__gt=window_end, then=Value(VALID)),
            When(certificate_expires_on__gte=day, then=Value(EXPIRING)),
            default=Value(EXTENDED),
            output_field=models.CharField(),
        )
    )


# The querysets public_products() built, by day: a copy of one is what it returns. Building one (eight
# subqueries) takes about 2 ms, longer than the database takes to find a search's page on the search rows;
# copying it takes a small part of that. They are never evaluated themselves, like a list view's `queryset`.
_BUILT: dict[dt.date, Any] = {}
_BUILT_DAYS = 4


def public_products(today: dt.date | None = None) -> Any:
    """The products the public may see on `today` (default: the platform's today), annotated.

    Annotations: best_star, certificate_id, certificate_star, certificate_number,
    certificate_issued_on, certificate_expires_on, certificate_extended_until, certificate_status.
    Unordered on purpose: callers order (by name, by search rank…).
    """
    day = today or clock.today()
    built = _BUILT.get(day)
    if built is None:
        if len(_BUILT) >= _BUILT_DAYS:
            _BUILT.clear()
        built = _BUILT[day] = _public_products(day)
    return built.all()


def _public_products(day: dt.date) -> Any:
    from ocop.registry.models import ProducerStatus, Product, ProductStatus

    latest = _started(day).order_by("-issued_on", "-pk")
    products = (
        Product.objects.exclude(status=ProductStatus.DRAFT)
        .filter(producer__status=ProducerStatus.VERIFIED)
        .filter(Exists(_started(day)))
        .order_by()
    )
    # Revoked: the most recent certificate was revoked by `day` and none is in force.
    revoked = Q(best_star__isnull=True, latest_revoked_on__isnull=False, latest_revoked_on__lte=day)
    return (
        annotate_certificates(products, day)
        .alias(latest_revoked_on=Subquery(latest.values("revoked_on")[:1]))
        .exclude(revoked)
    )


class _Shown(NamedTuple):
    """A certificate as public_page() weighs it: the first four fields are the shown one's order."""

    in_force: bool
    star: int
    issued_on: dt.date
    pk: int
    status: str
    number: str
    expires_on: dt.date
    extended_until: dt.date | None
    revoked_on: dt.date | None


# What no list of products shows, left unread by public_page(): the long texts, and the producer's registration,
# contact and representative's details (personal data a public page never needs). Reading a deferred field
# would cost a query per row: the lists' pinned query counts (test_views, test_demo, test_search_rows) catch it.
_NOT_LISTED = (
    "description",
    "story",
    "specifications",
    "created_at",
    "updated_at",
    *(
        f"producer__{name}"
        for name in (
            "tax_code",
            "registration_number",
            "founded_on",
            "street",
            "phone",
            "email",
            "website",
            "members_count",
            "workers_count",
            "rep_name",
            "rep_position",
            "rep_gender",
            "rep_ethnicity",
            "rep_id_number",
            "verified_at",
            "verified_by",
            "status_note",
            "folded_name",
            "created_at",
            "updated_at",
        )
    ),
)


def public_page(products: Any, ids: list[int], today: dt.date | None = None) -> list[Any]:
    """The public products among `ids`, in that order, with the annotations of public_products(today).

    `products`: a plain product queryset, which says what else to read (select_related, a photo…); what no
    list shows is left unread (_NOT_LISTED).
    The same decisions as public_products(), taken in Python over the page's
    certificates, read in one query: its eight correlated subqueries took Django
    about 3.6 ms to compile for a page of 20, longer than a search takes to find
    the page on the search rows. test_querysets.py holds the two together, day
    by day, over every kind of certificate history.
    """
    from ocop.certificates.models import IN_FORCE, Certificate, certificate_status
    from ocop.certificates.policy import policy_on
    from ocop.registry.models import ProducerStatus, ProductStatus

    if not ids:
        return []
    day = today or clock.today()
    policy = policy_on(day)
    # Unordered: the page keeps the order of `ids` (a product list is ordered by name by default).
    found = products.select_related("producer").defer(*_NOT_LISTED).order_by().in_bulk(ids)
    started: dict[int, list[_Shown]] = {}
    rows = Certificate.objects.filter(product_id__in=list(found), issued_on__lte=day).values_list(
        "product_id", "pk", "star", "number", "issued_on", "expires_on", "extended_until", "revoked_on"
    )
    for product_id, pk, star, number, issued_on, expires_on, extended_until, revoked_on in rows:
        status = certificate_status(
            issued_on=issued_on,
            expires_on=expires_on,
            revoked_on=revoked_on,
            extended_until=extended_until,
            day=day,
            policy=policy,
        )
        started.setdefault(product_id, []).append(
            _Shown(status in IN_FORCE, star, issued_on, pk, status, number, expires_on, extended_until, revoked_on)
        )
    page = []
    for pk in ids:
        product = found.get(pk)
        certificates = started.get(pk)
        if (
            product is None
            or not certificates
            or product.status == ProductStatus.DRAFT
            or product.producer.status != ProducerStatus.VERIFIED
        ):
            continue
        best_star = max((c.star for c in certificates if c.in_force), default=None)
        latest = max(certificates, key=lambda c: (c.issued_on, c.pk))
        if best_star is None and latest.revoked_on is not None and latest.revoked_on <= day:
            continue  # revoked, none in force: not public
        shown = max(certificates, key=lambda c: c[:4])
        product.best_star = best_star
        product.certificate_id = shown.pk
        product.certificate_star = shown.star
        product.certificate_number = shown.number
        product.certificate_issued_on = shown.issued_on
        product.certificate_expires_on = shown.expires_on
        product.certificate_extended_until = shown.extended_until
        product.certificate_status = EXPIRED if best_star is None else str(shown.status)
        page.append(product)
    return page


def counted_page(
    queryset: Any, start: int, size: int, rows: Any = None, *, together: bool = True
) -> tuple[list[Any], int]:
    """Rows `start` to `start + size` of an ordered queryset, and the number of all its rows.

    The order is read on the primary keys alone, then the page's rows are
    loaded by key from `rows` (default: `queryset`; best a queryset without the
    search, whose match would be run again), or by `rows(keys)` when it is a
    function (public_page): the columns and subqueries a page
    shows (certificate, photo…) are computed for its 20 rows, not for every
    row the order has to look at.

    The count comes in the same statement, so that a search's matches are
    found and read once instead of once for the page and again for the count:
    the rows are kept once in a MATERIALIZED common table expression
    (_keys_and_count) and counted there. A page past the end has no row to
    carry the count: it is then counted on its own.
    `together=False` reads them apart, for a queryset the database reads in
    order from an index (filters.read_in_order): one statement would read
    every row to count them before taking the first 20.
    """
    keys = queryset.values("pk")
    if not together:
        ids = [row["pk"] for row in keys[start : start + size]]
        count = queryset.count()
    elif (found := _keys_and_count(queryset, start, size)) is not None:
        ids, total = found
        count = total if total is not None else (queryset.count() if start else 0)
    else:
        ids = [row["pk"] for row in keys[start : start + size]]
        count = queryset.count()
    if callable(rows):
        return rows(ids), count
    found = (queryset if rows is None else rows).in_bulk(ids) if ids else {}
    return [found[pk] for pk in ids if pk in found], count


def _keys_and_count(queryset: Any, start: int, size: int) -> tuple[list[Any], int | None] | None:
    """The keys of rows `start` to `start + size` and the number of all rows, from one statement.

    The rows are selected once with the values they are ordered by into a
    MATERIALIZED common table expression, then ordered and counted outside it.
    As two statements, a broad search ran its match and rank twice (SQLite,
    "hop tac xa nong san", 8,099 matches: 24.3 ms against 20.6 in one). On
    PostgreSQL a window count (COUNT(*) OVER ()) did the same in one statement
    and took about 2 ms more for that search (bench/bench_search.py, 30.2
    against 28.2 ms): its window keeps every row as well before the sort. None
    when the queryset's order is not a list of fields and expressions (the
    caller then runs the two statements).
    """
    if not queryset.query.order_by:
        return None
    annotations: dict[str, Any] = {}
    order = []
    for index, item in enumerate(queryset.query.order_by):
        if isinstance(item, str) and item != "?" and "." not in item:
            expression, descending, nulls = F(item.removeprefix("-")), item.startswith("-"), ""
        elif isinstance(item, OrderBy):
            expression, descending = item.expression, item.descending
            nulls = " NULLS LAST" if item.nulls_last else " NULLS FIRST" if item.nulls_first else ""
        else:
            return None
        name = f"page_order_{index}"
        annotations[name] = expression
        order.append(f'"{name}" {"DESC" if descending else "ASC"}{nulls}')
    inner = queryset.order_by().annotate(**annotations).values_list("pk", *annotations)
    sql, params = inner.query.sql_with_params()
    statement = (
        f"WITH page_rows AS MATERIALIZED ({sql})"  # noqa: S608 (Django's own SQL, every value a parameter)
        f" SELECT page_rows.*, (SELECT count(*) FROM page_rows) FROM page_rows"
        f" ORDER BY {', '.join(order)} LIMIT %s OFFSET %s"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(statement, [*params, size, start])
        rows = cursor.fetchall()
    return [row[0] for row in rows], (rows[0][-1] if rows else None)


def public_producers(today: dt.date | None = None) -> Any:
    """Verified producers with at least one public product."""
    from ocop.registry.models import Producer, ProducerStatus

    products = public_products(today).filter(producer=OuterRef("pk"))
    return Producer.objects.filter(status=ProducerStatus.VERIFIED).filter(Exists(products.values("pk")))


def is_public_product(pk: int, today: dt.date | None = None) -> bool:
    return public_products(today).filter(pk=pk).exists()


class ShopLinkQuerySet(ScopedQuerySet):
    """A producer keeps its own shop links; its provincial office may too (the registry's write scope)."""

    producer_field = "producer"

    def public(self) -> ShopLinkQuerySet:
        """Links shown to the public: those of verified producers (whose pages are public)."""
        from ocop.registry.models import ProducerStatus

        return self.filter(producer__status=ProducerStatus.VERIFIED)


def may_manage_shop_links(user: Any) -> bool:
    return _active(user) and user.role in (Role.ADMIN, Role.PROVINCE, Role.PRODUCER)


class SalesPointQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """OCOP sales points are kept by the provincial office of their province; the central office reads all."""

    def public(self) -> SalesPointQuerySet:
        return self.filter(is_open=True)

    def for_user(self, user: Any) -> SalesPointQuerySet:
        if _active(user) and user.role == Role.CENTRAL:
            return self
        return self.editable_by(user)

    def editable_by(self, user: Any) -> SalesPointQuerySet:
        if not _active(user):
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(province_id=user.province_id)
        return self.none()


def may_manage_sales_points(user: Any) -> bool:
    return _active(user) and (user.role == Role.ADMIN or (user.role == Role.PROVINCE and bool(user.province_id)))


def placeable_sales_point_communes(user: Any) -> Any:
    """Present-day communes where `user` may place a sales point."""
    from ocop.geo.models import AdminUnit

    communes = AdminUnit.objects.current().communes()
    if not _active(user):
        return communes.none()
    if user.role == Role.ADMIN:
        return communes
    if user.role == Role.PROVINCE and user.province_id:
        return communes.filter(province_id=user.province_id)
    return communes.none()
