"""The per-role dashboard: each persona sees its own figures and nobody else's, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ocop.accounts.models import LoginAttempt
from ocop.certificates.models import Certificate
from ocop.registry.models import Product, ProductStatus
from ocop.testing import make_evidence

URL = "/dashboard/"


def _certificate(product: Product, star: int, expires_in: int, number: str) -> Certificate:
    today = timezone.localdate()
    expires = today + dt.timedelta(days=expires_in)
    return Certificate.objects.create(
        product=product,
        star=star,
        score=60 if star == 3 else 75,
        number=number,
        issued_on=expires - dt.timedelta(days=3 * 365),
        expires_on=expires,
        source="manual",
    )


@pytest.fixture
def rated(world):
    """A and C in their re-evaluation window (150 days left), B valid for two more years."""
    _certificate(world.product_a, 4, 150, "CERT-A")
    _certificate(world.product_b, 3, 700, "CERT-B")
    _certificate(world.product_c, 3, 150, "CERT-C")
    return world


def _en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_anonymous_is_sent_to_login(client_for):
    response = client_for("anonymous").get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_url_name_and_current_page_marked_in_the_menu(client_for):
    assert reverse("front:dashboard") == URL
    text = client_for("producer_a").get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">' in text
    assert f'<a href="{reverse("registry:product_list")}">' in text  # other entries are not marked


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("producer_a", ["trade:inbox", "catalogue:shop_link_list"], ["catalogue:sales_point_list"]),
        ("province", ["catalogue:shop_link_list", "catalogue:sales_point_list"], ["trade:inbox"]),
        ("commune", [], ["trade:inbox", "catalogue:shop_link_list", "catalogue:sales_point_list"]),
        ("central", [], ["trade:inbox", "catalogue:shop_link_list", "catalogue:sales_point_list"]),
    ],
)
def test_the_menu_leads_to_the_trade_pages_of_the_role(client_for, persona, shown, hidden):
    client = client_for(persona)
    text = client.get(URL).content.decode()
    for name in shown:
        assert f'<a href="{reverse(name)}"' in text, name
        assert client.get(reverse(name)).status_code == 200, name  # the menu leads only where the role may go
    for name in hidden:
        assert f'<a href="{reverse(name)}"' not in text, name


# persona -> (must appear, must not appear)
SCOPE = {
    "producer_a": (["HTX Persona A", "Vải thiều A", "CERT-A"], ["Na dai B", "Cam C", "CERT-B", "CERT-C"]),
    "producer_b": (["HTX Persona B"], ["Vải thiều A", "HTX Persona A", "Cam C", "CERT-A"]),
    "commune": (["HTX Persona Pending", "Xã Lục Ngạn"], ["HTX Persona B", "HTX Persona C", "Cam C"]),
    "province": (["Vải thiều A", "HTX Persona A", "Bắc Ninh"], ["Cam C", "HTX Persona C", "HTX Persona Pending"]),
    "province_other": (["Cam C", "HTX Persona C"], ["Vải thiều A", "Na dai B", "HTX Persona A"]),
    "central": (["Bắc Ninh", "Hà Nội"], ["HTX Persona Pending"]),
    "council": (["No dossiers assigned yet.", "Bắc Ninh"], ["Vải thiều A", "Na dai B", "Cam C"]),
    "admin": (["Active users by role", "failed logins in the last 24 hours"], ["Vải thiều A"]),
}


@pytest.mark.parametrize("persona", sorted(SCOPE))
def test_each_persona_sees_its_own_scope_only(rated, client_for, persona):
    response = _en(client_for(persona)).get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    shown, hidden = SCOPE[persona]
    for name in shown:
        assert name in text, f"{persona} should see {name}"
    for name in hidden:
        assert name not in text, f"{persona} must not see {name}"


def test_producer_figures_link_to_their_lists(rated, client_for):
    world = rated
    Product.objects.create(producer=world.producer_a, name="Draft A", product_set=world.product_a.product_set)
    soon = make_evidence(world.producer_a, "Expiring document")
    soon.expires_on = timezone.localdate() + dt.timedelta(days=10)
    soon.save()
    gone = make_evidence(world.producer_a, "Expired document")
    gone.expires_on = timezone.localdate() - dt.timedelta(days=1)
    gone.save()
    make_evidence(world.producer_b, "B's expired").__class__.objects.filter(title="B's expired").update(
        expires_on=timezone.localdate() - dt.timedelta(days=3)
    )
    context = _en(client_for("producer_a")).get(URL).context
    assert (context["products_draft"], context["evidence_expiring"], context["evidence_expired"]) == (1, 1, 1)
    assert [c.number for c in context["certificates_expiring"]] == ["CERT-A"]
    text = _en(client_for("producer_a")).get(URL).content.decode()
    assert f'href="{reverse("registry:product_list")}?status=draft"' in text
    assert f'href="{reverse("registry:evidence_list")}?state=expiring"' in text
    assert f'href="{reverse("registry:evidence_list")}?state=expired"' in text
    assert f'href="{reverse("registry:product_detail", args=[world.product_a.pk])}"' in text


def test_pending_producer_sees_its_status(world, client_for):
    text = _en(client_for("producer_pending")).get(URL).content.decode()
    assert "Awaiting verification" in text and "HTX Persona Pending" in text


def test_commune_sees_producers_awaiting_verification(world, client_for):
    context = _en(client_for("commune")).get(URL).context
    assert context["pending_total"] == 1
    assert [p.name for p in context["pending"]] == ["HTX Persona Pending"]
    assert context["products_total"] == 1  # product A, the only one in Xã Lục Ngạn


def test_province_figures(rated, client_for):
    context = _en(client_for("province")).get(URL).context
    assert context["pending_total"] == 1
    assert context["products_total"] == 2
    assert context["stars"].by_star == {4: 1, 3: 1}
    assert [c.number for c in context["reevaluation"]] == ["CERT-A"]
    other = _en(client_for("province_other")).get(URL).context
    assert other["pending_total"] == 0
    assert [c.number for c in other["reevaluation"]] == ["CERT-C"]


def test_reevaluation_window_is_180_to_120_days_before_expiry(world, client_for):
    for days, number in ((119, "TOO-LATE"), (120, "LAST-DAY"), (180, "FIRST-DAY"), (181, "TOO-EARLY")):
        product = Product.objects.create(
            producer=world.producer_a, name=number, product_set=world.product_a.product_set, status=ProductStatus.ACTIVE
        )
        _certificate(product, 3, days, number)
    context = client_for("province").get(URL).context
    assert sorted(c.number for c in context["reevaluation"]) == ["FIRST-DAY", "LAST-DAY"]


def test_central_counts_by_province_and_star(rated, client_for):
    context = client_for("central").get(URL).context
    rows = {row.label: row.by_star for row in context["table"]}
    assert rows == {"Bắc Ninh": {4: 1, 3: 1}, "Thành phố Hà Nội": {3: 1}}
    assert context["totals"].by_star == {3: 2, 4: 1}


def test_a_product_counts_once_at_its_highest_valid_star(world, client_for):
    _certificate(world.product_a, 3, 30, "OLD-3")
    _certificate(world.product_a, 4, 900, "NEW-4")
    context = client_for("province").get(URL).context
    assert context["stars"].by_star == {4: 1}


def test_admin_sees_failed_logins_of_the_last_day(world, client_for):
    LoginAttempt.objects.create(username="x", success=False)
    LoginAttempt.objects.create(username="x", success=False)
    old = LoginAttempt.objects.create(username="x", success=False)
    LoginAttempt.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=2))
    LoginAttempt.objects.create(username="y", success=True)
    context = client_for("admin").get(URL).context
    assert context["failed_logins"] == 2
    roles = {value: n for value, _label, n in context["roles"]}
    assert roles["province"] == 2 and roles["producer"] == 3
    text = client_for("admin").get(URL).content.decode()
    assert f'href="{reverse("audit:list")}"' in text
    assert f'href="{reverse("audit:list")}?action=login_failed' in text


# Query budgets. Every signed-in request costs 6 or 7 besides the dashboard: the session, the user,
# the second-factor device (staff only), the idle-timeout stamp saved on the session (savepoint,
# update, release) and the unread-notification count in the menu. The rest is the dashboard's own, a fixed
# number whatever the amount of data (producers and provincial offices: one more for the open scan alerts;
# producers one more for the buyer inquiries awaiting an answer).
BUDGET = {"producer_a": 12, "commune": 12, "province": 15, "central": 10, "council": 8, "admin": 10}


@pytest.mark.parametrize("persona", sorted(BUDGET))
def test_query_count_is_pinned(rated, client_for, persona, django_assert_max_num_queries):
    client = client_for(persona)
    with django_assert_max_num_queries(BUDGET[persona]):
        assert client.get(URL).status_code == 200


DEMO_BUDGET = {
    "demo_hongxuan": BUDGET["producer_a"],
    "demo_lucngan": BUDGET["commune"],
    "demo_bacninh": BUDGET["province"],
    "demo_central": BUDGET["central"],
    "demo_council": BUDGET["council"],
    "demo_admin": BUDGET["admin"],
}


@pytest.mark.parametrize("username", sorted(DEMO_BUDGET))
def test_query_count_does_not_grow_with_the_data(db, username, django_assert_max_num_queries):
    """Same budgets on the demo data set (about 300 certificates): no query per row."""
    from django.test import Client

    from ocop.accounts.models import User
    from ocop.demo.loader import load
    from ocop.testing import login

    load()
    client = login(Client(), User.objects.get(username=username))
    with django_assert_max_num_queries(DEMO_BUDGET[username]):
        response = client.get(URL)
    assert response.status_code == 200


def test_demo_province_dashboard_shows_the_bac_giang_programme(db):
    from django.test import Client

    from ocop.accounts.models import User
    from ocop.demo.loader import load
    from ocop.testing import login

    load()
    client = _en(login(Client(), User.objects.get(username="demo_bacninh")))
    context = client.get(URL).context
    assert context["products_total"] == 185
    assert context["pending_total"] == 3
    valid_today = Certificate.objects.valid_on(timezone.localdate()).values("product").distinct().count()
    assert context["stars"].total == valid_today
    origins = {row["name"]: row["count"] for row in context["by_origin"]}
    assert origins == {"Bắc Giang": 182, "Bắc Ninh": 3}


def test_recent_imports_are_those_of_the_province(world, client_for):
    from ocop.imports.models import ImportJob

    for name, province, user in (
        ("bac-ninh.xlsx", world.bac_ninh, "province"),
        ("ha-noi.xlsx", world.ha_noi, "province_other"),
    ):
        ImportJob.objects.create(
            kind="producers",
            province=province,
            original_name=name,
            file_format="xlsx",
            sha256="0" * 64,
            created_by=world.user(user),
        )
    text = client_for("province").get(URL).content.decode()
    assert "bac-ninh.xlsx" in text and "ha-noi.xlsx" not in text
    text = client_for("province_other").get(URL).content.decode()
    assert "ha-noi.xlsx" in text and "bac-ninh.xlsx" not in text
