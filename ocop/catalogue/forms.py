"""The catalogue's filter form (GET parameters, bookmarkable) and the shop-link and sales-point forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.catalogue.models import SalesPoint, ShopLink, validate_shop_url
from ocop.catalogue.querysets import EXPIRED, EXPIRING, EXTENDED, VALID
from ocop.geo.models import AdminUnit
from ocop.registry.models import ProducerKind, ProductCategory, ProductGroup, ProductSet

# Former units are written "old-<code>": codes repeat across the two maps (24 is Bắc Giang before
# 1 July 2025 and Bắc Ninh since).
LEGACY_PREFIX = "old-"
IN_FORCE = "in_force"
PAGE_SIZE = 20

VALIDITY_CHOICES = [
    ("", _("Any")),
    (IN_FORCE, _("In force (OCOP)")),
    (VALID, _("Valid")),
    (EXPIRING, _("Expiring soon")),
    (EXTENDED, _("Extended (transition rule)")),
    (EXPIRED, _("Expired")),
]
SORT_CHOICES = [
    ("", _("Best match")),
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("-star", _("Highest rating first")),
    ("-issued", _("Most recently certified")),
    ("expires", _("Expiring first")),
]
STAR_CHOICES = [("", _("Any")), ("3", "3★"), ("4", "4★"), ("5", "5★")]


def unit_key(unit: AdminUnit) -> str:
    return unit.code if unit.is_current else f"{LEGACY_PREFIX}{unit.code}"


def find_unit(key: str, level: str) -> AdminUnit | None:
    """The unit a URL or filter key names: "24" (present-day) or "old-24" (former), at `level`."""
    key = (key or "").strip()
    if key.startswith(LEGACY_PREFIX):
        queryset = AdminUnit.objects.legacy()
        key = key[len(LEGACY_PREFIX) :]
    else:
        queryset = AdminUnit.objects.current()
    if not key or len(key) > 10 or not key.isalnum():
        return None
    return queryset.filter(level=level, code=key).select_related("parent", "successor_province").first()


class UnitChoiceField(forms.ChoiceField):
    """A province or commune of either map, chosen by key; cleans to the AdminUnit."""

    def __init__(self, *, level: str, **kwargs: Any) -> None:
        self.level = level
        super().__init__(**kwargs)

    def valid_value(self, value: Any) -> bool:
        # The choices list the units that have products; any real unit is accepted (a bookmark stays valid).
        return True

    def clean(self, value: Any) -> AdminUnit | None:
        value = super().clean(value)
        if not value:
            return None
        unit = find_unit(value, self.level)
        if unit is None:
            raise forms.ValidationError(
                _("There is no administrative unit with the code “%(code)s”."),
                code="unknown_unit",
                params={"code": value[:20]},
            )
        return unit


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    star = forms.TypedChoiceField(label=_("OCOP rating"), choices=STAR_CHOICES, coerce=int, required=False)
    category = forms.ModelChoiceField(
        label=_("Product category"), queryset=ProductCategory.objects.none(), required=False, empty_label=_("Any")
    )
    group = forms.ModelChoiceField(
        label=_("Product group"), queryset=ProductGroup.objects.none(), required=False, empty_label=_("Any")
    )
    product_set = forms.ModelChoiceField(
        label=_("Product set"), queryset=ProductSet.objects.none(), required=False, empty_label=_("Any")
    )
    province = UnitChoiceField(label=_("Province"), level="province", required=False)
    commune = UnitChoiceField(label=_("Commune or ward"), level="commune", required=False)
    kind = forms.ChoiceField(
        label=_("Type of producer"), choices=[("", _("Any"))] + list(ProducerKind.choices), required=False
    )
    validity = forms.ChoiceField(label=_("Certificate"), choices=VALIDITY_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=100_000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, provinces: list[AdminUnit] = (), communes: list[AdminUnit] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        categories = ProductCategory.objects.filter(rulebook="qd-26-2026")
        self.fields["category"].queryset = categories
        self.fields["group"].queryset = ProductGroup.objects.filter(category__in=categories).select_related("category")
        self.fields["product_set"].queryset = ProductSet.objects.filter(group__category__in=categories)
        self.fields["province"].choices = _unit_choices(provinces, _("Former provinces (before 1 July 2025)"))
        self.fields["commune"].choices = _unit_choices(communes, _("Former communes (before 1 July 2025)"))

    def value(self, name: str) -> Any:
        """A cleaned value (None when the form is invalid or the field empty)."""
        if not self.is_valid():
            return None
        return self.cleaned_data.get(name) or None


def _unit_choices(units: list[AdminUnit], legacy_label: str) -> list[Any]:
    current = [(unit_key(u), u.name) for u in units if u.is_current]
    legacy = [(unit_key(u), u.full_name()) for u in units if not u.is_current]
    choices: list[Any] = [("", _("Any")), *sorted(current, key=lambda c: c[1])]
    if legacy:
        choices.append((legacy_label, sorted(legacy, key=lambda c: c[1])))
    return choices


class ShopLinkForm(forms.ModelForm):
    # A shop address typed without its scheme is taken as https (the only scheme accepted).
    url = forms.URLField(
        label=_("Shop address"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "An https:// address on the marketplace's own site (shopee.vn, lazada.vn, tiki.vn, tiktok.com, "
            "postmart.vn, voso.vn); any https:// address for your own website."
        ),
    )

    class Meta:
        model = ShopLink
        fields = ["producer", "channel", "url", "product"]

    def __init__(self, *args: Any, producers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ocop.registry.models import Product

        self.fields["producer"].queryset = producers
        if producers.count() == 1:
            self.fields["producer"].initial = producers.first()
            self.fields["producer"].widget = forms.HiddenInput()
        self.fields["product"].queryset = Product.objects.filter(producer__in=producers).exclude(status="draft")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        channel, url = data.get("channel"), data.get("url")
        if channel and url:
            try:
                validate_shop_url(channel, url)
            except forms.ValidationError as error:
                self.add_error("url", error)
        product, producer = data.get("product"), data.get("producer")
        if product is not None and producer is not None and product.producer_id != producer.pk:
            self.add_error("product", _("This product belongs to another producer."))
        return data


class SalesPointForm(forms.ModelForm):
    class Meta:
        model = SalesPoint
        fields = ["name", "commune", "address", "opening_hours", "products", "is_open"]
        widgets = {"products": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, communes: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes.order_by("name")
        self.fields["products"].queryset = products.order_by("name")
