"""Benchmark of a council's result: 20 members × 30 criteria (criteria sheet 19 of QĐ 26/2026).

In a throw-away SQLite database: a provincial round with a council of 20 (a
chair and 19 members), one dossier, and the 20 scorings submitted through
`ocop.councils.actions` (declaration, then scoring). Then, repeated:

- `councils.actions.council_result()` — what the evaluation page and closing
  compute: the stored scorings read back, totals, mean, quorum and spread
  checks, disagreements per criterion, and the star with its reasons from
  `ocop.rules.stars.compute_stars` (the evaluation itself is fetched in each
  run, as the page does);
- `rules.stars.compute_stars()` alone, on the members' options in memory;
- a baseline: the same arithmetic in plain Python on preloaded points
  (totals, mean, spread, criteria where members differ, the median per
  criterion against the minimum marks, the band) — no ORM, no reasons.

Prints mean, p50 and p95 of each and the ratios; asserts nothing about time.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from decimal import Decimal

from throwaway import Timings, cleanup, setup

MEMBERS = 20
SHEET = 19  # 30 criteria
RUNS = 200
BASELINE_RUNS = 2000


def main() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ocop.accounts.models import Role, User
    from ocop.councils import actions
    from ocop.councils.models import Evaluation
    from ocop.evaluation.models import Dossier, DossierStatus
    from ocop.geo.models import AdminUnit
    from ocop.lib import clock
    from ocop.registry.models import Producer, ProducerKind, ProducerStatus, Product, ProductSet, ProductStatus
    from ocop.rules.rulebooks import current_rulebook
    from ocop.rules.stars import MemberScoring, compute_stars

    rulebook = current_rulebook()
    sheet = rulebook.sheet(SHEET)
    assert sheet is not None and len(sheet.criteria) == 30, "sheet 19 has 30 criteria"
    province = AdminUnit.objects.current().provinces().get(name="Bắc Ninh")
    commune = AdminUnit.objects.current().communes().filter(province=province).order_by("code").first()
    officer = User.objects.create(username="bench_office", role=Role.PROVINCE, province=province)
    people = [
        User.objects.create(
            username=f"bench_member_{i:02d}", full_name=f"Thành viên {i}", role=Role.COUNCIL, province=province
        )
        for i in range(MEMBERS)
    ]
    producer = Producer.objects.create(
        name="HTX Benchmark", kind=ProducerKind.COOPERATIVE, commune=commune, status=ProducerStatus.VERIFIED
    )
    product_set = ProductSet.objects.filter(number=SHEET, group__category__rulebook=rulebook.code).first()
    product = Product.objects.create(
        producer=producer, name="Sản phẩm benchmark", product_set=product_set, status=ProductStatus.ACTIVE
    )
    dossier = Dossier.objects.create(
        product=product, kind="first", rulebook=rulebook.code, sheet=SHEET, status=DossierStatus.UNDER_REVIEW
    )
    today = clock.today()
    round_ = actions.create_round(
        actor=officer,
        year=(today + dt.timedelta(days=60)).year,
        number=3,
        proposals_by=today + dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=60),
        plan_reference="Kế hoạch benchmark",
    )
    actions.compose_council(round_, chair=people[0], members=people[1:], actor=officer)
    evaluation = Evaluation.objects.create(
        round=round_, dossier=dossier, rulebook=rulebook.code, sheet=SHEET, added_by=officer
    )

    # Each member starts from the best options and lowers a few criteria without minimum marks, at most 9
    # points in all: the totals stay within the 10-point spread, so the star is computed on every run,
    # and members disagree on many criteria.
    rng = random.Random(2026)
    unmarked = [c for c in sheet.criteria if not c.marks]
    selections: list[dict[str, str | None]] = []
    for _member in people:
        chosen = {c.code: max(c.options, key=lambda o: o.points) for c in sheet.criteria}
        lost = 0
        for criterion in rng.sample(unmarked, len(unmarked)):
            lower = [o for o in criterion.options if 0 < chosen[criterion.code].points - o.points <= 9 - lost]
            if lower and rng.random() < 0.5:
                option = rng.choice(lower)
                lost += chosen[criterion.code].points - option.points
                chosen[criterion.code] = option
        selections.append({code: option.id for code, option in chosen.items()})

    start = time.perf_counter()
    for user, choices in zip(people, selections, strict=True):
        actions.declare(evaluation, user, has_conflict=False)
        actions.submit_scoring(evaluation, user, choices)
    seconds = time.perf_counter() - start
    print(f"{'20 declarations + scorings (actions)':<44} {seconds:8.2f} s  ({seconds / MEMBERS * 1000:.1f} ms each)")

    def result():  # type: ignore[no-untyped-def]
        fresh = Evaluation.objects.select_related("round__province", "round__council").get(pk=evaluation.pk)
        return actions.council_result(fresh)

    outcome = result()
    assert outcome.ready and outcome.star is not None, outcome.blocked
    with CaptureQueriesContext(connection) as queries:
        result()
    print(
        f"\ncouncil of {outcome.members}, sheet {SHEET} ({len(sheet.criteria)} criteria): mean {outcome.mean}, "
        f"spread {outcome.spread}, {len(outcome.disagreements)} criteria with disagreements, "
        f"{outcome.star.final_star}★; {len(queries)} queries per result"
    )

    members = [MemberScoring(member=str(i), selections=s) for i, s in enumerate(selections)]

    # The baseline's inputs, prepared once: the points of each option, the minimum marks.
    option_points = {o.id: o.points for c in sheet.criteria for o in c.options}
    codes = [c.code for c in sheet.criteria]
    marks = [(c.code, m.min_star, m.points) for c in sheet.criteria for m in c.marks]
    bands = [(b.star, b.lower) for b in rulebook.bands]
    max_spread = Decimal(10)

    def baseline() -> tuple[int, int]:
        points = [[option_points[s[code]] for code in codes] for s in selections]
        totals = [sum(row) for row in points]
        mean = Decimal(sum(totals)) / len(totals)
        spread_ok = max(totals) - min(totals) <= max_spread
        by_criterion = list(zip(*points, strict=True))
        disagreements = [i for i, column in enumerate(by_criterion) if len(set(column)) > 1]
        median = {
            code: sorted(column)[(len(column) - 1) // 2] for code, column in zip(codes, by_criterion, strict=True)
        }
        missed = [star for code, star, needed in marks if median[code] < needed]
        minimum_star = min(missed) - 1 if missed else 5
        band = next(star for star, lower in bands if mean >= lower)
        assert spread_ok
        return min(band, minimum_star), len(disagreements)

    assert baseline() == (outcome.star.final_star, len(outcome.disagreements))

    print()
    full = Timings.of("council_result() (ORM + rules)", result, RUNS)
    print(full.line(f"  {len(queries)} queries"), flush=True)
    rules_only = Timings.of(
        "compute_stars() (rules, in memory)", lambda: compute_stars(sheet, members, rulebook=rulebook), RUNS
    )
    print(rules_only.line(), flush=True)
    plain = Timings.of("baseline: plain Python, no ORM", baseline, BASELINE_RUNS)
    print(plain.line(), flush=True)
    print(f"\n{'council_result / baseline':<44} {full.mean / plain.mean:8.0f} x")
    print(f"{'compute_stars / baseline':<44} {rules_only.mean / plain.mean:8.0f} x")


if __name__ == "__main__":
    tmp = setup("ocop-bench-council-")
    try:
        main()
    finally:
        cleanup(tmp)
    sys.exit(0)
