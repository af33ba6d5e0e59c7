"""The public pages and the public API: rulebooks and criteria sheets, readable by anybody, as HTML and JSON."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.urls import reverse

from ocop.rules.rulebooks import DATA_DIR, get_rulebook


@pytest.fixture
def anonymous(client):
    return client


def test_rulebook_list_in_vietnamese(anonymous, db):
    response = anonymous.get(reverse("rules:rulebook_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bộ tiêu chí OCOP" in page
    for code in ("qd-26-2026", "qd-148-2023-1489-2025", "qd-148-2023", "qd-1048-2019"):
        assert reverse("rules:rulebook_detail", args=[code]) in page
    assert "35/25/40" in page and "40/25/35" in page


def test_rulebook_page_shows_bands_levels_deadlines_and_sheets(anonymous, db):
    response = anonymous.get(reverse("rules:rulebook_detail", args=["qd-26-2026"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "từ 90 đến 100 điểm" in page and "từ 70 đến dưới 90 điểm" in page and "dưới 30 điểm" in page
    assert "cấp giấy chứng nhận, công nhận ở cấp trung ương" in page
    assert "có, trong 15 ngày làm việc" in page
    assert "từ 180 đến 120 ngày trước khi hết hạn" in page
    assert "ít nhất 75 % số thành viên" in page
    assert reverse("rules:sheet_detail", args=["qd-26-2026", 26]) in page
    old = anonymous.get(reverse("rules:rulebook_detail", args=["qd-148-2023"])).content.decode()
    assert "cấp giấy chứng nhận, công nhận ở cấp huyện" in old
    assert "chưa được số hóa" in old


def test_alias_redirects_to_the_one_address(anonymous, db):
    response = anonymous.get(reverse("rules:rulebook_detail", args=["qd-1489-2025"]))
    assert response.status_code == 301
    assert response["Location"] == reverse("rules:rulebook_detail", args=["qd-148-2023-1489-2025"])


def test_sheet_page_is_readable(anonymous, db):
    response = anonymous.get(reverse("rules:sheet_detail", args=["qd-26-2026", 1]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Phiếu đánh giá 1: Rau, củ, quả, hạt tươi" in page
    assert "Phần A: SẢN PHẨM VÀ SỨC MẠNH CỦA CỘNG ĐỒNG" in page
    assert "2.3. Phong cách, ghi nhãn hàng hóa" in page
    assert "mức tối thiểu cho hạng 4 sao" in page
    assert "Giả mạo hồ sơ" in page
    assert "***" not in page
    tea = anonymous.get(reverse("rules:sheet_detail", args=["qd-26-2026", 11])).content.decode()
    assert "6.1. Ngoại hình" in tea and "6.1.1. Tạp chất" in tea
    assert "Các điểm đính chính so với văn bản in" in tea
    tourism = anonymous.get(reverse("rules:sheet_detail", args=["qd-26-2026", 26])).content.decode()
    assert "Dịch vụ du lịch do cộng đồng cung cấp" in tourism


def test_english_when_asked(client, db):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("rules:sheet_detail", args=["qd-26-2026", 1])).content.decode()
    assert "Criteria sheet 1: Rau, củ, quả, hạt tươi" in page


@pytest.mark.parametrize(
    "url",
    [
        ("rules:rulebook_detail", ["qd-0-1900"]),
        ("rules:rulebook_json", ["qd-0-1900"]),
        ("rules:sheet_detail", ["qd-26-2026", 27]),
        ("rules:sheet_json", ["qd-148-2023", 1]),
    ],
)
def test_unknown_rulebook_or_sheet_is_404(anonymous, db, url):
    name, args = url
    assert anonymous.get(reverse(name, args=args)).status_code == 404


def test_json_downloads_are_the_data_files(anonymous, db):
    response = anonymous.get(reverse("rules:sheet_json", args=["qd-26-2026", 7]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert 'filename="qd-26-2026-sheet-07.json"' in response["Content-Disposition"]
    on_disk = json.loads((DATA_DIR / "qd-26-2026" / "sheet-07.json").read_text(encoding="utf-8"))
    assert json.loads(response.content) == on_disk
    whole = json.loads(anonymous.get(reverse("rules:rulebook_json", args=["qd-26-2026"])).content)
    assert whole["code"] == "qd-26-2026" and len(whole["sheets"]) == 26
    assert whole["sheets"][6] == on_disk


def test_pages_refuse_writes(anonymous, db):
    assert anonymous.post(reverse("rules:rulebook_list")).status_code == 405


# --- API -------------------------------------------------------------------------------------------------------------
def test_api_lists_rulebooks(anonymous, db):
    response = anonymous.get("/api/v1/rulebooks")
    assert response.status_code == 200
    data = response.json()
    assert [r["code"] for r in data] == ["qd-26-2026", "qd-148-2023-1489-2025", "qd-148-2023", "qd-1048-2019"]
    assert data[0]["sheets"] == 26 and data[0]["parts"] == {"A": 40, "B": 25, "C": 35}
    assert data[0]["url"].endswith("/api/v1/rulebooks/qd-26-2026")


def test_api_serves_a_whole_rulebook(anonymous, db):
    response = anonymous.get("/api/v1/rulebooks/qd-26-2026")
    assert response.status_code == 200
    data = response.json()
    assert data["star_rule"] == "lower_of_band_and_minimums"
    assert len(data["sheets"]) == 26
    tourism = data["sheets"][25]
    assert tourism["parts"][0]["max"] == 40 and len([g for p in tourism["parts"] for g in p["groups"]]) == 17
    option = data["sheets"][0]["parts"][0]["groups"][1]["criteria"][2]["options"][2]
    assert option == dataclasses.asdict(get_rulebook("qd-26-2026").sheet(1).criterion("2.3").options[2])
    # Aliases are accepted; old rulebooks come without sheets.
    old = anonymous.get("/api/v1/rulebooks/qd-1489-2025").json()
    assert old["code"] == "qd-148-2023-1489-2025" and old["sheets"] == []


def test_api_errors_have_one_shape(anonymous, db):
    response = anonymous.get("/api/v1/rulebooks/qd-0-1900")
    assert response.status_code == 404
    assert response.json() == {"detail": "Không có bộ tiêu chí nào mang mã “qd-0-1900”.", "code": "not_found"}
    elsewhere = anonymous.get("/api/v1/nothing/here")
    assert elsewhere.status_code == 404 and elsewhere.json()["code"] == "not_found"
    assert anonymous.post("/api/v1/rulebooks").status_code == 405


def test_api_docs_use_our_own_static_files(anonymous, db):
    response = anonymous.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui.css" in page
    assert "cdn" not in page.lower() and "https://" not in page
    schema = anonymous.get("/api/v1/openapi.json").json()
    assert "/api/v1/rulebooks/{code}" in schema["paths"]
