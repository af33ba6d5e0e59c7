"""The provincial officer of Bắc Ninh reads the workshop's figures, drills down to the 4★ list and exports it."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ocop.demo import loader
from ocop.demo.plan import DEMO_PASSWORD
from tests.browser.helpers import log_in, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(reference_data) -> None:
    loader.load()


def test_provincial_officer_drills_down_from_the_4_star_count_and_exports_it(demo, page):
    log_in(page, "demo_bacninh", DEMO_PASSWORD)
    page.goto(reverse("front:dashboard"))
    page.locator(f'main a[href="{reverse("stats:dashboard")}"]').first.click()
    page.wait_for_url("**" + reverse("stats:dashboard") + "**")
    assert page.locator("h1").inner_text() == "Thống kê OCOP"

    # The figures of the 2022 workshop: Bắc Giang (code 24 on the map of the day) on 10 November 2022.
    page.fill("#f-as-of", "2022-11-10")
    page.fill("#f-area", "24")
    submit(page, "#f-area")
    page.wait_for_load_state()
    assert "Bắc Giang" in page.locator("main").inner_text()
    assert page.locator("#total-recognised .stat").inner_text() == "180"
    assert page.locator("#star-3 .stat").inner_text() == "138"
    assert "76,7 %" in page.locator("#star-3").inner_text()
    four = page.locator("#star-4")
    assert four.locator(".stat").inner_text() == "42"
    assert "23,3 %" in four.inner_text()
    assert "Vải thiều Lục Ngạn" in page.locator("main").inner_text()  # proposed for 5★

    # Drill down: the list behind the 4★ count has the same 42 products.
    four.click()
    page.wait_for_url("**" + reverse("stats:product_list") + "**")
    assert re.match(r"42 sản phẩm", page.locator("#list-total").inner_text())
    shown = page.locator("#stats-products tbody tr th").all_inner_texts()
    assert len(shown) == 42

    # Export it to Excel and read the file back: the same rows.
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    with open(download.value.path(), "rb") as handle:
        rows = list(load_workbook(io.BytesIO(handle.read())).active.iter_rows(values_only=True))
    assert "Bắc Giang" in rows[1][0]
    head = next(i for i, row in enumerate(rows) if row and row[0] == "STT")
    body = [row for row in rows[head + 1 :] if row and row[0] is not None]
    assert sorted(row[1] for row in body) == sorted(shown)
    assert {row[8] for row in body} == {4}
