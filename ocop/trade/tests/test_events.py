"""Trade events: created and published by the offices in their scope, products registered by producers,
accepted or declined by the organiser, participants listed publicly (public fields only), all audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.lib import clock
from ocop.notifications.models import Notification
from ocop.trade.models import EventStatus, Registration, RegistrationStatus, TradeEvent
from ocop.trade.tests.util import certify, make_event


def event_data(world, **overrides):
    today = clock.today()
    data = {
        "title": "Tuần lễ OCOP Bắc Ninh",
        "kind": "promotion_week",
        "province": str(world.bac_ninh.pk),
        "venue": "Trung tâm Hội nghị tỉnh, phường Kinh Bắc",
        "starts_on": (today + dt.timedelta(days=40)).isoformat(),
        "ends_on": (today + dt.timedelta(days=46)).isoformat(),
        "registration_deadline": (today + dt.timedelta(days=25)).isoformat(),
        "description": "Giới thiệu sản phẩm OCOP.",
    }
    data.update(overrides)
    return data


def test_province_office_creates_publishes_and_the_public_sees_it(world, client_for, client):
    office = client_for("province")
    response = office.post(reverse("trade:event_create"), event_data(world))
    assert response.status_code == 302
    event = TradeEvent.objects.get()
    assert event.status == EventStatus.DRAFT and not event.national and event.created_by == world.user("province")
    # A draft is not public.
    assert client.get(event.get_absolute_url()).status_code == 404
    assert "Tuần lễ OCOP Bắc Ninh" not in client.get(reverse("trade:event_list")).content.decode()
    assert "Tuần lễ OCOP Bắc Ninh" in office.get(reverse("trade:event_list")).content.decode()  # under drafts
    assert office.post(reverse("trade:event_publish", args=[event.pk])).status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    listing = client.get(reverse("trade:event_list"))
    assert [e.pk for e in listing.context["upcoming"]] == [event.pk]
    assert client.get(event.get_absolute_url()).status_code == 200
    # Audited: creation and publication.
    events = AuditEvent.objects.filter(model="trade.TradeEvent", object_id=str(event.pk))
    assert events.count() == 2


def test_province_office_is_limited_to_its_province(world, client_for):
    response = client_for("province").post(reverse("trade:event_create"), event_data(world, province=world.ha_noi.pk))
    assert response.status_code == 400
    assert "province" in response.context["form"].errors
    assert not TradeEvent.objects.exists()


def test_central_office_organises_national_events_anywhere(world, client_for):
    response = client_for("central").post(reverse("trade:event_create"), event_data(world, province=world.ha_noi.pk))
    assert response.status_code == 302
    event = TradeEvent.objects.get()
    assert event.national and event.province == world.ha_noi
    # Provincial offices do not manage a national event, even in their province.
    assert client_for("province_other").get(reverse("trade:event_edit", args=[event.pk])).status_code == 404
    event.status = EventStatus.PUBLISHED
    event.published_at = clock.now()
    event.save()
    assert client_for("province_other").get(reverse("trade:event_edit", args=[event.pk])).status_code == 403
    assert client_for("central").get(reverse("trade:event_edit", args=[event.pk])).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_on": "2020-01-01"}, "ends_on", "Sự kiện không thể kết thúc trước khi bắt đầu."),
        ({"registration_deadline": "2099-01-01"}, "registration_deadline", "Hạn đăng ký phải vào hoặc trước"),
        ({"title": ""}, "title", "Trường này là bắt buộc."),
        ({"kind": "party"}, "kind", "không phải là một trong các lựa chọn"),
    ],
)
def test_event_form_errors_keep_what_was_typed(world, client_for, overrides, field, message):
    response = client_for("province").post(reverse("trade:event_create"), event_data(world, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert "Trung tâm Hội nghị tỉnh, phường Kinh Bắc" in response.content.decode()
    assert not TradeEvent.objects.exists()


def test_new_event_cannot_start_in_the_past(world, client_for):
    past = (clock.today() - dt.timedelta(days=3)).isoformat()
    data = event_data(world, starts_on=past, ends_on=past, registration_deadline=past)
    response = client_for("province").post(reverse("trade:event_create"), data)
    assert response.status_code == 400
    assert "Sự kiện mới không thể bắt đầu trong quá khứ." in response.content.decode()


def test_registration_lifecycle(world, client_for, client):
    certify(world.product_a, star=4)
    event = make_event(world.bac_ninh)
    producer = client_for("producer_a")
    page = producer.get(event.get_absolute_url())
    assert list(page.context["form"].fields["product"].queryset) == [world.product_a]
    # Product B is not certified (not public): it cannot be registered.
    response = producer.post(reverse("trade:event_register", args=[event.pk]), {"product": world.product_b.pk})
    assert response.status_code == 400
    response = producer.post(
        reverse("trade:event_register", args=[event.pk]), {"product": world.product_a.pk, "note": "Gian hàng đôi"}
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.PENDING and registration.producer == world.producer_a
    assert Notification.objects.filter(user=world.user("province"), kind="trade.registration").exists()
    # Producer B cannot register producer A's product.
    response = client_for("producer_b").post(
        reverse("trade:event_register", args=[event.pk]), {"product": world.product_a.pk}
    )
    assert response.status_code == 400 and Registration.objects.count() == 1
    # Not listed until accepted.
    assert world.product_a.name not in client.get(event.get_absolute_url()).content.decode()
    # Producer A may not decide; another province is told it does not exist.
    decide = reverse("trade:registration_decide", args=[registration.pk])
    assert producer.post(decide, {"decision": "accepted"}).status_code == 403
    assert client_for("province_other").post(decide, {"decision": "accepted"}).status_code == 404
    assert client_for("province").post(decide, {"decision": "accepted"}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ACCEPTED and registration.decided_by == world.user("province")
    assert Notification.objects.filter(user=world.user("producer_a"), kind="trade.registration_decided").exists()
    assert AuditEvent.objects.filter(model="trade.Registration", object_id=str(registration.pk)).count() == 2
    public = client.get(event.get_absolute_url())
    text = public.content.decode()
    assert [p.pk for p in public.context["participants"]] == [world.product_a.pk]
    assert world.product_a.name in text and world.producer_a.name in text and "4 sao" in text
    # Public fields only: no phone, e-mail, street or representative of the producer.
    for private in (world.producer_a.phone, world.producer_a.email, world.producer_a.rep_name, "Thôn 1"):
        assert private not in text
    # The same product once only.
    response = producer.post(reverse("trade:event_register", args=[event.pk]), {"product": world.product_a.pk})
    assert response.status_code == 400


def test_registration_closes_at_the_deadline(world, client_for, clock):
    certify(world.product_a)
    event = make_event(world.bac_ninh)
    clock.to(event.registration_deadline + dt.timedelta(days=1))
    certify(world.product_a)
    response = client_for("producer_a").post(
        reverse("trade:event_register", args=[event.pk]), {"product": world.product_a.pk}, follow=True
    )
    assert "Đã hết hạn đăng ký tham gia sự kiện này." in response.content.decode()
    assert not Registration.objects.exists()


def test_cancelled_event_is_shown_as_cancelled(world, client_for, client):
    event = make_event(world.bac_ninh)
    client_for("province").post(reverse("trade:event_cancel", args=[event.pk]))
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert "Sự kiện này đã bị hủy." in client.get(event.get_absolute_url()).content.decode()
    response = client_for("province").post(reverse("trade:event_publish", args=[event.pk]), follow=True)
    assert "Chỉ sự kiện ở dạng bản nháp mới có thể công bố." in response.content.decode()


def test_past_and_upcoming(world, client, clock):
    old = make_event(world.bac_ninh, title="Hội chợ năm ngoái")
    clock.to(old.ends_on + dt.timedelta(days=1))
    new = make_event(world.bac_ninh, title="Hội chợ sắp tới")
    response = client.get(reverse("trade:event_list"))
    assert [e.pk for e in response.context["upcoming"]] == [new.pk]
    assert [e.pk for e in response.context["past"].object_list] == [old.pk]


def test_event_pages_query_counts_are_pinned(world, client, client_for, django_assert_max_num_queries):
    from ocop.registry.models import Product, ProductSet, ProductStatus

    fruit = ProductSet.objects.get(number=1)
    event = make_event(world.bac_ninh)
    for i in range(12):
        product = Product.objects.create(
            producer=world.producer_a, name=f"Sản phẩm {i}", product_set=fruit, status=ProductStatus.ACTIVE
        )
        certify(product, star=3 + i % 3)
        Registration.objects.create(event=event, product=product, status=RegistrationStatus.ACCEPTED)
    for i in range(8):
        make_event(world.bac_ninh, title=f"Sự kiện {i}")
    with django_assert_max_num_queries(4):
        assert client.get(reverse("trade:event_list")).status_code == 200
    with django_assert_max_num_queries(4):
        response = client.get(event.get_absolute_url())
    assert response.status_code == 200 and len(response.context["participants"]) == 12
    office = client_for("province")
    office.get(event.get_absolute_url())
    with django_assert_max_num_queries(12):
        assert office.get(event.get_absolute_url()).status_code == 200
    producer = client_for("producer_a")
    producer.get(event.get_absolute_url())
    with django_assert_max_num_queries(12):
        assert producer.get(event.get_absolute_url()).status_code == 200
