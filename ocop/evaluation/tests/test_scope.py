"""Who sees which dossiers (`Dossier.objects.for_user`), and the state machine."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ocop.evaluation import actions, querysets
from ocop.evaluation.models import TRANSITIONS, Dossier, DossierStatus, DossierVersion, StatusChange
from ocop.evaluation.tests.util import open_draft, submitted


@pytest.mark.parametrize(
    ("persona", "sees_draft", "sees_submitted"),
    [
        ("admin", True, True),
        ("central", False, True),
        ("province", False, True),
        ("province_other", False, False),
        ("commune", False, True),
        ("council", False, False),
        ("producer_a", True, True),
        ("producer_b", False, False),
        ("producer_pending", False, False),
    ],
)
def test_for_user(world, persona, sees_draft, sees_submitted):
    filed = submitted(world)
    from ocop.registry.models import Product

    other = Product.objects.create(
        producer=world.producer_a, name="Mật ong A", product_set=world.product_a.product_set, status="active"
    )
    draft = actions.open_dossier(other, "first", actor=world.user("producer_a"))
    visible = set(Dossier.objects.for_user(world.user(persona)))
    assert (draft in visible) is sees_draft
    assert (filed in visible) is sees_submitted
    versions = set(DossierVersion.objects.for_user(world.user(persona)))
    assert (filed.versions.get() in versions) is sees_submitted


def test_list_page_follows_the_scope(world, client_for):
    dossier = submitted(world)
    url = reverse("evaluation:dossier_list")
    assert dossier.registration_number in client_for("commune").get(url).content.decode()
    assert dossier.registration_number not in client_for("producer_b").get(url).content.decode()
    assert client_for("anonymous").get(url).status_code == 302


def test_council_members_see_assigned_dossiers_through_the_hook(world):
    dossier = submitted(world)
    member = world.user("council")
    previous = querysets._assignment_hook
    try:
        querysets.set_assignment_hook(lambda user: Dossier.objects.filter(pk=dossier.pk).values("pk"))
        assert list(Dossier.objects.for_user(member)) == [dossier]
        querysets.set_assignment_hook(None)
        assert list(Dossier.objects.for_user(member)) == []
    finally:
        querysets.set_assignment_hook(previous)


def test_the_state_machine_refuses_jumps(world):
    dossier = open_draft(world)
    with pytest.raises(ValidationError) as error:
        actions.change_status(dossier, DossierStatus.RECOGNISED, actor=world.user("province"))
    assert error.value.code == "wrong_state"
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT
    assert StatusChange.objects.filter(dossier=dossier).count() == 1


def test_every_status_has_its_transitions():
    assert set(TRANSITIONS) == set(DossierStatus.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(DossierStatus.values)


def test_provincial_steps_go_through_change_status(world):
    dossier = submitted(world)
    from ocop.evaluation.tests.util import REPORT
    from ocop.lib import clock

    actions.save_commune_report(dossier, {**REPORT, "report_date": clock.today()}, actor=world.user("commune"))
    actions.decide(dossier, "forward", actor=world.user("commune"))
    for status in (DossierStatus.UNDER_REVIEW, DossierStatus.IN_COUNCIL, DossierStatus.SCORED):
        actions.change_status(dossier, status, actor=world.user("province"), note=status)
    assert dossier.status == DossierStatus.SCORED
    assert list(dossier.status_changes.values_list("to_status", flat=True))[-3:] == [
        "under_review",
        "in_council",
        "scored",
    ]
