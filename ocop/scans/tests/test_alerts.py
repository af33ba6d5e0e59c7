"""Alerts: who sees them, who decides on them, and consumers' reports."""

from __future__ import annotations

import pytest
from django.test import Client

from ocop.audit.models import AuditEvent
from ocop.scans.models import Alert, AlertRule, AlertStatus
from ocop.scans.tests.util import path_of, scan, stamped
from ocop.stamps import actions as stamp_actions
from ocop.stamps import codes

LIST = "/scans/alerts/"


@pytest.fixture
def alert(world):
    """A voided stamp of producer A's product (Bắc Ninh), scanned: an open alert."""
    batch, stamps = stamped(world.product_a)
    stamp_actions.void(batch, first=1, last=1, reason="Tem hỏng")
    scan(path_of(stamps[0]))
    return Alert.objects.get()


READERS = {"admin", "central", "province", "commune", "producer_a"}
OUTSIDERS = {"province_other", "producer_b", "producer_pending"}


def test_alert_list_scope(world, alert, client_for):
    for persona in READERS:
        response = client_for(persona).get(LIST)
        assert response.status_code == 200, persona
        assert alert in response.context["page"].object_list, persona
    for persona in OUTSIDERS:
        response = client_for(persona).get(LIST)
        assert response.status_code == 200 and alert not in response.context["page"].object_list, persona
    assert client_for("council").get(LIST).status_code == 403
    assert client_for("anonymous").get(LIST).status_code == 302


def test_alert_detail_scope(world, alert, client_for):
    url = f"/scans/alerts/{alert.pk}/"
    for persona in READERS:
        assert client_for(persona).get(url).status_code == 200, persona
    for persona in OUTSIDERS | {"council"}:
        assert client_for(persona).get(url).status_code == 404, persona


def test_the_provincial_office_decides(world, alert, client_for):
    url = f"/scans/alerts/{alert.pk}/handle/"
    data = {"status": "confirmed", "note": "Hàng giả bán ở chợ"}
    assert client_for("producer_a").post(url, data).status_code == 403
    assert client_for("commune").post(url, data).status_code == 403
    assert client_for("province_other").post(url, data).status_code == 404
    assert client_for("province").post(url, {"status": "open"}).status_code == 400  # not a finding
    response = client_for("province").post(url, data)
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CONFIRMED and alert.handled_by == world.user("province")
    assert alert.note == "Hàng giả bán ở chợ"
    assert AuditEvent.objects.filter(model="scans.Alert", object_id=str(alert.pk), action="update").exists()
    # A confirmed alert leaves the open list; the next scan of the stamp raises a new one.
    assert alert not in client_for("producer_a").get(LIST).context["page"].object_list
    scan(path_of(alert.stamp))
    assert Alert.objects.filter(status=AlertStatus.OPEN, stamp=alert.stamp).count() == 1


def test_dashboards_show_open_alerts(world, alert, client_for):
    for persona in ("producer_a", "province"):
        context = client_for(persona).get("/dashboard/").context
        assert alert in context["alerts_open"], persona
    for persona in ("producer_b", "province_other"):
        assert client_for(persona).get("/dashboard/").context["alerts_open"] == [], persona


def test_scan_list_scope(world, alert, client_for):
    producer_a = client_for("producer_a").get("/scans/")
    assert producer_a.status_code == 200 and len(producer_a.context["page"].object_list) == 1
    assert len(client_for("producer_b").get("/scans/").context["page"].object_list) == 0
    assert client_for("council").get("/scans/").status_code == 403


# --- Reports ------------------------------------------------------------------------------------------
def _report_token(response) -> str:
    return response.context["report_form"].initial["token"]


def test_report_from_the_scan_page(world):
    _batch, stamps = stamped(world.product_a)
    page = scan(path_of(stamps[0]))
    data = {"token": _report_token(page), "message": "Tem bị dán đè lên bao bì khác", "contact": "0987 000 111"}
    response = Client().post("/scans/report/", data)
    assert response.status_code == 200
    report = Alert.objects.get(rule=AlertRule.CONSUMER_REPORT)
    assert report.stamp == stamps[0] and report.product == world.product_a and report.producer == world.producer_a
    assert report.message == data["message"] and report.contact == data["contact"]
    # The producer and its office see it; another producer does not.
    assert Client().get("/scans/alerts/").status_code == 302


def test_report_from_the_not_genuine_page(world):
    stamped(world.product_a)
    page = scan(f"/S/{codes.new_serial()}")
    assert page.status_code == 404
    Client().post("/scans/report/", {"token": _report_token(page), "message": "Mua ở chợ"})
    report = Alert.objects.get(rule=AlertRule.CONSUMER_REPORT)
    assert report.product is None and report.producer is None and report.details["code"].startswith("/S/")


def test_report_bad_input_loses_nothing(world):
    _batch, stamps = stamped(world.product_a)
    token = _report_token(scan(path_of(stamps[0])))
    empty = Client().post("/scans/report/", {"token": token, "message": "", "contact": "0987"})
    assert empty.status_code == 400 and "0987" in empty.content.decode()
    forged = Client().post("/scans/report/", {"token": "forged", "message": "Hàng giả"})
    assert forged.status_code == 400 and "Hàng giả" in forged.content.decode()
    too_long = Client().post("/scans/report/", {"token": token, "message": "x" * 2001})
    assert too_long.status_code == 400
    assert not Alert.objects.filter(rule=AlertRule.CONSUMER_REPORT).exists()


def test_report_honeypot(world):
    _batch, stamps = stamped(world.product_a)
    token = _report_token(scan(path_of(stamps[0])))
    response = Client().post("/scans/report/", {"token": token, "message": "spam", "website": "http://spam"})
    assert response.status_code == 200
    assert not Alert.objects.filter(rule=AlertRule.CONSUMER_REPORT).exists()


def test_reports_are_rate_limited(world, settings):
    settings.SCAN_REPORT_LIMIT = 2
    _batch, stamps = stamped(world.product_a)
    token = _report_token(scan(path_of(stamps[0])))
    client = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(2):
        assert client.post("/scans/report/", {"token": token, "message": "Giả"}).status_code == 200
    assert client.post("/scans/report/", {"token": token, "message": "Giả"}).status_code == 429
    assert Alert.objects.filter(rule=AlertRule.CONSUMER_REPORT).count() == 2
    other = Client(REMOTE_ADDR="203.0.114.5")
    assert other.post("/scans/report/", {"token": token, "message": "Giả"}).status_code == 200


def test_alert_list_shows_open_alerts_unless_asked_otherwise(world, alert, client_for):
    client = client_for("province")
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.DISMISSED)
    assert alert not in client.get(LIST).context["page"].object_list
    assert alert not in client.get(LIST + "?page=1").context["page"].object_list
    assert alert in client.get(LIST + "?status=").context["page"].object_list
    assert alert in client.get(LIST + "?status=dismissed&rule=voided_stamp").context["page"].object_list
    assert alert not in client.get(LIST + "?status=&rule=too_many_scans").context["page"].object_list


def test_alerts_raised_by_consumers_keep_no_ip_address_or_contact_in_the_audit_log(world):
    _batch, stamps = stamped(world.product_a)
    page = scan(path_of(stamps[0]), ip="203.0.113.99")
    data = {"token": _report_token(page), "message": "Giả", "contact": "0912 345 999"}
    Client(REMOTE_ADDR="203.0.113.99").post("/scans/report/", data)
    report = Alert.objects.get(rule=AlertRule.CONSUMER_REPORT)
    events = AuditEvent.objects.filter(model="scans.Alert", object_id=str(report.pk))
    assert events.count() == 1
    event = events.get()
    assert event.ip is None and event.actor_id is None
    assert "0912 345 999" not in str(event.after) and "Giả" not in str(event.after)
