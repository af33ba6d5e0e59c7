"""Figures on inquiries for the offices: counts only.

Every figure starts from `Inquiry.objects.countable_by(user)` and reads only the product, its province, the
type of buyer, the destination and the dates: the queries below never select a contact field, so no buyer's
personal data reaches an office's page. Inquiries marked as spam are not counted. A fixed number of queries
whatever the amount of data.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ocop.lib import clock
from ocop.trade.models import BuyerType, Inquiry, InquiryStatus

PRODUCT_ROWS = 25
ANSWERED = Q(first_answered_at__isnull=False)


@dataclass
class Row:
    label: str
    count: int
    answered: int = 0
    extra: str = ""

    @property
    def answered_share(self) -> int:
        return round(100 * self.answered / self.count) if self.count else 0


@dataclass
class MonthBar:
    month: dt.date
    count: int
    answered: int
    x: int = 0
    height: int = 0
    answered_height: int = 0
    y: int = 0
    answered_y: int = 0


@dataclass
class InquiryStats:
    since: dt.date
    months: int
    total: int = 0
    answered: int = 0
    median_hours: float | None = None
    by_month: list[MonthBar] = field(default_factory=list)
    by_buyer_type: list[Row] = field(default_factory=list)
    by_product: list[Row] = field(default_factory=list)
    by_province: list[Row] = field(default_factory=list)
    by_destination: list[Row] = field(default_factory=list)
    chart_height: int = 120
    chart_width: int = 0

    @property
    def answered_share(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def _month_starts(first: dt.date, count: int) -> list[dt.date]:
    out = []
    year, month = first.year, first.month
    for _ in range(count):
        out.append(dt.date(year, month, 1))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def inquiry_stats(user: Any, *, months: int = 12) -> InquiryStats:
    today = clock.today()
    first = clock.add_months(today.replace(day=1), -(months - 1))
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    inquiries = Inquiry.objects.countable_by(user).exclude(status=InquiryStatus.SPAM).filter(created_at__gte=since)
    result = InquiryStats(since=first, months=months)

    totals = inquiries.aggregate(total=Count("pk"), answered=Count("pk", filter=ANSWERED))
    result.total, result.answered = totals["total"], totals["answered"]

    delays = [
        (answered - created).total_seconds() / 3600
        for created, answered in inquiries.filter(ANSWERED).values_list("created_at", "first_answered_at")
    ]
    result.median_hours = round(statistics.median(delays), 1) if delays else None

    monthly = {
        timezone.localtime(row["month"]).date() if isinstance(row["month"], dt.datetime) else row["month"]: row
        for row in inquiries.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"), answered=Count("pk", filter=ANSWERED))
        .order_by("month")
    }
    bars = [
        MonthBar(month=m, count=monthly.get(m, {}).get("n", 0), answered=monthly.get(m, {}).get("answered", 0))
        for m in _month_starts(first, months)
    ]
    peak = max((bar.count for bar in bars), default=0) or 1
    for i, bar in enumerate(bars):
        bar.x = 8 + i * 36
        bar.height = round(result.chart_height * bar.count / peak)
        bar.answered_height = round(result.chart_height * bar.answered / peak)
        bar.y = 4 + result.chart_height - bar.height
        bar.answered_y = 4 + result.chart_height - bar.answered_height
    result.by_month = bars
    result.chart_width = 16 + months * 36

    labels = dict(BuyerType.choices)
    result.by_buyer_type = [
        Row(str(labels.get(row["buyer_type"], row["buyer_type"])), row["n"], row["answered"])
        for row in inquiries.values("buyer_type")
        .annotate(n=Count("pk"), answered=Count("pk", filter=ANSWERED))
        .order_by("-n", "buyer_type")
    ]
    result.by_product = [
        Row(row["product__name"], row["n"], row["answered"], extra=row["province__name"])
        for row in inquiries.values("product_id", "product__name", "province__name")
        .annotate(n=Count("pk"), answered=Count("pk", filter=ANSWERED))
        .order_by("-n", "product__name")[:PRODUCT_ROWS]
    ]
    result.by_province = [
        Row(row["province__name"], row["n"], row["answered"])
        for row in inquiries.values("province_id", "province__name")
        .annotate(n=Count("pk"), answered=Count("pk", filter=ANSWERED))
        .order_by("-n", "province__name")
    ]
    result.by_destination = [
        Row(row["destination__name"] or "", row["n"])
        for row in inquiries.values("destination_id", "destination__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "destination__name")
    ]
    return result
