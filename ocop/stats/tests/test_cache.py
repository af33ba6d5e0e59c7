"""The figures kept between requests (`ocop.stats.cache`) are exact: any change shows at the next view.

Each test warms the dashboard first (a second view must run fewer queries: the figures are kept), then
changes the data the way the platform does (a save, a revocation, an import, a bulk write followed by
`changed()`, the passing of a day) and checks that the very next view shows the new figure.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocop.accounts.models import Role, User
from ocop.certificates import actions
from ocop.certificates.models import Certificate, RevocationGround
from ocop.demo import loader
from ocop.geo.models import AdminUnit
from ocop.imports.tests.util import confirm, tax_code, upload_and_check, xlsx_bytes
from ocop.lib import clock as platform_clock
from ocop.stats import cache
from ocop.stats.apps import FIGURE_MODELS
from ocop.stats.demo import BAC_GIANG_PLAN
from ocop.stats.models import ProvinceTarget
from ocop.stats.national import Scale, generate
from ocop.testing import login, make_evidence

DAY = dt.date(2026, 6, 1)


def _cert(product, star: int, issued: dt.date, number: str) -> Certificate:
    return Certificate.objects.create(
        product=product, star=star, number=number, issued_on=issued, expires_on=issued + dt.timedelta(days=1095)
    )


@pytest.fixture
def certified(world):
    # Bắc Ninh: A at 4★ (3★ then 4★), B at 3★; Hà Nội: C at 4★.
    _cert(world.product_a, 3, dt.date(2024, 3, 1), "A-3")
    _cert(world.product_a, 4, dt.date(2025, 9, 1), "A-4")
    _cert(world.product_b, 3, dt.date(2024, 5, 1), "B-3")
    _cert(world.product_c, 4, dt.date(2025, 1, 1), "C-4")
    return world


def _view(client, **params) -> tuple[int, dict[int, int], int]:
    """(total recognised, products per star, queries run) of one dashboard view."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("stats:dashboard"), params)
    assert response.status_code == 200
    page = response.content.decode()
    total = int(re.search(r'id="total-recognised"><span class="stat">(\d+)</span>', page).group(1))
    stars = {int(s): int(n) for s, n in re.findall(r'id="star-(\d)"><span class="stat">(\d+)</span>', page)}
    return total, stars, len(queries)


def _warm(client, **params) -> tuple[int, dict[int, int]]:
    cold = _view(client, **params)
    warm = _view(client, **params)
    assert warm[:2] == cold[:2]
    assert warm[2] < cold[2], "the second view should read the kept figures"
    return cold[:2]


def test_a_new_certificate_shows_at_the_next_view(certified, client_for):
    client = client_for("central")
    assert _warm(client, as_of=DAY.isoformat()) == (3, {3: 1, 4: 2, 5: 0})
    _cert(certified.product_b, 5, dt.date(2026, 1, 15), "B-5")
    assert _view(client, as_of=DAY.isoformat())[:2] == (3, {3: 0, 4: 2, 5: 1})


def test_a_changed_certificate_shows_at_the_next_view(certified, client_for):
    client = client_for("province")
    assert _warm(client, as_of=DAY.isoformat()) == (2, {3: 1, 4: 1, 5: 0})
    certificate = Certificate.objects.get(number="B-3")
    certificate.star = 4
    certificate.save()
    assert _view(client, as_of=DAY.isoformat())[:2] == (2, {3: 0, 4: 2, 5: 0})


def test_a_revocation_shows_at_the_next_view(certified, client_for):
    client = client_for("province")
    assert _warm(client)[0] == 2  # today
    actions.revoke_certificate(
        Certificate.objects.get(number="B-3"),
        ground=RevocationGround.MARK_MISUSE,
        finding_date=platform_clock.today(),
        decision_number="9/QĐ-UBND",
        decision_date=platform_clock.today(),
        evidence=[make_evidence(certified.producer_b)],
        actor=certified.user("province"),
    )
    assert _view(client)[0] == 1


def test_an_import_shows_at_the_next_view(certified, client_for):
    """The importer writes with bulk_create (no model signal); the job marked done is what tells."""
    client = client_for("province")
    assert _warm(client, as_of=DAY.isoformat()) == (2, {3: 1, 4: 1, 5: 0})
    headers = ["Tên chủ thể", "Loại hình chủ thể", "Mã số thuế", "Xã/phường", "Tên sản phẩm", "Bộ sản phẩm"]
    rows = [
        [*headers, "Hạng sao", "Ngày cấp"],
        ["HTX Mới", "HTX", tax_code(70), "Xã Lục Ngạn", "Vải sấy", 7, 5, "01/06/2025"],
    ]
    job = upload_and_check(client, xlsx_bytes(rows), "a.xlsx", kind="products")
    assert job.status == "preview", job.errors
    confirm(client, job)
    assert job.status == "done", job.failure_reason
    assert _view(client, as_of=DAY.isoformat())[:2] == (3, {3: 1, 4: 1, 5: 1})


def test_a_bulk_write_shows_once_it_says_so(certified, client_for):
    """A write without signals (QuerySet.update, bulk_create, raw SQL) calls `changed()`: then it shows."""
    client = client_for("central")
    assert _warm(client, as_of=DAY.isoformat())[0] == 3
    Certificate.objects.filter(product=certified.product_c).update(revoked_on=dt.date(2026, 2, 1))
    cache.changed()
    assert _view(client, as_of=DAY.isoformat())[0] == 2


def test_the_national_generator_says_so(db, client_for, world):
    client = client_for("central")
    before = _warm(client)[0]
    generate(Scale(producers=20, products=40, dossiers=60, scores=0, years=3, seed=3), force=True)
    assert _view(client)[0] > before


def test_figures_as_of_today_follow_the_clock(certified, client_for, clock):
    client = client_for("province")
    clock.to(dt.date(2026, 12, 1))
    assert _warm(client)[0] == 2
    clock.to(dt.date(2027, 6, 1))  # B-3 has expired; A is in force at 4★
    assert _view(client)[:2] == (1, {3: 0, 4: 1, 5: 0})


def test_each_scope_and_filter_has_its_own_figures(certified, client_for):
    central, province = client_for("central"), client_for("province")
    assert _warm(central, as_of=DAY.isoformat())[0] == 3
    assert _view(province, as_of=DAY.isoformat())[0] == 2
    assert _view(central, as_of=DAY.isoformat(), star="4")[0] == 2
    assert _view(central, as_of="2024-12-31")[0] == 2


def test_a_change_committed_elsewhere_is_seen_after_the_commit(db, django_capture_on_commit_callbacks):
    first = cache.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cache.changed()
        during = cache.generation()
    assert len(callbacks) == 1  # a new token again once the change is visible to other processes
    assert len({first, during, cache.generation()}) == 3


def test_every_model_the_figures_count_invalidates():
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for label in FIGURE_MODELS:
        model = apps.get_model(label)
        for signal in (post_save, post_delete):
            sync_receivers, _async_receivers = signal._live_receivers(model)
            assert cache.invalidate in sync_receivers, (label, signal)


def test_the_demo_loader_says_so(db):
    """The demo writes its producers, products and certificates with bulk_create: the next view counts them."""
    # The demo's target already there, so that its own save does not hide a missed bulk insert.
    bac_giang = AdminUnit.objects.legacy().provinces().get(name="Bắc Giang")
    ProvinceTarget.objects.create(province=bac_giang, year=2030, products_target_min=350, source=BAC_GIANG_PLAN)
    client = login(Client(), User.objects.create(username="stats_central", role=Role.CENTRAL))
    assert _warm(client, as_of="2022-11-10")[0] == 0
    loader.load(today=dt.date(2026, 11, 29))
    assert _view(client, as_of="2022-11-10")[0] > 0
