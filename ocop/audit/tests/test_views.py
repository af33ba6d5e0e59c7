"""The audit pages: administrators only, filters, pagination, detail, export, verification."""

import csv
import datetime as dt
import io

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ocop.audit import views
from ocop.audit.log import acting_as, record
from ocop.audit.models import Action, AuditEvent, ChainCheck
from ocop.testing import PERSONAS


def _urls(event_pk):
    return {
        "list": ("get", reverse("audit:list")),
        "detail": ("get", reverse("audit:detail", args=[event_pk])),
        "export": ("get", reverse("audit:export")),
        "verify": ("post", reverse("audit:verify")),
    }


@pytest.mark.parametrize("page", ["list", "detail", "export", "verify"])
@pytest.mark.parametrize("persona", [*PERSONAS, "anonymous"])
def test_only_administrators_reach_the_audit_pages(world, client_for, persona, page):
    event = AuditEvent.objects.order_by("-id").first()
    method, url = _urls(event.pk)[page]
    response = getattr(client_for(persona), method)(url)
    if persona == "admin":
        assert response.status_code == (302 if page == "verify" else 200)
    elif persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == 403


def test_list_is_newest_first_and_paginated_by_fifty(world, client_for):
    for i in range(60):
        record(Action.IMPORT, model="x.Y", object_id=f"row-{i}")
    total = AuditEvent.objects.count()
    client = client_for("admin")
    first = client.get(reverse("audit:list"))
    events = list(first.context["page"].object_list)
    assert len(events) == 50
    assert [e.pk for e in events] == sorted((e.pk for e in events), reverse=True)
    assert events[0].pk == AuditEvent.objects.order_by("-id").first().pk
    last_page = client.get(reverse("audit:list"), {"page": first.context["page"].paginator.num_pages})
    assert len(last_page.context["page"].object_list) == total - 50 * (first.context["page"].paginator.num_pages - 1)


def test_filters(world, client_for):
    admin, province = world.user("admin"), world.user("province")
    with acting_as(province):
        world.product_a.name = "Vải thiều sấy"
        world.product_a.save()
    with acting_as(admin):
        world.producer_b.name = "HTX B mới"
        world.producer_b.save()
    client = client_for("admin")

    def pks(**params):
        response = client.get(reverse("audit:list"), params)
        assert response.status_code == 200
        return {e.pk for e in response.context["page"].object_list}

    product_update = AuditEvent.objects.get(model="registry.Product", action="update")
    producer_update = AuditEvent.objects.get(model="registry.Producer", action="update")
    assert pks(actor="persona_prov") == {product_update.pk}
    assert pks(action="update") == {product_update.pk, producer_update.pk}
    assert pks(action="update", model="registry.Producer") == {producer_update.pk}
    assert pks(model="registry.Product", object_id=str(world.product_a.pk)) == set(
        AuditEvent.objects.filter(model="registry.Product", object_id=str(world.product_a.pk)).values_list(
            "pk", flat=True
        )
    )
    today = dt.datetime.now(dt.UTC).date()
    assert product_update.pk in pks(date_from=today.isoformat(), date_to=today.isoformat())
    assert pks(date_to=(today - dt.timedelta(days=1)).isoformat()) == set()
    assert pks(date_from=(today + dt.timedelta(days=1)).isoformat()) == set()


def test_bad_filters_are_reported_and_keep_the_input(world, client_for):
    client = client_for("admin")
    response = client.get(reverse("audit:list"), {"date_from": "2026-02-10", "date_to": "2026-02-01", "action": "x"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "date_to" in form.errors and "action" in form.errors
    content = response.content.decode()
    assert 'value="2026-02-10"' in content
    # The valid filter still applies, the invalid ones are left out.
    assert response.context["page"].paginator.count == AuditEvent.objects.filter(at__date__gte="2026-02-10").count()


def test_list_query_count_does_not_grow_with_the_page(world, django_assert_num_queries):
    """count + one page of rows + the last verification + the menu's unread-notification count, however many rows."""
    admin = world.user("admin")
    request = RequestFactory().get(reverse("audit:list"))
    request.user = admin
    with django_assert_num_queries(4):
        assert views.event_list(request).status_code == 200
    for i in range(60):
        record(Action.IMPORT, model="x.Y", object_id=str(i), before={"a": i}, after={"a": i + 1}, actor=admin)
    request = RequestFactory().get(reverse("audit:list"), {"action": "import", "page": "2"})
    request.user = admin
    with django_assert_num_queries(4):
        assert views.event_list(request).status_code == 200


def test_detail_shows_before_and_after_side_by_side(world, client_for):
    with acting_as(world.user("province")):
        world.producer_a.name = "HTX Vải Lục Ngạn"
        world.producer_a.status = "suspended"
        world.producer_a.save()
    event = AuditEvent.objects.get(model="registry.Producer", action="update")
    response = client_for("admin").get(reverse("audit:detail", args=[event.pk]))
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.context["rows"]}
    assert rows["name"]["before"] == "HTX Persona A" and rows["name"]["after"] == "HTX Vải Lục Ngạn"
    assert rows["status"]["before"] == "verified" and rows["status"]["after"] == "suspended"
    assert rows["name"]["changed"]
    assert response.context["hash_matches"] is True
    content = response.content.decode()
    assert "HTX Vải Lục Ngạn" in content and "persona_province" in content


def test_detail_of_a_missing_event_is_404(world, client_for):
    assert client_for("admin").get(reverse("audit:detail", args=[999999])).status_code == 404


def test_export_is_filtered_and_audited(world, client_for):
    with acting_as(world.user("admin")):
        world.product_b.description = '=HYPERLINK("http://evil")'
        world.product_b.save()
    response = client_for("admin").get(reverse("audit:export"), {"model": "registry.Product", "action": "update"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 1
    assert rows[0]["record_id"] == str(world.product_b.pk)
    assert rows[0]["actor"] == "persona_admin"
    export = AuditEvent.objects.filter(action=Action.EXPORT).get()
    assert export.actor_id == world.user("admin").pk
    assert "1 rows" in export.note and "model=registry.Product" in export.note


def test_export_neutralises_spreadsheet_formulas(world, client_for):
    record(Action.IMPORT, model="x.Y", object_repr="=cmd|' /C calc'!A0", note="+1")
    body = b"".join(client_for("admin").get(reverse("audit:export")).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    row = next(r for r in rows if r["record_type"] == "x.Y")
    assert row["record"] == "'=cmd|' /C calc'!A0" and row["note"] == "'+1"


def test_verify_button_stores_the_result_shown_on_the_list(world, client_for):
    client = client_for("admin")
    assert client.get(reverse("audit:list")).context["last_check"] is None
    response = client.post(reverse("audit:verify"), follow=True)
    check = ChainCheck.objects.get()
    assert check.ok and check.by == world.user("admin")
    assert response.context["last_check"] == check
    assert "badge-ok" in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.VERIFY, actor=world.user("admin")).exists()


def test_verify_is_post_only(world, client_for):
    assert client_for("admin").get(reverse("audit:verify")).status_code == 405
