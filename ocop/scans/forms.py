"""Forms of the scan pages: the consumer's province, a report of a suspected fake, an office's finding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ocop.geo.models import AdminUnit
from ocop.lib.text import fold
from ocop.scans import pagecache
from ocop.scans.models import AlertStatus

PLACE_SALT = "ocop.scans.place"
REPORT_SALT = "ocop.scans.report"
# A report form stays usable for a day after the page was shown.
REPORT_MAX_AGE = 24 * 60 * 60


def place_token(scan_id: int) -> str:
    return signing.dumps(scan_id, salt=PLACE_SALT, compress=False)


def report_token(*, code: str, stamp_id: int | None, lot_id: int | None, product_id: int | None) -> str:
    return signing.dumps({"c": code[:300], "s": stamp_id, "l": lot_id, "p": product_id}, salt=REPORT_SALT)


def _short_name(name: str) -> str:
    return name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


class PlaceForm(forms.Form):
    """Where the consumer is: a coarse position from the browser (with consent) or a province they pick."""

    token = forms.CharField(widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    province = forms.ModelChoiceField(
        queryset=AdminUnit.objects.current().provinces().order_by("name"),
        required=False,
        label=_("Your province"),
        empty_label=_("Choose your province"),
    )

    def __init__(self, *args: Any, max_age: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_age = max_age
        # Listed as people look for them: "Thành phố Hà Nội" under H, in Vietnamese alphabetical order.
        # Kept in the cache per language (`pagecache`): the list changes only with the administrative map.
        field = self.fields["province"]

        def build() -> list[tuple[Any, str]]:
            units = sorted(field.queryset, key=lambda unit: fold(_short_name(unit.name)))
            return [("", str(field.empty_label)), *((unit.pk, unit.name) for unit in units)]

        field.choices = pagecache.province_choices(get_language() or "", build)

    def clean_token(self) -> int:
        try:
            return int(signing.loads(self.cleaned_data["token"], salt=PLACE_SALT, max_age=self.max_age))
        except (signing.BadSignature, TypeError, ValueError):
            raise forms.ValidationError(
                _("This page is too old to record your province: scan the stamp again."), code="token"
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_position = data.get("lat") is not None and data.get("lon") is not None
        if not has_position and data.get("province") is None and not self.errors:
            raise forms.ValidationError(_("Choose your province, or share your location."), code="no_place")
        return data


class ReportForm(forms.Form):
    """A consumer's report of a suspected fake. Nothing is required but the description."""

    token = forms.CharField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("What looks wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: where you bought it, what differs from the genuine product."),
    )
    contact = forms.CharField(
        label=_("Your phone or e-mail (optional)"),
        max_length=200,
        required=False,
        help_text=_("Only if you agree to be contacted about this report. It is never published."),
    )
    # A field people never see (hidden by the style sheet and from screen readers); robots fill it in.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def clean_token(self) -> dict[str, Any]:
        try:
            value = signing.loads(self.cleaned_data["token"], salt=REPORT_SALT, max_age=REPORT_MAX_AGE)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This page is too old to send a report: scan the stamp again."), code="token"
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("This page is too old to send a report: scan the stamp again."))
        return value

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


class AlertHandleForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Finding"),
        choices=[
            (AlertStatus.DISMISSED, AlertStatus.DISMISSED.label),
            (AlertStatus.CONFIRMED, AlertStatus.CONFIRMED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All"))] + list(AlertStatus.choices))
    rule = forms.ChoiceField(label=_("Rule"), required=False, choices=[("", _("All"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ocop.scans.models import AlertRule

        self.fields["rule"].choices = [("", _("All")), *AlertRule.choices]

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name, "") if self.is_valid() else ""
