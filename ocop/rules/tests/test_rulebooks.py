"""Rulebooks as data: which one is in force, their bands and levels, and a province's own council rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from decimal import Decimal

import pytest

from ocop.audit.models import AuditEvent
from ocop.rules.models import CouncilRuleOverride, council_rules
from ocop.rules.rulebooks import (
    DATA_DIR,
    CouncilRules,
    RulebookError,
    UnknownRulebook,
    all_rulebooks,
    get_rulebook,
    read_rulebooks,
    rulebook_for,
)


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (dt.date(2019, 8, 20), None),
        (dt.date(2019, 8, 21), "qd-1048-2019"),
        (dt.date(2023, 2, 23), "qd-1048-2019"),
        (dt.date(2023, 2, 24), "qd-148-2023"),
        (dt.date(2025, 7, 5), "qd-148-2023"),
        (dt.date(2025, 7, 6), "qd-148-2023-1489-2025"),
        (dt.date(2026, 5, 21), "qd-148-2023-1489-2025"),
        (dt.date(2026, 5, 22), "qd-26-2026"),
        (dt.date(2031, 1, 1), "qd-26-2026"),
    ],
)
def test_rulebook_in_force_on_a_day(day, code):
    found = rulebook_for(day)
    assert (found.code if found else None) == code


def test_codes_and_aliases():
    assert get_rulebook("qd-1489-2025").code == "qd-148-2023-1489-2025"
    assert get_rulebook("qd-148-2023-amended-1489-2025").code == "qd-148-2023-1489-2025"
    with pytest.raises(UnknownRulebook):
        get_rulebook("qd-999-2030")
    assert [b.code for b in all_rulebooks()] == ["qd-26-2026", "qd-148-2023-1489-2025", "qd-148-2023", "qd-1048-2019"]


def test_ids_written_by_imports_and_the_demo_are_known_rulebooks():
    from ocop.demo import plan
    from ocop.imports.importer import RULEBOOK_PERIODS, rulebook_on

    for _start, code in (*RULEBOOK_PERIODS, *plan.RULEBOOKS):
        get_rulebook(code)
    # From the first rulebook's signature on, an import records the rulebook rulebook_for() gives.
    day = dt.date(2019, 8, 21)
    while day < dt.date(2027, 1, 1):
        assert get_rulebook(rulebook_on(day)) == rulebook_for(day), day
        day += dt.timedelta(days=17)


def test_bands_and_levels_of_each_rulebook():
    current = get_rulebook("qd-26-2026")
    assert [current.band_for(x) for x in ("0", "29.99", "30", "49.99", "50", "69.99", "70", "89.99", "90", "100")] == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5,
    ]  # fmt: skip
    assert current.certifies(3) and not current.certifies(2)
    assert (current.level_for(3), current.level_for(4), current.level_for(5), current.level_for(2)) == (
        "province", "province", "central", None,
    )  # fmt: skip
    old = get_rulebook("qd-148-2023")
    assert (old.level_for(3), old.level_for(4), old.level_for(5)) == ("district", "province", "central")
    assert dict(get_rulebook("qd-1048-2019").parts) == {"A": 35, "B": 25, "C": 40}
    assert dict(old.parts) == {"A": 40, "B": 25, "C": 35}
    assert get_rulebook("qd-148-2023-1489-2025").procedure.commune_pre_check
    assert not old.procedure.commune_pre_check
    assert all(b.star_rule == "lower_of_band_and_minimums" for b in all_rulebooks())


def test_procedure_deadlines_and_rounds_of_qd_26():
    book = get_rulebook("qd-26-2026")
    p = book.procedure
    assert (p.commune_check_working_days, p.certificate_validity_months) == (15, 36)
    assert (p.reevaluation_earliest_days, p.reevaluation_latest_days, p.reevaluation_decision_days) == (180, 120, 45)
    assert p.central_threshold == Decimal(90)
    t = book.transition
    assert t.pending_follow_rulebook == "qd-148-2023-1489-2025"
    assert (t.pending_first_or_upgrade_decided_within_days, t.pending_reevaluation_decided_within_days) == (60, 30)
    assert t.late_reevaluation_valid_until_decided_max_days_after_expiry == 180
    assert [r.dates(2026) for r in book.rounds_at("province")] == [
        (dt.date(2026, 4, 30), dt.date(2026, 6, 30)),
        (dt.date(2026, 10, 30), dt.date(2026, 12, 30)),
    ]
    assert [r.done_by for r in book.rounds_at("central")] == [(9, 30), (3, 30)]
    assert [g.code for g in book.revocation_grounds] == [
        "dishonest-dossier",
        "criteria-no-longer-met",
        "law-violation",
        "mark-misuse",
        "production-stopped",
        "other-conclusion",
    ]


def test_council_quorum_and_spread():
    rules = get_rulebook("qd-26-2026").council
    assert rules.required_present(7) == 6  # 75 % of 7 = 5.25 → 6
    assert rules.quorum_met(members=8, present=6, chair_present=True)
    assert not rules.quorum_met(members=8, present=6, chair_present=False)
    assert not rules.quorum_met(members=8, present=5, chair_present=True)
    assert rules.spread_ok([80, 90]) and not rules.spread_ok([80, Decimal("90.5")])
    relaxed = dataclasses.replace(rules, quorum_requires_chair=False)
    assert relaxed.quorum_met(members=4, present=3, chair_present=False)


def test_province_override_of_the_council_rules(world):
    book = get_rulebook("qd-26-2026")
    CouncilRuleOverride.objects.create(
        province=world.bac_ninh, valid_from=dt.date(2026, 1, 1), max_spread=Decimal("15"), decision="QĐ 12/UBND"
    )
    CouncilRuleOverride.objects.create(
        province=world.bac_ninh,
        rulebook="qd-26-2026",
        valid_from=dt.date(2026, 6, 1),
        quorum_share=Decimal("0.6"),
        decision="QĐ 40/UBND",
    )
    CouncilRuleOverride.objects.create(
        province=world.bac_ninh, valid_from=dt.date(2030, 1, 1), max_spread=Decimal("3"), decision="future"
    )
    # Before the rulebook-specific rule: the generic one.
    spring = council_rules(book, world.bac_ninh, on=dt.date(2026, 3, 1))
    assert (spring.max_spread, spring.quorum_share, spring.overridden_by) == (
        Decimal(15),
        Decimal("0.75"),
        "QĐ 12/UBND",
    )
    # The rulebook-specific rule wins; unset fields keep the rulebook's defaults.
    summer = council_rules(book, world.bac_ninh, on=dt.date(2026, 7, 1))
    assert (summer.max_spread, summer.quorum_share) == (Decimal(10), Decimal("0.6"))
    # Other provinces keep the defaults.
    assert council_rules(book, world.ha_noi, on=dt.date(2026, 7, 1)) == book.council
    assert council_rules(book) == CouncilRules()
    # An official record: audited.
    assert AuditEvent.objects.filter(model__icontains="councilruleoverride").count() == 3


def test_override_values_are_checked_by_the_database(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CouncilRuleOverride.objects.create(
            province=world.bac_ninh, valid_from=dt.date(2026, 1, 1), quorum_share=Decimal("1.5"), decision="x"
        )


# --- Bad rulebook files ---------------------------------------------------------------------------------------------
@pytest.fixture
def data_dir(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(data_dir, code, change):
    path = data_dir / code / "rulebook.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_overlapping_periods_are_refused(data_dir):
    _edit(data_dir, "qd-148-2023", lambda d: d.update(valid_until="2025-08-01"))
    with pytest.raises(RulebookError, match="qd-148-2023 is still in force when qd-148-2023-1489-2025 starts"):
        read_rulebooks(data_dir)


def test_bands_out_of_order_are_refused(data_dir):
    _edit(data_dir, "qd-148-2023", lambda d: d["star_bands"].reverse())
    with pytest.raises(RulebookError, match="qd-148-2023/rulebook.json: star_bands"):
        read_rulebooks(data_dir)


def test_unknown_star_rule_is_refused(data_dir):
    _edit(data_dir, "qd-1048-2019", lambda d: d.update(star_rule="highest"))
    with pytest.raises(RulebookError, match="star_rule: 'highest' is not one of"):
        read_rulebooks(data_dir)


def test_parts_not_adding_up_are_refused(data_dir):
    _edit(data_dir, "qd-1048-2019", lambda d: d.update(parts={"A": 35, "B": 25, "C": 35}))
    with pytest.raises(RulebookError, match="sum to 95, not 100"):
        read_rulebooks(data_dir)


def test_alias_used_twice_is_refused(data_dir):
    _edit(data_dir, "qd-148-2023", lambda d: d.update(aliases=["qd-1489-2025"]))
    with pytest.raises(RulebookError, match="'qd-1489-2025' names both"):
        read_rulebooks(data_dir)


def test_missing_field_is_refused(data_dir):
    _edit(data_dir, "qd-148-2023", lambda d: d.pop("certifying_level"))
    with pytest.raises(RulebookError, match="qd-148-2023/rulebook.json: certifying_level: missing"):
        read_rulebooks(data_dir)


def test_transition_of_qd_26():
    from ocop.rules.rulebooks import transition_for

    pending = transition_for(dt.date(2026, 5, 21))
    assert pending is not None and pending.pending_follow_rulebook == "qd-148-2023-1489-2025"
    assert get_rulebook(pending.pending_follow_rulebook) == rulebook_for(dt.date(2026, 5, 21))
    assert pending.decision_deadline(reevaluation=False) == dt.date(2026, 7, 21)
    assert pending.decision_deadline(reevaluation=True) == dt.date(2026, 6, 21)
    assert pending.extension_limit(dt.date(2026, 8, 1)) == dt.date(2027, 1, 28)
    assert transition_for(dt.date(2026, 5, 22)) is None
