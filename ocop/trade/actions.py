"""Trade workflows: an inquiry and its answers, trade events and the products registered for them.

Each function changes the data and sends what follows from it (the producer's notification, the buyer's
e-mail), so a view, a command and a test call the same thing. Mail goes out from the background worker once
the transaction has committed: a request never waits for the mail server, and a rolled-back change sends
nothing. Nothing here logs a buyer's contact details.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ocop.lib import clock
from ocop.notifications.actions import deliver_after_commit, notify
from ocop.trade.models import (
    Inquiry,
    InquiryStatus,
    Registration,
    RegistrationStatus,
    Reply,
    TradeEvent,
)


class TradeError(Exception):
    """A step refused for a reason the user is shown (already translated)."""


def _producer_users(producer_id: int) -> Any:
    from ocop.accounts.models import Role, User

    return User.objects.filter(producer_id=producer_id, role=Role.PRODUCER, is_active=True)


# --- Inquiries -----------------------------------------------------------------------------------------
def submit_inquiry(product: Any, data: dict[str, Any], *, sender: Any = None, language: str = "vi") -> Inquiry:
    """Record a buyer's inquiry about `product` and tell the producer's accounts (in the inbox and by e-mail).

    The notification names the product, the kind of buyer and the quantity, never the buyer's contact: the
    notification and its e-mail outlive the inquiry's retention period.
    """
    with transaction.atomic():
        inquiry = Inquiry.objects.create(
            product=product,
            buyer_type=data["buyer_type"],
            organisation=data.get("organisation", ""),
            contact_name=data.get("contact_name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            quantity=data.get("quantity"),
            unit=data.get("unit", "") if data.get("quantity") else "",
            destination=data.get("destination"),
            desired_on=data.get("desired_on"),
            message=data.get("message", ""),
            language=(language or "vi")[:10],
            sender=sender if sender is not None and sender.is_authenticated else None,
        )
        with translation.override(settings.LANGUAGE_CODE):
            title = _("New buyer inquiry about %(product)s") % {"product": product.name}
            lines = [_("Type of buyer: %(type)s") % {"type": inquiry.get_buyer_type_display()}]
            if inquiry.quantity:
                lines.append(
                    _("Quantity: %(quantity)s %(unit)s")
                    % {"quantity": inquiry.quantity, "unit": inquiry.get_unit_display()}
                )
            if inquiry.destination_id:
                lines.append(_("Destination: %(province)s") % {"province": inquiry.destination.name})
            lines.append(_("Read and answer it on the platform."))
        made = notify(
            _producer_users(product.producer_id),
            kind="trade.inquiry",
            title=title,
            body="\n".join(lines),
            link=inquiry.get_absolute_url(),
        )
        deliver_after_commit(made)
    return inquiry


def answer_inquiry(inquiry: Inquiry, body: str, *, author: Any) -> Reply:
    """Store the producer's answer in the thread and e-mail it to the buyer (when they gave an address)."""
    if inquiry.erased_at is not None or inquiry.status == InquiryStatus.SPAM:
        raise TradeError(_("This inquiry can no longer be answered."))
    now = clock.now()
    with transaction.atomic():
        reply = Reply.objects.create(inquiry=inquiry, author=author, body=body, created_at=now)
        fields = ["last_activity_at"]
        inquiry.last_activity_at = now
        if inquiry.first_answered_at is None:
            inquiry.first_answered_at = now
            fields.append("first_answered_at")
        if inquiry.status != InquiryStatus.ANSWERED:
            inquiry.status = InquiryStatus.ANSWERED
            fields.append("status")
        inquiry.save(update_fields=fields)
        if inquiry.email:
            reply_id = reply.pk

            def enqueue() -> None:
                from ocop.trade.tasks import send_answer

                send_answer.enqueue(reply_id)

            transaction.on_commit(enqueue)
    return reply


def answer_email(reply: Reply) -> tuple[str, str]:
    """(subject, text) of the e-mail carrying `reply` to the buyer, in the buyer's language."""
    inquiry = reply.inquiry
    product = inquiry.product
    with translation.override(inquiry.language or settings.LANGUAGE_CODE):
        subject = _("Answer from %(producer)s about %(product)s") % {
            "producer": product.producer.name,
            "product": product.name,
        }
        quoted = "\n".join(f"> {line}" for line in inquiry.message.splitlines())
        text = "\n\n".join(
            [
                reply.body,
                "—",
                _("%(producer)s answers your inquiry about %(product)s sent on %(day)s:")
                % {
                    "producer": product.producer.name,
                    "product": product.name,
                    "day": date_format(timezone.localtime(inquiry.created_at).date(), "SHORT_DATE_FORMAT"),
                },
                quoted,
                _("Reply to this e-mail to write to the producer."),
            ]
        )
    return subject, text


def deliver_answer(reply_id: int) -> bool:
    """Send one answer's e-mail; claimed with a conditional UPDATE so it never goes out twice."""
    import logging

    from django.core.mail import EmailMessage

    logger = logging.getLogger(__name__)
    stamp = clock.now()
    with transaction.atomic():
        claimed = Reply.objects.filter(pk=reply_id, emailed_at__isnull=True).update(emailed_at=stamp)
    if not claimed:
        return False
    reply = Reply.objects.select_related("inquiry__product__producer", "author").get(pk=reply_id)
    inquiry = reply.inquiry
    if not inquiry.email:
        return False
    subject, text = answer_email(reply)
    reply_to = [reply.author.email] if reply.author is not None and reply.author.email else None
    try:
        EmailMessage("[OCOP] " + subject, text, settings.DEFAULT_FROM_EMAIL, [inquiry.email], reply_to=reply_to).send()
    except Exception:  # noqa: BLE001 - any mail failure: release the answer for another attempt
        # Only the row's id: the address is personal data and stays out of the logs.
        logger.exception("e-mail of inquiry answer %s failed", reply_id)
        Reply.objects.filter(pk=reply_id).update(emailed_at=None)
        return False
    return True


def set_inquiry_status(inquiry: Inquiry, status: str) -> Inquiry:
    if inquiry.erased_at is not None:
        raise TradeError(_("This inquiry can no longer be changed."))
    if status == InquiryStatus.NEW and inquiry.first_answered_at is not None:
        status = InquiryStatus.ANSWERED  # reopening an answered inquiry keeps it answered
    inquiry.status = status
    inquiry.last_activity_at = clock.now()
    inquiry.save(update_fields=["status", "last_activity_at"])
    return inquiry


def erase_personal_data(*, older_than_days: int, now: dt.datetime | None = None) -> int:
    """Blank the buyer's personal data of inquiries inactive for `older_than_days`; returns how many.

    What the statistics count stays: product, province, type of buyer, quantity, destination and dates.
    """
    now = now or clock.now()
    cutoff = now - dt.timedelta(days=older_than_days)
    stale = Inquiry.objects.filter(last_activity_at__lt=cutoff, erased_at__isnull=True)
    with transaction.atomic():
        ids = list(stale.values_list("pk", flat=True))
        Reply.objects.filter(inquiry_id__in=ids).update(body="")
        count = Inquiry.objects.filter(pk__in=ids).update(
            organisation="", contact_name="", email="", phone="", message="", sender=None, erased_at=now
        )
    return count


# --- Trade events --------------------------------------------------------------------------------------
def create_event(data: dict[str, Any], *, user: Any) -> TradeEvent:
    """A new draft event. Organised by the central office (national) or by the user's provincial office."""
    from ocop.accounts.models import Role

    event = TradeEvent(**data)
    event.national = user.role in (Role.CENTRAL, Role.ADMIN)
    event.created_by = user
    event.save()
    return event


def publish_event(event: TradeEvent) -> TradeEvent:
    from ocop.trade.models import EventStatus

    if event.status != EventStatus.DRAFT:
        raise TradeError(_("Only a draft event can be published."))
    event.status = EventStatus.PUBLISHED
    event.published_at = clock.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    return event


def cancel_event(event: TradeEvent) -> TradeEvent:
    from ocop.trade.models import EventStatus

    if event.status == EventStatus.CANCELLED:
        raise TradeError(_("This event is already cancelled."))
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    return event


def register_product(event: TradeEvent, product: Any, *, user: Any, note: str = "") -> Registration:
    """Register `product` for `event` (the caller has checked the product is the user's and public)."""
    if not event.registration_open():
        raise TradeError(_("Registration for this event is closed."))
    if Registration.objects.filter(event=event, product=product).exists():
        raise TradeError(_("This product is already registered for the event."))
    with transaction.atomic():
        registration = Registration.objects.create(event=event, product=product, note=note, registered_by=user)
        organisers = _organisers(event)
        with translation.override(settings.LANGUAGE_CODE):
            title = _("%(product)s registered for %(event)s") % {"product": product.name, "event": event.title}
        deliver_after_commit(notify(organisers, kind="trade.registration", title=title, link=event.get_absolute_url()))
    return registration


def _organisers(event: TradeEvent) -> Any:
    from ocop.accounts.models import Role, User

    if event.national:
        return User.objects.filter(role=Role.CENTRAL, is_active=True)
    return User.objects.filter(role=Role.PROVINCE, province_id=event.province_id, is_active=True)


def decide_registration(registration: Registration, *, accept: bool, user: Any) -> Registration:
    registration.status = RegistrationStatus.ACCEPTED if accept else RegistrationStatus.DECLINED
    registration.decided_by = user
    registration.decided_at = clock.now()
    with transaction.atomic():
        registration.save(update_fields=["status", "decided_by", "decided_at"])
        event = registration.event
        with translation.override(settings.LANGUAGE_CODE):
            if accept:
                title = _("%(product)s was accepted for %(event)s")
            else:
                title = _("%(product)s was declined for %(event)s")
            title = title % {"product": registration.product.name, "event": event.title}
        deliver_after_commit(
            notify(
                _producer_users(registration.producer_id),
                kind="trade.registration_decided",
                title=title,
                link=reverse("trade:event_detail", args=[event.pk]),
            )
        )
    return registration
