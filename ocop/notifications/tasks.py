"""Background tasks of the notifications: the e-mail copies."""

from __future__ import annotations

from django_tasks import task


@task()
def send_emails(notification_ids: list[int]) -> int:
    from ocop.notifications.actions import deliver_emails
    from ocop.notifications.models import Notification

    return deliver_emails(Notification.objects.filter(pk__in=notification_ids).order_by("pk"))


@task()
def send_pending_emails(day: str | None = None) -> int:
    """Retry the e-mail copies that could not be sent (daily; `day` is unused, the scheduler passes it)."""
    from ocop.notifications.actions import deliver_emails

    return deliver_emails()
