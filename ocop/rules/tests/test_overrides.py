"""The council rules screen: scoping by province, the audit trail, validation, and the rules in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ocop.audit.models import AuditEvent
from ocop.rules.models import CouncilRuleOverride, council_rules
from ocop.rules.rulebooks import get_rulebook

D = dt.date
MODEL = "rules.CouncilRuleOverride"


def _form(**changes):
    data = {
        "rulebook": "",
        "valid_from": "2026-01-01",
        "quorum_share": "0.6",
        "quorum_requires_chair": "false",
        "max_spread": "",
        "decision": "15/QĐ-UBND ngày 2/1/2026",
    }
    data.update(changes)
    return data


def _events(pk: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(model=MODEL, object_id=str(pk)).order_by("pk").values_list("action", flat=True)
    )


def test_province_records_edits_and_removes_its_rules_with_an_audit_trail(world, client_for, clock):
    clock.to(D(2026, 6, 1))
    client = client_for("province")
    response = client.post(reverse("rules:override_create"), _form(province=world.ha_noi.pk))
    assert response.status_code == 302
    override = CouncilRuleOverride.objects.get()
    # A provincial office always writes for its own province, whatever the request says.
    assert override.province == world.bac_ninh
    assert override.quorum_share == Decimal("0.6") and override.quorum_requires_chair is False
    assert override.max_spread is None
    create = AuditEvent.objects.get(model=MODEL, object_id=str(override.pk))
    assert create.action == "create" and create.actor == world.user("province")
    assert create.after["quorum_share"] == "0.600" and create.after["province"] == world.bac_ninh.pk

    # The list shows what applies today.
    book = get_rulebook("qd-26-2026")
    page = client.get(reverse("rules:override_list"))
    assert page.status_code == 200
    [item] = page.context["in_force"]
    assert item["province"] == world.bac_ninh and item["rules"] == council_rules(book, world.bac_ninh)
    assert item["rules"].quorum_share == Decimal("0.6") and item["rules"].overridden_by == "15/QĐ-UBND ngày 2/1/2026"
    assert "15/QĐ-UBND ngày 2/1/2026" in page.content.decode()

    response = client.post(
        reverse("rules:override_edit", args=[override.pk]), _form(quorum_share="0.7", quorum_requires_chair="unknown")
    )
    assert response.status_code == 302
    override.refresh_from_db()
    assert override.quorum_share == Decimal("0.7") and override.quorum_requires_chair is None
    update = AuditEvent.objects.filter(model=MODEL, object_id=str(override.pk)).order_by("pk").last()
    assert update.action == "update" and update.before["quorum_share"] == "0.600"
    assert council_rules(book, world.bac_ninh).quorum_share == Decimal("0.7")

    assert client.get(reverse("rules:override_delete", args=[override.pk])).status_code == 200
    assert CouncilRuleOverride.objects.exists()  # the GET only asks
    response = client.post(reverse("rules:override_delete", args=[override.pk]))
    assert response.status_code == 302 and not CouncilRuleOverride.objects.exists()
    assert _events(override.pk) == ["create", "update", "delete"]
    assert council_rules(book, world.bac_ninh) == book.council


def test_central_office_keeps_any_province_and_sees_all(world, client_for, clock):
    clock.to(D(2026, 6, 1))
    CouncilRuleOverride.objects.create(province=world.bac_ninh, valid_from=D(2026, 1, 1), decision="BN")
    response = client_for("central").post(
        reverse("rules:override_create"), _form(province=world.ha_noi.pk, rulebook="qd-26-2026", decision="HN")
    )
    assert response.status_code == 302
    assert CouncilRuleOverride.objects.get(decision="HN").province == world.ha_noi
    page = client_for("central").get(reverse("rules:override_list"))
    assert len(page.context["page"].object_list) == 2
    assert [item["province"] for item in page.context["in_force"]] == [world.bac_ninh, world.ha_noi]
    # The central office must name the province.
    response = client_for("central").post(reverse("rules:override_create"), _form(valid_from="2026-02-01"))
    assert response.status_code == 400 and "province" in response.context["form"].errors


def test_provincial_office_sees_only_its_province(world, client_for):
    own = CouncilRuleOverride.objects.create(province=world.bac_ninh, valid_from=D(2026, 1, 1), decision="BN")
    other = CouncilRuleOverride.objects.create(province=world.ha_noi, valid_from=D(2026, 1, 1), decision="HN")
    page = client_for("province").get(reverse("rules:override_list"))
    assert list(page.context["page"].object_list) == [own]
    assert [item["province"] for item in page.context["in_force"]] == [world.bac_ninh]
    for name in ("rules:override_edit", "rules:override_delete"):
        assert client_for("province").get(reverse(name, args=[other.pk])).status_code == 404
    assert client_for("province").post(reverse("rules:override_delete", args=[other.pk])).status_code == 404
    assert CouncilRuleOverride.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("share", ["0", "-0.5", "1.5", "2"])
def test_quorum_share_outside_zero_to_one_is_refused(world, client_for, share):
    response = client_for("province").post(reverse("rules:override_create"), _form(quorum_share=share))
    assert response.status_code == 400
    assert "quorum_share" in response.context["form"].errors
    assert "lớn hơn 0 và không quá 1" in response.content.decode()
    assert not CouncilRuleOverride.objects.exists()


def test_quorum_share_of_one_is_accepted(world, client_for):
    response = client_for("province").post(reverse("rules:override_create"), _form(quorum_share="1"))
    assert response.status_code == 302
    assert CouncilRuleOverride.objects.get().quorum_share == Decimal("1")


def test_negative_spread_and_missing_decision_are_refused(world, client_for):
    response = client_for("province").post(reverse("rules:override_create"), _form(max_spread="-1", decision=""))
    assert response.status_code == 400
    assert {"max_spread", "decision"} <= set(response.context["form"].errors)


def test_duplicate_day_is_a_form_error(world, client_for):
    CouncilRuleOverride.objects.create(province=world.bac_ninh, valid_from=D(2026, 1, 1), decision="BN")
    response = client_for("province").post(reverse("rules:override_create"), _form())
    assert response.status_code == 400 and "valid_from" in response.context["form"].errors
    assert "đã có quy định" in response.content.decode()
    # Same day for a named rulebook, or for another province: fine.
    assert (
        client_for("province").post(reverse("rules:override_create"), _form(rulebook="qd-26-2026")).status_code == 302
    )
    assert client_for("province_other").post(reverse("rules:override_create"), _form()).status_code == 302
    # The central office meets the same error for Bắc Ninh.
    response = client_for("central").post(reverse("rules:override_create"), _form(province=world.bac_ninh.pk))
    assert response.status_code == 400 and "valid_from" in response.context["form"].errors
    assert CouncilRuleOverride.objects.count() == 3


def test_unknown_rulebook_is_refused(world, client_for):
    response = client_for("province").post(reverse("rules:override_create"), _form(rulebook="qd-0-1900"))
    assert response.status_code == 400 and "rulebook" in response.context["form"].errors


def test_overrides_address_is_not_read_as_a_rulebook(client, db):
    # Anonymous visitors are sent to log in rather than told there is no rulebook called "overrides".
    response = client.get(reverse("rules:override_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("persona", "shown"), [("province", True), ("central", True), ("admin", True), ("council", False)]
)
def test_menu_link_for_the_offices(world, client_for, persona, shown):
    page = client_for(persona).get(reverse("front:dashboard")).content.decode()
    assert (f'href="{reverse("rules:override_list")}"' in page) is shown
