"""The daily sweep of the commune's deadline: "due soon" to the commune, "overdue" to the commune and the province."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from ocop.accounts.models import Role, User
from ocop.evaluation import actions
from ocop.evaluation.models import DeadlineReminder, DeadlineReminderKind
from ocop.evaluation.reminders import send_due_reminders
from ocop.evaluation.tasks import overdue_commune_checks
from ocop.evaluation.tests.util import REPORT, submitted
from ocop.evaluation.workdays import calendar_for
from ocop.notifications.models import Notification

# A Monday in the middle of September, clear of the national holidays.
FILED = dt.date(2026, 9, 7)


@pytest.fixture
def dossier(world, clock):
    clock.to(FILED)
    # An officer of another commune of the same province: never told about this dossier.
    User.objects.create_user(
        username="persona_commune_other", password="x", role=Role.COMMUNE, commune=world.other_commune
    )
    world.user("commune").email = "lucngan@example.gov.vn"
    world.user("commune").save()
    return submitted(world)


def _working_days_before(dossier, count):
    """The day `count` working days before the dossier's deadline."""
    calendar = calendar_for(dossier.province)
    day = dossier.commune_deadline
    while calendar.working_days_between(day, dossier.commune_deadline) < count:
        day -= dt.timedelta(days=1)
    return day


def _told(kind):
    return sorted(Notification.objects.filter(kind=f"dossier.commune_{kind}").values_list("user__username", flat=True))


def test_nothing_before_the_notice_is_due(dossier, clock):
    clock.to(_working_days_before(dossier, 4))
    assert send_due_reminders().total == 0
    assert not DeadlineReminder.objects.exists()
    assert not Notification.objects.filter(kind__startswith="dossier.commune_").exists()


def test_due_soon_goes_once_to_the_commune_only(dossier, clock):
    clock.to(_working_days_before(dossier, 3))
    overdue_commune_checks.enqueue(clock.today().isoformat())
    overdue_commune_checks.enqueue(None)
    clock.move(days=1)
    assert send_due_reminders().total == 0
    assert _told("due_soon") == ["persona_commune"]
    note = Notification.objects.get(kind="dossier.commune_due_soon")
    assert dossier.registration_number in note.title
    assert dossier.commune_deadline.strftime("%d/%m/%Y") in note.title
    assert note.link == dossier.get_absolute_url()
    assert [m.to for m in mail.outbox] == [["lucngan@example.gov.vn"]]


def test_the_last_day_is_not_overdue(dossier, clock):
    clock.to(dossier.commune_deadline)
    send_due_reminders()
    assert not _told("overdue")


def test_overdue_goes_once_to_the_commune_and_the_province(dossier, world, clock):
    clock.to(_working_days_before(dossier, 2))
    send_due_reminders()
    clock.to(dossier.commune_deadline + dt.timedelta(days=1))
    overdue_commune_checks.enqueue(clock.today().isoformat())
    overdue_commune_checks.enqueue(clock.today().isoformat())
    clock.move(days=10)
    send_due_reminders()
    assert _told("overdue") == ["persona_commune", "persona_province"]
    assert _told("due_soon") == ["persona_commune"]
    note = Notification.objects.filter(kind="dossier.commune_overdue").first()
    assert "quá hạn" in note.title and "Vải thiều A" in note.body
    # Nobody else: not the other commune's officer, not the other province, not the producer.
    for username in ("persona_commune_other", "persona_province_other", "persona_producer_a", "persona_central"):
        assert not Notification.objects.filter(user__username=username, kind__startswith="dossier.commune_").exists()
    assert DeadlineReminder.objects.filter(dossier=dossier).count() == 2


def test_first_seen_late_only_the_overdue_notice_is_sent(dossier, clock):
    clock.to(dossier.commune_deadline + dt.timedelta(days=30))
    send_due_reminders()
    assert list(DeadlineReminder.objects.values_list("kind", flat=True)) == [DeadlineReminderKind.OVERDUE]


def test_nothing_once_the_commune_has_decided(dossier, world, clock):
    commune = world.user("commune")
    actions.save_commune_report(dossier, {**REPORT, "report_date": clock.today()}, actor=commune)
    actions.decide(dossier, "forward", actor=commune)
    clock.to(dossier.commune_deadline + dt.timedelta(days=1))
    assert send_due_reminders().total == 0


def test_a_dossier_filed_again_gets_notices_for_its_new_deadline(dossier, world, clock):
    clock.to(dossier.commune_deadline + dt.timedelta(days=1))
    send_due_reminders()
    first_deadline = dossier.commune_deadline
    actions.decide(dossier, "return", reasons="Thiếu hợp đồng liên kết.", actor=world.user("commune"))
    actions.submit(dossier, actor=world.user("producer_a"))
    dossier.refresh_from_db()
    assert dossier.commune_deadline > first_deadline
    clock.to(dossier.commune_deadline + dt.timedelta(days=1))
    send_due_reminders()
    assert DeadlineReminder.objects.filter(dossier=dossier, kind=DeadlineReminderKind.OVERDUE).count() == 2
    assert len(_told("overdue")) == 4


def test_the_scheduler_runs_the_sweep(dossier, clock):
    import io

    from django.core.management import call_command

    clock.to(dossier.commune_deadline + dt.timedelta(days=1))
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "ocop.evaluation.tasks.overdue_commune_checks" in out.getvalue()
    assert _told("overdue") == ["persona_commune", "persona_province"]
