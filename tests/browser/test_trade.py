"""Trade connection in the browser: a buyer finds a certified product's public page and sends an inquiry; the
producer sees it in the inbox, answers it on the platform, and the answer is e-mailed to the buyer."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from ocop.trade.models import Inquiry, InquiryStatus
from ocop.trade.tests.util import certify
from tests.browser.helpers import log_in, new_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_buyer_inquiry_answered_by_the_producer(page, world, live_server, browser, tmp_path):
    certify(world.product_a, star=4)
    producer_user = world.user("producer_a")
    producer_user.email = "htx-a@example.vn"
    producer_user.save()

    # A buyer opens the product's public page and follows "send an inquiry".
    buyer = new_page(browser, live_server.url)
    buyer.goto(reverse("catalogue:product", args=[world.product_a.pk]))
    buyer.locator(f'a[href="{reverse("trade:inquiry_new", args=[world.product_a.pk])}"]').first.click()
    buyer.wait_for_url("**" + reverse("trade:inquiry_new", args=[world.product_a.pk]))
    buyer.get_by_label("Bạn là").select_option("supermarket")
    buyer.get_by_label("Tổ chức, doanh nghiệp").fill("Siêu thị Sao Việt")
    buyer.get_by_label("Người liên hệ").fill("Trần Thu Mua")
    buyer.get_by_label("Thư điện tử").fill("thumua@saoviet.example.vn")
    # A link is refused for a visitor; what was typed stays.
    buyer.get_by_label("Nội dung yêu cầu").fill("Xem yêu cầu tại https://saoviet.example.vn/rfq")
    buyer.get_by_role("button", name="Gửi yêu cầu").click()
    buyer.get_by_text("Không chấp nhận đường liên kết").first.wait_for()
    assert buyer.get_by_label("Người liên hệ").input_value() == "Trần Thu Mua"
    buyer.screenshot(path=str(tmp_path / "inquiry-refused.png"), full_page=True)
    buyer.get_by_label("Số lượng").fill("500")
    buyer.get_by_label("Đơn vị").select_option("kg")
    buyer.get_by_label("Nội dung yêu cầu").fill("Chúng tôi cần 500 kg vải thiều mỗi tuần trong mùa vụ.")
    buyer.get_by_role("button", name="Gửi yêu cầu").click()
    buyer.locator("#inquiry-sent").wait_for()
    buyer.screenshot(path=str(tmp_path / "inquiry-sent.png"), full_page=True)
    inquiry = Inquiry.objects.get()
    assert inquiry.contact_name == "Trần Thu Mua" and inquiry.quantity == 500
    # The producer's accounts got the e-mail copy of the notification.
    assert [m.to for m in mail.outbox] == [["htx-a@example.vn"]]
    buyer.context.close()

    # Producer A logs in: the dashboard says one inquiry waits; the inbox lists it.
    log_in(page, "persona_producer_a")
    page.goto(reverse("front:dashboard"))
    page.locator("#dashboard-inquiries a").click()
    page.wait_for_url("**" + reverse("trade:inbox"))
    page.locator("#inquiries a").first.click()
    page.wait_for_url("**" + reverse("trade:inquiry_detail", args=[inquiry.pk]))
    assert "thumua@saoviet.example.vn" in page.content()
    page.get_by_label("Câu trả lời của bạn").fill("HTX Hồng Xuân giao được 500 kg mỗi tuần, giá theo mùa vụ.")
    page.get_by_role("button", name="Gửi câu trả lời").click()
    page.locator("#thread li.mine").wait_for()
    assert "HTX Hồng Xuân giao được 500 kg" in page.locator("#thread").inner_text()
    assert "Đã trả lời" in page.locator("#inquiry-status").inner_text()
    page.screenshot(path=str(tmp_path / "inquiry-answered.png"), full_page=True)

    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ANSWERED
    answer = mail.outbox[-1]
    assert answer.to == ["thumua@saoviet.example.vn"] and answer.reply_to == ["htx-a@example.vn"]
    assert "HTX Hồng Xuân giao được 500 kg" in answer.body
