"""The workshop's figures, from the demo: Bắc Giang on 10 November 2022, to the product and to one decimal.

One test on purpose: loading the demo is the slow part, and every check below reads the same data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from ocop.accounts.models import User
from ocop.demo import loader
from ocop.stats import figures
from ocop.stats.filters import parse
from ocop.testing import login

WORKSHOP = dt.date(2022, 11, 10)


@pytest.fixture
def demo(db):
    return loader.load(today=dt.date(2026, 11, 29))


def _count(html: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}"><span class="stat">(\d+)</span>', html)
    assert match, element_id
    return int(match.group(1))


def test_bac_giang_on_10_november_2022(demo, tmp_path):
    # The figures themselves: 180 products, 138 at 3★ (76.7 %), 42 at 4★ (23.3 %), one proposed for 5★.
    f = parse({"area": "Bắc Giang", "as_of": "2022-11-10"})
    assert (f.area.map, f.area.level) == ("legacy", "province")
    data = figures.compute(figures.PUBLIC, f)
    assert data.total == 180
    assert [(line.key, line.count, line.share) for line in data.by_star] == [(3, 138, 76.7), (4, 42, 23.3), (5, 0, 0.0)]
    assert [(p["product"], p["star"]) for p in data.proposals] == [("Vải thiều Lục Ngạn", 5)]
    # Units as named then: the former districts of Bắc Giang (Chũ still within Lục Ngạn's products' districts).
    assert sum(line.count for line in data.by_district) == 180
    assert {line.label for line in data.by_province} == {"Bắc Giang"}
    # The same through the code: 24 on the day is the legacy Bắc Giang; today it is Bắc Ninh.
    assert parse({"area": "24", "as_of": "2022-11-10"}).area == f.area
    assert parse({"area": "24"}).area.name == "Bắc Ninh"

    # The provincial officer of Bắc Ninh sees the same on the dashboard, and each number lists its products.
    officer = User.objects.get(username="demo_bacninh")
    client = login(Client(), officer)
    query = {"area": "24", "map": "legacy", "as_of": "2022-11-10"}
    page = client.get(reverse("stats:dashboard"), query)
    assert page.status_code == 200
    html = page.content.decode()
    assert (_count(html, "total-recognised"), _count(html, "star-3"), _count(html, "star-4")) == (180, 138, 42)
    assert "76,7 %" in html or "76.7 %" in html
    assert "Vải thiều Lục Ngạn" in html
    listing = client.get(reverse("stats:product_list"), {**query, "star": "4"})
    assert listing.status_code == 200
    assert re.search(r'id="list-total">\s*42 ', listing.content.decode())
    # Every breakdown line's list holds exactly the products the line counts.
    data_officer = figures.compute(officer, parse(query))
    for line in [*data_officer.by_district, *data_officer.by_set[:3], *data_officer.by_kind, *data_officer.by_year]:
        sub = parse(query).__class__(**{**parse(query).__dict__})
        entries = figures.list_entries(officer, _apply(sub, line.params))
        assert len(entries) == line.count, line.label
    for line in data_officer.statuses:
        assert len(figures.list_entries(officer, _apply(parse(query), line.params))) == line.count, line.label

    # Excel: header block, then the 42 rows of the 4★ products.
    xlsx = client.get(reverse("stats:export_xlsx"), {**query, "star": "4"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert "Bắc Giang" in values[1][0]
    head = next(i for i, row in enumerate(values) if row and row[0] == "STT")
    body = [row for row in values[head + 1 :] if row and row[0] is not None]
    assert len(body) == 42 and {row[8] for row in body} == {4}
    assert "Vải thiều Lục Ngạn" in {row[1] for row in body}

    # CSV: the same rows.
    response = client.get(reverse("stats:export_csv"), {**query, "star": "4"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "STT" and len(rows) == 43
    assert {r[1] for r in rows[1:]} == {row[1] for row in body}

    # PDF report: Vietnamese headings and the figures.
    pdf = client.get(reverse("stats:export_pdf"), query)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "Báo cáo thống kê OCOP" in out
    assert "180" in out and "138" in out and "76,7" in out.replace(".", ",")

    # The plan of Bắc Giang: 350–400 products by 2030 with 3–5 at 5★, shown with its progress.
    targets = figures.targets(officer, parse({"as_of": "2022-11-10"}))
    assert [(t["target"].province.name, t["products"], t["target"].products_target_min) for t in targets] == [
        ("Bắc Giang", 180, 350)
    ]

    # The API for partner systems: by name or code, former provinces included.
    api = Client()
    for province in ("Bắc Giang", "24"):
        body_json = api.get("/api/v1/stats/products", {"province": province, "as_of": "2022-11-10"}).json()
        assert body_json["province"]["name"] == "Bắc Giang"
        assert body_json["total"] == 180
        assert body_json["by_star"][:2] == [
            {"star": 3, "count": 138, "share": 76.7},
            {"star": 4, "count": 42, "share": 23.3},
        ]
        assert body_json["proposed_for_higher_rating"] == 1


def _apply(f, params):
    from dataclasses import replace

    return replace(f, **params)
