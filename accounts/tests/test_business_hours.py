import datetime as dt
import zoneinfo

import pytest

from accounts.business_hours import business_calendar
from accounts.tests.factories import DepartmentFactory, HolidayFactory, OpeningHoursFactory

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def office(db: None):
    department = DepartmentFactory(timezone="Europe/Amsterdam")
    for day in range(5):  # Monday to Friday, 09:00–12:00 and 13:00–17:00
        OpeningHoursFactory(
            department=department, weekday=day, opens=dt.time(9), closes=dt.time(12)
        )
        OpeningHoursFactory(
            department=department, weekday=day, opens=dt.time(13), closes=dt.time(17)
        )
    return department


def test_hours_after_closing_on_friday_count_from_monday_morning(office) -> None:
    calendar = business_calendar(department=office)
    friday_evening = dt.datetime(2026, 11, 20, 18, 30, tzinfo=AMS)
    due = calendar.add(friday_evening, dt.timedelta(hours=4))
    # Monday 09:00–12:00 gives three hours, the fourth is 13:00–14:00.
    assert due == dt.datetime(2026, 11, 23, 14, 0, tzinfo=AMS)


def test_lunch_break_is_not_counted(office) -> None:
    calendar = business_calendar(department=office)
    start = dt.datetime(2026, 11, 23, 11, 30, tzinfo=AMS)
    assert calendar.add(start, dt.timedelta(hours=1)) == dt.datetime(
        2026, 11, 23, 13, 30, tzinfo=AMS
    )
    assert calendar.between(start, dt.datetime(2026, 11, 23, 13, 30, tzinfo=AMS)) == dt.timedelta(
        hours=1
    )


def test_holidays_are_skipped(office) -> None:
    HolidayFactory(department=office, date=dt.date(2026, 12, 25), name="Eerste Kerstdag")
    calendar = business_calendar(department=office)
    thursday_late = dt.datetime(2026, 12, 24, 16, 0, tzinfo=AMS)
    # One hour left on Thursday; Friday 25 December is a holiday; Monday 28th continues.
    due = calendar.add(thursday_late, dt.timedelta(hours=2))
    assert due == dt.datetime(2026, 12, 28, 10, 0, tzinfo=AMS)


def test_department_without_opening_hours_is_always_open(db: None) -> None:
    calendar = business_calendar(department=DepartmentFactory())
    start = dt.datetime(2026, 11, 21, 23, 0, tzinfo=AMS)  # a Saturday night
    assert calendar.add(start, dt.timedelta(hours=3)) == start + dt.timedelta(hours=3)
    assert calendar.is_open(start)


def test_utc_input_is_read_in_the_department_time_zone(office) -> None:
    calendar = business_calendar(department=office)
    monday_8_utc = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)  # 09:00 in Amsterdam
    assert calendar.is_open(monday_8_utc)
    assert not calendar.is_open(monday_8_utc - dt.timedelta(minutes=1))
