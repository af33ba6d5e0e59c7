"""The public inquiry form: valid inquiries reach the producer; every refusal says why and keeps what was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from ocop.lib import clock
from ocop.notifications.models import Notification
from ocop.trade.forms import has_link, normalise_phone
from ocop.trade.models import Inquiry, InquiryStatus
from ocop.trade.tests.util import certify


@pytest.fixture
def product(world):
    certify(world.product_a)
    world.user("producer_a").email = "htx-a@example.vn"
    world.user("producer_a").save()
    return world.product_a


def url(product) -> str:
    return reverse("trade:inquiry_new", args=[product.pk])


def valid(**overrides) -> dict[str, str]:
    data = {
        "buyer_type": "supermarket",
        "organisation": "Siêu thị Sao Việt",
        "contact_name": "Trần Thu Mua",
        "email": "thumua@saoviet.example.vn",
        "phone": "0912 345 678",
        "quantity": "500",
        "unit": "kg",
        "destination": "",
        "desired_on": (clock.today() + dt.timedelta(days=30)).isoformat(),
        "message": "Chúng tôi cần 500 kg vải thiều mỗi tuần trong mùa vụ.",
        "website": "",
    }
    data.update(overrides)
    return data


def test_form_page_is_public(client, product):
    response = client.get(url(product))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Gửi yêu cầu" in text and product.producer.name in text
    assert 'name="website"' in text  # the honeypot is there, hidden


def test_valid_inquiry_lands_in_the_inbox_with_a_notification_and_email(
    client, product, world, django_capture_on_commit_callbacks
):
    hanoi = world.ha_noi
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(product), valid(destination=str(hanoi.pk)))
    assert response.status_code == 200
    assert "Cảm ơn" in response.content.decode()
    inquiry = Inquiry.objects.get()
    assert inquiry.product == product and inquiry.producer == world.producer_a
    assert inquiry.province == world.bac_ninh and inquiry.destination == hanoi
    assert inquiry.phone == "0912345678" and inquiry.status == InquiryStatus.NEW
    note = Notification.objects.get(kind="trade.inquiry")
    assert note.user == world.user("producer_a") and note.link == inquiry.get_absolute_url()
    assert [m.to for m in mail.outbox] == [["htx-a@example.vn"]]
    # Neither the notification nor its e-mail carries the buyer's contact.
    for text in (note.title + note.body, mail.outbox[0].subject + mail.outbox[0].body):
        assert "Trần Thu Mua" not in text and "thumua@" not in text and "0912" not in text
    assert "Siêu thị" in note.body  # the type of buyer


def test_only_an_email_or_only_a_phone_is_enough(client, product):
    assert client.post(url(product), valid(phone="")).status_code == 200
    assert client.post(url(product), valid(email="", phone="+84 987 654 321")).status_code == 200
    assert sorted(Inquiry.objects.values_list("phone", flat=True)) == ["", "0987654321"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "", "phone": ""}, "email", "Hãy cho biết địa chỉ thư điện tử hoặc số điện thoại."),
        ({"email": "khong-phai-email"}, "email", "Hãy nhập một địa chỉ thư điện tử hợp lệ, ví dụ ten@congty.vn."),
        ({"phone": "12345"}, "phone", "Hãy nhập số điện thoại Việt Nam"),
        ({"phone": "0112345678"}, "phone", "Hãy nhập số điện thoại Việt Nam"),
        ({"buyer_type": ""}, "buyer_type", "Trường này là bắt buộc."),
        ({"buyer_type": "robot"}, "buyer_type", "Hãy chọn một lựa chọn hợp lệ"),
        ({"contact_name": ""}, "contact_name", "Trường này là bắt buộc."),
        ({"unit": ""}, "unit", "Hãy chọn đơn vị của số lượng."),
        ({"quantity": "0"}, "quantity", "lớn hơn hoặc bằng với 1"),
        ({"desired_on": "2000-01-01"}, "desired_on", "Ngày mong muốn không được ở trong quá khứ."),
        ({"desired_on": "2099-01-01"}, "desired_on", "Hãy chọn một ngày trong vòng hai năm tới."),
        ({"destination": "999999"}, "destination", "999999 không phải là một trong các lựa chọn"),
        ({"message": "ngắn"}, "message", "ít nhất 10 kí tự"),
        ({"message": "x" * 2001}, "message", "tối đa 2000 kí tự"),
        ({"organisation": "x" * 201}, "organisation", "tối đa 200 kí tự"),
        ({"message": "Xem giá tại https://spam.example.com nhé"}, "message", "Không chấp nhận đường liên kết"),
        ({"message": "Xem thêm ở www.rau-sach.vn nhé bạn"}, "message", "Không chấp nhận đường liên kết"),
        ({"organisation": "shop-re.com"}, "organisation", "Không chấp nhận đường liên kết"),
    ],
)
def test_each_refusal_says_why_and_keeps_what_was_typed(client, product, overrides, field, message):
    data = valid(**overrides)
    response = client.post(url(product), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert any(message in error for error in form.errors[field]), form.errors[field]
    text = response.content.decode()
    assert message.split("“")[0] in text or message in text
    # Nothing lost: the typed values come back in the form.
    assert 'value="Trần Thu Mua"' in text or field == "contact_name"
    assert "Chúng tôi cần 500 kg" in text or field == "message"
    assert not Inquiry.objects.exists()
    assert not Notification.objects.exists()


def test_signed_in_users_may_send_links(world, client_for, product):
    response = client_for("producer_b").post(url(product), valid(message="Xem hồ sơ tại https://htx-b.example.vn"))
    assert response.status_code == 200
    assert Inquiry.objects.get().sender == world.user("producer_b")


def test_honeypot_looks_like_success_but_creates_nothing(client, product):
    response = client.post(url(product), valid(website="http://spam.example.com"))
    assert response.status_code == 200
    assert "Cảm ơn" in response.content.decode()
    assert not Inquiry.objects.exists() and not Notification.objects.exists() and not mail.outbox


def test_rate_limit_per_network(client, product, settings):
    settings.TRADE_INQUIRY_IP_LIMIT = 2
    for _ in range(2):
        assert client.post(url(product), valid(), REMOTE_ADDR="203.0.113.7").status_code == 200
    # Another address of the same /24 network is the same sender.
    response = client.post(url(product), valid(contact_name="Lần Thứ Ba"), REMOTE_ADDR="203.0.113.99")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Có quá nhiều yêu cầu" in text
    assert 'value="Lần Thứ Ba"' in text  # what was typed is kept
    assert Inquiry.objects.count() == 2
    # Another network is not limited.
    assert client.post(url(product), valid(), REMOTE_ADDR="198.51.100.1").status_code == 200


def test_rate_limit_per_product(client, product, settings):
    settings.TRADE_INQUIRY_PRODUCT_LIMIT = 2
    settings.TRADE_INQUIRY_IP_LIMIT = 100
    for i in range(2):
        assert client.post(url(product), valid(), REMOTE_ADDR=f"10.{i}.0.1").status_code == 200
    assert client.post(url(product), valid(), REMOTE_ADDR="10.9.0.1").status_code == 429
    assert Inquiry.objects.count() == 2


def test_refused_submissions_do_not_count_towards_the_limit(client, product, settings):
    settings.TRADE_INQUIRY_IP_LIMIT = 1
    for _ in range(3):
        assert client.post(url(product), valid(phone="1", email="")).status_code == 400
    assert client.post(url(product), valid()).status_code == 200


def test_only_public_products_get_inquiries(client, world, product):
    # Product B has no certificate: not public.
    assert client.get(url(world.product_b)).status_code == 404
    assert client.post(url(world.product_b), valid()).status_code == 404
    assert client.get(reverse("trade:inquiry_new", args=[999999])).status_code == 404


def test_revoked_product_gets_no_inquiry(client, product):
    product.certificates.update(revoked_on=clock.today() - dt.timedelta(days=1), revocation_reason="test")
    assert client.get(url(product)).status_code == 404
    assert client.post(url(product), valid()).status_code == 404
    assert not Inquiry.objects.exists()


def test_english_interface(client, product):
    client.cookies["django_language"] = "en"
    response = client.post(url(product), valid(email="", phone=""), HTTP_ACCEPT_LANGUAGE="en")
    assert "Give an e-mail address or a phone number." in response.content.decode()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(024) 3825 1234", "02438251234"),
        ("0312345678", "0312345678"),
        ("091234567", None),
        ("0612345678", None),
        ("09123456789", None),
        ("abc", None),
    ],
)
def test_phone_numbers(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://a.b", True),
        ("HTTPS://X.VN", True),
        ("www.example", True),
        ("mua-ban.vn", True),
        ('<a href="x">', True),
        ("[url=x]", True),
        ("Giao 5 tấn tại TP. Hồ Chí Minh.", False),
        ("Giá 1.500.000 đồng/tấn, v.v.", False),
    ],
)
def test_links(text, expected):
    assert has_link(text) is expected
