"""Messages to users: in the application (the inbox) and by e-mail.

A notification is written once, in the language of the programme
(Vietnamese), and read by one user. Its e-mail copy is sent after the
notification is stored; `emailed_at` says it went out, so a failed delivery is
retried by the next sweep and a delivered one is never sent twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocop.lib import clock


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: Any) -> NotificationQuerySet:
        """A user's own notifications: nobody reads another person's inbox, not even an administrator."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def email_pending(self) -> NotificationQuerySet:
        return self.filter(emailed_at__isnull=True, email_to__gt="")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # What the message is about, for filtering and tests: "certificate.window_opens", …
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("message"), blank=True)
    # A path inside the platform (never an outside address).
    link = models.CharField(_("link"), max_length=500, blank=True)
    # On the platform's clock, like the reminders that make most notifications.
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The address the e-mail copy goes to, taken when the notification is made
    # (empty: the user has no address, no e-mail is sent).
    email_to = models.EmailField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
