from __future__ import annotations

import re

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocop.accounts.models import LoginAttempt
from ocop.accounts.tests.util import PASSWORD, events, make_officer, post_login, totp_code, wrong_code
from ocop.audit.models import Action
from ocop.testing import PERSONA_PASSWORD


def _enrol(client: Client, user) -> tuple[TOTPDevice, list[str]]:
    """Go through enrolment; returns the confirmed device and the recovery codes shown."""
    page = client.get(reverse("accounts:otp_enroll"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_enroll"), {"code": totp_code(device)})
    assert response.status_code == 302
    shown = client.get(response.url)
    return TOTPDevice.objects.get(pk=device.pk), shown.context["codes"]


def test_staff_without_device_is_forced_into_enrolment(world):
    officer = make_officer(world)
    client = Client()
    response = post_login(client, officer.username, PASSWORD)
    assert response.url.startswith(reverse("accounts:otp_enroll"))
    # Every other page sends them back to enrolment.
    protected = (reverse(settings.LOGIN_REDIRECT_URL), reverse("accounts:security"), reverse("accounts:register_done"))
    for url in (*protected, reverse("accounts:login")):
        blocked = client.get(url)
        assert blocked.status_code == 302
        assert blocked.url.startswith(reverse("accounts:otp_enroll"))
    assert client.post(reverse("accounts:password_change"), {}).url.startswith(reverse("accounts:otp_enroll"))
    # Static files, language switch and logout stay reachable.
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).url == "/"
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_enrolment_page_shows_inline_qr_and_secret(world):
    officer = make_officer(world)
    client = Client()
    post_login(client, officer.username, PASSWORD)
    page = client.get(reverse("accounts:otp_enroll"))
    html = page.content.decode()
    assert "<svg" in html
    assert "<img" not in html.split("<main", 1)[1]  # no image from an outside service
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    secret = "".join(page.context["secret_groups"])
    import base64

    assert base64.b32decode(secret) == device.bin_key
    # Reloading keeps the same secret (the app may already hold it).
    again = client.get(reverse("accounts:otp_enroll"))
    assert "".join(again.context["secret_groups"]) == secret


def test_enrolment_with_valid_code_gives_ten_recovery_codes_once(world):
    officer = make_officer(world)
    client = Client()
    post_login(client, officer.username, PASSWORD)
    device, codes = _enrol(client, officer)
    assert device.confirmed
    assert len(codes) == 10 == len(set(codes))
    assert StaticToken.objects.filter(device__user=officer).count() == 10
    # Shown once: the page does not show them again.
    again = client.get(reverse("accounts:recovery_codes"))
    assert again.status_code == 302
    # The session is verified: protected pages open.
    assert client.get(reverse("accounts:security")).status_code == 200
    enrolled = events(Action.OTP_ENROLLED, actor=officer)
    assert len(enrolled) == 1
    assert all(code not in enrolled[0].note for code in codes)


def test_enrolment_with_wrong_code_is_refused(world):
    officer = make_officer(world)
    client = Client()
    post_login(client, officer.username, PASSWORD)
    client.get(reverse("accounts:otp_enroll"))
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(reverse("accounts:otp_enroll"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert b'aria-invalid="true"' in response.content
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("accounts:security")).status_code == 302
    assert events(Action.OTP_FAILED, actor=officer)
    assert LoginAttempt.objects.filter(stage="otp", success=False, username=officer.username).count() == 1


def test_user_with_device_must_verify_and_can_use_totp(world):
    client = Client()
    response = post_login(client, "persona_commune")
    assert response.url.startswith(reverse("accounts:otp_verify"))
    assert client.get(reverse("accounts:security")).url.startswith(reverse("accounts:otp_verify"))
    # Enrolment cannot be used to replace a device without passing it first.
    assert client.get(reverse("accounts:otp_enroll")).url.startswith(reverse("accounts:otp_verify"))
    device = TOTPDevice.objects.get(user=world.user("commune"))
    bad = client.post(reverse("accounts:otp_verify"), {"code": wrong_code(device)})
    assert bad.status_code == 200
    assert client.get(reverse("accounts:security")).status_code == 302
    key_before = client.session.session_key
    ok = client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
    assert ok.status_code == 302
    assert client.session.session_key != key_before
    assert client.get(reverse("accounts:security")).status_code == 200
    assert len(events(Action.OTP_VERIFIED, actor=world.user("commune"))) == 1
    assert len(events(Action.OTP_FAILED, actor=world.user("commune"))) == 1


def test_the_same_totp_code_cannot_be_replayed(world):
    device = TOTPDevice.objects.get(user=world.user("province"))
    code = totp_code(device)
    first = Client()
    post_login(first, "persona_province")
    assert first.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 302
    second = Client()
    post_login(second, "persona_province")
    assert second.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 200


def test_recovery_code_works_once(world):
    officer = make_officer(world)
    client = Client()
    post_login(client, officer.username, PASSWORD)
    _device, codes = _enrol(client, officer)
    client.post(reverse("accounts:logout"))

    client = Client()
    post_login(client, officer.username, PASSWORD)
    used = client.post(reverse("accounts:otp_verify"), {"code": codes[0].upper().replace("-", " ")})
    assert used.status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 9
    recovery = events(Action.RECOVERY_USED, actor=officer)
    assert len(recovery) == 1 and codes[0] not in recovery[0].note
    client.post(reverse("accounts:logout"))

    client = Client()
    post_login(client, officer.username, PASSWORD)
    again = client.post(reverse("accounts:otp_verify"), {"code": codes[0]})
    assert again.status_code == 200
    assert client.get(reverse("accounts:security")).status_code == 302


def test_failed_codes_are_throttled(world, settings):
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    device = TOTPDevice.objects.get(user=world.user("council"))
    client = Client()
    post_login(client, "persona_council")
    for _ in range(3):
        assert client.post(reverse("accounts:otp_verify"), {"code": wrong_code(device)}).status_code == 200
    refused = client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
    assert refused.status_code == 429
    assert client.get(reverse("accounts:security")).status_code == 302
    assert events(Action.LOGIN_THROTTLED, actor=world.user("council"))
    # The password step is paused for the account as well.
    assert post_login(Client(), "persona_council").status_code == 429


def test_regenerating_recovery_codes_needs_a_current_code(world, client_for):
    client = client_for("central")
    user = world.user("central")
    device = TOTPDevice.objects.get(user=user)
    bad = client.post(reverse("accounts:recovery_regenerate"), {"code": wrong_code(device)})
    assert bad.status_code == 200
    assert bad.context["recovery_form"].errors["code"]
    assert not StaticToken.objects.filter(device__user=user).exists()
    ok = client.post(reverse("accounts:recovery_regenerate"), {"code": totp_code(device, 1)})
    assert ok.url == reverse("accounts:recovery_codes")
    codes = client.get(ok.url).context["codes"]
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_producer_may_enrol_and_must_then_pass_the_second_factor(world, client_for):
    client = client_for("producer_a")
    user = world.user("producer_a")
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    assert reverse("accounts:otp_enroll") in page.content.decode()
    _device, _codes = _enrol(client, user)
    client.post(reverse("accounts:logout"))

    client = Client()
    response = post_login(client, "persona_producer_a")
    assert response.url.startswith(reverse("accounts:otp_verify"))
    assert client.get(reverse("accounts:security")).url.startswith(reverse("accounts:otp_verify"))
    device = TOTPDevice.objects.get(user=user)
    assert client.post(reverse("accounts:otp_verify"), {"code": totp_code(device, 1)}).status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200


def test_producer_without_device_is_not_asked_for_a_code(world):
    client = Client()
    post_login(client, "persona_producer_b")
    assert client.get(reverse("accounts:security")).status_code == 200


def test_security_page_shows_role_scope_and_status(world, client_for):
    client = client_for("commune")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("accounts:security")).content.decode()
    assert "Commune officer" in html
    assert "Xã Lục Ngạn" in html
    assert re.search(r"0 unused recovery codes left", html)


def test_static_files_are_not_redirected_for_unverified_staff(world):
    client = Client()
    post_login(client, "persona_commune")
    response = client.get("/static/ocop/ocop.css")
    assert response.status_code != 302


def test_next_survives_the_second_factor(world):
    client = Client()
    target = reverse("accounts:security")
    response = client.post(
        reverse("accounts:login"), {"username": "persona_admin", "password": PERSONA_PASSWORD, "next": target}
    )
    assert response.url == reverse("accounts:otp_verify") + "?next=" + target.replace("/", "%2F")
    device = TOTPDevice.objects.get(user=world.user("admin"))
    verified = client.post(reverse("accounts:otp_verify"), {"code": totp_code(device), "next": target})
    assert verified.url == target


def test_verified_user_can_move_the_authenticator_to_a_new_phone(world, client_for):
    user = world.user("province")
    client = client_for("province")
    old = TOTPDevice.objects.get(user=user)
    page = client.get(reverse("accounts:otp_enroll"))
    assert page.status_code == 200
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    assert new.key != old.key
    # The old phone's code does not confirm the new device.
    assert client.post(reverse("accounts:otp_enroll"), {"code": wrong_code(new)}).status_code == 200
    response = client.post(reverse("accounts:otp_enroll"), {"code": totp_code(new)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [new.pk]
