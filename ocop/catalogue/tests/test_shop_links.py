"""Producers keep their shop links; offices keep OCOP sales points (scoped, audited)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.catalogue.models import SalesPoint, ShopLink, validate_shop_url

pytestmark = pytest.mark.django_db

LINKS = reverse("catalogue:shop_link_list")


@pytest.mark.parametrize(
    ("channel", "url"),
    [
        ("shopee", "https://shopee.vn/htx"),
        ("shopee", "https://shp.ee/abc"),
        ("lazada", "https://www.lazada.vn/shop/x"),
        ("tiki", "https://tiki.vn/cua-hang/x"),
        ("tiktok", "https://www.tiktok.com/@shop"),
        ("postmart", "https://postmart.vn/x"),
        ("voso", "https://voso.vn/x"),
        ("website", "https://vaithieu.example.vn/"),
    ],
)
def test_valid_shop_addresses(channel, url):
    validate_shop_url(channel, url)


@pytest.mark.parametrize(
    ("channel", "url", "code"),
    [
        ("shopee", "http://shopee.vn/htx", "shop_url_https"),
        ("website", "http://example.vn", "shop_url_https"),
        ("shopee", "https://shopee.vn.evil.example/x", "shop_url_domain"),
        ("shopee", "https://evilshopee.vn/x", "shop_url_domain"),
        ("lazada", "https://shopee.vn/x", "shop_url_domain"),
        ("tiki", "https://user:pw@tiki.vn/x", "shop_url_invalid"),
        ("website", "javascript:alert(1)", "shop_url_https"),
        ("website", "https://localhost/", "shop_url_invalid"),
    ],
)
def test_invalid_shop_addresses(channel, url, code):
    with pytest.raises(ValidationError) as error:
        validate_shop_url(channel, url)
    assert error.value.code == code


def test_producer_adds_and_removes_its_own_link(world, client_for):
    client = client_for("producer_a")
    response = client.post(LINKS, {"producer": world.producer_a.pk, "channel": "tiki", "url": "tiki.vn/cua-hang/a"})
    assert response.status_code == 302
    link = ShopLink.objects.get(producer=world.producer_a)
    assert link.url == "https://tiki.vn/cua-hang/a"  # typed without its scheme: taken as https
    assert AuditEvent.objects.filter(model="catalogue.ShopLink", object_id=str(link.pk)).exists()
    response = client.post(reverse("catalogue:shop_link_delete", args=[link.pk]))
    assert response.status_code == 302
    assert not ShopLink.objects.exists()


def test_wrong_domain_is_refused_with_a_reason_and_the_input_kept(world, client_for):
    client = client_for("producer_a")
    data = {"producer": world.producer_a.pk, "channel": "shopee", "url": "https://lazada.vn/shop/a"}
    response = client.post(LINKS, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Địa chỉ Shopee phải thuộc shopee.vn, shp.ee." in text
    assert 'value="https://lazada.vn/shop/a"' in text
    assert not ShopLink.objects.exists()


def test_producer_cannot_add_a_link_for_another_producer(world, client_for):
    client = client_for("producer_a")
    data = {"producer": world.producer_b.pk, "channel": "tiki", "url": "https://tiki.vn/b"}
    assert client.post(LINKS, data).status_code == 400
    data = {
        "producer": world.producer_a.pk,
        "channel": "tiki",
        "url": "https://tiki.vn/b",
        "product": world.product_b.pk,
    }
    assert client.post(LINKS, data).status_code == 400
    assert not ShopLink.objects.exists()


def test_producer_sees_only_its_links_and_their_visit_counts(shop, world, client_for):
    ShopLink.objects.create(producer=world.producer_b, channel="voso", url="https://voso.vn/b")
    text = client_for("producer_a").get(LINKS).content.decode()
    assert "https://shopee.vn/htx-persona-a" in text
    assert "https://voso.vn/b" not in text
    assert client_for("producer_b").post(reverse("catalogue:shop_link_delete", args=[shop.link.pk])).status_code == 404


def _point_data(world, **extra):
    return {
        "name": "Cửa hàng OCOP Bắc Giang",
        "commune": world.other_commune.pk,
        "address": "Số 1 Nguyễn Văn Cừ",
        "opening_hours": "8:00–17:00",
        "products": [world.product_a.pk],
        "is_open": "on",
        **extra,
    }


def test_office_creates_a_sales_point_in_its_province(shop, world, client_for):
    response = client_for("province").post(reverse("catalogue:sales_point_create"), _point_data(world))
    assert response.status_code == 302
    point = SalesPoint.objects.get(name="Cửa hàng OCOP Bắc Giang")
    assert point.province == world.bac_ninh
    assert list(point.products.all()) == [world.product_a]
    assert AuditEvent.objects.filter(model="catalogue.SalesPoint", object_id=str(point.pk)).exists()


def test_office_cannot_place_a_sales_point_in_another_province(shop, world, client_for):
    data = _point_data(world, commune=world.hanoi_commune.pk)
    response = client_for("province").post(reverse("catalogue:sales_point_create"), data)
    assert response.status_code == 400
    assert not SalesPoint.objects.filter(name="Cửa hàng OCOP Bắc Giang").exists()
    # … nor list products of another province.
    data = _point_data(world, products=[world.product_c.pk])
    assert client_for("province").post(reverse("catalogue:sales_point_create"), data).status_code == 400


def test_other_office_cannot_touch_a_sales_point(shop, client_for):
    client = client_for("province_other")
    assert client.get(reverse("catalogue:sales_point_edit", args=[shop.point.pk])).status_code == 404
    assert client.post(reverse("catalogue:sales_point_delete", args=[shop.point.pk])).status_code == 404
    assert SalesPoint.objects.filter(pk=shop.point.pk).exists()


def test_closed_sales_point_is_not_shown(shop, world, client):
    shop.point.is_open = False
    shop.point.save()
    text = client.get(reverse("catalogue:product", args=[world.product_a.pk])).content.decode()
    assert "Điểm bán OCOP Lục Ngạn" not in text
