"""A producer registers, its commune verifies it, it adds a product with a photo and evidence;
another producer is refused that product."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ocop.registry.models import Evidence, Producer, ProducerStatus, Product
from tests.browser.helpers import jpeg_file, log_in, log_out, pdf_file, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_verify_and_add_product(page, world, tmp_path):
    # 1. A cooperative registers itself (two steps: province, then the details).
    page.goto(reverse("accounts:register"))
    page.select_option("#id_province", label="Bắc Ninh")
    page.locator('main form[method="get"] button[type=submit]').click()
    page.fill("#id_name", "HTX Nông sản Kiên Lao")
    page.select_option("#id_kind", value="cooperative")
    page.fill("#id_tax_code", "0101245486-001")
    page.select_option("#id_commune", label="Xã Lục Ngạn")
    page.fill("#id_street", "Thôn Kiên Thành")
    page.fill("#id_phone", "0912000111")
    page.fill("#id_rep_name", "Hoàng Thị Lan")
    page.fill("#id_rep_position", "Giám đốc")
    page.fill("#id_username", "htx_kienlao")
    page.fill("#id_email", "kienlao@example.vn")
    # A mistyped second password: the form comes back with the error and keeps what was typed.
    page.fill("#id_password1", "Vai-thieu-2026!")
    page.fill("#id_password2", "Vai-thieu-2027!")
    submit(page, reverse("accounts:register"))
    assert page.locator("#id_name").input_value() == "HTX Nông sản Kiên Lao"
    assert page.locator(".errorlist").count() >= 1
    page.fill("#id_password1", "Vai-thieu-2026!")
    page.fill("#id_password2", "Vai-thieu-2026!")
    submit(page, reverse("accounts:register"))
    page.wait_for_url("**" + reverse("accounts:register_done"))
    producer = Producer.objects.get(name="HTX Nông sản Kiên Lao")
    assert producer.status == ProducerStatus.PENDING

    # Before verification the producer cannot add a product.
    response = page.goto(reverse("registry:product_create"))
    assert response.status == 403
    log_out(page)

    # 2. The commune officer of Xã Lục Ngạn verifies the registration.
    log_in(page, "persona_commune")
    page.goto(reverse("registry:producer_detail", args=[producer.pk]))
    submit(page, reverse("registry:producer_verify", args=[producer.pk]), "Xác minh")
    page.wait_for_load_state()
    producer.refresh_from_db()
    assert producer.status == ProducerStatus.VERIFIED
    log_out(page)

    # 3. The producer adds a product, a photo and an evidence document linked to it.
    log_in(page, "htx_kienlao", "Vai-thieu-2026!")
    page.goto(reverse("registry:product_create"))
    page.fill("#id_name", "Vải thiều Kiên Lao")
    page.select_option("#id_product_set", label="1. Rau, củ, quả, hạt tươi")
    page.fill("#id_description", "Vải thiều chín cây, thu hoạch tháng 6.")
    submit(page, "#id_product_set")
    page.wait_for_load_state()
    product = Product.objects.get(name="Vải thiều Kiên Lao")
    assert product.producer == producer
    assert page.url.endswith(reverse("registry:product_detail", args=[product.pk]))

    page.set_input_files("#id_image", jpeg_file(tmp_path))
    submit(page, reverse("registry:photo_upload", args=[product.pk]))
    page.wait_for_load_state()
    assert product.photos.count() == 1
    thumb = page.locator(f'img[src="{reverse("registry:photo_thumb", args=[product.photos.get().pk])}"]')
    assert thumb.count() == 1

    page.goto(reverse("registry:evidence_create"))
    page.set_input_files("#id_file", pdf_file(tmp_path))
    page.select_option("#id_doc_type", value="food_safety")
    page.fill("#id_title", "Giấy chứng nhận cơ sở đủ điều kiện ATTP")
    page.fill("#id_issuer", "Sở Nông nghiệp và Môi trường Bắc Ninh")
    page.fill("#id_issued_on", "2026-01-15")
    page.fill("#id_expires_on", "2029-01-15")
    page.get_by_label("Vải thiều Kiên Lao").check()
    submit(page, "#id_doc_type")
    page.wait_for_load_state()
    evidence = Evidence.objects.get(producer=producer)
    assert list(evidence.products.all()) == [product]
    assert len(evidence.sha256) == 64
    page.goto(reverse("registry:product_detail", args=[product.pk]))
    assert page.get_by_text("Giấy chứng nhận cơ sở đủ điều kiện ATTP").count() >= 1
    log_out(page)

    # 4. Another producer tries to open that product and is told it does not exist.
    log_in(page, "persona_producer_b")
    response = page.goto(reverse("registry:product_detail", args=[product.pk]))
    assert response.status == 404
    assert "Vải thiều Kiên Lao" not in page.content()
