"""Sending notifications: stored for the inbox first, then copied by e-mail.

`notify()` writes the notifications (inside the caller's transaction, so a
reminder and its notifications are recorded together or not at all);
`deliver_emails()` sends the e-mail copies of notifications not sent yet. The
two are separate on purpose: mail is not transactional, so it goes out only
after the notifications are committed, and one that fails stays pending for
the next sweep instead of being lost or sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation

from ocop.lib import clock
from ocop.notifications.models import Notification

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[OCOP] "


def _safe_link(link: str) -> str:
    # Only paths inside the platform: the inbox turns links into redirects,
    # which must never lead to another site.
    return link if link.startswith("/") and not link.startswith("//") else ""


def notify(users: Iterable[Any], *, kind: str, title: str, body: str = "", link: str = "") -> list[Notification]:
    """One notification per active user (duplicates in `users` count once)."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                user=user,
                kind=kind,
                title=title[:250],
                body=body,
                link=_safe_link(link)[:500],
                email_to=user.email or "",
            )
        )
    return Notification.objects.bulk_create(rows)


def _email_text(notification: Notification) -> str:
    text = notification.body
    if notification.link:
        base = getattr(settings, "SITE_URL", "").rstrip("/")
        text = f"{text}\n\n{base}{notification.link}" if text else f"{base}{notification.link}"
    return text


def deliver_emails(notifications: Iterable[Notification] | None = None) -> int:
    """Send the e-mail copies still pending (of `notifications`, or all of them); returns how many went out.

    Each notification is claimed with a conditional UPDATE before its mail is
    sent, so two sweeps running at once never send the same one twice. A
    failed delivery is released for the next sweep.
    """
    if notifications is None:
        pending = list(Notification.objects.email_pending().order_by("pk")[:1000])
    else:
        pending = [n for n in notifications if n.emailed_at is None and n.email_to]
    sent = 0
    for notification in pending:
        stamp = clock.now()
        with transaction.atomic():
            claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=stamp)
        if not claimed:
            continue
        try:
            send_mail(
                SUBJECT_PREFIX + notification.title,
                _email_text(notification),
                settings.DEFAULT_FROM_EMAIL,
                [notification.email_to],
            )
        except Exception:  # noqa: BLE001 - any mail failure: keep the notification pending and go on
            logger.exception("e-mail of notification %s to user %s failed", notification.pk, notification.user_id)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            continue
        notification.emailed_at = stamp
        sent += 1
    return sent


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(user: Any) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=clock.now())


def unread_count(user: Any) -> int:
    return Notification.objects.for_user(user).unread().count()


def deliver_after_commit(notifications: Iterable[Notification]) -> None:
    """Send the e-mail copies from the background worker once the caller's transaction has committed.

    A web request never waits for the mail server; if the transaction rolls
    back, nothing is sent (and the notifications do not exist).
    """
    ids = [n.pk for n in notifications if n.email_to]
    if not ids:
        return

    def enqueue() -> None:
        from ocop.notifications.tasks import send_emails

        send_emails.enqueue(ids)

    transaction.on_commit(enqueue)


def notify_once(
    mark_sent: Callable[[], Any],
    *,
    users: Callable[[], Iterable[Any]],
    kind: str,
    message: Callable[[], tuple[str, str]],
    link: str,
) -> list[Notification] | None:
    """Send a reminder at most once: `mark_sent()` creates the row whose unique key says it was sent.

    The row and the notifications are written in one transaction, so running a
    daily sweep twice (or two sweeps at once) sends each reminder once; the
    second attempt hits the unique key and returns None. Stored texts are in
    the platform's default language, whoever triggers the sweep.
    """
    try:
        with transaction.atomic():
            record = mark_sent()
            with translation.override(settings.LANGUAGE_CODE):
                title, body = message()
            made = notify(users(), kind=kind, title=title, body=body, link=link)
            record.recipients = len(made)
            record.save(update_fields=["recipients"])
    except IntegrityError:
        return None
    return made
