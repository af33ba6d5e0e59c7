"""Forms of the scan pages: the consumer's province, a report of a suspected fake, an office's finding."""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ocop.geo.models import AdminUnit
from ocop.lib.text import fold
from ocop.scans import pagecache
from ocop.scans.models import AlertStatus

TOKEN_SALT = "ocop.scans.token"
# A report form stays usable for a day after the page was shown.
REPORT_MAX_AGE = 24 * 60 * 60


def page_token(
    *, code: str, stamp_id: int | None, lot_id: int | None, product_id: int | None, scan_id: int | None = None
) -> str:
    """The signed token of a scan page's forms: what a report would be about and, when the page counted a scan
    (or is a reload of one), that scan, whose province the place form records. The same value is the browser's
    "already counted" cookie (`views.SEEN_COOKIE`): a scan signs one value, not three."""
    return _signer().sign_object({"c": code[:300], "s": stamp_id, "l": lot_id, "p": product_id, "n": scan_id})


class _TokenSigner(signing.TimestampSigner):
    """`signing.dumps()` / `signing.loads()` with TOKEN_SALT, the same tokens, made once per secret key rather than
    for every token, and keyed once: the HMAC of the current key is copied instead of derived for each signature
    (every counted scan signs one token)."""

    def __init__(self, key: str, fallback_keys: list[str]) -> None:
        super().__init__(key=key, salt=TOKEN_SALT, fallback_keys=fallback_keys)
        self._mac = salted_hmac(self.salt + "signer", b"", self.key, algorithm=self.algorithm)

    def signature(self, value: str | bytes, key: str | None = None) -> str:
        if key is not None and key != self.key:  # a fallback key, while reading an older token
            return super().signature(value, key)
        mac = self._mac.copy()
        mac.update(force_bytes(value))
        return signing.b64_encode(mac.digest()).decode()


@functools.lru_cache(maxsize=4)
def _keyed_signer(key: str, fallback_keys: tuple[str, ...]) -> _TokenSigner:
    return _TokenSigner(key, list(fallback_keys))


def _signer() -> _TokenSigner:
    return _keyed_signer(settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


def read_token(token: str, *, max_age: int) -> dict[str, Any] | None:
    """What `page_token()` signed, if `token` is one signed here less than `max_age` seconds ago."""
    try:
        value = _signer().unsign_object(token, max_age=max_age)
    except signing.BadSignature:
        return None
    return value if isinstance(value, dict) else None


def token_scan_id(value: dict[str, Any] | None) -> int | None:
    scan_id = value.get("n") if value is not None else None
    return scan_id if isinstance(scan_id, int) and not isinstance(scan_id, bool) else None


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
        scan_id = token_scan_id(read_token(self.cleaned_data["token"], max_age=self.max_age))
        if scan_id is None:
            raise forms.ValidationError(
                _("This page is too old to record your province: scan the stamp again."), code="token"
            )
        return scan_id

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
        value = read_token(self.cleaned_data["token"], max_age=REPORT_MAX_AGE)
        if value is None:
            raise forms.ValidationError(_("This page is too old to send a report: scan the stamp again."), code="token")
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
