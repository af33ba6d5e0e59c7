"""Forms for lots and trace events: parse and check input; the actions save."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.geo.models import AdminUnit
from ocop.registry.models import Evidence, Product
from ocop.traceability import epcis
from ocop.traceability.models import (
    EventType,
    Lot,
    normalise_lot_number,
    parse_tz_offset,
    validate_lot_number,
    validate_tz_offset,
)


class LotForm(forms.ModelForm):
    product = forms.ModelChoiceField(queryset=Product.objects.none(), label=_("product"))
    evidence = forms.ModelMultipleChoiceField(
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("test reports and certifications"),
        help_text=_("Documents from the producer's evidence library that apply to this lot."),
    )

    class Meta:
        model = Lot
        fields = [
            "product",
            "number",
            "produced_on",
            "expires_on",
            "quantity",
            "unit",
            "place_code",
            "evidence",
            "note",
        ]
        widgets = {
            "produced_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, products: Any, evidence: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["evidence"].queryset = evidence
        # Validated after upper-casing, so "l2025-01" is accepted as "L2025-01".
        self.fields["number"].validators = []
        if self.instance.pk:
            # Stamps and events name the product: a lot never moves to another one.
            self.fields["product"].disabled = True

    def clean_number(self) -> str:
        number = normalise_lot_number(self.cleaned_data.get("number", ""))
        validate_lot_number(number)
        return number

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        produced, expires = data.get("produced_on"), data.get("expires_on")
        if produced and expires and expires < produced:
            self.add_error("expires_on", _("The expiry date cannot be before the production date."))
        product = data.get("product") or (self.instance.product if self.instance.pk else None)
        documents = data.get("evidence") or []
        if product is not None and any(doc.producer_id != product.producer_id for doc in documents):
            self.add_error("evidence", _("Only documents from this producer's own evidence library can be attached."))
        return data

    def _post_clean(self) -> None:
        # The model's own checks (uniqueness, denormalised keys) run in the action,
        # which also refuses a duplicate lot number with a field error.
        pass

    def lot_fields(self) -> dict[str, Any]:
        names = ("number", "produced_on", "expires_on", "quantity", "unit", "place_code", "note")
        return {name: self.cleaned_data.get(name) for name in names}


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


CODES_HELP = _("One trace code per line.")


class EventForm(forms.Form):
    event_type = forms.ChoiceField(label=_("stage"), choices=EventType.choices)
    occurred_at = forms.DateTimeField(
        label=_("date and time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    tz_offset = forms.CharField(
        label=_("time zone offset"), initial="+07:00", max_length=6, validators=[validate_tz_offset]
    )
    actor = forms.CharField(
        label=_("organisation"), max_length=250, help_text=_("Who carried out this stage (Circular 02/2024: who).")
    )
    actor_gln = forms.CharField(label=_("organisation GLN"), max_length=13, required=False)
    admin_unit = forms.ModelChoiceField(
        label=_("administrative unit"), queryset=AdminUnit.objects.none(), required=False
    )
    location_gln = forms.CharField(label=_("location GLN"), max_length=13, required=False)
    place = forms.CharField(label=_("place"), max_length=250, required=False)
    quantity = forms.DecimalField(label=_("quantity"), max_digits=14, decimal_places=3, required=False)
    parent_code = forms.CharField(
        label=_("container code (SSCC)"),
        max_length=100,
        required=False,
        help_text=_("When the lot is packed into, or moves in, a container with its own code (e.g. an SSCC URI)."),
    )
    trace_codes = forms.CharField(
        label=_("trace codes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text=CODES_HELP
    )
    previous_codes = forms.CharField(
        label=_("trace codes one step back"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Where the goods came from: one trace code per line."),
    )
    next_codes = forms.CharField(
        label=_("trace codes one step forward"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Where the goods go next: one trace code per line."),
    )
    biz_step = forms.ChoiceField(label=_("business step"), required=False)
    disposition = forms.ChoiceField(label=_("disposition"), required=False)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, lot: Lot, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lot = lot
        # The lot's present-day province and its communes ("province" sorts before "commune" descending).
        self.fields["admin_unit"].queryset = (
            AdminUnit.objects.current().filter(province_id=lot.province_id).order_by("-level", "name")
        )
        default = _("(default for the stage)")
        self.fields["biz_step"].choices = [("", default)] + [(w, w) for w in epcis.BIZ_STEPS]
        self.fields["disposition"].choices = [("", default)] + [(w, w) for w in epcis.DISPOSITIONS]
        self.fields["actor"].initial = lot.producer.name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        moment, offset = data.get("occurred_at"), data.get("tz_offset")
        if moment is not None and offset and not self.has_error("tz_offset"):
            # The time is typed as local time in the given offset.
            data["occurred_at"] = moment.replace(tzinfo=None).replace(tzinfo=parse_tz_offset(offset))
        if not (data.get("admin_unit") or data.get("location_gln") or data.get("place")):
            self.add_error(
                "place", _("Say where the stage took place: an administrative unit, a location GLN or a place.")
            )
        return data

    def event_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "event_type": data["event_type"],
            "occurred_at": data["occurred_at"].astimezone(dt.UTC),
            "tz_offset": data["tz_offset"],
            "actor": data["actor"].strip(),
            "actor_gln": data.get("actor_gln", "").strip(),
            "admin_unit": data.get("admin_unit"),
            "location_gln": data.get("location_gln", "").strip(),
            "place": data.get("place", "").strip(),
            "quantity": data.get("quantity"),
            "parent_code": data.get("parent_code", "").strip(),
            "trace_codes": _lines(data.get("trace_codes", "")),
            "previous_codes": _lines(data.get("previous_codes", "")),
            "next_codes": _lines(data.get("next_codes", "")),
            # Left empty, the stage's usual CBV step and disposition are used (actions.DEFAULT_VOCABULARY).
            "biz_step": data.get("biz_step", ""),
            "disposition": data.get("disposition", ""),
            "note": data.get("note", "").strip(),
        }


class ImportForm(forms.Form):
    document = forms.FileField(
        label=_("EPCIS 2.0 file (JSON-LD)"),
        help_text=_("Events already recorded on this lot are skipped."),
    )
