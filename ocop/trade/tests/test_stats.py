"""The offices' figures on inquiries: scoped to the office, counts only, never a buyer's contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.lib import clock
from ocop.trade.models import InquiryStatus
from ocop.trade.tests.util import BUYER_EMAIL, BUYER_PHONE, certify, make_inquiry


@pytest.fixture
def inquiries(world):
    for product in (world.product_a, world.product_b, world.product_c):
        certify(product)
    now = clock.now()
    answered = make_inquiry(world.product_a, destination=world.ha_noi, buyer_type="exporter")
    answered.first_answered_at = answered.created_at + dt.timedelta(hours=10)
    answered.status = InquiryStatus.ANSWERED
    answered.save()
    slow = make_inquiry(world.product_a)
    slow.first_answered_at = slow.created_at + dt.timedelta(hours=30)
    slow.save()
    make_inquiry(world.product_b)
    make_inquiry(world.product_b, status=InquiryStatus.SPAM)  # not counted
    make_inquiry(world.product_c, destination=world.bac_ninh)  # Hà Nội's
    make_inquiry(world.product_a, created_at=now - dt.timedelta(days=800))  # outside the period
    return answered


def test_province_sees_its_province_only(client_for, inquiries, world):
    response = client_for("province").get(reverse("trade:stats"))
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.total == 3 and stats.answered == 2 and stats.answered_share == 67
    assert stats.median_hours == 20.0
    assert {row.label: row.count for row in stats.by_product} == {"Vải thiều A": 2, "Na dai B": 1}
    assert {row.label: row.count for row in stats.by_province} == {"Bắc Ninh": 3}
    assert {row.label: row.count for row in stats.by_buyer_type} == {
        "Doanh nghiệp xuất khẩu": 1,
        "Siêu thị, chuỗi bán lẻ": 2,
    }
    assert sum(bar.count for bar in stats.by_month) == 3
    assert {row.label: row.count for row in stats.by_destination} == {"Thành phố Hà Nội": 1, "": 2}


def test_central_sees_all_provinces(client_for, inquiries):
    stats = client_for("central").get(reverse("trade:stats")).context["stats"]
    assert stats.total == 4
    assert {row.label: row.count for row in stats.by_province} == {"Bắc Ninh": 3, "Thành phố Hà Nội": 1}


def test_other_province_sees_its_own(client_for, inquiries):
    stats = client_for("province_other").get(reverse("trade:stats")).context["stats"]
    assert stats.total == 1 and stats.median_hours is None


def test_longer_period_includes_older_inquiries(client_for, inquiries):
    stats = client_for("province").get(reverse("trade:stats"), {"months": "36"}).context["stats"]
    assert stats.total == 4 and len(stats.by_month) == 36
    assert client_for("province").get(reverse("trade:stats"), {"months": "abc"}).status_code == 200


@pytest.mark.parametrize("persona", ["admin", "central", "province"])
def test_figures_never_show_contacts(client_for, inquiries, persona):
    text = client_for(persona).get(reverse("trade:stats")).content.decode()
    assert BUYER_EMAIL not in text and BUYER_PHONE not in text and "Người Mua Thử" not in text
    assert "Siêu thị Thử Nghiệm" not in text and "Cần báo giá" not in text


@pytest.mark.parametrize("persona", ["commune", "council", "producer_a"])
def test_others_are_refused(client_for, persona):
    assert client_for(persona).get(reverse("trade:stats")).status_code == 403


def test_stats_query_count_is_pinned(client_for, inquiries, django_assert_max_num_queries):
    client = client_for("central")
    client.get(reverse("trade:stats"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("trade:stats")).status_code == 200
