"""Rounds with the legal dates, the council's composition, and dossiers joining a round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ocop.councils import actions
from ocop.councils.models import CouncilMember, Evaluation, Round, regular_dates
from ocop.councils.tests.util import client_of, council_of_five, council_user, forwarded, province_round
from ocop.evaluation.models import DossierStatus
from ocop.lib import clock


def test_regular_rounds_carry_the_legal_dates():
    assert regular_dates("province", 2027, 1) == (dt.date(2027, 4, 30), dt.date(2027, 6, 30))
    assert regular_dates("province", 2027, 2) == (dt.date(2027, 10, 30), dt.date(2027, 12, 30))
    assert regular_dates("central", 2027, 1) == (dt.date(2027, 7, 30), dt.date(2027, 9, 30))
    assert regular_dates("central", 2027, 2) == (dt.date(2027, 1, 30), dt.date(2027, 3, 30))
    assert regular_dates("province", 2027, 3) is None


def test_a_regular_round_takes_the_legal_dates(world, clock):
    clock.to(dt.date(2027, 1, 10))
    round_ = actions.create_round(actor=world.user("province"), year=2027, number=1)
    assert (round_.proposals_by, round_.ends_on) == (dt.date(2027, 4, 30), dt.date(2027, 6, 30))
    assert round_.level == "province" and round_.province == world.bac_ninh and not round_.is_extra
    assert round_.rulebook == "qd-26-2026" and round_.council.level == "province"
    central = actions.create_round(actor=world.user("central"), year=2027, number=1)
    assert central.level == "central" and central.province is None
    assert (central.proposals_by, central.ends_on) == (dt.date(2027, 7, 30), dt.date(2027, 9, 30))
    # Each province has its own round 1; the same round twice is refused.
    actions.create_round(actor=world.user("province_other"), year=2027, number=1)
    with pytest.raises(ValidationError) as error:
        actions.create_round(actor=world.user("province"), year=2027, number=1)
    assert "number" in error.value.error_dict


def test_a_regular_round_may_end_earlier_but_not_later(world, clock):
    clock.to(dt.date(2027, 1, 10))
    with pytest.raises(ValidationError) as error:
        actions.create_round(actor=world.user("province"), year=2027, number=1, ends_on=dt.date(2027, 7, 15))
    assert "ends_on" in error.value.error_dict
    round_ = actions.create_round(actor=world.user("province"), year=2027, number=1, ends_on=dt.date(2027, 6, 15))
    assert round_.ends_on == dt.date(2027, 6, 15)


def test_an_extra_round_needs_dates_and_its_plan(world, client_for):
    response = client_for("province").post(reverse("councils:round_create"), {"year": 2026, "number": 3})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"proposals_by", "ends_on", "plan_reference"}
    assert not Round.objects.exists()
    round_ = province_round(world)
    assert round_.is_extra and round_.plan_reference


def test_the_create_page_suggests_the_next_regular_round(world, client_for, clock):
    clock.to(dt.date(2026, 11, 29))
    form = client_for("province").get(reverse("councils:round_create")).context["form"]
    # Round 2 of 2026 closes on 30/12/2026.
    assert form.initial["year"] == 2026 and form.initial["number"] == 2


@pytest.mark.parametrize("persona", ["admin", "commune", "council", "producer_a"])
def test_only_offices_create_rounds(world, persona):
    with pytest.raises(PermissionDenied):
        actions.create_round(actor=world.user(persona), year=2027, number=1)
    assert not Round.objects.exists()


def test_council_composition_rules(world):
    round_ = province_round(world)
    office = world.user("province")
    hanoi_member = council_user(world, "hn", province=world.ha_noi)
    # Council accounts of another province, producers and commune officers cannot sit on it.
    with pytest.raises(ValidationError) as error:
        actions.compose_council(round_, chair=world.user("council"), members=[hanoi_member], actor=office)
    assert "members" in error.value.error_dict
    with pytest.raises(ValidationError):
        actions.compose_council(round_, chair=world.user("commune"), members=[council_user(world, "a")], actor=office)
    # One person, one function.
    with pytest.raises(ValidationError):
        actions.compose_council(round_, chair=world.user("council"), members=[world.user("council")], actor=office)
    # A chair and members are needed.
    with pytest.raises(ValidationError) as error:
        actions.compose_council(round_, chair=None, members=[], actor=office)
    assert {"chair", "members"} <= set(error.value.error_dict)
    assert not CouncilMember.objects.exists()
    # Another province's office does not compose it.
    with pytest.raises(PermissionDenied):
        actions.compose_council(
            round_, chair=world.user("council"), members=[council_user(world, "b")], actor=world.user("province_other")
        )


def test_the_composition_can_change_until_members_declare(world):
    round_ = province_round(world)
    office = world.user("province")
    five = council_of_five(world, round_)
    # Swap the chair and a member.
    actions.compose_council(round_, chair=five[1], members=[five[0], *five[2:]], secretary=office, actor=office)
    assert round_.council.members.get(function="chair").user == five[1]
    assert round_.council.members.count() == 6
    dossier = forwarded(world)
    (evaluation,) = actions.add_dossiers(round_, [dossier], actor=office)
    actions.declare(evaluation, five[2], has_conflict=False)
    with pytest.raises(ValidationError):
        actions.compose_council(round_, chair=five[0], members=five[1:], actor=office)
    assert round_.council.members.get(function="chair").user == five[1]


def test_adding_an_incomplete_dossier_is_refused(world, client_for, clock):
    dossier = forwarded(world)
    round_ = province_round(world, days=500)
    council_of_five(world, round_)
    # The food-safety certificate expires while the dossier waits for its round.
    food = dossier.evidence.get(doc_type="food_safety")
    clock.to(food.expires_on + dt.timedelta(days=1))
    assert clock.today() <= round_.ends_on
    response = client_for("province").post(reverse("councils:round_add", args=[round_.pk]), {"dossiers": [dossier.pk]})
    assert response.status_code == 200
    page = response.content.decode()
    assert str(dossier) in page
    assert not Evaluation.objects.exists()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FORWARDED


def test_dossiers_forwarded_after_the_cutoff_wait_for_the_next_round(world):
    dossier = forwarded(world)
    today = clock.today()
    round_ = actions.create_round(
        actor=world.user("province"),
        year=today.year,
        number=4,
        proposals_by=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=30),
        plan_reference="Kế hoạch bổ sung",
    )
    problems = actions.dossier_problems(round_, dossier)
    assert problems and dossier.forwarded_at is not None
    with pytest.raises(ValidationError):
        actions.add_dossiers(round_, [dossier], actor=world.user("province"))
    assert not Evaluation.objects.exists()


def test_only_forwarded_dossiers_of_the_province_join(world):
    dossier = forwarded(world)
    office = world.user("province")
    round_ = province_round(world)
    other = actions.create_round(
        actor=world.user("province_other"),
        year=clock.today().year,
        number=3,
        proposals_by=clock.today() + dt.timedelta(days=5),
        ends_on=clock.today() + dt.timedelta(days=50),
        plan_reference="KH 1",
    )
    assert dossier not in actions.candidate_dossiers(other)
    with pytest.raises(PermissionDenied):
        actions.add_dossiers(round_, [dossier], actor=world.user("province_other"))
    with pytest.raises(ValidationError):
        actions.add_dossiers(other, [dossier], actor=world.user("province_other"))
    actions.add_dossiers(round_, [dossier], actor=office)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_REVIEW
    # Once in a round it is no longer waiting, and cannot be added twice.
    assert dossier not in actions.candidate_dossiers(round_)
    with pytest.raises(ValidationError):
        actions.add_dossiers(round_, [dossier], actor=office)
    assert Evaluation.objects.count() == 1


def test_written_opinions_only_for_a_reevaluation(world):
    from ocop.evaluation.tests.util import certificate
    from ocop.registry.models import Product

    round_ = province_round(world)
    council_of_five(world, round_)
    office = world.user("province")
    first = forwarded(world)
    # A certified product inside its re-evaluation window (180 to 120 days before expiry).
    renewed = Product.objects.create(
        producer=world.producer_a, name="Vải sấy A", product_set=world.product_a.product_set, status="active"
    )
    certificate(renewed, star=4, expires_in_days=150)
    again = forwarded(world, renewed, kind="reevaluation")
    by_meeting, by_writing = actions.add_dossiers(round_, [first, again], written_opinions=True, actor=office)
    # A first evaluation is not decided by written opinions, even when asked.
    assert not by_meeting.written_opinions and by_writing.written_opinions
    with pytest.raises(ValidationError):
        actions.set_written_opinions(by_meeting, True, actor=office)
    with pytest.raises(PermissionDenied):
        actions.set_written_opinions(by_writing, False, actor=world.user("council"))
    actions.set_written_opinions(by_writing, False, actor=office)
    by_writing.refresh_from_db()
    assert not by_writing.written_opinions


def test_a_council_member_sees_only_the_dossiers_assigned(world, client_for):
    from ocop.evaluation.models import Dossier

    dossier = forwarded(world)
    member = world.user("council")
    assert not Dossier.objects.for_user(member).exists()
    assert client_for("council").get(dossier.get_absolute_url()).status_code == 404
    round_ = province_round(world)
    council_of_five(world, round_)
    (evaluation,) = actions.add_dossiers(round_, [dossier], actor=world.user("province"))
    assert list(Dossier.objects.for_user(member)) == [dossier]
    assert client_for("council").get(dossier.get_absolute_url()).status_code == 200
    assert client_for("council").get(evaluation.get_absolute_url()).status_code == 200
    # A council account of the province that does not sit on this council sees nothing.
    outsider = council_user(world, "outsider")
    assert not Dossier.objects.for_user(outsider).exists()
    assert not Evaluation.objects.for_user(outsider).exists()
    assert not Round.objects.for_user(outsider).exists()


def test_advisory_notes(world, client_for):
    round_ = province_round(world)
    council_of_five(world, round_)
    adviser = council_user(world, "adviser")
    round_.council.members.create(user=adviser, function="advisory")
    (evaluation,) = actions.add_dossiers(round_, [forwarded(world)], actor=world.user("province"))
    url = reverse("councils:note_add", args=[evaluation.pk])
    # The advisory team records a site visit; an empty note is refused; a scoring member does not write notes.
    response = client_of(adviser).post(url, {"kind": "site_visit", "body": ""})
    assert response.status_code == 200 and not evaluation.notes.exists()
    response = client_of(adviser).post(url, {"kind": "extra_test", "body": "Đề nghị kiểm nghiệm dư lượng."})
    assert response.status_code == 302
    assert client_for("council").post(url, {"kind": "review", "body": "x"}).status_code == 403
    assert client_for("province_other").post(url, {"kind": "review", "body": "x"}).status_code == 404
    assert evaluation.notes.count() == 1
    assert evaluation.notes.get().author == adviser


def test_round_list_shows_each_office_its_rounds(world, client_for):
    ours = province_round(world)
    theirs = actions.create_round(
        actor=world.user("province_other"),
        year=clock.today().year,
        number=3,
        proposals_by=clock.today(),
        ends_on=clock.today() + dt.timedelta(days=10),
        plan_reference="KH",
    )
    page = client_for("province").get(reverse("councils:round_list"))
    assert list(page.context["rounds"]) == [ours]
    assert set(client_for("central").get(reverse("councils:round_list")).context["rounds"]) == {ours, theirs}
    assert list(client_for("council").get(reverse("councils:round_list")).context["rounds"]) == []
    council_of_five(world, ours)
    assert list(client_for("council").get(reverse("councils:round_list")).context["rounds"]) == [ours]
    assert client_for("province_other").get(ours.get_absolute_url()).status_code == 404


def test_scoring_members_are_told_of_new_dossiers(world):
    from ocop.notifications.models import Notification

    round_ = province_round(world)
    five = council_of_five(world, round_)
    actions.add_dossiers(round_, [forwarded(world)], actor=world.user("province"))
    assert set(Notification.objects.filter(kind="council.dossiers_added").values_list("user", flat=True)) == {
        u.pk for u in five
    }
