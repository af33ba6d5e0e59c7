"""The inbox link with its unread count, shown next to the dashboard link in the navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocop.notifications.actions import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_link(context: template.Context) -> SafeString | str:
    """A link to the inbox; a badge carries the number of unread notifications when there are any."""
    request = context.get("request")
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    count = unread_count(user)
    current = (
        ' aria-current="page"' if getattr(request.resolver_match, "view_name", "") == "notifications:inbox" else ""
    )
    if not count:
        return format_html(
            '<a class="nav-inbox" href="{}"{}><span aria-hidden="true">✉</span><span class="sr-only">{}</span></a>',
            reverse("notifications:inbox"),
            SafeString(current),
            _("Notifications"),
        )
    text = ngettext("%(n)s unread notification", "%(n)s unread notifications", count) % {"n": count}
    return format_html(
        '<a class="nav-inbox" href="{}"{} title="{}">'
        '<span aria-hidden="true">✉ <span class="nav-badge">{}</span></span><span class="sr-only">{}</span></a>',
        reverse("notifications:inbox"),
        SafeString(current),
        text,
        count if count < 100 else "99+",
        text,
    )
