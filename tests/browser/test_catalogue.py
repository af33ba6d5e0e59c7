"""A visitor uses the public catalogue on the demo province: search without accents, filters, product page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ocop.demo import loader

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(reference_data) -> None:
    loader.load()


def test_visitor_finds_the_luc_ngan_lychee_typed_without_accents(demo, page):
    page.goto("/")
    page.get_by_role("navigation", name="Trình đơn chính").get_by_role("link", name="Danh mục sản phẩm").click()
    page.get_by_role("searchbox", name="Tìm kiếm").fill("vai thieu")
    page.get_by_role("search").get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url("**q=vai+thieu**")
    result = page.locator(".result").filter(has=page.get_by_role("link", name="Vải thiều Lục Ngạn", exact=True))
    assert result.count() == 1
    assert "OCOP 5 sao" in result.inner_text()
    # A search, not the whole catalogue: noodles and chicken are not lychee.
    assert page.get_by_role("link", name="Mỳ Chũ", exact=True).count() == 0
    assert page.get_by_role("link", name="Gà đồi Yên Thế", exact=True).count() == 0
    result.get_by_role("link", name="Vải thiều Lục Ngạn", exact=True).click()
    page.wait_for_url("**" + "/catalogue/products/**")

    assert page.get_by_role("heading", level=1).inner_text() == "Vải thiều Lục Ngạn"
    certificate = page.locator("#certificate")
    assert "Còn hiệu lực" in certificate.inner_text() or "Sắp hết hạn" in certificate.inner_text()
    assert "Ngày cấp" in certificate.inner_text()
    assert "Ngày hết hạn" in certificate.inner_text()
    # The 4★ of 2021 and the 5★ of 2024 are both listed; the 5★ is the one in force.
    page.get_by_text("Tất cả giấy chứng nhận của sản phẩm").click()
    rows = certificate.locator("details tbody tr")
    assert rows.count() == 2
    assert "HTX Nông nghiệp Hồng Xuân" in page.locator("#h-producer + dl").inner_text()
    # Where to buy: the producer's shops, through the counted redirect; the inquiry form.
    shops = page.locator("#where-to-buy")
    assert shops.get_by_role("link", name=re.compile("Shopee")).count() == 1
    assert shops.get_by_role("link", name="Gửi yêu cầu mua hàng").count() == 1
    markup = page.locator('script[type="application/ld+json"]').inner_text()
    assert '"award": "OCOP 5 sao"' in markup


def test_visitor_filters_four_star_food_products_of_bac_ninh(demo, page):
    page.goto(reverse("catalogue:index"))
    form = page.get_by_role("search")
    form.get_by_label("Hạng sao OCOP").select_option("4")
    form.get_by_label("Ngành sản phẩm").select_option(label="Thực phẩm")
    form.get_by_label("Tỉnh/thành phố").select_option(label="Bắc Ninh")
    form.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url("**star=4**")

    results = page.locator(".result")
    assert results.count() > 0
    for i in range(results.count()):
        card = results.nth(i).inner_text()
        assert "OCOP 4 sao" in card
        assert "Bắc Ninh" in card
        assert "Thực phẩm" in card
    count = int(re.search(r"\d+", page.locator("#result-count").inner_text()).group())
    assert count == results.count() or page.locator(".pagination").count() == 1
    # The address is the search: reloading it gives the same page.
    address = page.url
    page.goto(address)
    assert page.locator(".result").count() == results.count()
