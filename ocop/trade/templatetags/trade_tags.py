"""The producer dashboard's line on buyer inquiries awaiting an answer."""

from __future__ import annotations

from typing import Any

from django import template

from ocop.trade.models import Inquiry, InquiryStatus
from ocop.trade.querysets import may_read_inbox

register = template.Library()


@register.simple_tag(takes_context=True)
def unanswered_inquiries(context: template.Context) -> int | None:
    """How many inquiries to `user`'s producer await an answer; None for users without an inbox."""
    request = context.get("request")
    user: Any = getattr(request, "user", None)
    if not may_read_inbox(user):
        return None
    return Inquiry.objects.for_user(user).filter(status=InquiryStatus.NEW).count()
