"""The daily reminder sweep: each reminder once, to the producer and the provincial office, inbox and e-mail."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from ocop.certificates.models import Reminder, ReminderKind
from ocop.certificates.reminders import send_due_reminders
from ocop.certificates.tasks import daily_reminders
from ocop.notifications.models import Notification

from .util import make_certificate

ISSUED = dt.date(2026, 6, 1)


@pytest.fixture
def cert(world, clock):
    clock.to(ISSUED)
    world.user("producer_a").email = "a@example.vn"
    world.user("producer_a").save()
    world.user("province").email = "bacninh@example.gov.vn"
    world.user("province").save()
    return make_certificate(world.product_a, star=4, issued_on=ISSUED)


def _kinds(certificate):
    return list(Reminder.objects.filter(certificate=certificate).values_list("kind", flat=True))


def test_each_stage_once_on_its_day(cert, clock):
    expires = cert.expires_on
    stages = [
        (expires - dt.timedelta(days=181), None),
        (expires - dt.timedelta(days=180), ReminderKind.WINDOW_OPENS),
        (expires - dt.timedelta(days=131), None),
        (expires - dt.timedelta(days=130), ReminderKind.WINDOW_CLOSING),
        (expires - dt.timedelta(days=120), None),
        (expires - dt.timedelta(days=119), ReminderKind.WINDOW_CLOSED),
        (expires - dt.timedelta(days=1), None),
        (expires, ReminderKind.EXPIRY),
        (expires + dt.timedelta(days=1), None),
    ]
    seen = []
    for day, expected in stages:
        clock.to(day)
        result = send_due_reminders()
        assert result.total == (1 if expected else 0), day
        if expected:
            seen.append(expected)
        assert _kinds(cert) == seen
    # Running the sweep again the same day sends nothing new.
    assert send_due_reminders().total == 0


def test_recipients_get_the_inbox_entry_and_the_email(cert, world, clock):
    clock.to(cert.expires_on - dt.timedelta(days=180))
    result = send_due_reminders()
    assert result.sent == {"window_opens": 1} and result.notifications == 2 and result.emails == 2
    notes = Notification.objects.filter(kind="certificate.window_opens")
    assert {n.user.username for n in notes} == {"persona_producer_a", "persona_province"}
    note = notes.first()
    opens = (cert.expires_on - dt.timedelta(days=180)).strftime("%d/%m/%Y")
    assert "Vải thiều A" in note.title and opens in note.title
    assert note.link == cert.get_absolute_url()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.vn", "bacninh@example.gov.vn"]
    assert mail.outbox[0].subject.startswith("[OCOP] Đánh giá lại")
    # Nobody else: not producer B, not the other province, not the commune.
    for persona in ("producer_b", "province_other", "commune", "central"):
        assert not Notification.objects.filter(user=world.user(persona)).exists()


def test_after_a_pause_only_the_current_stage_is_sent(cert, clock):
    """The demo's "33 months later": the clock jumps, the sweep sends the stage it is at, not a backlog."""
    clock.to(clock.add_months(ISSUED, 33))
    send_due_reminders()
    assert _kinds(cert) == [ReminderKind.WINDOW_CLOSED]
    clock.to(cert.expires_on + dt.timedelta(days=20))
    send_due_reminders()
    assert _kinds(cert) == [ReminderKind.WINDOW_CLOSED, ReminderKind.EXPIRY]
    clock.move(days=60)
    assert send_due_reminders().total == 0


def test_no_reminder_for_revoked_or_replaced_certificates(cert, world, clock):
    revoked = make_certificate(world.product_b, star=3, issued_on=ISSUED, revoked_on=ISSUED + dt.timedelta(days=10))
    clock.to(cert.expires_on - dt.timedelta(days=170))
    # Product A was re-evaluated: its new certificate replaces the one the window is about.
    make_certificate(world.product_a, star=5, issued_on=clock.today() - dt.timedelta(days=1), number="NEW")
    send_due_reminders()
    assert not Reminder.objects.filter(certificate__in=[cert, revoked]).exists()


def test_sweep_is_idempotent_across_two_runs_and_the_task(cert, clock):
    clock.to(cert.expires_on)
    daily_reminders.enqueue(clock.today().isoformat())
    daily_reminders.enqueue(None)
    send_due_reminders()
    assert _kinds(cert) == [ReminderKind.EXPIRY]
    assert Notification.objects.filter(kind="certificate.expiry").count() == 2
    assert len(mail.outbox) == 2


def test_a_failed_email_is_retried_later(cert, clock, monkeypatch):
    import ocop.notifications.actions as notification_actions

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notification_actions, "send_mail", broken)
    clock.to(cert.expires_on)
    result = send_due_reminders()
    assert result.notifications == 2 and result.emails == 0
    assert Notification.objects.email_pending().count() == 2
    monkeypatch.undo()
    from ocop.notifications.tasks import send_pending_emails

    send_pending_emails.enqueue(None)
    assert Notification.objects.email_pending().count() == 0
    assert len(mail.outbox) == 2


def test_run_reminders_command(cert, clock):
    out = io.StringIO()
    call_command("run_reminders", "--date", (cert.expires_on - dt.timedelta(days=180)).isoformat(), stdout=out)
    assert "window_opens: 1" in out.getvalue()
    out = io.StringIO()
    clock.to(cert.expires_on)
    call_command("run_reminders", "--enqueue", stdout=out)
    assert "enqueued" in out.getvalue()
    assert _kinds(cert) == [ReminderKind.WINDOW_OPENS, ReminderKind.EXPIRY]


def test_run_reminders_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("run_reminders", "--date", "31/12/2029")


def test_scheduler_once_enqueues_the_daily_jobs(cert, clock):
    clock.to(cert.expires_on)
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "ocop.certificates.tasks.daily_reminders" in out.getvalue()
    assert _kinds(cert) == [ReminderKind.EXPIRY]


def test_reminder_appears_in_the_inbox_and_the_badge(cert, client_for, clock):
    clock.to(clock.add_months(ISSUED, 33))
    send_due_reminders()
    client = client_for("producer_a")
    page = client.get("/dashboard/").content.decode()
    assert 'class="nav-badge">1<' in page
    inbox = client.get("/notifications/").content.decode()
    assert "Vải thiều A" in inbox


def test_scheduler_loop_enqueues_once_a_day(cert, clock, monkeypatch):
    """The loop enqueues on its first check and again only when the clock's day changes."""
    from ocop.notifications.management.commands import scheduler

    command = scheduler.Command(stdout=io.StringIO(), stderr=io.StringIO())
    enqueued = []
    monkeypatch.setattr(command, "enqueue_daily", enqueued.append)
    # Each sleep lasts a whole interval; the check after the n-th sleep happens on the day given here
    # (0: the same day, None: stop).
    checks = iter([0, 0, cert.expires_on, 0, None])
    now = [0.0]

    def fake_sleep(seconds):
        now[0] += 300
        day = next(checks)
        if day is None:
            command.stopping = True
        elif day:
            clock.to(day)

    monkeypatch.setattr(scheduler.time, "sleep", fake_sleep)
    monkeypatch.setattr(scheduler.time, "monotonic", lambda: now[0])
    command.stopping = False
    command.loop(interval=300)
    assert enqueued == [ISSUED.isoformat(), cert.expires_on.isoformat()]
