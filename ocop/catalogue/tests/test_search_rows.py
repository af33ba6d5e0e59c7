"""The catalogue's search on the search rows alone: the same results as reading the products, kept exact.

A search row holds the product's public flag and star (ocop/search/models.py); these tests change what
makes a product public and check that the catalogue's search follows at once, or reads the products
while the rows do not know the day.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ocop.catalogue import filters
from ocop.catalogue.forms import IN_FORCE
from ocop.catalogue.querysets import counted_page, public_products
from ocop.certificates.models import Certificate
from ocop.certificates.tests.util import make_certificate
from ocop.lib import clock
from ocop.registry.models import Producer, ProducerStatus, Product, ProductStatus
from ocop.search import search_listed
from ocop.search.models import SearchEntry
from ocop.search.products import refresh, rows_exact_on

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _long_way(data, unit=None):
    """The products read one by one: what the short way must agree with."""
    base = public_products()
    if unit is not None:
        base = base.filter(filters.unit_q(unit))
    return filters.order(filters.apply_filters(base, data), data.get("sort"), searched=bool(data.get("q")))


def _keys(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _found(q: str) -> list[int]:
    """The pks the catalogue's search finds now, checked against the long way."""
    data = {"q": q}
    short = filters.filter_and_order(public_products(), data)
    assert _keys(short) == _keys(_long_way(data))
    return _keys(short)


def _short_way_taken(q: str = "vai thieu") -> bool:
    return filters.filter_and_order(public_products(), {"q": q}).model is SearchEntry


def _product(world, name: str, producer: Producer | None = None) -> Product:
    return Product.objects.create(
        producer=producer or world.producer_b,
        name=name,
        product_set=world.product_a.product_set,
        status=ProductStatus.ACTIVE,
    )


@pytest.fixture
def shelf(world, shop):
    """The catalogue's fixture, and more products named "Vải thiều …" with certificates of every kind."""
    today = clock.today()
    made = {
        "five": _product(world, "Vải thiều sấy năm sao"),
        "three": _product(world, "Vải thiều tươi", world.producer_a),
        "expired": _product(world, "Vải thiều hết hạn"),
        "bare": _product(world, "Vải thiều chưa chứng nhận"),
    }
    make_certificate(made["five"], star=5)
    make_certificate(made["three"], star=3)
    make_certificate(made["expired"], star=4, issued_on=today - 1300 * DAY, expires_on=today - 5 * DAY)
    return made


def test_the_short_way_agrees_with_the_long_way(world, shelf):
    assert rows_exact_on(clock.today())
    cases = [
        {"q": "vai thieu"},
        {"q": "vai"},
        {"q": "vai thieu", "star": 5},
        {"q": "vai thieu", "validity": IN_FORCE},
        {"q": "vai thieu", "province": world.bac_ninh},
        {"q": "vai thieu", "commune": world.luc_ngan},
        {"q": "vai thieu", "kind": world.producer_a.kind},
        {"q": "vai thieu", "category": world.product_a.product_set.group.category},
        {"q": "vai thieu", "sort": "name"},
        {"q": "vai thieu", "sort": "-name"},
        {"q": "persona"},
        {"q": "xyzzy"},
        {"q": "(("},
    ]
    for data in cases:
        short = filters.filter_and_order(public_products(), data)
        assert short.model is SearchEntry, data
        assert _keys(short) == _keys(_long_way(data)), data
    lists = [
        {},
        {"q": ""},
        {"sort": "-star"},
        {"sort": "name"},
        {"sort": "-name"},
        {"star": 4},
        {"validity": IN_FORCE},
        {"province": world.bac_ninh},
        {"commune": world.luc_ngan},
        {"kind": world.producer_a.kind},
        {"category": world.product_a.product_set.group.category},
    ]
    for data in lists:
        short = filters.filter_and_order(public_products(), data)
        assert short.model is SearchEntry and filters.read_in_order(short), data
        assert _keys(short) == _keys(_long_way(data)), data
    listed = _keys(filters.filter_and_order(public_products(), {}))
    # Highest star in force first; the expired ones last, the higher star they showed first (4★ before 3★).
    assert listed[-2:] == [shelf["expired"].pk, world.product_c.pk]
    assert not filters.read_in_order(filters.filter_and_order(public_products(), {"q": "vai"}))
    unit_list = filters.filter_and_order(
        public_products().filter(filters.unit_q(world.luc_ngan)), {}, unit=world.luc_ngan
    )
    assert unit_list.model is SearchEntry and _keys(unit_list) == _keys(_long_way({}, world.luc_ngan))
    unit_page = filters.filter_and_order(
        public_products().filter(filters.unit_q(world.luc_ngan)), {"q": "vai"}, unit=world.luc_ngan
    )
    assert _keys(unit_page) == _keys(_long_way({"q": "vai"}, world.luc_ngan))
    found = _found("vai thieu")
    assert shelf["bare"].pk not in found  # never certified: not public
    assert shelf["expired"].pk in found  # expired: shown as expired
    assert found.index(shelf["five"].pk) < found.index(shelf["three"].pk)  # the higher star first on a tie


def test_what_the_rows_cannot_answer_takes_the_long_way(world, shelf):
    for data in (
        {"q": "vai thieu", "validity": "expired"},
        {"q": "vai thieu", "sort": "-issued"},
        {"q": "vai thieu", "sort": "-star"},
        {"validity": "expired"},
        {"sort": "-issued"},
        {"sort": "expires"},
    ):
        queryset = filters.filter_and_order(public_products(), data)
        assert queryset.model is Product, data
        assert _keys(queryset) == _keys(_long_way(data))


def test_a_counted_page_of_the_short_way_loads_the_products(world, shelf):
    queryset = filters.filter_and_order(public_products(), {"q": "vai thieu"})
    rows, count = counted_page(queryset, 0, 2, rows=public_products())
    assert count == len(_found("vai thieu")) and len(rows) == 2
    assert all(isinstance(row, Product) and row.certificate_status for row in rows)


def test_a_revoked_certificate_removes_the_product_at_once(world, shelf, shop):
    assert world.product_a.pk in _found("vai thieu")
    shop.cert_a.revoked_on = clock.today()
    shop.cert_a.revocation_reason = "x"
    shop.cert_a.save(update_fields=["revoked_on", "revocation_reason"])
    assert _short_way_taken()
    assert world.product_a.pk not in _found("vai thieu")


def test_a_new_certificate_adds_the_product_at_once(world, shelf):
    assert shelf["bare"].pk not in _found("vai thieu")
    make_certificate(shelf["bare"], star=4)
    assert _short_way_taken()
    found = _found("vai thieu")
    assert shelf["bare"].pk in found
    assert SearchEntry.objects.get(pk=shelf["bare"].pk).star == 4


def test_a_deleted_certificate_removes_the_product_at_once(world, shelf):
    Certificate.objects.filter(product=shelf["three"]).delete()
    assert _short_way_taken()
    assert shelf["three"].pk not in _found("vai thieu")


def test_an_extension_and_a_new_star_are_followed_at_once(world, shelf):
    expired = Certificate.objects.get(product=shelf["expired"])
    expired.extended_until = clock.today() + 30 * DAY
    expired.save()
    assert SearchEntry.objects.get(pk=shelf["expired"].pk).star == 4
    make_certificate(shelf["three"], star=5, issued_on=clock.today() - DAY)
    assert SearchEntry.objects.get(pk=shelf["three"].pk).star == 5
    assert _found("vai thieu")


def test_a_producer_no_longer_verified_or_a_draft_leaves_at_once(world, shelf):
    world.producer_a.status = ProducerStatus.PENDING
    world.producer_a.save()
    found = _found("vai thieu")
    assert world.product_a.pk not in found and shelf["three"].pk not in found
    shelf["five"].status = ProductStatus.DRAFT
    shelf["five"].save()
    assert shelf["five"].pk not in _found("vai thieu")
    assert _short_way_taken()


def test_certificates_written_without_signals_are_noticed(world, shelf):
    today = clock.today()
    Certificate.objects.bulk_create(
        [
            Certificate(
                product=shelf["bare"],
                star=3,
                issued_on=today - DAY,
                expires_on=today + 900 * DAY,
                number="BULK-1",
            )
        ]
    )
    # The rows do not know it yet: the catalogue reads the products, and finds it.
    assert not _short_way_taken()
    assert search_listed("vai thieu") is None
    assert shelf["bare"].pk in _found("vai thieu")
    # The next certificate saved (or the daily job) rewrites its row too.
    make_certificate(world.product_c, star=4)
    assert _short_way_taken()
    assert shelf["bare"].pk in _found("vai thieu")


def test_a_new_day_is_read_the_long_way_until_the_daily_job_rewrites_the_rows(world, shelf):
    today = clock.today()
    future = _product(world, "Vải thiều tương lai")
    make_certificate(future, star=5, issued_on=today + 3 * DAY)
    ending = Certificate.objects.get(product=shelf["three"])
    ending.expires_on = today + 2 * DAY
    ending.save()
    assert _short_way_taken()
    assert future.pk not in _found("vai thieu")
    with clock.travel(days=3):
        assert not rows_exact_on(clock.today())
        assert not _short_way_taken()
        found = _found("vai thieu")
        assert future.pk in found  # in force since today
        assert refresh() >= 2
        assert _short_way_taken()
        assert _found("vai thieu") == found
        assert SearchEntry.objects.get(pk=shelf["three"].pk).star is None  # expired yesterday
        assert SearchEntry.objects.get(pk=future.pk).star == 5
    # Back to the day before: the rows rewritten for later days are not trusted for it.
    assert not rows_exact_on(clock.today())
    assert future.pk not in _found("vai thieu")


def test_rows_not_computed_yet_are_not_trusted(world, shelf):
    SearchEntry.objects.update(fresh_until=None)
    assert search_listed("vai thieu") is None
    assert _found("vai thieu")
    assert refresh() == SearchEntry.objects.count()
    assert _short_way_taken()


def test_the_daily_job_is_scheduled_and_runs(world, shelf):
    from ocop.notifications.schedule import DAILY_TASKS
    from ocop.search.tasks import refresh_search_rows

    assert "ocop.search.tasks.refresh_search_rows" in DAILY_TASKS
    SearchEntry.objects.filter(pk=shelf["five"].pk).update(fresh_until=clock.today(), listed=False)
    assert not _short_way_taken()
    result = refresh_search_rows.call(clock.today().isoformat())
    assert result["rows"] >= 1
    assert _short_way_taken()
    assert shelf["five"].pk in _found("vai thieu")


def test_the_api_search_reads_the_rows(world, shelf, client, django_assert_max_num_queries):
    expected = _found("vai thieu")
    with django_assert_max_num_queries(6):
        data = client.get("/api/v1/products", {"q": "vai thieu"}).json()
    assert data["count"] == len(expected)
    assert [item["id"] for item in data["items"]] == expected
