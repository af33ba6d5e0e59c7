from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocop.accounts.models import Role, User
from ocop.accounts.tests.util import totp_code


def test_totp_code_is_refused_outside_the_demo(world, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="OCOP_DEMO"):
        call_command("totp_code", "persona_commune")


def test_totp_code_prints_the_current_code_in_the_demo(world, settings):
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("totp_code", "persona_commune", stdout=out)
    device = TOTPDevice.objects.get(user=world.user("commune"))
    printed = out.getvalue().strip()
    assert printed in {totp_code(device, -1), totp_code(device), totp_code(device, 1)}
    with pytest.raises(CommandError):
        call_command("totp_code", "persona_producer_a")


def test_create_admin_from_a_password_file(db, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("Admin-passphrase-2026\n", encoding="utf-8")
    call_command(
        "create_admin",
        "--username",
        "root_admin",
        "--email",
        "a@example.vn",
        "--password-file",
        str(secret),
        "--noinput",
        stdout=io.StringIO(),
    )
    user = User.objects.get(username="root_admin")
    assert user.role == Role.ADMIN
    assert user.check_password("Admin-passphrase-2026")
    assert user.needs_second_factor


def test_create_admin_refuses_weak_password_and_duplicates(db, tmp_path):
    weak = tmp_path / "weak"
    weak.write_text("password\n", encoding="utf-8")
    with pytest.raises(CommandError, match="password refused"):
        call_command(
            "create_admin", "--username", "a1", "--email", "a@example.vn", "--password-file", str(weak), "--noinput"
        )
    assert not User.objects.filter(username="a1").exists()
    with pytest.raises(CommandError, match="--password-file"):
        call_command("create_admin", "--username", "a1", "--email", "a@example.vn", "--noinput")


def test_create_admin_prompts_for_the_password(db, monkeypatch):
    answers = iter(["Prompted-passphrase-2026", "Prompted-passphrase-2026"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_admin", "--username", "a2", "--email", "b@example.vn", stdout=io.StringIO())
    assert User.objects.get(username="a2").check_password("Prompted-passphrase-2026")
