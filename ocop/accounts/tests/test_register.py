from __future__ import annotations

from django.test import Client
from django.urls import reverse

from ocop.accounts.models import Role, User
from ocop.geo.models import AdminUnit
from ocop.registry.models import Producer, ProducerKind, ProducerStatus


def _data(world, **overrides) -> dict[str, str]:
    data = {
        "province": str(world.bac_ninh.pk),
        "name": "HTX Vải thiều Hồng Xuân",
        "kind": ProducerKind.COOPERATIVE,
        "tax_code": "0100109106-003",
        "commune": str(world.luc_ngan.pk),
        "street": "Thôn Hồng Xuân",
        "phone": "0912000111",
        "producer_email": "htx@example.vn",
        "rep_name": "Trần Thị Đại Diện",
        "rep_position": "Giám đốc",
        "username": "hongxuan",
        "email": "hongxuan@example.vn",
        "password1": "Vai-thieu-Luc-Ngan-2026",
        "password2": "Vai-thieu-Luc-Ngan-2026",
    }
    data.update(overrides)
    return data


def test_step_one_chooses_a_province_without_javascript(world):
    client = Client()
    first = client.get(reverse("accounts:register"))
    assert first.status_code == 200
    assert "accounts/register_province.html" in [t.name for t in first.templates]
    second = client.get(reverse("accounts:register"), {"province": world.bac_ninh.pk})
    assert second.status_code == 200
    communes = list(second.context["form"].fields["commune"].queryset)
    assert world.luc_ngan in communes
    assert world.hanoi_commune not in communes
    assert all(c.map == "current" and c.province_id == world.bac_ninh.pk for c in communes)
    assert "Xã Lục Ngạn" in second.content.decode()


def test_step_one_rejects_an_unknown_province(world):
    legacy = AdminUnit.objects.legacy().provinces().first()
    response = Client().get(reverse("accounts:register"), {"province": legacy.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["province"]


def test_registration_creates_pending_producer_and_user_and_logs_in(world):
    client = Client()
    response = client.post(reverse("accounts:register"), _data(world))
    assert response.status_code == 302
    assert response.url == reverse("accounts:register_done")
    user = User.objects.get(username="hongxuan")
    producer = user.producer
    assert user.role == Role.PRODUCER
    assert user.check_password("Vai-thieu-Luc-Ngan-2026")
    assert producer.status == ProducerStatus.PENDING
    assert producer.commune == world.luc_ngan
    assert producer.province == world.bac_ninh
    assert producer.tax_code == "0100109106-003"
    assert producer.rep_name == "Trần Thị Đại Diện"
    assert client.session["_auth_user_id"] == str(user.pk)
    done = client.get(response.url)
    assert "chờ xác minh" in done.content.decode()
    assert "Xã Lục Ngạn" in done.content.decode()


def _assert_kept(response, data: dict[str, str]) -> None:
    html = response.content.decode()
    assert response.status_code == 200
    for field in ("name", "street", "phone", "rep_name", "username", "email"):
        assert f'value="{data[field]}"' in html, field
    assert f'<option value="{data["commune"]}" selected>' in html
    # Passwords are never sent back to the browser.
    assert data["password1"] not in html


def test_bad_tax_code_keeps_the_data_and_shows_a_translated_error(world):
    data = _data(world, tax_code="0100109107")
    response = Client().post(reverse("accounts:register"), data)
    _assert_kept(response, data)
    assert response.context["form"].errors["tax_code"]
    assert 'aria-describedby="id_tax_code_helptext id_tax_code_error"' in response.content.decode()
    # The model's own validator decided (check digit 7 is wrong for 010010910).
    assert [e.code for e in response.context["form"].errors.as_data()["tax_code"]] == ["tax_code_check"]
    assert not User.objects.filter(username="hongxuan").exists()
    assert not Producer.objects.filter(name=data["name"]).exists()


def test_duplicate_username_keeps_the_data(world):
    data = _data(world, username="PERSONA_producer_a")
    response = Client().post(reverse("accounts:register"), data)
    _assert_kept(response, data)
    assert response.context["form"].errors["username"]
    assert not Producer.objects.filter(name=data["name"]).exists()


def test_password_mismatch_keeps_the_data(world):
    data = _data(world, password2="Something-else-2026")
    response = Client().post(reverse("accounts:register"), data)
    _assert_kept(response, data)
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(username="hongxuan").exists()


def test_weak_password_is_refused(world):
    response = Client().post(reverse("accounts:register"), _data(world, password1="12345678", password2="12345678"))
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]


def test_commune_of_another_province_is_refused(world):
    data = _data(world, commune=str(world.hanoi_commune.pk))
    response = Client().post(reverse("accounts:register"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["commune"]
    assert not User.objects.filter(username="hongxuan").exists()


def test_tax_code_required_except_for_production_households(world):
    response = Client().post(reverse("accounts:register"), _data(world, tax_code=""))
    assert response.context["form"].errors["tax_code"]
    ok = Client().post(reverse("accounts:register"), _data(world, tax_code="", kind=ProducerKind.PRODUCTION_HOUSEHOLD))
    assert ok.status_code == 302


def test_tax_code_already_registered_is_refused(world):
    response = Client().post(reverse("accounts:register"), _data(world, tax_code=world.producer_a.tax_code))
    assert response.context["form"].errors["tax_code"]


def test_logged_in_users_do_not_see_the_registration_form(world, client_for):
    response = client_for("producer_a").get(reverse("accounts:register"))
    assert response.status_code == 302


def test_new_producer_can_sign_in_later(world):
    Client().post(reverse("accounts:register"), _data(world))
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "hongxuan", "password": "Vai-thieu-Luc-Ngan-2026"})
    assert response.status_code == 302
    assert client.get(reverse("accounts:security")).status_code == 200
