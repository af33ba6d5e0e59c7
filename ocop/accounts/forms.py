from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, UsernameField
from django.utils.translation import gettext_lazy as _

from ocop.accounts.models import User
from ocop.geo.models import AdminUnit
from ocop.registry.models import Producer, ProducerKind, ProducerStatus


class AccessibleFormMixin:
    """Ties help texts and error lists to their inputs for screen readers.

    The field template `accounts/_field.html` renders the help text with id
    `<id>_helptext` and the errors with id `<id>_error`; each input points at
    them with aria-describedby and carries aria-invalid when it has errors.
    """

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            bound = self[name]  # type: ignore[index]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_helptext")
            if self.errors.get(name):  # type: ignore[attr-defined]
                ids.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)


class LoginForm(AccessibleFormMixin, forms.Form):
    username = UsernameField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CodeForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, label: str | None = None, help_text: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label
        if help_text:
            self.fields["code"].help_text = help_text


class TOTPCodeForm(CodeForm):
    code = forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Enter the 6 digits shown by your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"\s*\d{3}\s?\d{3}\s*"}
        ),
    )


class AccessiblePasswordChangeForm(AccessibleFormMixin, PasswordChangeForm):
    pass


class ProvinceForm(forms.Form):
    """Step one of registration: which province the producer is in."""

    province = forms.ModelChoiceField(
        label=_("Province or city"),
        queryset=AdminUnit.objects.current().provinces().order_by("name"),
        empty_label=_("— choose —"),
        error_messages={"invalid_choice": _("Choose a province from the list.")},
    )


class RegistrationForm(AccessibleFormMixin, forms.Form):
    """Step two: the producer, its address and representative, and the account."""

    # The province chosen in step one travels as a hidden field.
    province = forms.ModelChoiceField(queryset=AdminUnit.objects.current().provinces(), widget=forms.HiddenInput)

    name = forms.CharField(
        label=_("Name of the producer"),
        max_length=250,
        help_text=_("As on the business registration, e.g. “Hợp tác xã Nông nghiệp Hồng Xuân”."),
    )
    kind = forms.ChoiceField(label=_("Type of producer"), choices=[("", _("— choose —")), *ProducerKind.choices])
    tax_code = forms.CharField(
        label=_("Tax code / business registration number"),
        max_length=14,
        required=False,
        help_text=_(
            "10 digits (or 10 digits and -NNN for a branch), or the 12-digit personal ID of a household business. "
            "Only a production household without business registration may leave it empty."
        ),
    )
    commune = forms.ModelChoiceField(
        label=_("Commune or ward"),
        queryset=AdminUnit.objects.none(),
        empty_label=_("— choose —"),
        error_messages={"invalid_choice": _("Choose a commune of the chosen province from the list.")},
    )
    street = forms.CharField(label=_("Street address, village"), max_length=250)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    producer_email = forms.EmailField(label=_("E-mail of the producer"), required=False)
    rep_name = forms.CharField(
        label=_("Legal representative"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    rep_position = forms.CharField(
        label=_("Position of the representative"),
        max_length=100,
        help_text=_("e.g. Director, Head of the cooperative group, household head."),
    )

    username = UsernameField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail"),
        help_text=_("For messages about your account."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password, not only digits, not like your username."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, province: AdminUnit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if province is None and self.is_bound:
            province = self.fields["province"].queryset.filter(pk=self.data.get("province") or None).first()
        self.chosen_province = province
        if province is not None:
            self.initial.setdefault("province", province.pk)
            self.fields["commune"].queryset = (
                AdminUnit.objects.current().communes().filter(province=province).order_by("folded_name")
            )

    def clean_tax_code(self) -> str:
        value = self.cleaned_data["tax_code"].strip()
        if value:
            Producer._meta.get_field("tax_code").run_validators(value)
            taken = Producer.objects.filter(tax_code=value).exclude(status=ProducerStatus.REJECTED).exists()
            if taken:
                raise forms.ValidationError(
                    _(
                        "A producer with this tax code is already registered. Ask your commune to add you "
                        "to that producer's account."
                    ),
                    code="tax_code_taken",
                )
        return value

    def clean_username(self) -> str:
        value = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=value).exists():
            raise forms.ValidationError(_("This username is taken: choose another one."), code="username_taken")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") and data.get("kind") != ProducerKind.PRODUCTION_HOUSEHOLD and not data.get("tax_code"):
            if "tax_code" not in self.errors:
                self.add_error("tax_code", _("Enter the tax code: only a production household may leave it empty."))
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            probe = User(
                username=data.get("username", ""), email=data.get("email", ""), full_name=data.get("rep_name", "")
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
