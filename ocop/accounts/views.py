from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocop.accounts import actions
from ocop.accounts.forms import (
    AccessiblePasswordChangeForm,
    CodeForm,
    LoginForm,
    ProvinceForm,
    RegistrationForm,
    TOTPCodeForm,
)
from ocop.audit.log import record
from ocop.audit.models import Action
from ocop.lib.net import client_ip


# --- helpers ------------------------------------------------------------------------
def _posted(request: HttpRequest) -> QueryDict | None:
    # `request.POST or None` would treat an empty POST as a GET and show no errors.
    return request.POST if request.method == "POST" else None


def _next_url(request: HttpRequest) -> str:
    """The `next` target if it is a safe local URL, else ''."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _after_login_url(request: HttpRequest) -> str:
    return _next_url(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, request: HttpRequest) -> str:
    target = _next_url(request)
    if target:
        return f"{url}?{urlencode({'next': target})}"
    return url


def retry_message(retry_at: datetime | None) -> str:
    """'Too many failed attempts… try again in 7 minutes, after 14:35.'"""
    if retry_at is None:
        return _("Too many failed attempts. Please try again later.")
    seconds = max(0.0, (retry_at - timezone.now()).total_seconds())
    minutes = max(1, math.ceil(seconds / 60))
    at = formats.time_format(timezone.localtime(retry_at), "H:i")
    return ngettext(
        "Too many failed attempts. Sign-in is paused for safety: try again in %(minutes)d minute, after %(time)s.",
        "Too many failed attempts. Sign-in is paused for safety: try again in %(minutes)d minutes, after %(time)s.",
        minutes,
    ) % {"minutes": minutes, "time": at}


# --- login / logout -------------------------------------------------------------------
TIMEOUT_NOTICES = {
    "idle": lambda: _("You were signed out after a period of inactivity. Please sign in again."),
    "absolute": lambda: _("Your session reached its maximum length and was closed. Please sign in again."),
}


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return HttpResponseRedirect(_after_login_url(request))
    notice = TIMEOUT_NOTICES.get(request.GET.get("expired", ""))
    form = LoginForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = actions.password_login(request, form.cleaned_data["username"], form.cleaned_data["password"])
        if outcome.ok:
            if outcome.needs_second_factor:
                target = "accounts:otp_verify" if actions.has_confirmed_totp(outcome.user) else "accounts:otp_enroll"
                return HttpResponseRedirect(_with_next(reverse(target), request))
            return HttpResponseRedirect(_after_login_url(request))
        if outcome.refused:
            form.add_error(None, retry_message(outcome.refused.retry_at))
            status = 429
        else:
            # Same words whether the username exists or not.
            form.add_error(None, _("Wrong username or password. Both are case-sensitive."))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _next_url(request), "notice": notice() if notice else ""},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    actions.logout_user(request, note="signed out by the user")
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))


# --- second factor --------------------------------------------------------------------
@sensitive_post_parameters("code")
@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return HttpResponseRedirect(_after_login_url(request))
    if not actions.has_confirmed_totp(request.user):
        return HttpResponseRedirect(_with_next(reverse("accounts:otp_enroll"), request))
    form = CodeForm(
        _posted(request),
        label=_("Code"),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = actions.verify_second_factor(request, form.cleaned_data["code"])
        if outcome.ok:
            if outcome.recovery_used:
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code. It cannot be used again; %(count)d code is left. "
                        "If you lost your phone, set up the authenticator again from this page.",
                        "You signed in with a recovery code. It cannot be used again; %(count)d codes are left. "
                        "If you lost your phone, set up the authenticator again from this page.",
                        outcome.recovery_left or 0,
                    )
                    % {"count": outcome.recovery_left or 0},
                )
                return redirect("accounts:security")
            return HttpResponseRedirect(_after_login_url(request))
        if outcome.refused:
            form.add_error(None, retry_message(outcome.retry_at))
            status = 429
        else:
            form.add_error(
                "code", _("This code is not valid. Check that the time on your phone is right and try the newest code.")
            )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)}, status=status)


def _qr_svg(data: str) -> str:
    # Drawn here as inline SVG: the secret never leaves the server to a QR
    # image service.
    qr = segno.make(data, error="m")
    return qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", title=_("QR code for your authenticator app"))


@sensitive_post_parameters("code")
@never_cache
@login_required
def otp_enroll(request: HttpRequest) -> HttpResponse:
    user = request.user
    # A user who already has an authenticator proves it before replacing it:
    # only a session that passed the second factor may enrol a new one.
    if actions.has_confirmed_totp(user) and not user.is_verified():
        return HttpResponseRedirect(_with_next(reverse("accounts:otp_verify"), request))
    device = actions.pending_totp_device(user)
    form = TOTPCodeForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = actions.confirm_enrolment(request, device, form.cleaned_data["code"])
        if outcome.ok:
            request.session[actions.NEW_CODES_KEY] = outcome.recovery_codes
            return HttpResponseRedirect(_with_next(reverse("accounts:recovery_codes"), request))
        if outcome.refused:
            form.add_error(None, retry_message(outcome.refused.retry_at))
            status = 429
        else:
            form.add_error(
                "code", _("This code is not valid. Check that the time on your phone is right and try the newest code.")
            )
    secret = actions.base32_secret(device)
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - generated by segno from our own data
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "required": user.needs_second_factor,
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_enroll.html", context, status=status)


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = request.session.pop(actions.NEW_CODES_KEY, None)
    if not codes:
        return redirect("accounts:security")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "continue_url": _next_url(request) or reverse("accounts:security")},
    )


# --- account page ------------------------------------------------------------------
def _render_security(
    request: HttpRequest,
    password_form: AccessiblePasswordChangeForm | None = None,
    recovery_form: TOTPCodeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    context = {
        "account": user,
        "device": device,
        "recovery_left": StaticToken.objects.filter(device__user=user).count() if device else 0,
        "password_form": password_form or AccessiblePasswordChangeForm(user, auto_id="pw_%s"),
        "recovery_form": recovery_form or TOTPCodeForm(auto_id="rc_%s"),
        "verified": user.is_verified(),
    }
    return render(request, "accounts/security.html", context, status=status)


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    return _render_security(request)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_POST
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = AccessiblePasswordChangeForm(request.user, request.POST, auto_id="pw_%s")
    if form.is_valid():
        actions.change_password(request, form)
        messages.success(request, _("Your password was changed. Other sessions of this account are signed out."))
        return redirect("accounts:security")
    return _render_security(request, password_form=form)


@sensitive_post_parameters("code")
@require_POST
@login_required
def recovery_regenerate(request: HttpRequest) -> HttpResponse:
    if not actions.has_confirmed_totp(request.user):
        return redirect("accounts:security")
    form = TOTPCodeForm(request.POST, auto_id="rc_%s")
    status = 200
    if form.is_valid():
        outcome = actions.renew_recovery_codes(request, form.cleaned_data["code"])
        if outcome.ok:
            request.session[actions.NEW_CODES_KEY] = outcome.recovery_codes
            return redirect("accounts:recovery_codes")
        if outcome.refused:
            form.add_error(None, retry_message(outcome.refused.retry_at))
            status = 429
        else:
            form.add_error("code", _("This code is not valid. New recovery codes were not made."))
    return _render_security(request, recovery_form=form, status=status)


# --- self-registration ----------------------------------------------------------------
@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:security")
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        if form.chosen_province is None:
            # The hidden province was tampered with or lost: start again.
            return render(request, "accounts/register_province.html", {"form": ProvinceForm()}, status=400)
        if form.is_valid():
            data = form.cleaned_data
            user = actions.register_producer(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                name=data["name"],
                kind=data["kind"],
                tax_code=data["tax_code"],
                commune=data["commune"],
                street=data["street"],
                phone=data["phone"],
                producer_email=data["producer_email"],
                rep_name=data["rep_name"],
                rep_position=data["rep_position"],
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            actions.start_session_clock(request)
            record(Action.LOGIN, actor=user, ip=client_ip(request), note="signed in after self-registration")
            return redirect("accounts:register_done")
        return render(request, "accounts/register.html", {"form": form})

    if "province" not in request.GET:
        return render(request, "accounts/register_province.html", {"form": ProvinceForm()})
    step = ProvinceForm(request.GET)
    if not step.is_valid():
        return render(request, "accounts/register_province.html", {"form": step}, status=400)
    form = RegistrationForm(province=step.cleaned_data["province"])
    return render(request, "accounts/register.html", {"form": form})


@login_required
def register_done(request: HttpRequest) -> HttpResponse:
    producer = request.user.producer
    if producer is None:
        return redirect("accounts:security")
    return render(request, "accounts/register_done.html", {"producer": producer})
