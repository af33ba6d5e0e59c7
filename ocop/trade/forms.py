"""Forms of the trade pages: the buyer's inquiry, the producer's answer, trade events and registrations."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.geo.models import AdminUnit
from ocop.lib import clock
from ocop.lib.text import fold
from ocop.trade.models import BuyerType, EventKind, InquiryStatus, QuantityUnit, TradeEvent

MESSAGE_MAX = 2000
ANSWER_MAX = 5000
# How far ahead a buyer may ask for delivery.
DESIRED_MAX_DAYS = 2 * 366

# Vietnamese numbers once the separators are gone: mobiles 0[35789] + 8 digits, landlines 02 + 9 digits;
# +84 / 84 stand for the leading 0.
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"0(?:[35789]\d{8}|2\d{9})")
# What counts as a link in text from a visitor who is not signed in: a scheme, "www.", a domain name with a
# common top-level domain, or HTML / BBCode link markup.
_LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.|<\s*a\s|\[url"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|vn|info|biz|io|co|xyz|top|ru|cn|online|site|shop|link|ly|me)\b)",
    re.IGNORECASE,
)


def normalise_phone(raw: str) -> str | None:
    """A Vietnamese phone number in national form ("0912345678"), or None when it is not one."""
    digits = _PHONE_SEPARATORS.sub("", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if _PHONE.fullmatch(digits) else None


def has_link(text: str) -> bool:
    return bool(_LINK.search(text or ""))


def _province_choices(empty: str) -> list[tuple[Any, str]]:
    # Listed as people look for them: "Thành phố Hà Nội" under H.
    units = AdminUnit.objects.current().provinces()

    def key(unit: AdminUnit) -> str:
        return fold(unit.name.removeprefix("Thành phố ").removeprefix("Tỉnh "))

    return [("", empty), *((u.pk, u.name) for u in sorted(units, key=key))]


class InquiryForm(forms.Form):
    """A buyer's inquiry about one product. Nothing typed is lost when it is refused: it re-renders bound."""

    buyer_type = forms.ChoiceField(label=_("You are"), choices=[("", _("Choose…")), *BuyerType.choices])
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Enter a valid e-mail address, e.g. ten@congty.vn.")},
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        help_text=_("A Vietnamese number, e.g. 0912 345 678 or +84 912 345 678."),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000_000, required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *QuantityUnit.choices], required=False)
    destination = forms.TypedChoiceField(
        label=_("Destination (province)"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Where the goods should go; leave it empty for export."),
    )
    desired_on = forms.DateField(
        label=_("Desired delivery date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    message = forms.CharField(
        label=_("Your message"),
        min_length=10,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you need: packaging, regular supply, certificates, price questions…"),
    )
    # A field people never see (hidden by the style sheet and from screen readers); robots fill it in.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args: Any, allow_links: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_links = allow_links
        self.fields["destination"].choices = _province_choices(str(_("Choose a province")))

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        if not raw:
            return ""
        phone = normalise_phone(raw)
        if phone is None:
            raise forms.ValidationError(
                _("Enter a Vietnamese phone number, e.g. 0912 345 678 or +84 912 345 678."), code="phone"
            )
        return phone

    def clean_desired_on(self) -> dt.date | None:
        day = self.cleaned_data.get("desired_on")
        if day is None:
            return None
        today = clock.today()
        if day < today:
            raise forms.ValidationError(_("The desired date cannot be in the past."), code="past")
        if day > today + dt.timedelta(days=DESIRED_MAX_DAYS):
            raise forms.ValidationError(_("Choose a date within the next two years."), code="too_far")
        return day

    def clean_destination(self) -> AdminUnit | None:
        pk = self.cleaned_data.get("destination")
        if pk is None:
            return None
        unit = AdminUnit.objects.current().provinces().filter(pk=pk).first()
        if unit is None:
            raise forms.ValidationError(_("Choose a province from the list."), code="province")
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        contact_errors = "email" in self.errors or "phone" in self.errors
        if not data.get("email") and not data.get("phone") and not contact_errors:
            self.add_error(
                "email", forms.ValidationError(_("Give an e-mail address or a phone number."), code="no_contact")
            )
        if data.get("quantity") and not data.get("unit"):
            self.add_error("unit", forms.ValidationError(_("Choose the unit of the quantity."), code="unit"))
        if not self.allow_links:
            for name in ("message", "organisation", "contact_name"):
                if has_link(data.get(name, "")):
                    self.add_error(
                        name,
                        forms.ValidationError(
                            _("Links and web addresses are not accepted here unless you sign in."), code="link"
                        ),
                    )
        return data


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Sent to the buyer by e-mail; they reply to your e-mail address."),
    )


class InquiryStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (InquiryStatus.CLOSED, _("Close")),
            (InquiryStatus.SPAM, _("Mark as spam")),
            (InquiryStatus.NEW, _("Reopen")),
        ],
    )


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *InquiryStatus.choices])

    def value(self) -> str:
        return self.cleaned_data.get("status", "") if self.is_valid() else ""


class EventForm(forms.ModelForm):
    class Meta:
        model = TradeEvent
        fields = ["title", "kind", "province", "venue", "starts_on", "ends_on", "registration_deadline", "description"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "registration_deadline": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, provinces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = EventKind.choices
        self.fields["province"].queryset = provinces
        self.fields["province"].empty_label = _("Choose a province")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends, deadline = data.get("starts_on"), data.get("ends_on"), data.get("registration_deadline")
        if starts and ends and ends < starts:
            self.add_error("ends_on", forms.ValidationError(_("The event cannot end before it starts."), code="dates"))
        if starts and deadline and deadline > starts:
            self.add_error(
                "registration_deadline",
                forms.ValidationError(_("Registration must close on or before the first day."), code="deadline"),
            )
        if starts and self.instance.pk is None and starts < clock.today():
            self.add_error("starts_on", forms.ValidationError(_("A new event cannot start in the past."), code="past"))
        return data


class RegistrationForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=None, empty_label=_("Choose a product"))
    note = forms.CharField(label=_("Note to the organiser"), max_length=500, required=False)

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("accepted", _("Accept")), ("declined", _("Decline"))])
