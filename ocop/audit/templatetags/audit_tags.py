from __future__ import annotations

from django import template
from django.apps import apps
from django.utils.text import capfirst

register = template.Library()


@register.filter
def record_type(label: str) -> str:
    """'registry.Producer' → 'Producer' in the current language; unknown labels are shown as they are."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return capfirst(str(model._meta.verbose_name))
