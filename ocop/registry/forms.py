"""Forms of the registry pages. Choices come from the scope querysets, never from the whole table."""

from __future__ import annotations

import datetime as dt
import re
from itertools import groupby
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.geo.models import AdminUnit
from ocop.registry.actions import PRODUCER_IDENTITY_FIELDS
from ocop.registry.models import (
    Evidence,
    EvidenceType,
    Producer,
    ProducerKind,
    ProducerStatus,
    Product,
    ProductCategory,
    ProductGroup,
    ProductSet,
    ProductStatus,
)
from ocop.registry.querysets import placeable_communes


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# --- Grouped selects ----------------------------------------------------------------------
class _GroupedIterator(ModelChoiceIterator):
    """Yields (group label, [choices]) so the select renders <optgroup>s."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset
        if not queryset._prefetch_related_lookups:
            queryset = queryset.iterator()
        for label, items in groupby(queryset, key=self.field.group_label):
            yield (label, [self.choice(obj) for obj in items])


class GroupedModelChoiceField(forms.ModelChoiceField):
    iterator = _GroupedIterator

    def __init__(self, *args: Any, group_label: Any, **kwargs: Any) -> None:
        self.group_label = group_label
        super().__init__(*args, **kwargs)


def product_set_field(**kwargs: Any) -> GroupedModelChoiceField:
    """Product set (bộ sản phẩm) grouped as category › group, in the order of Phụ lục I."""
    return GroupedModelChoiceField(
        queryset=ProductSet.objects.select_related("group__category").order_by(
            "group__category__number", "group__number", "number"
        ),
        group_label=lambda s: f"{s.group.category.code}. {s.group.category.name} › {s.group.name}",
        **kwargs,
    )


def commune_field(queryset: QuerySet[AdminUnit], **kwargs: Any) -> GroupedModelChoiceField:
    return GroupedModelChoiceField(
        queryset=queryset.select_related("province").order_by("province__code", "name"),
        group_label=lambda c: c.province.name if c.province_id else "",
        **kwargs,
    )


# --- Producers ----------------------------------------------------------------------------
def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    # Addresses typed without a scheme are taken as https (Django 6's default).
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


_PHONE_RE = re.compile(r"\+?[0-9][0-9 .\-]{7,18}")


class ProducerForm(forms.ModelForm):
    """Profile of a producer. Status and verification are never part of it."""

    commune = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), label=_("Commune"))

    class Meta:
        model = Producer
        fields = [
            "name",
            "kind",
            "tax_code",
            "registration_number",
            "founded_on",
            "street",
            "phone",
            "email",
            "website",
            "members_count",
            "workers_count",
            "rep_name",
            "rep_position",
            "rep_gender",
            "rep_ethnicity",
            "rep_id_number",
        ]
        widgets = {"founded_on": DateInput()}
        formfield_callback = _formfield

    field_order = ["name", "kind", "tax_code", "registration_number", "founded_on", "commune", "street"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        producer = self.instance if self.instance.pk else None
        self.fields["commune"] = commune_field(
            placeable_communes(user, producer), label=_("Commune (present-day)"), required=True
        )
        self.legacy_commune: AdminUnit | None = None
        if producer is not None:
            if producer.commune.is_current:
                self.initial["commune"] = producer.commune_id
            else:
                # Made under the old map: the registered commune stays as it
                # was; the office only says which present-day commune holds it.
                self.legacy_commune = producer.commune
                self.initial["commune"] = producer.current_commune_id
                self.fields["commune"].required = False
                self.fields["commune"].help_text = _(
                    "This record was made under the map before 1 July 2025; the registered commune is kept."
                )
        self.identity_locked = bool(
            producer is not None and user.role == "producer" and producer.status == ProducerStatus.VERIFIED
        )
        if self.identity_locked:
            for name in PRODUCER_IDENTITY_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Verified: ask your provincial OCOP office to change this.")
        self.fields["phone"].widget.input_type = "tel"
        self.fields["rep_id_number"].help_text = _("12-digit citizen ID (or 9-digit old ID). Never shown publicly.")

    def clean_tax_code(self) -> str:
        value = self.cleaned_data.get("tax_code", "").strip()
        if value and not self.fields["tax_code"].disabled:
            taken = Producer.objects.filter(tax_code=value).exclude(pk=self.instance.pk)
            if taken.exists():
                raise forms.ValidationError(_("Another producer is already registered with this tax code."))
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        if value and not _PHONE_RE.fullmatch(value):
            raise forms.ValidationError(_("Enter a phone number of digits, e.g. 0912 345 678 or +84 912 345 678."))
        return value

    def clean_rep_id_number(self) -> str:
        value = self.cleaned_data.get("rep_id_number", "").strip()
        if value and not re.fullmatch(r"\d{12}|\d{9}", value):
            raise forms.ValidationError(_("An ID number has 12 digits (citizen ID) or 9 digits (old ID card)."))
        return value

    def clean_founded_on(self) -> dt.date | None:
        value = self.cleaned_data.get("founded_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The founding date cannot be in the future."))
        return value

    def changes(self) -> dict[str, Any]:
        """The cleaned values to hand to the actions (disabled fields left out)."""
        data = {name: value for name, value in self.cleaned_data.items() if not self.fields[name].disabled}
        if data.get("commune") is None:
            data.pop("commune", None)
        return data


class VerifyForm(forms.Form):
    VERIFY = "verify"
    REJECT = "reject"
    decision = forms.ChoiceField(choices=[(VERIFY, _("Verify")), (REJECT, _("Reject"))], widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (required to reject; the producer sees it)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for the rejection: the producer will see it."))
        return data


# --- Products -----------------------------------------------------------------------------
class ProductForm(forms.ModelForm):
    product_set = product_set_field(label=_("Product set (bộ sản phẩm)"))

    class Meta:
        model = Product
        fields = ["name", "product_set", "gtin", "description", "story", "specifications", "status"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "story": forms.Textarea(attrs={"rows": 6}),
            "specifications": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, producers: QuerySet[Producer] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gtin"].help_text = _("8, 12, 13 or 14 digits with the check digit; Vietnamese GTINs start 893.")
        if producers is not None:
            # Offices choose the producer; a producer's own account adds to itself.
            self.fields["producer"] = forms.ModelChoiceField(
                queryset=producers.select_related("province").order_by("name"), label=_("Producer")
            )
            self.order_fields(["producer", *self.Meta.fields])

    def clean_gtin(self) -> str:
        return self.cleaned_data.get("gtin", "").strip()

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "producer"}


class AssignCodeForm(forms.Form):
    year = forms.IntegerField(label=_("Evaluation year"), min_value=2019)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year + 1:
            raise forms.ValidationError(_("The evaluation year cannot be more than a year ahead."))
        return year


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP. Location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


# --- Evidence -----------------------------------------------------------------------------
class EvidenceForm(forms.ModelForm):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,application/pdf,image/jpeg,image/png,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    class Meta:
        model = Evidence
        fields = ["doc_type", "title", "issuer", "number", "issued_on", "expires_on", "products"]
        widgets = {
            "issued_on": DateInput(),
            "expires_on": DateInput(),
            "products": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, producer: Producer, with_file: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.producer = producer
        self.fields["products"].queryset = producer.products.order_by("name")
        self.fields["products"].help_text = _("One document can support several products.")
        if with_file:
            from django.template.defaultfilters import filesizeformat

            self.fields["file"].help_text = _(
                "PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx), at most %(size)s. Files with macros are refused."
            ) % {"size": filesizeformat(settings.MAX_EVIDENCE_BYTES)}
            self.order_fields(["file", "doc_type", "title"])
        else:
            del self.fields["file"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires <= issued:
            self.add_error("expires_on", _("The expiry date must be after the issue date."))
        return data

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("file", "products")}


# --- List filters -------------------------------------------------------------------------
class _FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def value(self, name: str) -> Any:
        """The cleaned value of a filter, or None when missing or invalid (a bad filter is ignored)."""
        if not self.is_bound:
            return None
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None


def _taxonomy_fields(form: forms.Form) -> None:
    form.fields["category"] = forms.ModelChoiceField(
        ProductCategory.objects.order_by("number"), required=False, label=_("Product category")
    )
    form.fields["group"] = GroupedModelChoiceField(
        ProductGroup.objects.select_related("category").order_by("category__number", "number"),
        group_label=lambda g: f"{g.category.code}. {g.category.name}",
        required=False,
        label=_("Product group"),
    )
    form.fields["product_set"] = product_set_field(required=False, label=_("Product set"))


def _place_fields(form: forms.Form, user: Any, data: Any) -> None:
    """Province, commune and former-unit filters, narrowed to what the user may see."""
    provinces = AdminUnit.objects.current().provinces().order_by("name")
    scoped_province = getattr(user, "province_id", None) if user.role in ("province", "commune") else None
    if user.role in ("admin", "central"):
        form.fields["province"] = forms.ModelChoiceField(provinces, required=False, label=_("Province"))
    chosen = scoped_province
    if chosen is None and data is not None:
        raw = data.get("province")
        chosen = int(raw) if raw and str(raw).isdigit() else None
    if user.role in ("admin", "central", "province"):
        communes = AdminUnit.objects.current().communes().filter(province_id=chosen) if chosen else None
        if communes is not None:
            form.fields["commune"] = forms.ModelChoiceField(
                communes.order_by("name"), required=False, label=_("Commune")
            )
        # Former provinces and districts (map before 1 July 2025), to filter
        # records made under the old map.
        legacy = AdminUnit.objects.legacy().filter(level__in=["province", "district"])
        if chosen:
            legacy = legacy.filter(successor_province_id=chosen)
        else:
            legacy = legacy.filter(level="province")
        form.fields["legacy_unit"] = GroupedModelChoiceField(
            legacy.select_related("province").order_by("province__name", "level", "name"),
            group_label=lambda u: f"{u.province.name} ({_('former')})" if u.province_id else "",
            required=False,
            label=_("Former unit (before 7/2025)"),
        )


class ProducerFilterForm(_FilterForm):
    kind = forms.ChoiceField(choices=[("", "---------"), *ProducerKind.choices], required=False, label=_("Type"))
    status = forms.ChoiceField(choices=[("", "---------"), *ProducerStatus.choices], required=False, label=_("Status"))

    def __init__(self, data: Any = None, *, user: Any) -> None:
        super().__init__(data)
        _place_fields(self, user, data)
        _taxonomy_fields(self)


class ProductFilterForm(_FilterForm):
    status = forms.ChoiceField(choices=[("", "---------"), *ProductStatus.choices], required=False, label=_("Status"))
    kind = forms.ChoiceField(
        choices=[("", "---------"), *ProducerKind.choices], required=False, label=_("Type of producer")
    )

    def __init__(self, data: Any = None, *, user: Any) -> None:
        super().__init__(data)
        _place_fields(self, user, data)
        _taxonomy_fields(self)


class EvidenceFilterForm(_FilterForm):
    STATE_CHOICES = [
        ("", "---------"),
        ("expired", _("Expired")),
        ("expiring", _("Expiring soon")),
        ("valid", _("Valid")),
    ]
    doc_type = forms.ChoiceField(
        choices=[("", "---------"), *EvidenceType.choices], required=False, label=_("Document type")
    )
    state = forms.ChoiceField(choices=STATE_CHOICES, required=False, label=_("Validity"))
    producer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    product = forms.IntegerField(required=False, widget=forms.HiddenInput)
