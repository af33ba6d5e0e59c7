"""A certificate's life in the browser: the PDF's QR code opens the public page showing it valid; 33 months
later the reminder is in the producer's inbox; at 36 months the certificate shows expired; the office revokes
another one and the public page says so."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from ocop.certificates import actions
from ocop.certificates.models import Revocation
from ocop.testing import make_evidence
from tests.browser.helpers import log_in, log_out, qr_url_in_pdf, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_certificate_from_pdf_to_expiry(page, world, clock, tmp_path):
    if not shutil.which("pdftoppm") or not shutil.which("zbarimg"):
        pytest.fail("pdftoppm or zbarimg missing: run `make system-deps`")
    certificate = actions.issue_certificate(
        world.product_a,
        star=4,
        decision_number="1205/QĐ-UBND",
        decision_date=clock.today(),
        score=78,
        actor=world.user("province"),
    )

    # The producer finds the certificate from the product page and downloads the PDF.
    log_in(page, "persona_producer_a")
    page.goto(reverse("registry:product_detail", args=[world.product_a.pk]))
    page.get_by_role("link", name=certificate.number).click()
    page.wait_for_url("**" + reverse("certificates:detail", args=[certificate.pk]))
    href = page.get_by_role("link", name="Tải giấy chứng nhận (PDF)").get_attribute("href")
    pdf = page.request.get(href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    # Its QR code opens the public verification page, which says the certificate is valid.
    url = qr_url_in_pdf(pdf.body(), tmp_path)
    assert urlsplit(url).path == reverse("certificates:verify", args=[certificate.verify_token])
    page.goto(url)
    verdict = page.locator(".verdict")
    assert "còn hiệu lực" in verdict.inner_text().lower()

    # 33 months later the daily sweep has run: the reminder is in the producer's inbox.
    clock.move(months=33)
    call_command("run_reminders")
    page.goto(reverse("front:dashboard"))
    page.locator(".nav-inbox").click()
    page.wait_for_url("**" + reverse("notifications:inbox"))
    assert "Đánh giá lại Vải thiều A" in page.locator(".inbox-item").first.inner_text()
    submit(page, reverse("notifications:mark_read", args=[_latest_notification(world, "producer_a")]), "Mở")
    page.wait_for_url("**" + reverse("certificates:detail", args=[certificate.pk]))
    assert "Sắp hết hạn" in page.locator(".status-banner").inner_text()

    # At 36 months and a day the certificate has expired, everywhere.
    clock.move(months=3, days=1)
    page.goto(url)
    assert "đã hết hạn" in page.locator(".verdict").inner_text().lower()
    page.goto(reverse("registry:product_detail", args=[world.product_a.pk]))
    assert "Đã hết hạn" in page.locator("#h-certs + .table-wrap").inner_text()
    log_out(page)


def _latest_notification(world, persona: str) -> int:
    from ocop.notifications.models import Notification

    return Notification.objects.filter(user=world.user(persona)).order_by("-pk").values_list("pk", flat=True)[0]


def test_office_revokes_a_certificate_and_the_public_page_says_so(page, world, clock):
    certificate = actions.issue_certificate(
        world.product_b, star=3, decision_number="77/QĐ-UBND", decision_date=clock.today(), actor=world.user("province")
    )
    evidence = make_evidence(world.producer_b, "Biên bản kiểm tra")
    log_in(page, "persona_province")
    page.goto(reverse("certificates:detail", args=[certificate.pk]))
    page.get_by_role("link", name="Thu hồi", exact=True).click()
    revoke_url = reverse("certificates:revoke", args=[certificate.pk])
    page.wait_for_url("**" + revoke_url)
    page.fill("#id_finding_date", clock.today().isoformat())
    page.fill("#id_decision_number", "99/QĐ-UBND")
    page.fill("#id_decision_date", clock.today().isoformat())
    page.check(f'input[name="evidence"][value="{evidence.pk}"]')
    # No ground chosen: refused with the reason, nothing written, what was typed is kept.
    submit(page, "#id_decision_number")
    page.wait_for_load_state()
    assert "Hãy chọn căn cứ pháp lý" in page.locator("main").inner_text()
    assert page.locator("#id_decision_number").input_value() == "99/QĐ-UBND"
    assert not Revocation.objects.exists()
    page.check('input[name="ground"][value="mark_misuse"]')
    submit(page, "#id_decision_number")
    page.wait_for_url("**" + reverse("certificates:detail", args=[certificate.pk]))
    assert "Đã thu hồi" in page.locator(".status-banner").inner_text()
    log_out(page)

    page.goto(reverse("certificates:verify", args=[certificate.verify_token]))
    assert "đã thu hồi" in page.locator(".verdict").inner_text().lower()
