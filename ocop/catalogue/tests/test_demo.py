"""The catalogue on the demo province: its demo part, and the hot pages' query counts on real-sized data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ocop.catalogue.models import SalesPoint, ShopLink
from ocop.catalogue.querysets import public_products
from ocop.demo import loader
from ocop.registry.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        summary = loader.load()
    yield summary
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        from ocop.geo.loader import load_units
        from ocop.geo.models import AdminUnit
        from ocop.registry.models import ProductCategory, ProductGroup, ProductSet
        from ocop.registry.taxonomy import load_taxonomy

        load_units(AdminUnit)
        load_taxonomy(ProductCategory, ProductGroup, ProductSet)


def test_demo_part(demo):
    lychee = public_products().get(name="Vải thiều Lục Ngạn")
    assert lychee.best_star == 5
    assert ShopLink.objects.filter(producer=lychee.producer).count() == 5
    assert SalesPoint.objects.filter(province=lychee.province).count() == 3
    assert SalesPoint.objects.filter(products=lychee).count() == 3
    assert all(p.story for p in Product.objects.filter(producer=lychee.producer).exclude(status="draft"))
    again = loader.load()
    assert again.created["shop_links"] == again.created["sales_points"] == again.created["product_texts"] == 0


@pytest.mark.parametrize(
    ("url", "most"),
    [
        (reverse("catalogue:index"), 12),
        (reverse("catalogue:index") + "?q=vai+thieu&star=5&province=old-24&sort=-issued", 14),
        (reverse("catalogue:province", args=["24"]), 14),
    ],
)
def test_list_pages_query_counts(demo, client, django_assert_max_num_queries, url, most):
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200


def test_product_page_query_count(demo, client, django_assert_max_num_queries):
    lychee = Product.objects.get(name="Vải thiều Lục Ngạn")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("catalogue:product", args=[lychee.pk]))
    assert response.status_code == 200
