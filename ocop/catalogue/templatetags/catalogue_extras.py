"""Template helpers of the public catalogue pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

IN_FORCE = ("valid", "expiring", "extended")


@register.simple_tag
def ocop_badge(best_star: int | None, star: int | None = None) -> SafeString:
    """The rating a visitor may rely on: "OCOP 4★" while a certificate is in force, else a plain warning."""
    if best_star:
        text = _("OCOP %(star)s stars") % {"star": best_star}
        return format_html(
            '<span class="ocop-badge in-force"><span aria-hidden="true">{}</span><span>{}</span></span>',
            "★" * int(best_star),
            text,
        )
    if star:
        text = _("Not OCOP any more: the %(star)s-star certificate has expired") % {"star": star}
    else:
        text = _("No OCOP certificate in force")
    return format_html('<span class="ocop-badge expired">{}</span>', text)


@register.filter
def status_class(status: Any) -> str:
    if status == "valid":
        return "badge-ok"
    if status in ("expiring", "extended"):
        return "badge-warn"
    return "badge-bad"
