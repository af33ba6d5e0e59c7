"""Forms of the council pages. They parse input; every rule lives in `ocop.councils.actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ocop.councils.models import MemberFunction, NoteKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year the round closes"), min_value=2000, max_value=2100)
    number = forms.IntegerField(
        label=_("Round number"),
        min_value=1,
        max_value=20,
        help_text=_("Rounds 1 and 2 are the regular rounds with the legal dates; 3 and above are extra rounds."),
    )
    proposals_by = forms.DateField(
        label=_("Proposals accepted until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the legal date of a regular round."),
    )
    ends_on = forms.DateField(
        label=_("Evaluation completed by"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the legal date of a regular round."),
    )
    plan_reference = forms.CharField(
        label=_("Plan or rules of procedure"),
        max_length=250,
        required=False,
        help_text=_("Required for an extra round: the document that provides for it."),
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username} ({obj.username})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username} ({obj.username})"


class CouncilForm(forms.Form):
    established_by = forms.CharField(
        label=_("Established by decision"), max_length=120, required=False, help_text=_("e.g. 1234/QĐ-UBND")
    )
    chair = PersonChoiceField(label=_("Chair"), queryset=None)
    secretary = PersonChoiceField(label=_("Secretary"), queryset=None, required=False)
    members = PeopleChoiceField(
        label=pgettext_lazy("council", "Members"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    advisory = PeopleChoiceField(
        label=_("Advisory team"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, people: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = people[MemberFunction.CHAIR]
        self.fields["secretary"].queryset = people[MemberFunction.SECRETARY]
        self.fields["members"].queryset = people[MemberFunction.MEMBER]
        self.fields["advisory"].queryset = people[MemberFunction.ADVISORY]


class DossierChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} – {obj.product.name} – {obj.producer.name} ({obj.get_kind_display()})"


class AddDossiersForm(forms.Form):
    dossiers = DossierChoiceField(label=_("Dossiers"), queryset=None, widget=forms.CheckboxSelectMultiple)
    written_opinions = forms.BooleanField(
        label=_("Re-evaluations decided by written opinions"),
        required=False,
        help_text=_("Applies to re-evaluation dossiers only: members score without a meeting (Article 7.6.d)."),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].queryset = candidates


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices)
    happened_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Conflict of interest"),
        choices=[
            ("no", _("I have no conflict of interest with this product or its producer.")),
            ("yes", _("I have a conflict of interest: I do not score this dossier.")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Explanation"), max_length=500, required=False)


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Decision number"), max_length=60, help_text=_("e.g. 1234/QĐ-UBND"))
    date = forms.DateField(label=_("Decision date"), widget=DateInput())
    signer = forms.CharField(label=_("Signed by"), max_length=150)
    body = forms.CharField(label=_("Issuing body"), max_length=250, required=False)


# A criterion's answer in the scoring form: an option id, or this value for "none of the options applies".
NONE_APPLIES = "none"
SCORE_PREFIX = "score-"
COMMENT_PREFIX = "comment-"


def parse_scoring(data: Any) -> tuple[dict[str, str | None], dict[str, str]]:
    """({criterion: option id or None}, {criterion: comment}) from the posted scoring form, as posted.

    Nothing is checked here: a criterion that is not on the sheet or an
    option that is not the criterion's is refused by the action, with its
    message, so a hand-made request meets the same rules as the page.
    """
    choices: dict[str, str | None] = {}
    comments: dict[str, str] = {}
    for key in data:
        if key.startswith(SCORE_PREFIX):
            value = (data.get(key) or "").strip()
            if value:
                choices[key[len(SCORE_PREFIX) :]] = None if value == NONE_APPLIES else value
        elif key.startswith(COMMENT_PREFIX):
            value = (data.get(key) or "").strip()
            if value:
                comments[key[len(COMMENT_PREFIX) :]] = value
    return choices, comments
