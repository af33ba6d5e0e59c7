from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.stamps.pdf import Layout


class IssueForm(forms.Form):
    count = forms.IntegerField(label=_("Number of stamps"), min_value=1)
    signed = forms.BooleanField(
        label=_("Signed stamps"),
        required=False,
        help_text=_(
            "Each QR code carries the province's digital signature, so anybody can tell a forged code from a "
            "genuine one without reaching the platform. The code is larger (QR version 7–8 instead of 3–4)."
        ),
    )

    def __init__(self, *args: Any, remaining: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A hint for the browser only: the cap itself is checked by actions.issue_batch, which says why.
        self.fields["count"].widget.attrs["max"] = max(remaining, 1)


class RangeForm(forms.Form):
    """A range of stamps in the batch's numbering; both empty = the whole batch."""

    first = forms.IntegerField(label=_("From stamp no."), min_value=1, required=False)
    last = forms.IntegerField(label=_("To stamp no."), min_value=1, required=False)

    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count = count
        for name in ("first", "last"):
            self.fields[name].widget.attrs["max"] = count

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first is not None and first > self.count:
            self.add_error("first", _("This batch has %(count)d stamps.") % {"count": self.count})
        if last is not None and last > self.count:
            self.add_error("last", _("This batch has %(count)d stamps.") % {"count": self.count})
        if first is not None and last is not None and first > last:
            self.add_error("last", _("The last stamp cannot come before the first."))
        return data


class ActivateForm(RangeForm):
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)


class VoidForm(RangeForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PdfForm(RangeForm):
    """Which stamps to print and on which sheet (GET parameters; empty fields take the defaults)."""

    page_width_mm = forms.FloatField(label=_("Page width (mm)"), min_value=30, max_value=1200, required=False)
    page_height_mm = forms.FloatField(label=_("Page height (mm)"), min_value=30, max_value=1200, required=False)
    label_width_mm = forms.FloatField(label=_("Label width (mm)"), min_value=10, max_value=300, required=False)
    label_height_mm = forms.FloatField(label=_("Label height (mm)"), min_value=10, max_value=300, required=False)
    columns = forms.IntegerField(label=_("Columns"), min_value=1, max_value=50, required=False)
    rows = forms.IntegerField(label=_("Rows"), min_value=1, max_value=100, required=False)
    margin_left_mm = forms.FloatField(label=_("Left margin (mm)"), min_value=0, max_value=300, required=False)
    margin_top_mm = forms.FloatField(label=_("Top margin (mm)"), min_value=0, max_value=300, required=False)
    gap_x_mm = forms.FloatField(label=_("Gap between columns (mm)"), min_value=0, max_value=100, required=False)
    gap_y_mm = forms.FloatField(label=_("Gap between rows (mm)"), min_value=0, max_value=100, required=False)

    LAYOUT_FIELDS = (
        "page_width_mm",
        "page_height_mm",
        "label_width_mm",
        "label_height_mm",
        "columns",
        "rows",
        "margin_left_mm",
        "margin_top_mm",
        "gap_x_mm",
        "gap_y_mm",
    )

    def __init__(self, *args: Any, max_per_file: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_per_file = max_per_file
        defaults = Layout()
        for name in self.LAYOUT_FIELDS:
            self.fields[name].widget.attrs["placeholder"] = getattr(defaults, name)

    def layout(self) -> Layout:
        values = {
            name: self.cleaned_data[name] for name in self.LAYOUT_FIELDS if self.cleaned_data.get(name) is not None
        }
        return Layout(**values)

    def span(self) -> tuple[int, int]:
        first = self.cleaned_data.get("first") or 1
        last = self.cleaned_data.get("last") or min(self.count, first + self.max_per_file - 1)
        return first, last

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        for problem in self.layout().problems():
            self.add_error(None, problem)
        first, last = self.span()
        if last - first + 1 > self.max_per_file:
            self.add_error(
                "last",
                _("One PDF holds at most %(max)d stamps: print a large batch in parts.") % {"max": self.max_per_file},
            )
        return data
