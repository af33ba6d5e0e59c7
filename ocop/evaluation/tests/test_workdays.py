"""Working-day deadlines: weekends, Vietnamese public holidays, make-up days and a province's own days."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ocop.evaluation.models import HolidayOverride
from ocop.evaluation.workdays import calendar_for
from ocop.lib.workdays import DATA_FILE, Calendar, add_working_days, is_working_day, national_calendar

D = dt.date


def test_weekends_are_not_working_days():
    calendar = Calendar()
    assert calendar.is_working_day(D(2027, 3, 5))  # Friday
    assert not calendar.is_working_day(D(2027, 3, 6))
    assert not calendar.is_working_day(D(2027, 3, 7))
    # 15 working days from a Monday, weekends only: three weeks later.
    assert calendar.add_working_days(D(2027, 3, 1), 15) == D(2027, 3, 22)
    # The day of receipt is not counted.
    assert calendar.add_working_days(D(2027, 3, 5), 1) == D(2027, 3, 8)
    assert calendar.add_working_days(D(2027, 3, 5), 0) == D(2027, 3, 5)
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2027, 3, 5), -1)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2025, 1, 1), "Tết Dương lịch"),
        (D(2025, 1, 29), "Tết Nguyên đán"),  # mùng 1 Tết Ất Tỵ
        (D(2025, 4, 7), "Hùng Vương"),  # 10/3 âm lịch
        (D(2025, 4, 30), "Giải phóng"),
        (D(2025, 5, 1), "Lao động"),
        (D(2025, 9, 2), "Quốc khánh"),
        (D(2026, 2, 17), "Tết Nguyên đán"),  # mùng 1 Tết Bính Ngọ
        (D(2026, 4, 27), "Hùng Vương"),  # 10/3 falls on Sunday 26/4: compensated on Monday
        (D(2027, 2, 8), "Tết Nguyên đán"),
        (D(2027, 4, 16), "Hùng Vương"),
        (D(2027, 5, 3), "Lao động"),  # 1/5/2027 is a Saturday: compensated on Monday
    ],
)
def test_public_holidays_are_days_off(day, name):
    calendar = national_calendar()
    assert not is_working_day(day)
    assert name in calendar.days_off[day]


def test_a_make_up_saturday_is_a_working_day():
    assert is_working_day(D(2025, 4, 26))
    assert not is_working_day(D(2025, 5, 2))


def test_fifteen_working_days_across_tet():
    # Submitted on Friday 13/2/2026, before the Tết week (16–20/2): the deadline moves a week.
    assert add_working_days(D(2026, 2, 13), 15) == D(2026, 3, 13)
    # Submitted on Friday 4/4/2025: Hùng Kings day (Monday 7/4) is skipped and the make-up Saturday 26/4 counts.
    assert add_working_days(D(2025, 4, 4), 15) == D(2025, 4, 26)


def test_data_file_is_well_formed():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    days = [D.fromisoformat(row["date"]) for row in data["days_off"]]
    assert days == sorted(days) and len(days) == len(set(days))
    # Every listed day off is a weekday: weekend holidays are compensated on the next working day instead.
    assert all(day.weekday() < 5 for day in days)
    assert {day.year for day in days} == {2025, 2026, 2027}
    worked = [D.fromisoformat(row["date"]) for row in data["working_days"]]
    assert all(day.weekday() >= 5 for day in worked)


def test_province_overrides_add_and_remove_days(world):
    bac_ninh, ha_noi = world.bac_ninh, world.ha_noi
    # A provincial day off in Bắc Ninh only, and a nationwide bridge day cancelled in Hà Nội.
    HolidayOverride.objects.create(province=bac_ninh, date=D(2027, 3, 10), name="Lễ hội địa phương")
    HolidayOverride.objects.create(province=None, date=D(2027, 3, 12), name="Ngày nghỉ bù")
    HolidayOverride.objects.create(province=ha_noi, date=D(2027, 3, 12), is_holiday=False, name="Làm việc")
    bn, hn = calendar_for(bac_ninh), calendar_for(ha_noi)
    assert not bn.is_working_day(D(2027, 3, 10)) and hn.is_working_day(D(2027, 3, 10))
    assert not bn.is_working_day(D(2027, 3, 12)) and hn.is_working_day(D(2027, 3, 12))
    assert bn.add_working_days(D(2027, 3, 8), 5) == D(2027, 3, 17)
    assert hn.add_working_days(D(2027, 3, 8), 5) == D(2027, 3, 15)
    # The national calendar itself is untouched.
    assert national_calendar().is_working_day(D(2027, 3, 10))
    assert calendar_for(None).is_working_day(D(2027, 3, 10))
