"""The public catalogue pages: filters, bad parameters, what a product page shows, pinned query counts."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from ocop.catalogue.models import ShopLink
from ocop.catalogue.tests.util import make_photo
from ocop.certificates.tests.util import make_certificate
from ocop.registry.models import Product, ProductStatus

pytestmark = pytest.mark.django_db

INDEX = reverse("catalogue:index")


def _names(response) -> list[str]:
    return re.findall(r'<h2><a href="/catalogue/products/\d+/">([^<]+)</a></h2>', response.content.decode())


def test_list_shows_public_products_best_rated_first(shop, client):
    response = client.get(INDEX)
    assert response.status_code == 200
    assert _names(response) == ["Na dai B", "Vải thiều A", "Cam C"]
    text = response.content.decode()
    assert "OCOP 5 sao" in text and "OCOP 4 sao" in text
    assert "Không còn là OCOP: giấy chứng nhận 3 sao đã hết hạn" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("star=4", ["Vải thiều A"]),
        ("star=5", ["Na dai B"]),
        ("province=24", ["Na dai B", "Vải thiều A"]),
        ("province=1", ["Cam C"]),
        ("validity=in_force", ["Na dai B", "Vải thiều A"]),
        ("validity=expired", ["Cam C"]),
        ("kind=cooperative&sort=name", ["Cam C", "Na dai B", "Vải thiều A"]),
        ("kind=farm", []),
        ("sort=-name", ["Vải thiều A", "Na dai B", "Cam C"]),
    ],
)
def test_filters_and_sorting(shop, client, query, expected):
    response = client.get(f"{INDEX}?{query}")
    assert response.status_code == 200
    assert _names(response) == expected


def test_commune_filter_takes_current_and_former_units(shop, world, client):
    response = client.get(f"{INDEX}?commune={world.luc_ngan.code}")
    assert _names(response) == ["Vải thiều A"]


def test_taxonomy_filters(shop, world, client):
    product_set = world.product_a.product_set
    for query in (
        f"product_set={product_set.pk}",
        f"group={product_set.group_id}",
        f"category={product_set.group.category_id}",
    ):
        assert len(_names(client.get(f"{INDEX}?{query}"))) == 3


@pytest.mark.parametrize(
    "query",
    [
        "star=9",
        "star=abc",
        "province=zzz",
        "province=old-99999",
        "commune=%00",
        "q=a%00b",
        "page=0",
        "page=abc",
        "page=99",
        "sort=evil",
        "validity=revoked",
        "category=999999",
        "q=" + "x" * 300,
    ],
)
def test_bad_parameters_get_a_clear_message(shop, client, query):
    response = client.get(f"{INDEX}?{query}")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Một số điều kiện tìm kiếm không hợp lệ" in text
    assert 'role="alert"' in text


def test_draft_and_revoked_products_never_listed(shop, world, client):
    draft = Product.objects.create(
        producer=world.producer_a,
        name="Sản phẩm nháp",
        product_set=world.product_a.product_set,
        status=ProductStatus.DRAFT,
    )
    make_certificate(draft, star=5)
    shop.cert_b.revoked_on = shop.cert_b.issued_on
    shop.cert_b.save()
    assert _names(client.get(INDEX)) == ["Vải thiều A", "Cam C"]
    assert client.get(reverse("catalogue:product", args=[world.product_b.pk])).status_code == 404
    assert client.get(reverse("catalogue:product", args=[draft.pk])).status_code == 404


def test_list_query_count_is_pinned(shop, world, client, django_assert_max_num_queries):
    for i in range(25):
        product = Product.objects.create(
            producer=world.producer_b,
            name=f"Sản phẩm {i}",
            product_set=world.product_a.product_set,
            status=ProductStatus.ACTIVE,
        )
        make_certificate(product, star=3)
    make_photo(world.product_a)
    with django_assert_max_num_queries(12):
        response = client.get(f"{INDEX}?province=24&sort=name&page=2")
    assert response.status_code == 200
    assert len(_names(response)) == 7


def test_product_page(shop, world, client, django_assert_max_num_queries):
    make_photo(world.product_a, caption="Vải chín đỏ")
    url = reverse("catalogue:product", args=[world.product_a.pk])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Còn hiệu lực" in text
    assert shop.cert_a.expires_on.strftime("%d") in text
    assert reverse("catalogue:shop_link_go", args=[shop.link.pk]) in text
    assert shop.link.url not in text  # visitors leave through the counted redirect only
    assert reverse("trade:inquiry_new", args=[world.product_a.pk]) in text
    assert "Điểm bán OCOP Lục Ngạn" in text and "7:00–21:00" in text
    assert 'property="og:title"' in text and 'property="og:image"' in text
    markup = json.loads(re.search(r'<script type="application/ld\+json">(.+?)</script>', text, re.S).group(1))
    assert markup["@type"] == "Product"
    assert markup["award"] == "OCOP 4 sao"
    assert markup["url"].endswith(url)


def test_expired_product_page_says_so(shop, world, client):
    text = client.get(reverse("catalogue:product", args=[world.product_c.pk])).content.decode()
    assert "Đã hết hạn" in text
    assert "không còn được sử dụng biểu trưng OCOP" in text
    markup = json.loads(re.search(r'<script type="application/ld\+json">(.+?)</script>', text, re.S).group(1))
    assert "award" not in markup


def test_product_page_never_shows_personal_data(shop, world, client):
    for url in (
        reverse("catalogue:product", args=[world.product_a.pk]),
        reverse("catalogue:producer", args=[world.producer_a.pk]),
    ):
        text = client.get(url).content.decode()
        producer = world.producer_a
        for secret in (producer.phone, producer.email, producer.rep_name, producer.rep_id_number, producer.street):
            assert secret not in text


def test_producer_page_lists_its_public_products(shop, world, client):
    response = client.get(reverse("catalogue:producer", args=[world.producer_a.pk]))
    assert response.status_code == 200
    assert "Vải thiều A" in response.content.decode()
    assert client.get(reverse("catalogue:producer", args=[world.producer_pending.pk])).status_code == 404


def test_province_and_commune_pages(shop, world, client):
    response = client.get(reverse("catalogue:province", args=["24"]))
    assert response.status_code == 200
    assert _names(response) == ["Na dai B", "Vải thiều A"]
    assert "Bắc Giang" in response.content.decode()  # formed from the former Bắc Ninh and Bắc Giang
    former = client.get(reverse("catalogue:province", args=["old-24"]))
    assert former.status_code == 200
    assert "trước ngày 1/7/2025" in former.content.decode()
    commune = client.get(reverse("catalogue:commune", args=[world.luc_ngan.code]))
    assert _names(commune) == ["Vải thiều A"]
    assert "Điểm bán OCOP Lục Ngạn" in commune.content.decode()
    assert client.get(reverse("catalogue:province", args=["9999"])).status_code == 404
    assert client.get(reverse("catalogue:commune", args=["old-x"])).status_code == 404


def test_photos_of_public_products_only(shop, world, client):
    public = make_photo(world.product_a)
    private = make_photo(
        Product.objects.create(producer=world.producer_a, name="Nháp", product_set=world.product_a.product_set)
    )
    assert client.get(reverse("catalogue:photo_thumb", args=[public.pk])).status_code == 200
    assert client.get(reverse("catalogue:photo", args=[public.pk])).status_code == 200
    assert client.get(reverse("catalogue:photo", args=[private.pk])).status_code == 404


def test_sitemap_lists_public_pages(shop, world, client):
    response = client.get(reverse("catalogue:sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    text = response.content.decode()
    assert "http://www.sitemaps.org/schemas/sitemap/0.9" in text
    for url in (
        reverse("catalogue:product", args=[world.product_a.pk]),
        reverse("catalogue:product", args=[world.product_c.pk]),
        reverse("catalogue:producer", args=[world.producer_a.pk]),
        reverse("catalogue:province", args=["24"]),
        reverse("catalogue:commune", args=[world.luc_ngan.code]),
    ):
        assert f"<loc>http://testserver{url}</loc>" in text
    assert reverse("catalogue:producer", args=[world.producer_pending.pk]) + "<" not in text


def test_outbound_click_is_counted_and_only_goes_to_stored_links(shop, world, client):
    url = reverse("catalogue:shop_link_go", args=[shop.link.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "https://shopee.vn/htx-persona-a"
    client.get(url)
    shop.link.refresh_from_db()
    assert shop.link.clicks == 2
    assert shop.link.last_clicked_at is not None
    # No parameter can send a visitor elsewhere; unknown links and links of hidden producers are 404.
    assert client.get(url + "?next=https://evil.example").get("Location") == "https://shopee.vn/htx-persona-a"
    assert client.get(reverse("catalogue:shop_link_go", args=[999999])).status_code == 404
    hidden = ShopLink.objects.create(producer=world.producer_pending, channel="tiki", url="https://tiki.vn/x")
    assert client.get(reverse("catalogue:shop_link_go", args=[hidden.pk])).status_code == 404


@pytest.mark.parametrize("q", ["vai thieu", "VẢI THIỀU", "vải", "Persona A"])
def test_search_ignores_accents_and_case(shop, client, q):
    response = client.get(INDEX, {"q": q})
    assert response.status_code == 200
    assert _names(response) == ["Vải thiều A"]


def test_search_keeps_the_other_filters(shop, client):
    assert _names(client.get(INDEX, {"q": "vai thieu", "star": "5"})) == []
    assert _names(client.get(INDEX, {"q": "vai thieu", "star": "4", "province": "24"})) == ["Vải thiều A"]
