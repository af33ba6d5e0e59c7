"""Forms of the dossier: Mẫu 01 and Mẫu 02 (QĐ 26/2026 Phụ lục III), the evidence pick, Mẫu 03, the decision.

Mẫu 01 and Mẫu 02 are stored as JSON on the dossier. The same form class
checks a draft (nothing required, formats still checked, so a half-filled page
is never lost) and a submission (every required field), so what the page asks
for and what submission demands cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.evaluation.models import CommuneConclusion, DossierKind, HolidayOverride
from ocop.evaluation.querysets import may_keep_national_holidays
from ocop.geo.models import AdminUnit
from ocop.registry.forms import DateInput
from ocop.registry.models import Evidence, Gender


class JsonForm(forms.Form):
    """A form whose cleaned data is kept as JSON; `draft=True` relaxes the required fields."""

    def __init__(self, *args: Any, draft: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.draft = draft
        self.required_names = [name for name, field in self.fields.items() if field.required]
        if draft:
            # A draft may be saved half-filled; the fields needed to submit are marked with an asterisk.
            for field in self.fields.values():
                if field.required:
                    field.label = f"{field.label} *"
                field.required = False

    @classmethod
    def from_json(cls, data: dict[str, Any] | None, **kwargs: Any) -> JsonForm:
        """A form bound to stored JSON (to check it) — missing keys read as empty."""
        return cls(data=_as_form_data(data or {}), **kwargs)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, dt.date):
                value = value.isoformat()
            out[name] = value
        return out

    def missing(self) -> list[str]:
        """Labels of the required fields left empty or invalid (the form must be validated first)."""
        return [str(self.fields[name].label) for name in self.fields if name in self.errors]


def _as_form_data(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None or value is False:
            continue  # an unchecked box or empty value is simply absent, as in a browser POST
        out[key] = "on" if value is True else value
    return out


def _text(
    label: Any, *, required: bool = True, rows: int = 0, max_length: int = 5000, **kwargs: Any
) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget, **kwargs)


class Form01(JsonForm):
    """Mẫu 01: Phiếu đăng ký tham gia đánh giá, phân hạng sản phẩm OCOP."""

    producer_name = _text(_("Name of the registering unit"), max_length=250)
    representative = _text(_("Legal representative"), max_length=150)
    position = _text(_("Position"), max_length=100)
    address = _text(_("Contact address"), max_length=300)
    phone = _text(_("Phone"), max_length=20)
    email = forms.EmailField(label=_("E-mail"), required=False)
    product_name = _text(_("Product name"), max_length=250)
    place = _text(_("Place of signing"), max_length=100, help_text=_("The commune or town written before the date."))
    commitment = forms.BooleanField(
        label=_(
            "We declare that the information in this form is true, undertake to comply with the rules on OCOP "
            "evaluation and classification, and answer to the council and the law for this dossier."
        ),
        required=True,
    )


class Form02(JsonForm):
    """Mẫu 02: Báo cáo tự đánh giá về sản phẩm (the narrative parts; the scores are the self-assessment)."""

    # Phần I. Thông tin chung
    organisation_type = _text(_("Type of organisation"), max_length=150)
    address = _text(_("Address"), max_length=300)
    phone = _text(_("Phone"), max_length=20)
    email = forms.EmailField(label=_("E-mail"), required=False)
    representative = _text(_("Legal representative"), max_length=150)
    # Personal data asked by the form; optional here, never published.
    rep_gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    rep_ethnicity = _text(_("Ethnicity"), required=False, max_length=50)
    founded_on = forms.DateField(label=_("Founded / business registration date"), required=False, widget=DateInput())
    registration_number = _text(_("Registration certificate number"), required=False, max_length=50)
    product_description = _text(_("Product or service, its specifications and standards"), rows=4)
    has_business_registration = forms.BooleanField(label=_("Business registration"), required=False)
    quality_declared = forms.BooleanField(label=_("Product quality declared as required"), required=False)
    food_safety_certificate = forms.BooleanField(
        label=_("Certificate of a food-safe establishment for the product"), required=False
    )
    production_certificate = forms.BooleanField(
        label=_("Certificate of compulsory production conditions (where required)"), required=False
    )
    ip_trademark = forms.BooleanField(label=_("Trademark registration certificate"), required=False)
    ip_collective = forms.BooleanField(
        label=_("Right to use a geographical indication, collective or certification mark"), required=False
    )
    ip_patent = forms.BooleanField(label=_("Patent"), required=False)
    ip_design = forms.BooleanField(label=_("Industrial design"), required=False)
    ip_copyright = forms.BooleanField(label=_("Copyright certificate"), required=False)
    ip_other = _text(_("Other intellectual property (specify)"), required=False, max_length=250)
    history = _text(_("History of the producer (stages of its formation and development)"), rows=4)
    structure = _text(_("Organisational structure"), rows=3)
    # Phần II. Kết quả thực hiện phương án sản xuất kinh doanh
    production = _text(_("Raw-material area, production technology, processing and packaging"), rows=4)
    quality_changes = _text(_("Changes in product quality, standards, packaging and labelling"), rows=3)
    markets = _text(_("Distribution markets"), rows=3)
    results = _text(_("Business results: revenue, profit"), rows=3)
    # Phần III. Đánh giá kết quả thực hiện theo Bộ tiêu chí
    evidence_notes = _text(
        _("Description and evidence of the results, in the order of the criteria"), required=False, rows=5
    )
    changes_since_recognition = _text(
        _("Changes since the product was recognised"),
        required=False,
        rows=4,
        help_text=_(
            "Required for an upgrade or a re-evaluation: raw materials, technology, packaging, labels, quality "
            "declaration, periodic tests, markets, output, revenue, and renewed legal documents."
        ),
    )
    # Phần IV. Kế hoạch sản xuất, kinh doanh
    plan = _text(_("Plans for product development, production and markets"), rows=4)

    def __init__(self, *args: Any, kind: str = DossierKind.FIRST, draft: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, draft=draft, **kwargs)
        self.kind = kind
        if kind != DossierKind.FIRST:
            self.required_names.append("changes_since_recognition")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.draft and self.kind != DossierKind.FIRST and not data.get("changes_since_recognition"):
            self.add_error(
                "changes_since_recognition",
                _("An upgrade or a re-evaluation must describe what changed since the product was recognised."),
            )
        return data


FORM01_SECTIONS: list[tuple[Any, list[str]]] = [
    (_("1. Registering unit"), ["producer_name", "representative", "position", "address", "phone", "email"]),
    (_("2. Product"), ["product_name"]),
    (_("Declaration"), ["place", "commitment"]),
]
FORM02_SECTIONS: list[tuple[Any, list[str]]] = [
    (
        _("Part I. General information"),
        [
            "organisation_type",
            "address",
            "phone",
            "email",
            "representative",
            "rep_gender",
            "rep_ethnicity",
            "founded_on",
            "registration_number",
            "product_description",
        ],
    ),
    (
        _("Documents held (tick)"),
        [
            "has_business_registration",
            "quality_declared",
            "food_safety_certificate",
            "production_certificate",
            "ip_trademark",
            "ip_collective",
            "ip_patent",
            "ip_design",
            "ip_copyright",
            "ip_other",
        ],
    ),
    (_("Part I. History and organisation"), ["history", "structure"]),
    (
        _("Part II. Results of the production and business plan"),
        ["production", "quality_changes", "markets", "results"],
    ),
    (_("Part III. Assessment against the criteria"), ["evidence_notes", "changes_since_recognition"]),
    (_("Part IV. Production and business plan"), ["plan"]),
]


class EvidencePickForm(forms.Form):
    """Documents picked from the producer's own library (never uploaded again)."""

    evidence = forms.ModelMultipleChoiceField(
        label=_("Evidence documents"),
        queryset=Evidence.objects.none(),
        required=False,
        # The page renders one checkbox per document, grouped by type (views._evidence_groups).
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, producer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = Evidence.objects.filter(producer=producer).order_by("doc_type", "title")


class OpenDossierForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=None, empty_label=None)  # type: ignore[arg-type]
    kind = forms.ChoiceField(label=_("Type of registration"), choices=DossierKind.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class CommuneReportForm(forms.Form):
    """Mẫu 03, part II: the commune's assessment (all four required before forwarding)."""

    raw_materials = forms.CharField(
        label=_("Use of local raw materials"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text=_("The producer's description and the commune's assessment of the raw materials actually used."),
    )
    local_labour = forms.CharField(
        label=_("Use of local labour"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text=_("The producer's description and the commune's assessment of the local labour actually employed."),
    )
    idea_origin = forms.CharField(
        label=_("Origin of the product idea"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Traditional or new product, judged on the local situation."),
    )
    local_identity = forms.CharField(
        label=_("Local identity and knowledge"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text=_(
            "Cultural values, indigenous knowledge (varieties, raw materials, conditions), community experience and "
            "local production methods that make the product different."
        ),
    )
    other_remarks = forms.CharField(
        label=_("Other remarks"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    report_date = forms.DateField(label=_("Report date"), widget=DateInput())


# The four assessments Điều 7.2.a asks of the commune.
REPORT_REQUIRED = ("raw_materials", "local_labour", "idea_origin", "local_identity")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=CommuneConclusion.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text=_("Required when the dossier is returned: what the producer must complete or correct."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == CommuneConclusion.RETURN and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("Say why the dossier is returned, so the producer knows what to correct."))
        return data


class HolidayOverrideForm(forms.ModelForm):
    """A change to the holiday calendar: a day off added, or a working day (a make-up Saturday).

    The central office and administrators name the province (empty: every province); a provincial office
    always writes for its own province, so the field is not shown to it.
    """

    class Meta:
        model = HolidayOverride
        fields = ["province", "date", "is_holiday", "name"]
        widgets = {"date": DateInput()}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if may_keep_national_holidays(user):
            field = self.fields["province"]
            field.queryset = AdminUnit.objects.provinces().current().order_by("name")
            field.required = False
            field.empty_label = _("Every province (national calendar)")
            field.help_text = _("Leave empty for a change that applies in every province.")
        else:
            del self.fields["province"]
            self.instance.province_id = user.province_id
        self.fields["is_holiday"].help_text = _(
            "Ticked: the date becomes a day off. Not ticked: the date becomes a working day (e.g. a make-up Saturday)."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day = data.get("date")
        province = data.get("province") if "province" in self.fields else self.instance.province
        if day is not None and "province" not in self.errors:
            same = HolidayOverride.objects.filter(date=day).exclude(pk=self.instance.pk)
            same = same.filter(province=province) if province is not None else same.filter(province__isnull=True)
            if same.exists():
                self.add_error("date", _("This day is already listed for this province; edit that entry instead."))
        return data
