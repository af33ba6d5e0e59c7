"""Printable Mẫu 01 and Mẫu 02: Vietnamese text in an embedded Unicode font."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from ocop.evaluation.tests.util import open_draft, submitted

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is missing")


def _text(content: bytes, tmp_path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


def _fonts(content: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()


def test_form01_of_a_submitted_dossier(world, client_for, tmp_path):
    dossier = submitted(world)
    response = client_for("producer_a").get(reverse("evaluation:dossier_pdf", args=[dossier.pk]) + "?form=01")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content, tmp_path)
    assert "PHIẾU ĐĂNG KÝ" in text
    assert "Tham gia đánh giá, phân hạng sản phẩm OCOP" in text
    assert "Vải thiều A" in text and "Nguyễn Văn Đại Diện" in text
    assert "của tỉnh Bắc Ninh" in text
    assert dossier.registration_number in text
    assert dossier.versions.get().sha256[:16] in text.replace("\n", "")
    fonts = _fonts(response.content, tmp_path)
    assert "DejaVuSans" in fonts and "Helvetica" not in fonts


def test_form02_lists_the_self_scoring_and_the_evidence(world, client_for, tmp_path):
    dossier = submitted(world)
    response = client_for("commune").get(reverse("evaluation:dossier_pdf", args=[dossier.pk]) + "?form=02")
    assert response.status_code == 200
    text = _text(response.content, tmp_path)
    assert "BÁO CÁO TỰ ĐÁNH GIÁ VỀ SẢN PHẨM" in text
    assert "Nguồn gốc sản phẩm" in text  # a criterion of sheet 1
    assert "Tổng điểm tự đánh giá" in text
    assert "Giấy chứng nhận ATTP" in text  # an evidence document picked
    assert "Mở rộng vùng trồng" in text  # Phần IV


def test_a_draft_prints_marked_as_draft(world, client_for, tmp_path):
    dossier = open_draft(world)
    response = client_for("producer_a").get(reverse("evaluation:dossier_pdf", args=[dossier.pk]))
    text = _text(response.content, tmp_path)
    assert "BẢN NHÁP" in text and "HTX Persona A" in text


def test_unknown_form_is_refused(world, client_for):
    dossier = open_draft(world)
    response = client_for("producer_a").get(reverse("evaluation:dossier_pdf", args=[dossier.pk]) + "?form=03")
    assert response.status_code == 400
    assert "01" in response.content.decode()


@pytest.mark.parametrize("persona", ["producer_b", "province_other", "council", "anonymous"])
def test_pdf_is_not_served_outside_scope(world, client_for, persona):
    dossier = submitted(world)
    response = client_for(persona).get(reverse("evaluation:dossier_pdf", args=[dossier.pk]))
    assert response.status_code in (302, 404)
    assert response["Content-Type"] != "application/pdf"
