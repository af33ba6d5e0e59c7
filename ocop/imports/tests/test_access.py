"""Who may use the import pages: allow and deny side by side for every persona."""

import pytest
from django.urls import reverse

from ocop.imports.models import ImportJob
from ocop.imports.tests.util import PRODUCER_HEADERS, tax_code, upload, upload_and_check, xlsx_bytes

IMPORTERS = {"admin", "province", "province_other"}


def _file() -> bytes:
    return xlsx_bytes([PRODUCER_HEADERS, [1, "HTX Thử", "HTX", tax_code(1), "Xã Lục Ngạn", "", "", ""]])


def test_upload_page_per_persona(persona, client_for):
    response = client_for(persona).get(reverse("imports:upload"))
    if persona == "anonymous":
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    elif persona in IMPORTERS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_list_page_per_persona(persona, client_for):
    response = client_for(persona).get(reverse("imports:list"))
    expected = 302 if persona == "anonymous" else 200 if persona in IMPORTERS else 403
    assert response.status_code == expected


@pytest.mark.parametrize("persona", ["central", "commune", "council", "producer_a"])
def test_non_importers_cannot_upload(persona, client_for):
    response = upload(client_for(persona), _file(), "list.xlsx")
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_province_officer_imports_into_own_province(world, client_for):
    response = upload(client_for("province"), _file(), "list.xlsx", province=world.ha_noi)
    assert response.status_code == 302
    # The province field is ignored for an officer: its own province is used.
    assert ImportJob.objects.get().province == world.bac_ninh


def test_admin_picks_the_province(world, client_for):
    client = client_for("admin")
    response = upload(client, _file(), "list.xlsx")
    assert response.status_code == 400
    assert not ImportJob.objects.exists()
    response = upload(client, _file(), "list.xlsx", province=world.bac_ninh)
    assert response.status_code == 302
    assert ImportJob.objects.get().province == world.bac_ninh


def test_jobs_of_another_province_are_not_found(world, client_for):
    job = upload_and_check(client_for("province"), _file(), "list.xlsx")
    other = client_for("province_other")
    for name in ("detail", "mapping", "preview", "progress"):
        assert other.get(reverse(f"imports:{name}", args=[job.pk])).status_code == 404
    assert other.post(reverse("imports:confirm", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "preview"
    # Allowed side: the owner's province and the administrator.
    assert client_for("province").get(reverse("imports:detail", args=[job.pk])).status_code == 200
    assert client_for("admin").get(reverse("imports:detail", args=[job.pk])).status_code == 200
    assert job.original_name in client_for("admin").get(reverse("imports:list")).content.decode()
    assert job.original_name not in other.get(reverse("imports:list")).content.decode()


@pytest.mark.parametrize("persona", ["central", "commune", "producer_a"])
def test_job_pages_refused_to_non_importers(world, client_for, persona):
    job = upload_and_check(client_for("province"), _file(), "list.xlsx")
    client = client_for(persona)
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 403
    assert client.get(reverse("imports:progress", args=[job.pk])).status_code == 403
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == "preview"


def test_confirm_needs_post(world, client_for):
    client = client_for("province")
    job = upload_and_check(client, _file(), "list.xlsx")
    assert client.get(reverse("imports:confirm", args=[job.pk])).status_code == 405
