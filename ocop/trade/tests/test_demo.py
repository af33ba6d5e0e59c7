"""The demo's trade part: an upcoming fair in Bắc Ninh with participants, inquiries on the Lục Ngạn lychee."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from ocop.accounts.models import User
from ocop.testing import login
from ocop.trade.models import EventStatus, Inquiry, InquiryStatus, Registration, Reply, TradeEvent


def test_demo_trade_part_is_loaded_once(db):
    from ocop.demo.loader import load

    summary = load()
    assert summary.created["trade_events"] == 1 and summary.created["trade_inquiries"] == 3
    fair = TradeEvent.objects.get()
    assert fair.status == EventStatus.PUBLISHED and fair.province.name == "Bắc Ninh" and fair.kind == "trade_fair"
    assert Registration.objects.filter(event=fair, status="accepted").count() >= 3
    inquiries = Inquiry.objects.filter(product__name="Vải thiều Lục Ngạn")
    assert inquiries.count() == 3
    assert inquiries.filter(status=InquiryStatus.ANSWERED).count() == 1 and Reply.objects.count() == 1
    again = load()
    assert not again.created.get("trade_events") and not again.created.get("trade_inquiries")
    assert TradeEvent.objects.count() == 1 and Inquiry.objects.count() == 3

    # The cooperative reads them; the public sees the fair and its participants.
    client = login(Client(), User.objects.get(username="demo_hongxuan"))
    assert len(client.get(reverse("trade:inbox")).context["page"].object_list) == 3
    public = Client().get(fair.get_absolute_url())
    assert "Vải thiều Lục Ngạn" in public.content.decode()
