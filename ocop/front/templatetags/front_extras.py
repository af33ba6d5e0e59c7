from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def stars(count: int) -> str:
    """'★★★' for 3: decoration only, templates mark it aria-hidden and say the number in words."""
    try:
        return "★" * max(0, min(int(count), 5))
    except (TypeError, ValueError):
        return ""
