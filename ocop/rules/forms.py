"""The form by which an office records its province's council rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ocop.geo.models import AdminUnit
from ocop.registry.forms import DateInput
from ocop.rules.models import CouncilRuleOverride
from ocop.rules.querysets import may_keep_every_province
from ocop.rules.rulebooks import all_rulebooks


class CouncilRuleOverrideForm(forms.ModelForm):
    """Empty figures keep the rulebook's defaults. A provincial office always writes for its own province."""

    rulebook = forms.ChoiceField(label=capfirst(_("rulebook")), required=False)
    quorum_requires_chair = forms.NullBooleanField(label=capfirst(_("quorum requires the chair")), required=False)

    class Meta:
        model = CouncilRuleOverride
        fields = [
            "province",
            "rulebook",
            "valid_from",
            "quorum_share",
            "quorum_requires_chair",
            "max_spread",
            "decision",
        ]
        widgets = {"valid_from": DateInput()}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rulebook"].choices = [("", _("Every rulebook")), *((b.code, b.title) for b in all_rulebooks())]
        chair = self.fields["quorum_requires_chair"].widget
        chair.choices = [("unknown", _("As in the rulebook")), ("true", _("Yes")), ("false", _("No"))]
        self.fields["rulebook"].help_text = _("An override naming a rulebook wins over one that names none.")
        self.fields["quorum_share"].help_text = _(
            "Share of the members who must take part, more than 0 and at most 1 (0.75 = 75 %). Empty: the rulebook's."
        )
        self.fields["max_spread"].help_text = _("In points. Empty: the rulebook's.")
        self.fields["decision"].help_text = _(
            "Number and date of the provincial decision, e.g. 123/QĐ-UBND of 2/3/2026."
        )
        if may_keep_every_province(user):
            field = self.fields["province"]
            field.queryset = AdminUnit.objects.provinces().current().order_by("name")
            field.label_from_instance = lambda unit: unit.name
        else:
            del self.fields["province"]
            self.instance.province_id = user.province_id

    def clean_quorum_share(self) -> Decimal | None:
        value = self.cleaned_data.get("quorum_share")
        if value is not None and not Decimal(0) < value <= Decimal(1):
            raise forms.ValidationError(
                _("The quorum is a share of the members: more than 0 and at most 1 (e.g. 0.75 for 75 %)."),
                code="quorum_share",
            )
        return value

    def clean_max_spread(self) -> Decimal | None:
        value = self.cleaned_data.get("max_spread")
        if value is not None and value < 0:
            raise forms.ValidationError(_("The maximum spread cannot be negative."), code="max_spread")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        province = data.get("province") if "province" in self.fields else self.instance.province
        if province is not None and data.get("valid_from") is not None and "rulebook" in data:
            same = CouncilRuleOverride.objects.filter(
                province=province, rulebook=data["rulebook"], valid_from=data["valid_from"]
            ).exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error(
                    "valid_from",
                    _("This province already has council rules from this day for this rulebook; edit them instead."),
                )
        return data
