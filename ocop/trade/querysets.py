"""Who may read inquiries, count them, and run trade events: the one place that decides.

- An inquiry is read only by the accounts of the producer it is addressed to. Nobody else — not an office,
  not an administrator — reads a buyer's contact details (like the notification inbox).
- The offices count inquiries: a provincial office those about the products of its province, the central
  office (and administrators) all of them. Counting never reaches the contact fields (see stats.py).
- Events: the central office organises national events, a provincial office those held in its province;
  administrators may act on all. Anybody reads published events; drafts only their organisers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from ocop.accounts.models import Role


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def inquirable_products() -> models.QuerySet[Any]:
    """Products a buyer may ask about: exactly those the public catalogue shows.

    The catalogue decides (`ocop.catalogue.querysets.public_products`): a product whose most recent
    certificate was revoked, with none in force, is not public and gets no inquiries.
    """
    from ocop.catalogue.querysets import public_products

    return public_products()


def may_read_inbox(user: Any) -> bool:
    return _active(user) and user.role == Role.PRODUCER and user.producer_id is not None


def may_read_stats(user: Any) -> bool:
    if not _active(user):
        return False
    return user.role in (Role.ADMIN, Role.CENTRAL) or (user.role == Role.PROVINCE and user.province_id is not None)


def may_create_events(user: Any) -> bool:
    return may_read_stats(user)


class InquiryQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def for_user(self, user: Any) -> InquiryQuerySet:
        """Inquiries `user` may read (with the buyer's contact): those addressed to their own producer."""
        if not may_read_inbox(user):
            return self.none()
        return self.filter(producer_id=user.producer_id)

    def editable_by(self, user: Any) -> InquiryQuerySet:
        return self.for_user(user)

    def countable_by(self, user: Any) -> InquiryQuerySet:
        """Inquiries an office counts in its statistics (never to be listed with their contact fields)."""
        if not may_read_stats(user):
            return self.none()
        if user.role == Role.PROVINCE:
            return self.filter(province_id=user.province_id)
        return self

    def received_since(self, moment: dt.datetime) -> InquiryQuerySet:
        return self.filter(created_at__gte=moment)


class EventQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def public(self) -> EventQuerySet:
        from ocop.trade.models import EventStatus

        return self.filter(status__in=(EventStatus.PUBLISHED, EventStatus.CANCELLED), published_at__isnull=False)

    def editable_by(self, user: Any) -> EventQuerySet:
        """Events `user` organises: national ones for the central office, its province's for a provincial one."""
        if not _active(user):
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.CENTRAL:
            return self.filter(national=True)
        if user.role == Role.PROVINCE and user.province_id:
            return self.filter(national=False, province_id=user.province_id)
        return self.none()

    def for_user(self, user: Any) -> EventQuerySet:
        """Published (or cancelled after publication) events, and the drafts `user` organises."""
        mine = self.editable_by(user).values("pk")
        return self.filter(models.Q(pk__in=self.public().values("pk")) | models.Q(pk__in=mine))


class RegistrationQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def decidable_by(self, user: Any) -> RegistrationQuerySet:
        """Registrations for the events `user` organises."""
        from ocop.trade.models import TradeEvent

        return self.filter(event__in=TradeEvent.objects.editable_by(user))

    def for_user(self, user: Any) -> RegistrationQuerySet:
        """A producer's own registrations, and those of the events `user` organises."""
        if not _active(user):
            return self.none()
        if user.role == Role.PRODUCER:
            return self.filter(producer_id=user.producer_id) if user.producer_id else self.none()
        return self.decidable_by(user)
