"""Forms of the import pages: upload and column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.accounts.models import Role
from ocop.geo.models import AdminUnit
from ocop.imports.fields import PRODUCER_REFERENCE, fields_for
from ocop.imports.models import ImportJob, ImportKind


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("An .xlsx or .csv file; the first row holds the column headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("What the file lists"), choices=ImportKind.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.role == Role.ADMIN:
            # An administrator imports on behalf of one province at a time.
            self.fields["province"] = forms.ModelChoiceField(
                AdminUnit.objects.current().provinces().order_by("name"),
                label=gettext_lazy("Province"),
                help_text=gettext_lazy("Communes are looked up in this province, on today's map and the old one."),
            )

    def province(self) -> AdminUnit:
        if self.user.role == Role.ADMIN:
            return self.cleaned_data["province"]
        return self.user.province


class MappingForm(forms.Form):
    """One select per target field, offering the file's columns."""

    def __init__(self, *args: Any, job: ImportJob, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        choices = [("", _("— not in the file —")), *((h, h) for h in job.headers)]
        for field in fields_for(job.kind):
            self.fields[field.key] = forms.ChoiceField(
                label=field.label,
                choices=choices,
                required=field.required,
                initial=job.mapping.get(field.key, ""),
                error_messages={"required": _("This field must come from a column of the file.")},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        used: dict[str, str] = {}
        for key, header in data.items():
            if not header:
                continue
            if header in used:
                self.add_error(
                    key,
                    _("The column “%(column)s” is already chosen for “%(field)s”.")
                    % {"column": header, "field": self.fields[used[header]].label},
                )
            else:
                used[header] = key
        if self.job.kind == ImportKind.PRODUCTS and not any(data.get(key) for key in PRODUCER_REFERENCE):
            self.add_error(PRODUCER_REFERENCE[0], _("Choose the column of the producer's tax code or name (or both)."))
        return data

    def mapping(self) -> dict[str, str]:
        return {key: header for key, header in self.cleaned_data.items() if header}
