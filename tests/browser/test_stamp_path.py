"""The path of a stamp on the demo province, in the browser, each person in a browser of their own.

The Đồng Tâm cooperative (demo_dongtam), whose free-range chicken holds a 4★ certificate of Bắc Ninh,
opens a lot of 250 packages, issues 200 stamps and 10 signed ones, activates them and downloads the
PDF sheets. The QR codes are read back from the PDF (pdftoppm + zbarimg) and opened by consumers on
fresh phones, without an account: the first sees the product, the valid certificate and one scan; a
copy of another stamp is scanned in Hà Nội and then in Hồ Chí Minh City a moment later, each consumer
telling their province on the scan page, which raises an alert on the producer's dashboard; a signed
stamp is verified by the server and again by the browser, and the same code with one character
changed fails both. Then the provincial office (demo_bacninh) revokes the certificate, and the first
stamp says so; a made-up serial gets the "not a genuine OCOP stamp" page.
"""

from __future__ import annotations

import shutil

import pytest
from django.urls import reverse

from ocop.demo import loader, plan
from ocop.geo.models import AdminUnit
from ocop.lib import clock
from ocop.registry.models import Product
from ocop.scans.models import Alert, AlertRule, Scan
from ocop.stamps import codes
from ocop.stamps.actions import certificate_in_force
from ocop.stamps.models import Stamp, StampBatch, StampState
from ocop.traceability.models import Lot
from tests.browser.helpers import log_in, new_page, qr_codes_in_labels, submit

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCT = "Gà đồi Yên Thế"  # the demo's 4★ product of the Đồng Tâm cooperative, certified by Bắc Ninh
HA_NOI = "1"  # province codes (QĐ 19/2025)
HO_CHI_MINH = "79"


@pytest.fixture
def demo(reference_data) -> None:
    loader.load()


def _path(uri: str) -> str:
    """The path of a scanned stamp URI ("HTTP://HOST/S/…" → "/S/…"): the consumer opens it on the test server."""
    return "/" + uri.split("://", 1)[1].split("/", 1)[1]


def _download(page, batch: StampBatch, **layout: int) -> bytes:
    """Press "download the PDF sheets" on the batch page, with the layout fields given; the PDF's bytes."""
    for name, value in layout.items():
        page.fill(f"#id_{name}", str(value))
    with page.expect_download() as download:
        submit(page, reverse("stamps:batch_pdf", args=[batch.pk]))
    path = download.value.path()
    with open(path, "rb") as handle:
        return handle.read()


def _issue_and_activate(page, lot: Lot, count: int, *, signed: bool) -> StampBatch:
    page.goto(lot.get_absolute_url())
    page.locator(f'main a[href="{reverse("stamps:batch_create", args=[lot.pk])}"]').click()
    page.fill("#id_count", str(count))
    if signed:
        page.check("#id_signed")
    submit(page, "#id_count")
    page.wait_for_url("**/stamps/*/")
    batch = StampBatch.objects.filter(lot=lot).order_by("-pk").first()
    assert batch is not None and batch.is_ready, batch and batch.error
    assert batch.count == count and batch.signed is signed
    submit(page, reverse("stamps:batch_activate", args=[batch.pk]))
    page.wait_for_url("**" + batch.get_absolute_url())
    assert page.locator(".msg").first.inner_text() == f"Đã kích hoạt {count} tem."
    assert Stamp.objects.filter(batch=batch, state=StampState.ACTIVATED).count() == count
    return batch


def _phone(browser, base_url: str):
    """A consumer's phone: a browser of its own (no cookie, no account), phone-sized."""
    phone = new_page(browser, base_url)
    phone.set_viewport_size({"width": 390, "height": 844})
    return phone


def _scan_from(browser, base_url: str, path: str, province_code: str) -> None:
    """A consumer scans `path` and tells the scan page their province (the choice, not their position)."""
    province = AdminUnit.objects.current().provinces().get(code=province_code)
    phone = _phone(browser, base_url)
    phone.goto(path)
    phone.select_option("#place-form select[name=province]", value=str(province.pk))
    phone.locator("#place-form .place-row button[type=submit]").click()
    phone.locator("#place-status").filter(has_text=province.name).wait_for()
    phone.context.close()


def test_stamps_from_the_lot_to_the_consumer_and_a_revoked_certificate(demo, browser, live_server, tmp_path):
    if not shutil.which("pdftoppm") or not shutil.which("zbarimg"):
        pytest.fail("pdftoppm or zbarimg missing: run `make system-deps`")
    product = Product.objects.get(name=PRODUCT)
    certificate = certificate_in_force(product)
    assert certificate is not None and certificate.star == 4
    base = live_server.url

    # --- The producer: a lot, 200 stamps and 10 signed ones, activated, printed. ---------------------------
    producer = new_page(browser, base)
    log_in(producer, "demo_dongtam", plan.DEMO_PASSWORD)
    producer.goto(reverse("traceability:lot_list"))
    producer.get_by_role("link", name="Lô hàng mới").click()
    producer.select_option("#id_product", label=PRODUCT)
    producer.fill("#id_number", "GD-2026-11")
    producer.fill("#id_produced_on", clock.today().isoformat())
    producer.fill("#id_quantity", "250")
    producer.select_option("#id_unit", value="H87")
    submit(producer, "#id_number")
    producer.wait_for_url("**/trace/lots/*/")
    lot = Lot.objects.get(product=product, number="GD-2026-11")

    batch = _issue_and_activate(producer, lot, 200, signed=False)
    pdf = _download(producer, batch)
    assert pdf.startswith(b"%PDF")
    # The first page of the default layout holds 4 × 11 labels: the first row's four are read.
    printed = qr_codes_in_labels(pdf, tmp_path, labels=4)
    assert len(printed) == 4 and len(set(printed)) == len(printed)
    serials = set(batch.stamps.values_list("serial", flat=True))
    assert all(codes.parse(uri).serial in serials for uri in printed)

    signed_batch = _issue_and_activate(producer, lot, 10, signed=True)
    signed_layout = {"label_width_mm": 70, "label_height_mm": 35, "columns": 2, "rows": 7}
    signed_pdf = _download(producer, signed_batch, **signed_layout)
    signed_codes = qr_codes_in_labels(signed_pdf, tmp_path, labels=10, **signed_layout)
    assert len(signed_codes) == 10
    signed_serials = set(signed_batch.stamps.values_list("serial", flat=True))
    assert all(codes.parse(uri).is_signed and codes.parse(uri).serial in signed_serials for uri in signed_codes)

    # --- A consumer scans the first stamp: the product, its valid certificate, one scan. ------------------
    stamp_path = _path(printed[0])
    consumer = _phone(browser, base)
    assert consumer.goto(stamp_path).status == 200
    assert consumer.locator("#h-product").inner_text() == PRODUCT
    assert consumer.locator("#stamp-status").get_attribute("data-state") == "activated"
    banner = consumer.locator("#certificate-status")
    assert banner.get_attribute("data-status") == "valid"
    assert "Còn hiệu lực" in banner.text_content()
    assert certificate.number in banner.text_content()
    assert consumer.locator("#scan-count").get_attribute("data-count") == "1"
    assert "1" in consumer.locator("#scan-count").inner_text()
    consumer.screenshot(path=str(tmp_path / "scan-valid.png"), full_page=True)

    # --- A copied stamp: scanned in Hà Nội, then in Hồ Chí Minh City a moment later. ---------------------
    copied_path = _path(printed[1])
    _scan_from(browser, base, copied_path, HA_NOI)
    _scan_from(browser, base, copied_path, HO_CHI_MINH)
    copied = Stamp.objects.get(serial=codes.parse(printed[1]).serial)
    assert sorted(Scan.objects.filter(stamp=copied).values_list("province__code", flat=True)) == [HA_NOI, HO_CHI_MINH]
    alert = Alert.objects.get(rule=AlertRule.IMPOSSIBLE_TRAVEL)
    assert alert.stamp_id == copied.pk
    producer.goto(reverse("front:dashboard"))
    on_dashboard = producer.locator(f'main a[href="{reverse("scans:alert_detail", args=[alert.pk])}"]')
    assert PRODUCT in on_dashboard.inner_text()
    on_dashboard.click()
    producer.wait_for_url("**" + reverse("scans:alert_detail", args=[alert.pk]))
    assert "Hồ Chí Minh" in producer.locator("main").inner_text()

    # --- A signed stamp: checked by the server and again by the browser; one changed character fails. ------
    signed_path = _path(signed_codes[0])
    checker = _phone(browser, base)
    checker.goto(signed_path)
    assert checker.locator("#signature").get_attribute("data-state") == "verified"
    checker.wait_for_selector("#signature-browser[data-result]")
    assert checker.locator("#signature-browser").get_attribute("data-result") == "valid"
    forged_path = signed_path[:-1] + ("A" if signed_path[-1] != "A" else "B")
    checker.goto(forged_path)
    assert checker.locator("#signature").get_attribute("data-state") == "invalid"
    checker.wait_for_selector("#signature-browser[data-result]")
    assert checker.locator("#signature-browser").get_attribute("data-result") == "bad_signature"
    checker.context.close()

    # --- The provincial office revokes the certificate: the same stamp now says so. -----------------------
    office = new_page(browser, base)
    log_in(office, "demo_bacninh", plan.DEMO_PASSWORD)
    office.goto(reverse("certificates:detail", args=[certificate.pk]))
    office.get_by_role("link", name="Thu hồi", exact=True).click()
    office.wait_for_url("**" + reverse("certificates:revoke", args=[certificate.pk]))
    office.check('input[name="ground"][value="mark_misuse"]')
    office.fill("#id_finding_date", clock.today().isoformat())
    office.fill("#id_decision_number", "501/QĐ-UBND")
    office.fill("#id_decision_date", clock.today().isoformat())
    office.locator('input[name="evidence"]').first.check()
    submit(office, "#id_decision_number")
    office.wait_for_url("**" + reverse("certificates:detail", args=[certificate.pk]))
    certificate.refresh_from_db()
    assert certificate.revoked_on == clock.today()
    office.context.close()

    consumer.goto(stamp_path)
    banner = consumer.locator("#certificate-status")
    assert banner.get_attribute("data-status") == "revoked"
    assert "Đã thu hồi" in banner.text_content()
    consumer.screenshot(path=str(tmp_path / "scan-revoked.png"), full_page=True)

    # --- A made-up serial: not a genuine OCOP stamp. ------------------------------------------------------
    made_up = "/S/" + codes.new_serial()
    response = consumer.goto(made_up)
    assert response.status == 404
    assert consumer.locator("#verdict").get_attribute("data-reason") == "unknown_serial"
    assert "Không phải tem OCOP chính hãng" in consumer.locator("#verdict").text_content()
    consumer.context.close()
    producer.context.close()
