"""What the public may see: public_products() and public_producers()."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F

from ocop.catalogue.querysets import public_page, public_producers, public_products
from ocop.certificates.models import certificate_status
from ocop.certificates.policy import policy_on
from ocop.certificates.tests.util import make_certificate
from ocop.lib import clock
from ocop.registry.models import Product, ProductStatus

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _row(product):
    return public_products().get(pk=product.pk)


def test_uncertified_and_draft_products_are_never_public(world):
    assert not public_products().exists()
    draft = Product.objects.create(
        producer=world.producer_a, name="Nháp", product_set=world.product_a.product_set, status=ProductStatus.DRAFT
    )
    make_certificate(draft, star=4)
    assert not public_products().filter(pk=draft.pk).exists()


def test_products_of_unverified_producers_are_not_public(world):
    product = Product.objects.create(
        producer=world.producer_pending, name="Chờ", product_set=world.product_a.product_set, status="active"
    )
    make_certificate(product, star=3)
    assert not public_products().filter(pk=product.pk).exists()
    assert not public_producers().filter(pk=world.producer_pending.pk).exists()


def test_valid_certificate_gives_best_star_and_status(world):
    make_certificate(world.product_a, star=3, issued_on=clock.today() - 400 * DAY)
    best = make_certificate(world.product_a, star=4, issued_on=clock.today() - 100 * DAY)
    row = _row(world.product_a)
    assert row.best_star == 4
    assert row.certificate_id == best.pk
    assert row.certificate_status == "valid"
    assert row.certificate_issued_on == best.issued_on
    assert row.certificate_expires_on == best.expires_on
    assert list(public_producers()) == [world.producer_a]


def test_expired_products_stay_shown_as_expired(world):
    old = make_certificate(
        world.product_a, star=4, issued_on=clock.today() - 1200 * DAY, expires_on=clock.today() - 10 * DAY
    )
    row = _row(world.product_a)
    assert row.best_star is None
    assert row.certificate_status == "expired"
    assert row.certificate_star == 4
    assert row.certificate_expires_on == old.expires_on


def test_revoked_product_disappears(world):
    make_certificate(world.product_a, star=4, revoked_on=clock.today() - DAY, revocation_reason="x")
    assert not public_products().filter(pk=world.product_a.pk).exists()
    assert not public_producers().filter(pk=world.product_a.producer_id).exists()


def test_revocation_in_the_future_does_not_hide_yet(world):
    make_certificate(world.product_a, star=4, revoked_on=clock.today() + 5 * DAY, revocation_reason="x")
    assert _row(world.product_a).best_star == 4


def test_newer_certificate_after_a_revocation_is_shown(world):
    make_certificate(world.product_a, star=4, issued_on=clock.today() - 900 * DAY, revoked_on=clock.today() - 500 * DAY)
    newer = make_certificate(world.product_a, star=3, issued_on=clock.today() - 100 * DAY)
    row = _row(world.product_a)
    assert (row.best_star, row.certificate_id) == (3, newer.pk)


def test_revoked_latest_hides_an_older_expired_one(world):
    make_certificate(world.product_a, star=3, issued_on=clock.today() - 2000 * DAY)  # long expired
    make_certificate(world.product_a, star=4, issued_on=clock.today() - 300 * DAY, revoked_on=clock.today() - 30 * DAY)
    assert not public_products().filter(pk=world.product_a.pk).exists()


def test_future_certificate_is_ignored_until_its_day(world):
    make_certificate(world.product_a, star=4, issued_on=clock.today() + 3 * DAY)
    assert not public_products().filter(pk=world.product_a.pk).exists()
    assert public_products(clock.today() + 3 * DAY).filter(pk=world.product_a.pk).exists()


@pytest.mark.parametrize("offset", [0, 1, 100, 179, 180, 181, 1000, 1095, 1096, 1100, 1200])
def test_status_annotation_agrees_with_certificate_status(world, offset):
    """The SQL annotation and certificate_status() decide the same, on both sides of every boundary."""
    issued = clock.today() - dt.timedelta(days=offset)
    cert = make_certificate(world.product_a, star=4, issued_on=issued)
    if offset >= 1100:
        cert.extended_until = cert.expires_on + 150 * DAY
        cert.save()
    day = clock.today()
    expected = certificate_status(
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        revoked_on=None,
        extended_until=cert.extended_until,
        day=day,
        policy=policy_on(day),
    )
    assert _row(world.product_a).certificate_status == expected


def test_discontinued_product_with_a_certificate_is_public(world):
    world.product_b.status = ProductStatus.DISCONTINUED
    world.product_b.save()
    make_certificate(world.product_b, star=3)
    assert _row(world.product_b).best_star == 3


def _annotations(product) -> tuple:
    return (
        product.pk,
        product.best_star,
        product.certificate_id,
        product.certificate_star,
        product.certificate_number,
        product.certificate_issued_on,
        product.certificate_expires_on,
        product.certificate_extended_until,
        product.certificate_status,
    )


def test_public_page_decides_as_public_products_does(world):
    """public_page() (in Python, for a page) and public_products() (in SQL) agree on every product and day.

    Random certificate histories (fixed seed): several certificates per product, expired, extended, revoked
    (before, on and after the days asked about), issued in the future; drafts and an unverified producer's.
    The days asked about are the certificates' own dates, the day before and after each, and the
    re-evaluation window's first day.
    """
    import random

    rng = random.Random(26)
    today = clock.today()
    products = []
    for i in range(40):
        producer = world.producer_pending if i % 13 == 5 else world.producer_a
        status = ProductStatus.DRAFT if i % 11 == 3 else "active"
        products.append(
            Product.objects.create(
                producer=producer, name=f"Sản phẩm {i}", product_set=world.product_a.product_set, status=status
            )
        )
    days = {today}
    for n, product in enumerate(products):
        for k in range(rng.choice([0, 1, 1, 2, 3])):
            issued = today + DAY * rng.randint(-1500, 30)
            fields = {"number": f"R-{n}-{k}"}
            if rng.random() < 0.3:
                fields["revoked_on"] = issued + DAY * rng.randint(0, 1200)
                fields["revocation_reason"] = "x"
            cert = make_certificate(product, star=rng.choice([3, 4, 5]), issued_on=issued, **fields)
            if rng.random() < 0.3:
                cert.extended_until = cert.expires_on + DAY * rng.randint(1, 300)
                cert.save()
            opens = cert.expires_on - DAY * policy_on(today).reevaluation_opens_days
            for date in (cert.issued_on, cert.expires_on, cert.extended_until, cert.revoked_on, opens):
                if date is not None:
                    days |= {date - DAY, date, date + DAY}
    ids = [p.pk for p in products] + [world.product_a.pk, 2**31 - 1]
    checked = 0
    for day in sorted(days):
        expected = {p.pk: _annotations(p) for p in public_products(day).filter(pk__in=ids)}
        page = public_page(Product.objects.all(), ids, day)
        assert [_annotations(p) for p in page] == [expected[pk] for pk in ids if pk in expected], day
        checked += len(expected)
    assert checked > 200  # public products seen over the days: the comparison did compare


def test_public_page_keeps_the_order_asked_in_two_queries(world, django_assert_num_queries):
    make_certificate(world.product_a, star=4)
    make_certificate(world.product_b, star=5)
    ids = [world.product_b.pk, world.product_a.pk]
    with django_assert_num_queries(2):  # the products with their producers, their certificates
        page = public_page(Product.objects.all(), ids)
    assert [p.pk for p in page] == ids
    assert [(p.best_star, p.certificate_status) for p in page] == [(5, "valid"), (4, "valid")]
    assert public_page(Product.objects.all(), []) == []


@pytest.mark.parametrize(
    "order",
    [
        ("-best_star", "name", "pk"),  # strings, descending with nulls (expired products have no best_star)
        (F("best_star").desc(nulls_last=True), F("certificate_star").desc(), "folded_name", "pk"),
        (F("best_star").asc(nulls_first=True), "-pk"),
        ("?",),  # not a list of fields: the two statements
    ],
)
def test_a_counted_page_is_the_slice_and_the_count_whatever_the_order(world, order):
    """counted_page reads the page and the count in one statement (SQLite: a MATERIALIZED common table
    expression ordered outside; PostgreSQL: a window): the same rows and count as the queryset itself."""
    from ocop.catalogue.querysets import counted_page

    for i in range(7):
        product = Product.objects.create(
            producer=world.producer_a, name=f"Sản phẩm {i}", product_set=world.product_a.product_set, status="active"
        )
        if i % 3 == 0:  # expired: no best_star
            issued = clock.today() - DAY * (1200 + i)
            make_certificate(product, star=3 + i % 3, issued_on=issued, expires_on=clock.today() - DAY)
        else:
            make_certificate(product, star=3 + i % 3, issued_on=clock.today() - DAY * (100 + i))
    queryset = public_products().order_by(*order)
    every = list(queryset.values_list("pk", flat=True))
    assert len(every) == 7
    if order == ("?",):
        rows, count = counted_page(queryset, 0, 20)
        assert sorted(p.pk for p in rows) == sorted(every) and count == 7
        return
    for start, size in ((0, 3), (3, 3), (6, 3), (0, 20)):
        rows, count = counted_page(queryset, start, size, rows=lambda ids: public_page(Product.objects.all(), ids))
        assert [p.pk for p in rows] == every[start : start + size]
        assert count == 7
    assert counted_page(queryset, 20, 20) == ([], 7)  # past the end: counted on its own
    assert counted_page(queryset.filter(name="nothing"), 0, 20) == ([], 0)
