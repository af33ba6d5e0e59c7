"""The PDF certificate, its QR code and the public verification page it leads to."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from ocop.certificates import actions
from ocop.certificates.models import Certificate, RevocationGround
from ocop.lib import clock
from ocop.testing import make_evidence

from .util import make_certificate


def _pdf_text_objects(content: bytes) -> bytes:
    """The PDF's streams, inflated, to look for font names."""
    out = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return b"\n".join(out)


def _decode_qr(tmp_path, pdf: bytes) -> list[str]:
    for tool in ("pdftoppm", "zbarimg"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found: run `make system-deps`")
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(source), str(tmp_path / "page")], check=True)
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def test_pdf_is_vietnamese_with_an_embedded_font_and_a_qr_to_the_verification_page(cert_a, client_for, tmp_path):
    response = client_for("producer_a").get(reverse("certificates:pdf", args=[cert_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    objects = _pdf_text_objects(content)
    # DejaVu Sans embedded as a TrueType subset; none of the PDF base fonts (no Vietnamese letters).
    assert b"/FontFile2" in objects
    assert b"DejaVu" in objects or b"OCOPSans" in objects
    assert b"Helvetica" not in objects and b"Times-Roman" not in objects

    urls = _decode_qr(tmp_path, content)
    assert urls == [f"http://testserver{reverse('certificates:verify', args=[cert_a.verify_token])}"]
    page = client_for("anonymous").get(urlsplit(urls[0]).path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "còn hiệu lực" in text.lower()
    assert cert_a.product.name in text


def test_pdf_text_is_the_vietnamese_certificate(cert_a, client_for, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext not found: run `make system-deps` (poppler-utils)")
    source = tmp_path / "c.pdf"
    source.write_bytes(client_for("province").get(reverse("certificates:pdf", args=[cert_a.pk])).content)
    text = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, text=True, check=True).stdout
    assert "GIẤY CHỨNG NHẬN SẢN PHẨM OCOP" in text
    assert "Vải thiều A" in text and "HTX Persona A" in text
    assert cert_a.number in text and "123/QĐ-UBND" in text
    assert "Ủy ban nhân dân tỉnh Bắc Ninh" in text
    assert cert_a.expires_on.strftime("%d/%m/%Y") in text
    # Personal data of the representative never goes on the certificate.
    assert "Nguyễn Văn Đại Diện" not in text and "024090001234" not in text


def test_pdf_of_a_revoked_certificate_says_so(cert_a, world, client_for, tmp_path):
    evidence = make_evidence(world.producer_a)
    actions.revoke_certificate(
        cert_a,
        ground=RevocationGround.MARK_MISUSE,
        finding_date=clock.today(),
        decision_number="9/QĐ-UBND",
        decision_date=clock.today(),
        evidence=[evidence],
        actor=world.user("province"),
    )
    source = tmp_path / "c.pdf"
    source.write_bytes(client_for("producer_a").get(reverse("certificates:pdf", args=[cert_a.pk])).content)
    text = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, text=True, check=True).stdout
    # The footer states it (the large diagonal stamp is extracted letter by letter, so it is not compared).
    assert "tình trạng vào ngày in: Đã thu hồi" in " ".join(text.split())


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin", 200),
        ("central", 200),
        ("province", 200),
        ("commune", 200),
        ("producer_a", 200),
        ("province_other", 404),
        ("council", 404),
        ("producer_b", 404),
        ("producer_pending", 404),
    ],
)
def test_pdf_and_detail_follow_the_product_scope(cert_a, client_for, persona, expected):
    client = client_for(persona)
    assert client.get(reverse("certificates:pdf", args=[cert_a.pk])).status_code == expected
    assert client.get(reverse("certificates:detail", args=[cert_a.pk])).status_code == expected


def test_anonymous_is_sent_to_log_in_for_the_pdf(cert_a, client_for):
    response = client_for("anonymous").get(reverse("certificates:pdf", args=[cert_a.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_verification_token_is_unguessable_and_ids_do_not_work(cert_a, client_for, world):
    other = make_certificate(world.product_b, star=3)
    assert len(cert_a.verify_token) >= 16 and cert_a.verify_token != other.verify_token
    client = client_for("anonymous")
    assert client.get(f"/certificates/verify/{cert_a.pk}/").status_code == 404
    assert client.get(f"/certificates/verify/{'A' * 16}/").status_code == 404
    assert client.get(reverse("certificates:verify", args=[cert_a.verify_token])).status_code == 200


def test_verification_page_shows_public_fields_only(cert_a, client_for):
    text = client_for("anonymous").get(reverse("certificates:verify", args=[cert_a.verify_token])).content.decode()
    assert "HTX Persona A" in text and "Bắc Ninh" in text
    for private in ("Nguyễn Văn Đại Diện", "024090001234", "0912345678", "@example.vn"):
        assert private not in text


def test_verification_page_shows_expired_and_revoked_unmistakably(cert_a, world, client_for, clock):
    url = reverse("certificates:verify", args=[cert_a.verify_token])
    client = client_for("anonymous")
    clock.move(days=(cert_a.expires_on - clock.today()).days + 1)
    text = client.get(url).content.decode()
    assert "verdict-bad" in text and "Đã hết hạn" in text
    assert cert_a.expires_on.strftime("%d-%m-%Y") in text  # Vietnamese short date format
    clock.reset()

    actions.revoke_certificate(
        cert_a,
        ground=RevocationGround.PRODUCTION_STOPPED,
        finding_date=clock.today(),
        decision_number="77/QĐ-UBND",
        decision_date=clock.today(),
        evidence=[make_evidence(world.producer_a)],
        actor=world.user("province"),
    )
    text = client.get(url).content.decode()
    assert "verdict-bad" in text and "Đã thu hồi" in text and "77/QĐ-UBND" in text


def test_verification_page_in_english_on_request(cert_a, client_for):
    client = client_for("anonymous")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get(reverse("certificates:verify", args=[cert_a.verify_token])).content.decode()
    assert "Valid" in text and "This certificate is in force until" in text


def test_verification_of_an_old_certificate_points_to_the_newer_one(world, client_for):
    old = make_certificate(world.product_a, star=3, issued_on=clock.add_months(clock.today(), -40))
    new = make_certificate(world.product_a, star=4)
    text = client_for("anonymous").get(reverse("certificates:verify", args=[old.verify_token])).content.decode()
    assert "Đã hết hạn" in text
    assert reverse("certificates:verify", args=[new.verify_token]) in text


def test_every_existing_certificate_got_a_token(db):
    assert not Certificate.objects.filter(verify_token="").exists()
