"""Authentication workflows: password step, second factor, enrolment, registration.

Each function does the whole job — throttle, check, log the attempt, write the
audit event, update the session — so views stay thin and tests can call them
directly. Passwords and codes never reach a log line or an audit note.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import django_otp
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocop.accounts import throttle
from ocop.accounts.models import Role, User
from ocop.audit.log import record
from ocop.audit.models import Action
from ocop.lib.net import client_ip
from ocop.registry.models import Producer, ProducerStatus

# Session keys kept by the login view and SessionTimeoutMiddleware.
LOGIN_AT_KEY = "ocop_login_at"
LAST_SEEN_KEY = "ocop_last_seen"
# Set at login for users outside SECOND_FACTOR_ROLES who chose to enrol: they
# must pass the second factor too. Kept in the session so the middleware does
# not query devices on every request.
OTP_REQUIRED_KEY = "ocop_otp_required"
# Fresh recovery codes waiting to be shown once, then dropped.
NEW_CODES_KEY = "ocop_new_recovery_codes"

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


def _agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


def start_session_clock(request: HttpRequest) -> None:
    now = time.time()
    request.session[LOGIN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now


def has_confirmed_totp(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_required(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and (user.needs_second_factor or request.session.get(OTP_REQUIRED_KEY)))


# --- Password step ------------------------------------------------------------------
@dataclass
class LoginOutcome:
    user: User | None = None
    refused: throttle.Decision | None = None
    needs_second_factor: bool = False

    @property
    def ok(self) -> bool:
        return self.user is not None


def password_login(request: HttpRequest, username: str, password: str) -> LoginOutcome:
    ip = client_ip(request)
    decision = throttle.check(username, ip)
    if not decision.allowed:
        # Refused before the password is checked: a guess made during a
        # cool-off learns nothing, right or wrong.
        throttle.log_attempt(username, ip, success=False, user_agent=_agent(request), refused=True)
        record(
            Action.LOGIN_THROTTLED,
            ip=ip,
            note=f"password step for username {throttle.normalise(username)!r}; "
            f"limit per {decision.reason}; retry after {decision.retry_at:%Y-%m-%d %H:%M:%S} UTC",
        )
        return LoginOutcome(refused=decision)

    user = authenticate(request, username=username, password=password)
    if user is None:
        throttle.log_attempt(username, ip, success=False, user_agent=_agent(request))
        record(Action.LOGIN_FAILED, ip=ip, note=f"wrong username or password for {throttle.normalise(username)!r}")
        return LoginOutcome()

    throttle.log_attempt(username, ip, success=True, user=user, user_agent=_agent(request))
    # django.contrib.auth.login rotates the session key: a session id planted
    # before login is worthless afterwards.
    login(request, user)
    start_session_clock(request)
    needs = user.needs_second_factor or has_confirmed_totp(user)
    if needs and not user.needs_second_factor:
        request.session[OTP_REQUIRED_KEY] = True
    record(
        Action.LOGIN,
        actor=user,
        ip=ip,
        note="password accepted; second factor pending" if needs else "password accepted",
    )
    return LoginOutcome(user=user, needs_second_factor=needs)


def logout_user(request: HttpRequest, note: str = "") -> None:
    user = request.user
    if user.is_authenticated:
        record(Action.LOGOUT, actor=user, ip=client_ip(request), note=note)
    logout(request)


# --- Second factor ----------------------------------------------------------------
def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch not in " -\t").lower()


def is_totp_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


@dataclass
class CodeOutcome:
    ok: bool = False
    refused: throttle.Decision | None = None
    recovery_used: bool = False
    recovery_left: int | None = None

    @property
    def retry_at(self) -> datetime | None:
        return self.refused.retry_at if self.refused else None


def _code_throttled(request: HttpRequest, user: User, purpose: str) -> throttle.Decision | None:
    ip = client_ip(request)
    decision = throttle.check(user.get_username(), ip)
    if decision.allowed:
        return None
    throttle.log_attempt(
        user.get_username(), ip, success=False, stage=throttle.OTP, user=user, user_agent=_agent(request), refused=True
    )
    record(
        Action.LOGIN_THROTTLED,
        actor=user,
        ip=ip,
        note=f"{purpose}: limit per {decision.reason}; retry after {decision.retry_at:%Y-%m-%d %H:%M:%S} UTC",
    )
    return decision


def _code_failed(request: HttpRequest, user: User, purpose: str) -> None:
    ip = client_ip(request)
    throttle.log_attempt(
        user.get_username(), ip, success=False, stage=throttle.OTP, user=user, user_agent=_agent(request)
    )
    record(Action.OTP_FAILED, actor=user, ip=ip, note=f"{purpose}: wrong code")


def _code_passed(request: HttpRequest, user: User) -> None:
    throttle.log_attempt(
        user.get_username(), client_ip(request), success=True, stage=throttle.OTP, user=user, user_agent=_agent(request)
    )


def _mark_verified(request: HttpRequest, device: Any) -> None:
    # Passing the second factor raises the session's privileges: rotate its
    # key like a login does.
    request.session.cycle_key()
    django_otp.login(request, device)


def verify_second_factor(request: HttpRequest, code: str) -> CodeOutcome:
    """Check a 6-digit TOTP code or a recovery code and mark the session verified."""
    user = request.user
    refused = _code_throttled(request, user, "second factor")
    if refused:
        return CodeOutcome(refused=refused)
    code = normalise_code(code)
    if is_totp_code(code):
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            # django_otp.verify_token locks the device row, so one code cannot
            # be replayed by two parallel requests.
            if django_otp.verify_token(user, device.persistent_id, code):
                _code_passed(request, user)
                _mark_verified(request, device)
                record(Action.OTP_VERIFIED, actor=user, ip=client_ip(request), note="authenticator code")
                return CodeOutcome(ok=True)
    elif code:
        for device in StaticDevice.objects.filter(user=user, confirmed=True):
            if django_otp.verify_token(user, device.persistent_id, code):
                left = device.token_set.count()
                _code_passed(request, user)
                _mark_verified(request, device)
                record(
                    Action.RECOVERY_USED,
                    actor=user,
                    ip=client_ip(request),
                    note=f"recovery code used; {left} left",
                )
                return CodeOutcome(ok=True, recovery_used=True, recovery_left=left)
    _code_failed(request, user, "second factor")
    return CodeOutcome()


def check_current_totp(request: HttpRequest, code: str, purpose: str) -> CodeOutcome:
    """Re-confirm a sensitive step with a fresh authenticator code (no recovery codes)."""
    user = request.user
    refused = _code_throttled(request, user, purpose)
    if refused:
        return CodeOutcome(refused=refused)
    code = normalise_code(code)
    if is_totp_code(code):
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if django_otp.verify_token(user, device.persistent_id, code):
                _code_passed(request, user)
                return CodeOutcome(ok=True)
    _code_failed(request, user, purpose)
    return CodeOutcome()


# --- Enrolment and recovery codes ---------------------------------------------------
def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled; the same secret across page reloads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii")


def format_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}"


@transaction.atomic
def regenerate_recovery_codes(user: User) -> list[str]:
    """Replace all recovery codes of `user` with RECOVERY_CODE_COUNT new ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    tokens = set()
    while len(tokens) < RECOVERY_CODE_COUNT:
        tokens.add(StaticToken.random_token())
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in tokens])
    return [format_recovery_code(t) for t in sorted(tokens)]


@dataclass
class EnrolOutcome:
    ok: bool = False
    refused: throttle.Decision | None = None
    recovery_codes: list[str] = field(default_factory=list)


def confirm_enrolment(request: HttpRequest, device: TOTPDevice, code: str) -> EnrolOutcome:
    user = request.user
    refused = _code_throttled(request, user, "enrolment")
    if refused:
        return EnrolOutcome(refused=refused)
    code = normalise_code(code)
    if not (is_totp_code(code) and device.user_id == user.pk and device.verify_token(code)):
        _code_failed(request, user, "enrolment")
        return EnrolOutcome()
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = regenerate_recovery_codes(user)
    _code_passed(request, user)
    _mark_verified(request, device)
    if not user.needs_second_factor:
        request.session[OTP_REQUIRED_KEY] = True
    record(Action.OTP_ENROLLED, actor=user, ip=client_ip(request), note="authenticator enrolled; 10 recovery codes")
    return EnrolOutcome(ok=True, recovery_codes=codes)


def renew_recovery_codes(request: HttpRequest, code: str) -> EnrolOutcome:
    outcome = check_current_totp(request, code, "recovery codes")
    if not outcome.ok:
        return EnrolOutcome(refused=outcome.refused)
    codes = regenerate_recovery_codes(request.user)
    record(Action.OTP_ENROLLED, actor=request.user, ip=client_ip(request), note="recovery codes regenerated")
    return EnrolOutcome(ok=True, recovery_codes=codes)


def change_password(request: HttpRequest, form: Any) -> None:
    """Save a valid PasswordChangeForm and keep this session logged in."""
    user = form.save()
    # The session hash depends on the password hash: without this the user
    # would be logged out here (other sessions of theirs are, which is wanted).
    update_session_auth_hash(request, user)
    record(Action.PASSWORD_CHANGED, actor=user, ip=client_ip(request), note="changed by the user")


# --- Self-registration ------------------------------------------------------------
@transaction.atomic
def register_producer(
    *,
    username: str,
    email: str,
    password: str,
    name: str,
    kind: str,
    tax_code: str,
    commune: Any,
    street: str,
    phone: str,
    producer_email: str,
    rep_name: str,
    rep_position: str,
) -> User:
    """Create a pending producer and its first user in one transaction.

    The producer stays PENDING until its commune or province verifies it; until
    then its user can sign in and complete the profile but files nothing.
    """
    producer = Producer.objects.create(
        name=name,
        kind=kind,
        tax_code=tax_code,
        commune=commune,
        street=street,
        phone=phone,
        email=producer_email,
        rep_name=rep_name,
        rep_position=rep_position,
        status=ProducerStatus.PENDING,
    )
    return User.objects.create_user(
        username=username,
        email=email,
        password=password,
        role=Role.PRODUCER,
        producer=producer,
        full_name=rep_name,
    )
