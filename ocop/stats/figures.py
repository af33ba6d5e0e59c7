"""The offices' figures, as of any date: plain data for pages, exports and the API.

Every figure starts from a scope queryset (`Certificate.objects.for_user`,
`Dossier.objects.for_user`, …), so nobody counts a record they may not open.

Recognised products: a product counts once, at the highest star of its
certificates in force on the day (as `ocop.front.dashboards._stars`). The
as-of figures come from ONE query (`_fetch_recognised`): one row per product
with every dimension a breakdown needs, counted in Python column by column; the
list behind a number (`list_entries`) reads the same rows, so the two always
agree.

The pages keep what these functions return until the data changes
(`ocop.stats.cache`); the functions themselves always compute afresh.

Units "as named then": before 1 July 2025 products are placed in the unit
their producer registered under (a former province, district and commune);
from that day in the present-day province and commune.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.db import connections
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from ocop.certificates.models import Certificate, CertificateStatus, Proposal, certificate_status
from ocop.certificates.policy import policy_on
from ocop.certificates.querysets import not_revoked_q
from ocop.geo.models import AdminUnit, UnitMap
from ocop.registry.models import ProducerKind, Product, ProductSet
from ocop.stats.filters import STARS, StatsFilter, area_q, product_q

CERT_STATUSES = ("valid", "expiring", "extended", "expired", "revoked")
ROUND_LIMIT = 12
TARGET_LIMIT = 10
PROPOSAL_LIMIT = 20


class _Public:
    """The reader of the public API: every recognition is public (the certificate register is), nothing else."""


PUBLIC = _Public()


def _certs(user: Any) -> QuerySet[Certificate]:
    return Certificate.objects.all() if user is PUBLIC else Certificate.objects.for_user(user)


def _products(user: Any) -> QuerySet[Product]:
    return Product.objects.all() if user is PUBLIC else Product.objects.for_user(user)


def share(part: int, total: int) -> float:
    """Percentage of the total, one decimal (76.7 for 138 of 180)."""
    return round(part * 100.0 / total, 1) if total else 0.0


# --- Recognised products: one row per product ---------------------------------------------------
_PRODUCT_FIELDS = (
    "pk",
    "name",
    "product_set_id",
    "product_set__group_id",
    "product_set__group__category_id",
    "province_id",
    "current_commune_id",
    "producer_id",
    "producer__kind",
    "producer__commune_id",
    "producer__commune__parent_id",
    "producer__commune__province_id",
    "producer__commune__map",
)


def in_force_q(day: dt.date) -> Q:
    """`CertificateQuerySet.valid_on(day)` as a condition on one row, for conditional counts in one query.

    The tests hold the two together (test_in_force_q_is_valid_on).
    """
    return Q(issued_on__lte=day) & (Q(expires_on__gte=day) | Q(extended_until__gte=day)) & not_revoked_q(day)


def certificates(user: Any, f: StatsFilter) -> QuerySet[Certificate]:
    """Certificates `user` may read, of products matching the product filters (not the date, star or status)."""
    qs = _certs(user).filter(product_q(f, "product__"))
    if f.year:
        first_year = (
            Certificate.objects.values("product")
            .annotate(first=Min("issued_on"))
            .filter(first__gte=dt.date(f.year, 1, 1), first__lte=dt.date(f.year, 12, 31))
            .values("product")
        )
        qs = qs.filter(product__in=first_year)
    return qs


# The columns of `_fetch_recognised`, in order: the product's dimensions as `_PRODUCT_FIELDS` (`reg_*`: the unit
# its producer registered under), then its best star in force and its first recognition.
_FETCHED = (
    "product_id",
    "name",
    "set_id",
    "group_id",
    "category_id",
    "province_id",
    "current_commune_id",
    "producer_id",
    "kind",
    "reg_commune_id",
    "reg_district_id",
    "reg_province_id",
    "reg_map",
    "best",
    "first",
)


def _fetch_recognised(user: Any, f: StatsFilter, fields: tuple[str, ...] = _PRODUCT_FIELDS) -> list[tuple[Any, ...]]:
    """Products recognised on `f.as_of` (one row each, at the highest star in force), with the filters applied,
    as fetched (columns `_FETCHED`; `first` as ISO text on SQLite, a date on PostgreSQL). With `fields`, the
    product's columns are those instead of `_PRODUCT_FIELDS` (then `best` and `first`).

    One query: per product, the highest star in force and the first recognition, grouped by the product
    alone in a derived table, joined to the products' dimensions (without grouping). Grouping by every
    dimension (one wide GROUP BY) is slow at national scale, and two separate queries joined in Python read
    the products twice (once to find those in force, once for their dimensions).
    """
    certs = certificates(user, f)
    per_product = (
        certs.filter(issued_on__lte=f.as_of)
        .values("product_id")
        .annotate(best=Max("star", filter=in_force_q(f.as_of)), first=Min("issued_on"))
        .values_list("product_id", "best", "first")
        .order_by()
    )
    # Unordered: sorting 10,000 names would cost more than reading them; the callers order what they show.
    products = _products(user).filter(product_q(f)).order_by().values_list(*fields)
    per_sql, per_params = per_product.query.sql_with_params()
    product_sql, product_params = products.query.sql_with_params()
    # Both parts are compiled by the ORM (scope, filters and parameters included); only the join is written
    # here, because the ORM cannot join a product to a grouped derived table.
    sql = (
        f"SELECT p.*, g.best, g.first FROM ({product_sql}) p INNER JOIN ({per_sql}) g "  # noqa: S608 (ORM-compiled SQL, values as parameters)
        "ON g.product_id = p.pk WHERE g.best IS NOT NULL"
    )
    params: tuple[Any, ...] = (*product_params, *per_params)
    if f.star:
        sql += " AND g.best = %s"
        params = (*params, f.star)
    with connections[products.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value: dt.date | str) -> dt.date:
    # A raw cursor returns dates as ISO text on SQLite and as dates on PostgreSQL.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# --- Breakdowns -----------------------------------------------------------------------------------
@dataclass
class Line:
    """One line of a breakdown: a label, its count, its share of the total and the filters behind it."""

    label: str
    count: int
    share: float
    # Changes to the filter that list exactly these products (None: no list), read as `params`. A callable
    # is resolved on first reading: a national breakdown has thousands of communes, a page links the first few.
    _params: dict[str, Any] | Callable[[], dict[str, Any]] | None
    by_star: dict[int, int] = field(default_factory=dict)
    key: Any = None
    href: str | None = None  # set by the page: the list behind the number

    @property
    def stars(self) -> list[int]:
        return [self.by_star.get(s, 0) for s in STARS]

    @property
    def params(self) -> dict[str, Any] | None:
        if callable(self._params):
            self._params = self._params()
        return self._params


def _tally(col: dict[str, tuple[Any, ...]], legacy: bool) -> dict[str, Counter[tuple[Any, int]]]:
    """(key, star) → products, for every breakdown, from the columns of the recognised products (`_columns`).

    Counted column by column with `Counter` over zipped columns (counted in C): a national registry has
    tens of thousands of rows, and a Python loop updating eight counters per row (or building an object per
    row) costs more than the query.

    Units as named in the period: before 1 July 2025 (`legacy`), and for former districts at any date, only
    records made under the old map have a unit of that map; a record made later (but dated back) is left
    unplaced rather than placed in a present-day unit that holds other records too.
    """
    names = ("category", "group", "set", "province", "district", "commune", "kind", "year")
    if not col["product_id"]:
        return {name: Counter() for name in names}
    best = col["best"]
    reg_legacy = [m == UnitMap.LEGACY for m in col["reg_map"]]
    tallies = {
        "category": Counter(zip(col["category_id"], best, strict=True)),
        "group": Counter(zip(col["group_id"], best, strict=True)),
        "set": Counter(zip(col["set_id"], best, strict=True)),
        "kind": Counter(zip(col["kind"], best, strict=True)),
        "year": Counter(zip([_as_date(d).year for d in col["first"]], best, strict=True)),
        "district": Counter((d, b) for d, b, old in zip(col["reg_district_id"], best, reg_legacy, strict=True) if old),
    }
    if legacy:
        tallies["province"] = Counter(
            (p if old else None, b) for p, b, old in zip(col["reg_province_id"], best, reg_legacy, strict=True)
        )
        tallies["commune"] = Counter(
            (c if old else None, b) for c, b, old in zip(col["reg_commune_id"], best, reg_legacy, strict=True)
        )
    else:
        tallies["province"] = Counter(zip(col["province_id"], best, strict=True))
        tallies["commune"] = Counter(zip(col["current_commune_id"], best, strict=True))
    return {name: tallies[name] for name in names}


def _columns(fetched: list[tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """The fetched rows of `_fetch_recognised` as columns, by name."""
    columns = list(zip(*fetched, strict=True)) or [() for _name in _FETCHED]
    return dict(zip(_FETCHED, columns, strict=True))


def _lines(tally: Counter[tuple[Any, int]], label, params, total: int, order: str = "count") -> list[Line]:  # type: ignore[no-untyped-def]
    stars: dict[Any, dict[int, int]] = defaultdict(dict)
    for (k, star), n in tally.items():
        stars[k][star] = n
    lines = [
        Line(label(k), sum(by.values()), share(sum(by.values()), total), params(k) if k is not None else None, by, k)
        for k, by in stars.items()
    ]
    if order == "key":
        lines.sort(key=lambda line: (line.key is None, line.key))
    else:
        # The key last: two units of the same name (there are many "Xã Tân Long") keep one order whatever
        # order the database returned the rows in.
        lines.sort(key=lambda line: (-line.count, line.label, line.key is None, str(line.key)))
    return lines


@dataclass
class Figures:
    filter: StatsFilter
    total: int
    by_star: list[Line]
    by_category: list[Line]
    by_group: list[Line]
    by_set: list[Line]
    by_province: list[Line]
    by_district: list[Line]
    by_commune: list[Line]
    by_kind: list[Line]
    by_year: list[Line]
    producers_by_kind: list[tuple[str, int]]
    statuses: list[Line]
    reevaluation_due: Line
    proposals: list[dict[str, Any]]  # the first PROPOSAL_LIMIT
    proposal_count: int  # all of them
    extra: dict[str, Any] = field(default_factory=dict)

    def star_count(self, star: int) -> int:
        return next((line.count for line in self.by_star if line.key == star), 0)


def compute(user: Any, f: StatsFilter) -> Figures:  # noqa: C901
    """Every as-of figure of the dashboard (a fixed number of queries, whatever the data)."""
    col = _columns(_fetch_recognised(user, f))
    total = len(col["product_id"])
    legacy = f.legacy_period
    sets = {s.pk: s for s in ProductSet.objects.select_related("group__category")}
    tallies = _tally(col, legacy)
    unit_ids = {k for name in ("province", "district", "commune") for (k, _star) in tallies[name] if k}
    # Plain values, not model instances: a national breakdown holds every commune of the country.
    units = {
        pk: (name, code, unit_map, level)
        for pk, name, code, unit_map, level in AdminUnit.objects.filter(pk__in=unit_ids)
        .order_by()
        .values_list("pk", "name", "code", "map", "level")
    }
    not_set = _("(no unit of that map)") if legacy else _("(not set)")

    def unit_label(k: int | None) -> str:
        return units[k][0] if k in units else not_set

    def unit_params(k: int) -> Callable[[], dict[str, Any]]:
        name, code, unit_map, level = units[k]
        return lambda: {"sub": AdminUnit(pk=k, name=name, code=code, map=unit_map, level=level)}

    stars = Counter(col["best"])
    by_star = [
        Line(f"{star}★", stars[star], share(stars[star], total), {"star": star}, {star: stars[star]}, star)
        for star in STARS
    ]
    kinds = dict(ProducerKind.choices)
    # Producers with a recognised product, by kind: each (kind, producer) once.
    producers = Counter(kind for kind, _producer in set(zip(col["kind"], col["producer_id"], strict=True)))
    figures = Figures(
        filter=f,
        total=total,
        by_star=by_star,
        by_category=_lines(tallies["category"], lambda k: sets_category(sets, k), lambda k: {"category": k}, total),
        by_group=_lines(
            tallies["group"],
            lambda k: str(next(s.group for s in sets.values() if s.group_id == k)),
            lambda k: {"group": k},
            total,
        ),
        by_set=_lines(
            tallies["set"], lambda k: f"{sets[k].number}. {sets[k].name}", lambda k: {"product_set": k}, total
        ),
        by_province=_lines(tallies["province"], unit_label, unit_params, total),
        by_district=_lines(tallies["district"], unit_label, unit_params, total),
        by_commune=_lines(tallies["commune"], unit_label, unit_params, total),
        by_kind=_lines(tallies["kind"], lambda k: str(kinds.get(k, k)), lambda k: {"kind": k}, total),
        by_year=_lines(tallies["year"], str, lambda k: {"year": k}, total, order="key"),
        producers_by_kind=sorted(
            ((str(kinds.get(k, k)), n) for k, n in producers.items()), key=lambda item: (-item[1], item[0])
        ),
        **_statuses(user, f),
        **_proposals(user, f),
    )
    return figures


def sets_category(sets: dict[int, ProductSet], category_id: int) -> str:
    return str(next(s.group.category for s in sets.values() if s.group.category_id == category_id))


def status_q(status: str, day: dt.date) -> Q:
    """`CertificateQuerySet.with_status(status, day)` as a condition on one row, for conditional counts."""
    window_start = day + dt.timedelta(days=policy_on(day).reevaluation_opens_days)
    if status == "in_force":
        return in_force_q(day)
    if status == "revoked":
        return Q(revoked_on__lte=day)
    if status == "not_yet_valid":
        return not_revoked_q(day) & Q(issued_on__gt=day)
    started = not_revoked_q(day) & Q(issued_on__lte=day)
    if status == "valid":
        return started & Q(expires_on__gt=window_start)
    if status == "expiring":
        return started & Q(expires_on__gte=day, expires_on__lte=window_start)
    if status == "extended":
        return started & Q(expires_on__lt=day, extended_until__gte=day)
    if status == "expired":
        return started & Q(expires_on__lt=day) & (Q(extended_until__isnull=True) | Q(extended_until__lt=day))
    raise ValueError(status)


def _statuses(user: Any, f: StatsFilter) -> dict[str, Any]:
    """Certificates by their status on the day (one query), and those whose re-evaluation is due."""
    base = certificates(user, f)
    if f.star:
        base = base.filter(star=f.star)
    day = f.as_of
    policy = policy_on(day)
    # One query, conditional counts over the base rows: each condition is the one its list uses
    # (`status_certificates`, through `CertificateQuerySet.with_status`; test_status_q_is_with_status holds
    # them together). A `pk IN (subquery)` per status would scan the certificates once per status.
    aggregates = {status: Count("pk", filter=status_q(status, day)) for status in CERT_STATUSES}
    aggregates["reevaluation_due"] = Count(
        "pk",
        filter=in_force_q(day)
        & Q(
            expires_on__gte=day + dt.timedelta(days=policy.reevaluation_closes_days),
            expires_on__lte=day + dt.timedelta(days=policy.reevaluation_opens_days),
        ),
    )
    counts = base.aggregate(**aggregates)
    from ocop.stats.filters import status_label

    total = sum(counts[s] for s in CERT_STATUSES)
    return {
        "statuses": [
            Line(status_label(s), counts[s], share(counts[s], total), {"status": s}, key=s) for s in CERT_STATUSES
        ],
        "reevaluation_due": Line(
            status_label("reevaluation_due"), counts["reevaluation_due"], 0.0, {"status": "reevaluation_due"}
        ),
    }


def status_certificates(user: Any, f: StatsFilter) -> QuerySet[Certificate]:
    """The certificates behind a status figure (the same querysets `_statuses` counts)."""
    base = certificates(user, f)
    if f.star:
        base = base.filter(star=f.star)
    if f.status == "reevaluation_due":
        policy = policy_on(f.as_of)
        return base.valid_on(f.as_of).filter(
            expires_on__gte=f.as_of + dt.timedelta(days=policy.reevaluation_closes_days),
            expires_on__lte=f.as_of + dt.timedelta(days=policy.reevaluation_opens_days),
        )
    return base.with_status(f.status, f.as_of)


def _proposals(user: Any, f: StatsFilter) -> dict[str, Any]:
    """Products proposed for a higher rating by the day and not yet recognised at it by then: the first
    PROPOSAL_LIMIT, and how many in all (counted by a second query only when there may be more)."""
    done = Certificate.objects.filter(
        product=OuterRef("product"),
        star__gte=OuterRef("star"),
        issued_on__gte=OuterRef("proposed_on"),
        issued_on__lte=f.as_of,
    )
    qs = (
        Proposal.objects.filter(product__in=_products(user).filter(product_q(f)))
        .filter(proposed_on__lte=f.as_of)
        .exclude(Exists(done))
        .select_related("product")
        .order_by("-star", "product__name")
    )
    shown = [
        {"product": p.product.name, "product_id": p.product_id, "star": p.star, "proposed_on": p.proposed_on}
        for p in qs[:PROPOSAL_LIMIT]
    ]
    return {"proposals": shown, "proposal_count": len(shown) if len(shown) < PROPOSAL_LIMIT else qs.count()}


# --- Trends -----------------------------------------------------------------------------------------
def trends(user: Any, f: StatsFilter) -> dict[str, Any]:
    """Certificates issued per year and star, products in force at each year's end (2 queries, the last 15 years).

    The certificates issued are counted per (day, star) (a few hundred decision days, bucketed by year here);
    products in force are counted (distinct) only from the year of the first certificate on: each distinct
    count is the costly part of the query, and before that year there is nothing in force.
    """
    base = certificates(user, f)
    years = list(range(f.as_of.year - 14, f.as_of.year + 1))
    days = {y: min(dt.date(y, 12, 31), f.as_of) for y in years}
    per_day = base.filter(issued_on__lte=f.as_of).values_list("issued_on", "star").annotate(n=Count("pk")).order_by()
    counted: Counter[tuple[int, int]] = Counter()
    for day, star, n in per_day:
        counted[(day.year, star)] += n
    # No product is in force before the first certificate was issued (in or before the window).
    first = min((y for y, _star in counted), default=years[-1] + 1)
    in_force: dict[int, int] = {}
    since = [y for y in years if y >= first]
    if since:
        counts = base.aggregate(**{f"y{y}": Count("product", distinct=True, filter=in_force_q(days[y])) for y in since})
        in_force = {y: counts[f"y{y}"] for y in since}
    issued = [(y, [counted[(y, s)] for s in STARS]) for y in years]
    # From the first year with a certificate on.
    while issued and not any(issued[0][1]) and not in_force.get(issued[0][0]):
        issued.pop(0)
    kept = [y for y, _values in issued]
    return {
        "years": kept,
        "issued": issued,
        "in_force": [(y, days[y], in_force.get(y, 0)) for y in kept],
    }


def rounds(user: Any, f: StatsFilter) -> list[dict[str, Any]]:
    """The latest evaluation rounds in scope with their outcomes and the stars given (2 queries).

    Rounds opened by the day; their dossiers' outcomes are today's (a round's history is not replayed).
    """
    from ocop.councils.models import Evaluation, Outcome, Round

    latest = list(
        Round.objects.for_user(user)
        .filter(proposals_by__lte=f.as_of)
        .select_related("province")
        .order_by("-year", "-number", "-pk")[:ROUND_LIMIT]
    )
    if not latest:
        return []
    rows = (
        Evaluation.objects.filter(round__in=[r.pk for r in latest])
        .filter(product_q(f, "dossier__product__"))
        .values_list("round_id", "outcome", "final_star")
        .annotate(n=Count("pk"))
        .order_by()
    )
    outcomes = dict(Outcome.choices)
    by_round: dict[int, dict[str, Any]] = {
        r.pk: {
            "id": r.pk,
            "level": r.level,
            "year": r.year,
            "number": r.number,
            "province": r.province.name if r.province_id else "",
            "total": 0,
            "outcomes": Counter(),
            "stars": Counter(),
        }
        for r in latest
    }
    for round_id, outcome, star, n in rows:
        entry = by_round[round_id]
        entry["total"] += n
        entry["outcomes"][str(outcomes.get(outcome, _("In progress")) if outcome else _("In progress"))] += n
        if star and outcome == Outcome.RECOGNISED:
            entry["stars"][star] += n
    out = [by_round[r.pk] for r in latest]
    for entry in out:
        entry["recognised"] = [entry["stars"].get(s, 0) for s in STARS]
        entry["outcomes"] = sorted(entry["outcomes"].items())
    return out


def dossiers(user: Any, f: StatsFilter, today: dt.date) -> dict[str, Any]:
    """Dossiers by stage today, with those past the commune's deadline (1 query)."""
    from ocop.evaluation.models import Dossier, DossierStatus

    rows = (
        Dossier.objects.for_user(user)
        .filter(product_q(f, "product__"))
        .values_list("status")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(status=DossierStatus.SUBMITTED, commune_deadline__lt=today)),
        )
        .order_by()
    )
    labels = dict(DossierStatus.choices)
    order = list(DossierStatus.values)
    stages = sorted(
        ({"status": s, "label": str(labels[s]), "count": n, "overdue": o} for s, n, o in rows),
        key=lambda e: order.index(e["status"]),
    )
    return {"stages": stages, "total": sum(e["count"] for e in stages), "overdue": sum(e["overdue"] for e in stages)}


def traceability(user: Any, f: StatsFilter) -> dict[str, int]:
    """Stamps issued, scans, suspected copies and buyers' inquiries up to the day (4 queries)."""
    from ocop.scans.models import Alert, Scan
    from ocop.stamps.models import StampBatch
    from ocop.trade.models import Inquiry

    end = f.as_of + dt.timedelta(days=1)
    stamps = (
        StampBatch.objects.for_user(user)
        .filter(area_q(f.area, producer_path="lot__producer__"), created_at__date__lt=end)
        .aggregate(n=Sum("generated"))["n"]
        or 0
    )
    scans = (
        Scan.objects.for_user(user)
        .filter(area_q(f.area, producer_path="stamp__batch__lot__producer__"), at__date__lt=end)
        .count()
    )
    alerts = Alert.objects.for_user(user).filter(area_q(f.area, producer_path="producer__"), created_at__date__lt=end)
    # Counted only (the trade app decides which offices may count them); never listed here with their contacts.
    inquiries = Inquiry.objects.countable_by(user).filter(
        area_q(f.area, producer_path="producer__"), created_at__date__lt=end
    )
    return {"stamps": stamps, "scans": scans, "alerts": alerts.count(), "inquiries": inquiries.count()}


def targets(user: Any, f: StatsFilter) -> list[dict[str, Any]]:
    """Progress against the province targets in scope (2 queries): products in force on the day in each unit."""
    from ocop.stats.models import ProvinceTarget

    items = list(ProvinceTarget.objects.for_user(user).select_related("province").order_by("year", "pk")[:TARGET_LIMIT])
    if not items:
        return []
    valid = Certificate.objects.for_user(user).valid_on(f.as_of)
    aggregates: dict[str, Any] = {}
    for t in items:
        q = area_q(t.province, "product__")
        aggregates[f"p{t.pk}"] = Count("product", distinct=True, filter=q)
        aggregates[f"f{t.pk}"] = Count("product", distinct=True, filter=q & Q(star=5))
    counts = valid.aggregate(**aggregates)
    out = []
    for t in items:
        products, five = counts[f"p{t.pk}"], counts[f"f{t.pk}"]
        out.append(
            {
                "target": t,
                "products": products,
                "five_star": five,
                "products_pct": share(products, t.products_target_min),
                "five_pct": share(five, t.five_star_target_min) if t.five_star_target_min else None,
                "bar": min(100.0, share(products, t.products_target_min)),
                "params": {"area": t.province},
            }
        )
    return out


# --- The list behind a number --------------------------------------------------------------------
@dataclass
class Entry:
    product_id: int
    certificate_id: int | None
    name: str


def list_entries(user: Any, f: StatsFilter) -> list[Entry]:
    """What the list of `f` holds, in the order it is shown (the same rows the figures count)."""
    if f.status:
        rows = (
            status_certificates(user, f)
            .values_list("pk", "product_id", "product__name")
            .order_by("product__name", "product_id", "-issued_on", "pk")
        )
        return [Entry(product_id, pk, name) for pk, product_id, name in rows]
    # Sorted as fetched (by name, then id), without building a row object for each of a national list. Only the
    # id and the name: the dimensions the figures count by would join four more tables for nothing.
    rows = _fetch_recognised(user, f, fields=("pk", "name"))
    return [Entry(v[0], None, v[1]) for v in sorted(rows, key=itemgetter(1, 0))]


@dataclass
class DetailRow:
    number: int
    certificate: Certificate
    status: str


_RELATED = (
    "product__producer__commune__parent",
    "product__producer__commune__province",
    "product__producer__current_commune",
    "product__product_set",
)


_EXPORT_FIELDS = (
    "product_id",
    "star",
    "number",
    "decision_number",
    "issued_on",
    "expires_on",
    "revoked_on",
    "extended_until",
    "product__name",
    "product__code",
    "product__producer__name",
    "product__producer__kind",
    "product__producer__current_commune__name",
    "product__producer__commune__name",
    "product__producer__commune__map",
    "product__producer__commune__parent_id",
    "product__producer__commune__province_id",
    "product__producer__commune__parent__name",
    "product__producer__commune__province__name",
    "product__product_set__number",
    "product__product_set__name",
)


@dataclass(frozen=True)
class ExportRow:
    number: int
    values: dict[str, Any]
    status: str


def all_details(user: Any, f: StatsFilter) -> Iterator[ExportRow]:
    """Every row of the list of `f`, streamed from one narrow query (the exports): the rows of `list_entries`.

    For recognised products the certificates in force come ordered by product, best first; the first of each
    product is its row (at its highest star, as the figures count it). Plain values, not model instances:
    building 20,000 × 7 objects would cost more than the query.
    """
    policy = policy_on(f.as_of)
    labels = dict(CertificateStatus.choices)
    if f.status:
        qs = status_certificates(user, f).order_by("product__name", "product_id", "-issued_on", "pk")
    else:
        qs = (
            certificates(user, f)
            .valid_on(f.as_of)
            .order_by("product__name", "product_id", "-star", "-issued_on", "-pk")
        )
    number = 0
    last = None
    for values in qs.values(*_EXPORT_FIELDS).iterator(chunk_size=2000):
        if not f.status:
            if values["product_id"] == last:
                continue
            last = values["product_id"]
            if f.star and values["star"] != f.star:
                continue
        number += 1
        status = certificate_status(
            issued_on=values["issued_on"],
            expires_on=values["expires_on"],
            revoked_on=values["revoked_on"],
            extended_until=values["extended_until"],
            day=f.as_of,
            policy=policy,
        )
        yield ExportRow(number, values, str(labels[status]))


def details(user: Any, f: StatsFilter, entries: list[Entry], start: int = 0, chunk: int = 2000) -> Iterator[DetailRow]:
    """The certificate row (with product, producer and places) of each entry, fetched in chunks of `chunk`."""
    related = (
        "product__producer__commune__parent",
        "product__producer__commune__province",
        "product__producer__current_commune",
        "product__product_set",
    )
    for offset in range(0, len(entries), chunk):
        part = entries[offset : offset + chunk]
        if f.status:
            by_id = {
                c.pk: c
                for c in Certificate.objects.filter(pk__in=[e.certificate_id for e in part]).select_related(*related)
            }
            picked = [by_id[e.certificate_id] for e in part if e.certificate_id in by_id]
        else:
            best: dict[int, Certificate] = {}
            for c in (
                Certificate.objects.for_user(user)
                .valid_on(f.as_of)
                .filter(product_id__in=[e.product_id for e in part])
                .select_related(*related)
                .order_by("product_id", "-star", "-issued_on", "-pk")
            ):
                best.setdefault(c.product_id, c)
            picked = [best[e.product_id] for e in part if e.product_id in best]
        for i, c in enumerate(picked):
            yield DetailRow(start + offset + i + 1, c, str(c.status_on(f.as_of).label))
