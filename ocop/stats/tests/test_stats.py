"""Figures per scope, filters, drill-down, exports, the API and the targets, on the persona world."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ocop.certificates.models import Certificate
from ocop.stats import figures
from ocop.stats.filters import StatsFilter, parse
from ocop.stats.models import ProvinceTarget

DAY = dt.date(2026, 6, 1)


def _cert(product, star: int, issued: dt.date, number: str, **extra) -> Certificate:
    return Certificate.objects.create(
        product=product,
        star=star,
        number=number,
        issued_on=issued,
        expires_on=issued + dt.timedelta(days=1095),
        **extra,
    )


@pytest.fixture
def certified(world):
    # Product A: 3★ then upgraded to 4★ (both in force: counted once, at 4★). B: 3★. C (Hà Nội): 4★.
    _cert(world.product_a, 3, dt.date(2024, 3, 1), "A-3")
    _cert(world.product_a, 4, dt.date(2025, 9, 1), "A-4")
    _cert(world.product_b, 3, dt.date(2024, 5, 1), "B-3")
    _cert(world.product_c, 4, dt.date(2025, 1, 1), "=C-4")  # a formula-looking number, for the exports
    return world


def _total(html: str) -> int:
    return int(re.search(r'id="total-recognised"><span class="stat">(\d+)</span>', html).group(1))


def test_in_force_q_is_valid_on(certified):
    old = _cert(certified.product_b, 4, dt.date(2020, 1, 1), "B-old")
    Certificate.objects.filter(pk=old.pk).update(revoked_on=dt.date(2021, 1, 1))
    ext = _cert(certified.product_c, 3, dt.date(2021, 1, 1), "C-ext")
    Certificate.objects.filter(pk=ext.pk).update(extended_until=ext.expires_on + dt.timedelta(days=100))
    for day in (
        dt.date(2019, 1, 1),
        dt.date(2020, 6, 1),
        dt.date(2021, 1, 1),
        dt.date(2024, 1, 30),
        DAY,
        ext.expires_on + dt.timedelta(days=50),
        dt.date(2030, 1, 1),
    ):
        expected = set(Certificate.objects.valid_on(day).values_list("pk", flat=True))
        assert set(Certificate.objects.filter(figures.in_force_q(day)).values_list("pk", flat=True)) == expected


def test_status_q_is_with_status(certified):
    old = _cert(certified.product_b, 4, dt.date(2020, 1, 1), "B-old")
    Certificate.objects.filter(pk=old.pk).update(revoked_on=dt.date(2021, 1, 1))
    ext = _cert(certified.product_c, 3, dt.date(2021, 1, 1), "C-ext")
    Certificate.objects.filter(pk=ext.pk).update(extended_until=ext.expires_on + dt.timedelta(days=100))
    seen = set()
    for day in (
        dt.date(2019, 1, 1),
        dt.date(2020, 6, 1),
        dt.date(2021, 1, 1),
        dt.date(2024, 1, 30),
        DAY,
        ext.expires_on - dt.timedelta(days=30),
        ext.expires_on + dt.timedelta(days=50),
        dt.date(2030, 1, 1),
    ):
        for status in (*figures.CERT_STATUSES, "in_force", "not_yet_valid"):
            expected = set(Certificate.objects.with_status(status, day).values_list("pk", flat=True))
            got = set(Certificate.objects.filter(figures.status_q(status, day)).values_list("pk", flat=True))
            assert got == expected, (status, day)
            if expected:
                seen.add(status)
    assert seen >= set(figures.CERT_STATUSES)  # every status met at least once: the comparison is not vacuous


def test_a_product_counts_once_at_its_highest_star(certified):
    data = figures.compute(certified.user("central"), StatsFilter(as_of=DAY))
    assert data.total == 3
    assert [(line.key, line.count, line.share) for line in data.by_star] == [(3, 1, 33.3), (4, 2, 66.7), (5, 0, 0.0)]
    assert {line.label: line.count for line in data.by_year} == {"2024": 2, "2025": 1}


@pytest.mark.parametrize(
    ("persona", "total"), [("admin", 3), ("central", 3), ("province", 2), ("province_other", 1), ("commune", 1)]
)
def test_each_office_sees_its_own_scope(certified, client_for, persona, total):
    response = client_for(persona).get(reverse("stats:dashboard"), {"as_of": DAY.isoformat()})
    assert response.status_code == 200
    assert _total(response.content.decode()) == total


def test_an_area_outside_the_scope_is_not_found(certified, client_for):
    client = client_for("province")  # Bắc Ninh
    hanoi = certified.ha_noi
    for name in ("stats:dashboard", "stats:product_list", "stats:export_xlsx", "stats:export_csv", "stats:export_pdf"):
        assert client.get(reverse(name), {"area": hanoi.code, "map": "current"}).status_code == 404, name
    # Its own province, by code or by name, is fine.
    assert client.get(reverse("stats:dashboard"), {"area": certified.bac_ninh.code}).status_code == 200
    assert client.get(reverse("stats:dashboard"), {"area": "Bắc Ninh"}).status_code == 200
    # The commune officer may not widen the view to the province.
    commune = client_for("commune")
    assert commune.get(reverse("stats:dashboard"), {"area": certified.bac_ninh.code}).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "31/02/2026"},
        {"as_of": "yesterday"},
        {"star": "7"},
        {"kind": "pirate"},
        {"map": "old"},
        {"category": "-1"},
        {"status": "lost"},
        {"area": "Atlantis"},
        {"year": "x"},
        {"year": "99999"},
        {"area": "Bắc\x00Ninh"},
    ],
)
def test_invalid_filters_get_a_translated_message_not_an_error(certified, client_for, params):
    client = client_for("central")
    response = client.get(reverse("stats:dashboard"), params, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert client.get(reverse("stats:product_list"), params).status_code == 400
    assert client.get(reverse("stats:export_xlsx"), params).status_code == 400


def test_invalid_date_message_is_in_vietnamese(certified, client_for):
    response = client_for("central").get(reverse("stats:dashboard"), {"as_of": "hôm qua"})
    assert "không phải là ngày" in response.content.decode()


def test_every_number_links_to_a_list_of_the_same_count(certified, client_for):
    client = client_for("central")
    html = client.get(reverse("stats:dashboard"), {"as_of": DAY.isoformat()}).content.decode()
    links = re.findall(r'<a href="(/stats/products/\?[^"]+)"[^>]*>(?:<span class="stat">)?(\d+)<', html)
    assert len(links) > 10
    for href, count in links:
        listing = client.get(href.replace("&amp;", "&")).content.decode()
        total = re.search(r'id="list-total">\s*(\d+)', listing)
        assert total and int(total.group(1)) == int(count), href


def test_the_legacy_map_names_units_as_they_were(certified, client_for):
    from ocop.geo.models import AdminUnit

    hong_giang = AdminUnit.objects.legacy().communes().filter(parent__name="Huyện Lục Ngạn").first()
    producer = certified.producer_b
    producer.commune = hong_giang
    producer.current_commune = certified.other_commune
    producer.save()
    f = parse({"as_of": "2025-01-01"})
    assert f.legacy_period
    data = figures.compute(certified.user("province"), f)
    lines = {line.label: line for line in data.by_province}
    assert lines["Bắc Giang"].count == 1 and lines["Bắc Giang"].params is not None
    # Product A was registered under the present-day map: no former unit to name, and no list to promise.
    unplaced = [line for line in data.by_province if line.label != "Bắc Giang"]
    assert [(line.count, line.params) for line in unplaced] == [(1, None)]
    assert [line.label for line in data.by_district] == ["Huyện Lục Ngạn"]
    # Code 24 on that day is the former Bắc Giang; from 1 July 2025 it is Bắc Ninh.
    assert parse({"area": "24", "as_of": "2025-01-01"}).area.name == "Bắc Giang"
    assert parse({"area": "24", "as_of": "2025-07-01"}).area.name == "Bắc Ninh"
    assert parse({"area": "24", "as_of": "2025-01-01", "map": "current"}).area.name == "Bắc Ninh"


def test_status_figures_and_their_lists(certified):
    old = _cert(certified.product_b, 4, dt.date(2020, 1, 1), "B-old")
    Certificate.objects.filter(pk=old.pk).update(revoked_on=dt.date(2021, 1, 1))
    user = certified.user("central")
    data = figures.compute(user, StatsFilter(as_of=DAY))
    statuses = {line.key: line.count for line in data.statuses}
    assert statuses["revoked"] == 1
    assert sum(statuses.values()) == 5
    for line in data.statuses:
        assert len(figures.list_entries(user, StatsFilter(as_of=DAY, status=line.key))) == line.count


def test_exports_read_back(certified, client_for):
    client = client_for("province")
    query = {"as_of": DAY.isoformat()}
    xlsx = client.get(reverse("stats:export_xlsx"), query)
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "DANH SÁCH SẢN PHẨM OCOP"
    assert any("Bắc Ninh" in (r[0] or "") for r in rows[:4])
    head = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    body = [r for r in rows[head + 1 :] if r and r[0]]
    assert sorted((r[1], r[8]) for r in body) == [("Na dai B", 3), ("Vải thiều A", 4)]
    text = b"".join(client.get(reverse("stats:export_csv"), query).streaming_content).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][:3] == ["STT", "Tên sản phẩm", "Mã sản phẩm OCOP"]
    assert sorted(r[1] for r in parsed[1:]) == ["Na dai B", "Vải thiều A"]
    # A cell that a spreadsheet would run as a formula is neutralised.
    central = client_for("central")
    text = b"".join(central.get(reverse("stats:export_csv"), query).streaming_content).decode("utf-8-sig")
    assert "'=C-4" in text
    rows = list(load_workbook(io.BytesIO(central.get(reverse("stats:export_xlsx"), query).content)).active.iter_rows())
    cell = next(c for row in rows for c in row if c.value == "=C-4")
    assert cell.data_type == "s"


def test_dashboard_query_count_is_fixed(certified, client_for, django_assert_max_num_queries):
    client = client_for("province")
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert client.get(reverse("stats:dashboard"), {"as_of": DAY.isoformat()}).status_code == 200
    _cert(certified.product_b, 4, dt.date(2025, 2, 1), "B-4")
    ProvinceTarget.objects.create(province=certified.bac_ninh, year=2030, products_target_min=10, source="KH")
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert client.get(reverse("stats:dashboard"), {"as_of": DAY.isoformat(), "area": "24"}).status_code == 200
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(reverse("stats:product_list"), {"as_of": DAY.isoformat(), "star": "4"}).status_code == 200
    for name, most in EXPORT_QUERIES.items():
        with django_assert_max_num_queries(most):
            response = client.get(reverse(name), {"as_of": DAY.isoformat()})
            b"".join(response.streaming_content) if response.streaming else response.content


DASHBOARD_QUERIES = 24
LIST_QUERIES = 8
EXPORT_QUERIES = {"stats:export_xlsx": 5, "stats:export_csv": 4, "stats:export_pdf": 13}


def test_api_answers_with_figures_and_clear_errors(certified, client):
    body = client.get("/api/v1/stats/products", {"province": "Bắc Ninh", "as_of": DAY.isoformat()}).json()
    assert body["total"] == 2 and body["province"]["map"] == "current"
    assert body["by_star"][0] == {"star": 3, "count": 1, "share": 50.0}
    assert "phone" not in str(body) and "0912345678" not in str(body)
    national = client.get("/api/v1/stats/products", {"as_of": DAY.isoformat()}).json()
    assert national["total"] == 3 and national["province"] is None
    response = client.get("/api/v1/stats/products", {"province": "Atlantis"})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = client.get("/api/v1/stats/products", {"as_of": "not-a-date"})
    assert response.status_code == 422 and response.json()["code"] == "invalid"
    assert client.get("/api/v1/stats/products", {"as_of": "1900-01-01"}).status_code == 400
    assert client.get("/api/v1/stats/products", {"province": "Bắc\x00Ninh"}).status_code == 404
    assert client.get("/api/v1/stats/products", {"map": "old"}).status_code == 422


def test_targets_are_kept_by_the_province_and_audited(certified, client_for):
    from ocop.audit.models import AuditEvent

    client = client_for("province")
    response = client.post(
        reverse("stats:target_list"),
        {
            "province": certified.bac_ninh.pk,
            "year": 2030,
            "products_target_min": 350,
            "products_target_max": 400,
            "five_star_target_min": 3,
            "five_star_target_max": 5,
            "source": "Kế hoạch 2030",
        },
    )
    assert response.status_code == 302
    target = ProvinceTarget.objects.get()
    assert AuditEvent.objects.filter(object_id=str(target.pk)).exists()
    # The bounds are checked; nothing is lost.
    response = client.post(
        reverse("stats:target_edit", args=[target.pk]),
        {
            "province": certified.bac_ninh.pk,
            "year": 2030,
            "products_target_min": 350,
            "products_target_max": 300,
            "five_star_target_min": 3,
            "source": "Kế hoạch 2030",
        },
    )
    assert response.status_code == 400
    # Hà Nội may not choose Bắc Ninh.
    other = client_for("province_other").post(
        reverse("stats:target_list"),
        {
            "province": certified.bac_ninh.pk,
            "year": 2031,
            "products_target_min": 1,
            "five_star_target_min": 0,
            "source": "x",
        },
    )
    assert other.status_code == 400
    page = client.get(reverse("stats:dashboard"), {"as_of": DAY.isoformat()}).content.decode()
    assert "Kế hoạch 2030" in page


def test_inquiries_are_counted_within_the_scope(certified):
    from ocop.trade.models import Inquiry

    Inquiry.objects.create(
        product=certified.product_a, buyer_type="distributor", message="Cần 2 tấn vải", email="mua@example.vn"
    )
    Inquiry.objects.create(
        product=certified.product_c, buyer_type="exporter", message="Giá xuất khẩu?", email="xk@example.vn"
    )
    f = StatsFilter(as_of=dt.date(2100, 1, 1))
    assert figures.traceability(certified.user("central"), f)["inquiries"] == 2
    assert figures.traceability(certified.user("province"), f)["inquiries"] == 1
    assert figures.traceability(certified.user("province"), StatsFilter(as_of=DAY))["inquiries"] == 0


def test_every_proposal_is_counted_though_the_page_lists_the_first(certified, client, monkeypatch):
    from ocop.certificates.models import Proposal

    monkeypatch.setattr(figures, "PROPOSAL_LIMIT", 1)
    Proposal.objects.create(product=certified.product_a, star=5, proposed_on=DAY - dt.timedelta(days=30))
    Proposal.objects.create(product=certified.product_b, star=4, proposed_on=DAY - dt.timedelta(days=20))
    body = client.get("/api/v1/stats/products", {"as_of": DAY.isoformat()}).json()
    assert body["proposed_for_higher_rating"] == 2
    data = figures.compute(figures.PUBLIC, StatsFilter(as_of=DAY))
    assert data.proposal_count == 2 and [p["star"] for p in data.proposals] == [5]
