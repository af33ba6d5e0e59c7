from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.accounts.models import Role
from ocop.geo.models import AdminUnit
from ocop.stats.models import ProvinceTarget


class ProvinceTargetForm(forms.ModelForm):
    class Meta:
        model = ProvinceTarget
        fields = [
            "province",
            "year",
            "products_target_min",
            "products_target_max",
            "five_star_target_min",
            "five_star_target_max",
            "source",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = AdminUnit.objects.provinces().order_by("map", "name")
        if user.role == Role.PROVINCE:
            # A provincial office keeps the plans of its province, including those of the former provinces in it.
            provinces = provinces.filter(successor_province_id=user.province_id)
        self.fields["province"].queryset = provinces
        self.fields["province"].label_from_instance = lambda unit: unit.full_name()

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2018 <= year <= 2100:
            raise forms.ValidationError(_("The target year must lie between 2018 and 2100."))
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for low, high in (
            ("products_target_min", "products_target_max"),
            ("five_star_target_min", "five_star_target_max"),
        ):
            if data.get(high) is not None and data.get(low) is not None and data[high] < data[low]:
                self.add_error(high, _("The upper bound cannot be below the lower bound."))
        return data
