"""Helpers shared by the account tests."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocop.accounts.models import Role, User
from ocop.audit.models import AuditEvent
from ocop.testing import PERSONA_PASSWORD

PASSWORD = "Str0ng-passphrase-2026"


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the phone shows now (or `steps_ahead` steps later; the server accepts ±1 step)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A 6-digit code that no step inside the tolerance accepts."""
    valid = {totp_code(device, offset) for offset in (-2, -1, 0, 1, 2)}
    candidate = 0
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"


def post_login(client: Client, username: str, password: str = PERSONA_PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def make_officer(world, username: str = "officer_new") -> User:
    """A commune officer who has never set up an authenticator."""
    return User.objects.create_user(username=username, password=PASSWORD, role=Role.COMMUNE, commune=world.luc_ngan)


def events(action: str, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))
