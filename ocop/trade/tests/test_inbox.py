"""The producer's inbox: scope, answers e-mailed to the buyer, closing and spam, retention of personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.lib import clock
from ocop.testing import login
from ocop.trade.actions import erase_personal_data
from ocop.trade.models import Inquiry, InquiryStatus, Reply
from ocop.trade.tests.util import BUYER_EMAIL, BUYER_PHONE, certify, make_inquiry


@pytest.fixture
def inquiry(world):
    certify(world.product_a)
    return make_inquiry(world.product_a)


def test_producer_reads_its_inquiry_with_the_contact(client_for, inquiry):
    client = client_for("producer_a")
    inbox = client.get(reverse("trade:inbox"))
    assert inbox.status_code == 200
    assert reverse("trade:inquiry_detail", args=[inquiry.pk]) in inbox.content.decode()
    text = client.get(reverse("trade:inquiry_detail", args=[inquiry.pk])).content.decode()
    assert BUYER_EMAIL in text and BUYER_PHONE in text and "Người Mua Thử" in text


@pytest.mark.parametrize(
    "persona", ["producer_b", "producer_pending", "admin", "central", "province", "province_other", "commune"]
)
def test_nobody_else_reads_it(client_for, inquiry, persona):
    client = client_for(persona)
    assert client.get(reverse("trade:inquiry_detail", args=[inquiry.pk])).status_code == 404
    response = client.post(reverse("trade:inquiry_answer", args=[inquiry.pk]), {"body": "Xin chào"})
    assert response.status_code == 404
    assert not Reply.objects.exists()
    inbox = client.get(reverse("trade:inbox"))
    assert BUYER_EMAIL not in inbox.content.decode()


def test_producer_b_inbox_does_not_list_producer_a_inquiries(client_for, inquiry):
    response = client_for("producer_b").get(reverse("trade:inbox"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


def test_answer_is_stored_and_emailed_to_the_buyer(world, client_for, inquiry, django_capture_on_commit_callbacks):
    user = world.user("producer_a")
    user.email = "hoa@htx-a.example.vn"
    user.save()
    client = client_for("producer_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("trade:inquiry_answer", args=[inquiry.pk]), {"body": "HTX có thể giao 500 kg mỗi tuần."}
        )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ANSWERED and inquiry.first_answered_at is not None
    reply = Reply.objects.get()
    assert reply.author == user and reply.emailed_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [BUYER_EMAIL] and message.reply_to == ["hoa@htx-a.example.vn"]
    assert message.subject.startswith("[OCOP] Trả lời của HTX Persona A về Vải thiều A")
    assert "HTX có thể giao 500 kg mỗi tuần." in message.body
    assert "> Cần báo giá 500 kg" in message.body  # the buyer's message quoted
    page = client.get(reverse("trade:inquiry_detail", args=[inquiry.pk])).content.decode()
    assert "HTX có thể giao 500 kg mỗi tuần." in page
    # A second answer goes to the thread too; the first answer time stays.
    first = inquiry.first_answered_at
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("trade:inquiry_answer", args=[inquiry.pk]), {"body": "Bổ sung: giá đã gồm vận chuyển."})
    inquiry.refresh_from_db()
    assert inquiry.first_answered_at == first and Reply.objects.count() == 2 and len(mail.outbox) == 2


def test_answer_email_never_sent_twice(inquiry, world, django_capture_on_commit_callbacks):
    from ocop.trade.actions import answer_inquiry, deliver_answer

    with django_capture_on_commit_callbacks(execute=True):
        reply = answer_inquiry(inquiry, "Đã nhận.", author=world.user("producer_a"))
    assert len(mail.outbox) == 1
    assert deliver_answer(reply.pk) is False
    assert len(mail.outbox) == 1


def test_answer_without_email_is_kept_and_not_mailed(client_for, world, django_capture_on_commit_callbacks):
    certify(world.product_a)
    phone_only = make_inquiry(world.product_a, email="")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("producer_a").post(
            reverse("trade:inquiry_answer", args=[phone_only.pk]), {"body": "Sẽ gọi lại."}, follow=True
        )
    assert "hãy gọi điện cho người mua" in response.content.decode()
    assert Reply.objects.filter(inquiry=phone_only).exists() and not mail.outbox


def test_empty_answer_is_refused_with_a_reason(client_for, inquiry):
    response = client_for("producer_a").post(reverse("trade:inquiry_answer", args=[inquiry.pk]), {"body": ""})
    assert response.status_code == 400
    assert "Trường này là bắt buộc." in response.content.decode()
    assert not Reply.objects.exists()


def test_close_spam_and_reopen(client_for, inquiry):
    client = client_for("producer_a")
    url = reverse("trade:inquiry_status", args=[inquiry.pk])
    assert client.post(url, {"status": "closed"}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.CLOSED
    client.post(url, {"status": "spam"})
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.SPAM
    # A spam inquiry cannot be answered.
    response = client.post(reverse("trade:inquiry_answer", args=[inquiry.pk]), {"body": "Trả lời"})
    assert response.status_code == 400 and not Reply.objects.exists()
    client.post(url, {"status": "new"})
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.NEW
    # Anything else is refused with a message, nothing changes.
    response = client.post(url, {"status": "deleted"}, follow=True)
    assert "Hãy chọn cách xử lý yêu cầu." in response.content.decode()


def test_inbox_filter(client_for, world, inquiry):
    make_inquiry(world.product_a, status=InquiryStatus.CLOSED, contact_name="Người Đã Đóng")
    response = client_for("producer_a").get(reverse("trade:inbox"), {"status": "closed"})
    assert [i.contact_name for i in response.context["page"].object_list] == ["Người Đã Đóng"]
    assert response.context["counts"] == {"new": 1, "all": 2}


def test_inbox_query_count_is_pinned(client_for, world, django_assert_max_num_queries):
    certify(world.product_a)
    for i in range(30):
        make_inquiry(world.product_a, contact_name=f"Người mua {i}", destination=world.ha_noi)
    client = client_for("producer_a")
    client.get(reverse("trade:inbox"))
    # session, user, idle stamp (3), unread notifications in the menu; counts, page count, page rows.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("trade:inbox")).status_code == 200


def test_inquiry_detail_query_count_is_pinned(client_for, world, inquiry, django_assert_max_num_queries):
    for i in range(5):
        Reply.objects.create(inquiry=inquiry, author=world.user("producer_a"), body=f"Trả lời {i}")
    client = client_for("producer_a")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("trade:inquiry_detail", args=[inquiry.pk])).status_code == 200


def test_inquiries_stay_out_of_the_audit_log(world, client, django_capture_on_commit_callbacks):
    certify(world.product_a)
    before = AuditEvent.objects.count()
    client.post(
        reverse("trade:inquiry_new", args=[world.product_a.pk]),
        {"buyer_type": "other", "contact_name": "Ẩn Danh", "email": "an@example.vn", "message": "Cần mua thử hàng."},
    )
    assert Inquiry.objects.count() == 1
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(model__icontains="inquiry").exists()


def test_personal_data_is_erased_after_the_retention_period(world, inquiry, settings):
    Reply.objects.create(inquiry=inquiry, author=world.user("producer_a"), body="Gọi số 0912345678 nhé")
    recent = make_inquiry(world.product_a, contact_name="Người Mới")
    old = clock.now() - dt.timedelta(days=800)
    Inquiry.objects.filter(pk=inquiry.pk).update(last_activity_at=old, first_answered_at=old)
    assert erase_personal_data(older_than_days=730) == 1
    inquiry.refresh_from_db()
    assert inquiry.erased_at is not None
    assert (inquiry.contact_name, inquiry.email, inquiry.phone, inquiry.message, inquiry.organisation) == ("",) * 5
    assert inquiry.buyer_type == "supermarket" and inquiry.quantity == 500  # figures stay
    assert Reply.objects.get(inquiry=inquiry).body == ""
    recent.refresh_from_db()
    assert recent.contact_name == "Người Mới" and recent.erased_at is None
    # The producer still opens it; nothing personal shows and it can no longer be answered.
    client = login(Client(), world.user("producer_a"))
    text = client.get(reverse("trade:inquiry_detail", args=[inquiry.pk])).content.decode()
    assert BUYER_EMAIL not in text and "Người Mua Thử" not in text
    assert "đã được xóa khi hết thời hạn lưu giữ" in text


def test_purge_command(world, inquiry, capsys):
    Inquiry.objects.filter(pk=inquiry.pk).update(last_activity_at=clock.now() - dt.timedelta(days=40))
    call_command("purge_inquiries", "--days", "60")
    inquiry.refresh_from_db()
    assert inquiry.erased_at is None
    call_command("purge_inquiries", "--days", "30")
    inquiry.refresh_from_db()
    assert inquiry.erased_at is not None and inquiry.email == ""
    assert "1 inquiries erased" in capsys.readouterr().out


def test_the_scheduler_purges_inquiries_daily(world, inquiry, settings):
    from django.utils.module_loading import import_string

    from ocop.notifications.schedule import DAILY_TASKS

    assert "ocop.trade.tasks.purge_inquiries" in DAILY_TASKS
    task = import_string("ocop.trade.tasks.purge_inquiries")
    Inquiry.objects.filter(pk=inquiry.pk).update(last_activity_at=clock.now() - dt.timedelta(days=10_000))
    recent = make_inquiry(world.product_a, contact_name="Người Mới")
    assert task.call(clock.today().isoformat()) == 1
    inquiry.refresh_from_db()
    recent.refresh_from_db()
    assert inquiry.erased_at is not None and inquiry.email == ""
    assert recent.erased_at is None
