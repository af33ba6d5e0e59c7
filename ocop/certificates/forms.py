"""Forms of the certificate pages. They parse input; the rules live in `actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ocop.certificates.models import InspectionKind, InspectionOutcome, RevocationGround
from ocop.geo.models import AdminUnit, UnitMap
from ocop.lib import clock
from ocop.registry.forms import DateInput, GroupedModelChoiceField

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put the errors raised by an action on the form: by field where the field is on the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class RevocationForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("Legal ground (QĐ 26/2026, Article 8.1)"),
        choices=RevocationGround.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the legal ground of the revocation (QĐ 26/2026, Article 8.1).")},
    )
    finding_date = forms.DateField(
        label=_("Date of the finding"),
        widget=DateInput,
        help_text=_(
            "The conclusion of the competent authority, or the commune's confirmation that production stopped."
        ),
    )
    decision_number = forms.CharField(label=_("Revocation decision number"), max_length=60)
    decision_date = forms.DateField(label=_("Revocation decision date"), widget=DateInput)
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence = forms.ModelMultipleChoiceField(
        label=_("Evidence from the producer's library"),
        queryset=None,  # set in __init__: the producer's documents the user may read
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    document = forms.FileField(
        label=_("Or upload a document"),
        required=False,
        help_text=_("PDF, JPEG, PNG, Word or Excel; it is added to the producer's evidence library."),
    )
    document_title = forms.CharField(label=_("Title of the uploaded document"), max_length=250, required=False)
    inspection = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, evidence: QuerySet[Any], inspections: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = evidence
        self.fields["inspection"].queryset = inspections


class ExtensionForm(forms.Form):
    until = forms.DateField(label=_("In force until"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the re-evaluation could not be filed in time (QĐ 26/2026, Article 12.3)."),
    )


class YesNoField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
            error_messages={"required": _("Answer yes or no.")},
            **kwargs,
        )


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type of inspection"), choices=InspectionKind.choices, widget=forms.RadioSelect)
    inspected_on = forms.DateField(label=_("Date of inspection"), widget=DateInput)
    inspector = forms.CharField(label=_("Inspector or inspection team"), max_length=250)
    criteria_maintained = YesNoField(label=_("Are the criteria of the rating maintained, as in the evaluated dossier?"))
    mark_used_correctly = YesNoField(label=_("Is the OCOP mark used correctly?"))
    product_info_correct = YesNoField(label=_("Are the product information and its promotion correct?"))
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InspectionOutcome.choices, widget=forms.RadioSelect)
    corrective_due_on = forms.DateField(
        label=_("Corrective action due by"),
        widget=DateInput,
        required=False,
        help_text=_("Only for a corrective action."),
    )


def _year_choices() -> list[tuple[str, str]]:
    return [("", "---------")] + [(str(y), str(y)) for y in range(clock.today().year + 1, 2018, -1)]


REGISTER_STATUSES = [
    ("", _("All")),
    ("in_force", pgettext_lazy("certificate status", "In force")),
    ("expiring", _("Expiring soon")),
    ("extended", _("Extended (transition rule)")),
    ("expired", _("Expired")),
    ("revoked", _("Revoked")),
]


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("Product or producer"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=REGISTER_STATUSES, required=False)
    star = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[("", "---------"), ("3", "3 ★"), ("4", "4 ★"), ("5", "5 ★")],
        coerce=int,
        required=False,
        empty_value=None,
    )
    province = GroupedModelChoiceField(
        queryset=AdminUnit.objects.provinces().order_by("map", "name"),
        group_label=lambda unit: str(UnitMap(unit.map).label),
        required=False,
        label=_("Province"),
    )
    year = forms.TypedChoiceField(
        label=_("Year of issue"), choices=_year_choices, coerce=int, required=False, empty_value=None
    )

    def value(self, name: str) -> Any:
        """The cleaned value of a filter, or None when missing or invalid (a bad filter is ignored)."""
        if not self.is_bound:
            return None
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None
