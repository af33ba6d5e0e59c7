"""Helpers for the council tests: a forwarded dossier, a round with a council, members' scorings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client

from ocop.accounts.models import Role, User
from ocop.councils import actions
from ocop.councils.models import Evaluation, Round
from ocop.evaluation import actions as dossier_actions
from ocop.evaluation.models import Dossier
from ocop.evaluation.tests.util import REPORT, complete
from ocop.lib import clock
from ocop.rules.sheets import Criterion, Sheet
from ocop.testing import PERSONA_PASSWORD, PERSONA_TOTP_KEY, login


def forwarded(world: Any, product: Any = None, kind: str = "first") -> Dossier:
    """A complete dossier of producer A (product A, first evaluation by default), forwarded by the commune."""
    product = product or world.product_a
    producer = world.user("producer_a")
    dossier = dossier_actions.open_dossier(product, kind, actor=producer)
    if kind == "first":
        complete(dossier, world)
    else:
        complete(dossier, world, changes_since_recognition="Bao bì mới, tem truy xuất điện tử.")
    dossier_actions.submit(dossier, actor=producer)
    commune = world.user("commune")
    dossier_actions.save_commune_report(dossier, {**REPORT, "report_date": clock.today()}, actor=commune)
    dossier_actions.decide(dossier, "forward", actor=commune)
    dossier.refresh_from_db()
    return dossier


def council_user(world: Any, name: str, *, province: Any = None, role: str = Role.COUNCIL) -> User:
    """An extra council account (with its TOTP device) in Bắc Ninh unless told otherwise."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_user(
        username=f"council_{name}",
        password=PERSONA_PASSWORD,
        full_name=f"Thành viên {name}",
        role=role,
        province=province if province is not None else (world.bac_ninh if role == Role.COUNCIL else None),
    )
    TOTPDevice.objects.create(user=user, name="persona", key=PERSONA_TOTP_KEY, confirmed=True)
    return user


def client_of(user: User) -> Client:
    return login(Client(), user)


def province_round(world: Any, *, number: int = 3, days: int = 60) -> Round:
    """An extra round of the Bắc Ninh office open from today (the regular ones depend on the date)."""
    today = clock.today()
    return actions.create_round(
        actor=world.user("province"),
        year=today.year,
        number=number,
        proposals_by=today + dt.timedelta(days=days // 2),
        ends_on=today + dt.timedelta(days=days),
        plan_reference="Kế hoạch 12/KH-UBND",
    )


def council_of_five(world: Any, round_: Round) -> list[User]:
    """Chair = the `council` persona, four more members, the provincial officer as secretary; returns the five."""
    others = [council_user(world, f"m{i}") for i in range(1, 5)]
    actions.compose_council(
        round_,
        chair=world.user("council"),
        secretary=world.user("province"),
        members=others,
        advisory=[],
        actor=world.user("province"),
    )
    return [world.user("council"), *others]


def selections(sheet: Sheet, pick: Callable[[Criterion], Any]) -> dict[str, str | None]:
    """{criterion: option id} choosing with `pick(criterion)` → Option or None."""
    out = {}
    for criterion in sheet.criteria:
        option = pick(criterion)
        out[criterion.code] = option.id if option is not None else None
    return out


def best(sheet: Sheet) -> dict[str, str | None]:
    return selections(sheet, lambda c: max(c.options, key=lambda o: o.points))


def lowered(sheet: Sheet, points: int) -> dict[str, str | None]:
    """The best options, with criteria that carry no minimum mark lowered until exactly `points` are lost.

    The minimum marks stay met, so the star follows the points band.
    """
    chosen = {c.code: max(c.options, key=lambda o: o.points) for c in sheet.criteria}
    lost = 0
    for criterion in sheet.criteria:
        if lost == points or criterion.marks:
            continue
        top = chosen[criterion.code].points
        fitting = [o for o in criterion.options if top - o.points <= points - lost]
        option = min(fitting, key=lambda o: o.points)
        lost += top - option.points
        chosen[criterion.code] = option
    assert lost == points, f"could not lose exactly {points} points"
    return {code: option.id for code, option in chosen.items()}


def declare_and_score(evaluation: Evaluation, user: User, choices: dict[str, str | None]) -> Any:
    actions.declare(evaluation, user, has_conflict=False)
    return actions.submit_scoring(evaluation, user, choices)


def in_round(world: Any, product: Any = None) -> tuple[Round, Evaluation, list[User]]:
    """A forwarded dossier (of product A by default) in an extra Bắc Ninh round before a council of five."""
    dossier = forwarded(world, product)
    round_ = province_round(world)
    members = council_of_five(world, round_)
    (evaluation,) = actions.add_dossiers(round_, [dossier], actor=world.user("province"))
    return round_, evaluation, members


def authorization_objects(world: Any) -> dict[str, Any]:
    """For the authorization table: a Bắc Ninh round whose council the `council` persona chairs, with one dossier.

    The dossier is of a second product of producer A, so the table's own dossier of product A stays as it is.
    """
    from ocop.registry.models import Product

    product = Product.objects.create(
        producer=world.producer_a, name="Vải sấy A", product_set=world.product_a.product_set, status="active"
    )
    round_, evaluation, _members = in_round(world, product)
    return {"round": round_, "evaluation": evaluation}
