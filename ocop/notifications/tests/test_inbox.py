"""The inbox: one's own notifications only, marking read, the count in the navigation."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from ocop.notifications.actions import deliver_emails, notify
from ocop.notifications.models import Notification


@pytest.fixture
def notes(world):
    a = world.user("producer_a")
    a.email = "a@example.vn"
    a.save()
    made = notify([a, a, world.user("province")], kind="test", title="Nhắc việc", body="Nội dung", link="/dashboard/")
    return made


def test_notify_once_per_user_and_email_copy(notes, world):
    assert len(notes) == 2
    assert deliver_emails(notes) == 1  # the provincial officer has no e-mail address
    assert mail.outbox[0].to == ["a@example.vn"] and mail.outbox[0].subject == "[OCOP] Nhắc việc"
    assert deliver_emails(Notification.objects.all()) == 0  # never twice


def test_links_outside_the_platform_are_dropped(world):
    [note] = notify([world.user("producer_b")], kind="t", title="x", link="https://evil.example/")
    assert note.link == ""
    [note] = notify([world.user("producer_b")], kind="t", title="x", link="//evil.example/")
    assert note.link == ""


def test_inbox_shows_only_ones_own(notes, client_for):
    mine = client_for("producer_a").get(reverse("notifications:inbox"))
    assert [n.pk for n in mine.context["page"]] == [notes[0].pk]
    assert client_for("producer_b").get(reverse("notifications:inbox")).context["page"].paginator.count == 0
    response = client_for("anonymous").get(reverse("notifications:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_mark_read_and_open(notes, client_for):
    note = notes[0]
    client = client_for("producer_a")
    assert 'class="nav-badge">1<' in client.get("/dashboard/").content.decode()
    response = client.post(reverse("notifications:mark_read", args=[note.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert "nav-badge" not in client.get("/dashboard/").content.decode()
    assert client.get(reverse("notifications:inbox"), {"show": "unread"}).context["page"].paginator.count == 0


def test_nobody_marks_anothers_notification(notes, client_for):
    note = notes[0]
    for persona in ("producer_b", "province", "admin"):
        assert client_for(persona).post(reverse("notifications:mark_read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
    assert client_for("producer_a").get(reverse("notifications:mark_read", args=[note.pk])).status_code == 405


def test_mark_all_read(notes, client_for):
    client_for("province").post(reverse("notifications:mark_all_read"))
    assert Notification.objects.filter(read_at__isnull=True).count() == 1  # producer A's is untouched
