"""Small template helpers of the registry pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def stars(count: int | None) -> SafeString:
    """★ characters for a star rating, with a text alternative for screen readers."""
    if not count:
        return format_html('<span class="muted">{}</span>', _("none"))
    text = ngettext("%(n)s star", "%(n)s stars", count) % {"n": count}
    return format_html(
        '<span class="stars" aria-hidden="true" title="{}">{}</span><span class="sr-only">{}</span>',
        text,
        "★" * int(count),
        text,
    )


@register.filter
def local_name(obj: Any) -> str:
    """A taxonomy entry's name in the interface language (the official Vietnamese one by default)."""
    if obj is None:
        return ""
    if (get_language() or "vi").startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, key: str, label: str) -> SafeString:
    """A sortable column header: a link that toggles the order, with aria-sort for assistive technology."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        params["sort"], state = f"-{key}", "ascending"
    elif current == f"-{key}":
        params["sort"], state = key, "descending"
    else:
        params["sort"], state = key, ""
    arrow = {"ascending": " ▲", "descending": " ▼"}.get(state, "")
    if state:
        return format_html(
            '<th scope="col" aria-sort="{}"><a href="?{}">{}</a><span aria-hidden="true">{}</span></th>',
            state,
            params.urlencode(),
            label,
            arrow,
        )
    return format_html('<th scope="col"><a href="?{}">{}</a></th>', params.urlencode(), label)


@register.inclusion_tag("registry/_expiry.html")
def expiry_badge(document: Any) -> dict[str, Any]:
    return {"document": document}
