"""Settings pages: who may see and change opening hours, holidays and staffing of a department."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts import selectors
from accounts.models import Department, Holiday, OpeningHours, StaffingSlot
from accounts.roles import Role
from accounts.tests.factories import (
    DepartmentFactory,
    HolidayFactory,
    OpeningHoursFactory,
    StaffingSlotFactory,
    UserFactory,
)

INDEX = reverse("accounts:settings")


def _department_url(department: Department) -> str:
    return reverse("accounts:department", args=[department.code])


def _staffing_url(department: Department) -> str:
    return reverse("accounts:staffing", args=[department.code])


def _formset(prefix: str, rows: list[dict[str, Any]], *, initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def _settings_post(
    department: Department,
    *,
    hours: Sequence[dict[str, Any]] = (),
    holidays: Sequence[dict[str, Any]] = (),
    timezone: str = "Europe/Amsterdam",
    per_agent: int = 6,
) -> dict[str, Any]:
    return {
        "dept-timezone": timezone,
        "dept-contacts_per_agent_hour": str(per_agent),
        "dept-email": "kcc@example.com",
        **_formset("hours", list(hours)),
        **_formset("holidays", list(holidays)),
    }


def _table_counts() -> tuple[int, int, int, int]:
    return (
        Department.objects.count(),
        OpeningHours.objects.count(),
        Holiday.objects.count(),
        StaffingSlot.objects.count(),
    )


# --- Who may reach the pages --------------------------------------------------------


def test_manager_sees_only_their_own_department_in_settings(
    manager_client: Client, contact_center: Department, sales: Department
) -> None:
    response = manager_client.get(INDEX)
    assert response.status_code == 200
    assert list(response.context["departments"]) == [contact_center]
    assert _department_url(contact_center).encode() in response.content
    assert _department_url(sales).encode() not in response.content


def test_an_admin_sees_every_active_department(
    contact_center: Department, sales: Department
) -> None:
    DepartmentFactory(code="closed", name="Closed", is_active=False)
    admin = UserFactory(username="ada", department=None, roles=[Role.ADMIN])
    client = Client()
    client.force_login(admin)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert {d.code for d in response.context["departments"]} == {contact_center.code, sales.code}


def test_a_manager_of_an_inactive_department_gets_403(contact_center: Department) -> None:
    contact_center.is_active = False
    contact_center.save(update_fields=["is_active"])
    lead = UserFactory(username="lead", department=contact_center, roles=[Role.MANAGER])
    client = Client()
    client.force_login(lead)
    assert client.get(INDEX).status_code == 403
    assert client.get(_department_url(contact_center)).status_code == 404


def test_a_manager_without_a_department_gets_403(db: None) -> None:
    lonely = UserFactory(username="lonely", department=None, roles=[Role.MANAGER])
    client = Client()
    client.force_login(lonely)
    assert client.get(INDEX).status_code == 403


@pytest.mark.parametrize("persona", ["agent", "member", "marketer", "outsider"])
def test_people_who_are_not_managers_get_403_on_the_settings_index(
    persona: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    response = client.get(INDEX)
    assert response.status_code == 403
    assert b"Your role does not give access to this page." in response.content


@pytest.mark.parametrize("persona", ["agent", "member", "marketer", "outsider"])
@pytest.mark.parametrize("page", ["department", "staffing"])
def test_people_who_are_not_managers_get_404_on_department_pages(
    persona: str, page: str, request: pytest.FixtureRequest, contact_center: Department
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    url = reverse(f"accounts:{page}", args=[contact_center.code])
    assert client.get(url).status_code == 404
    before = _table_counts()
    assert client.post(url, {"d0h9": "3"}).status_code == 404
    assert _table_counts() == before


@pytest.mark.parametrize("page", ["department", "staffing"])
def test_manager_gets_404_on_another_departments_pages(
    manager_client: Client, sales: Department, page: str
) -> None:
    url = reverse(f"accounts:{page}", args=[sales.code])
    assert manager_client.get(url).status_code == 404
    assert manager_client.post(url, {"d0h9": "3"}).status_code == 404
    assert not StaffingSlot.objects.filter(department=sales).exists()


def test_manager_gets_404_for_an_unknown_department(manager_client: Client) -> None:
    assert manager_client.get("/accounts/settings/no-such-thing/").status_code == 404


# --- Opening hours and holidays ---------------------------------------------------------


def test_manager_sees_the_opening_hours_form_of_their_department(
    manager_client: Client, contact_center: Department
) -> None:
    OpeningHoursFactory(department=contact_center, weekday=0, opens=dt.time(8), closes=dt.time(12))
    response = manager_client.get(_department_url(contact_center))
    assert response.status_code == 200
    assert b"Opening hours of Klantcontactcentrum" in response.content
    assert b'value="08:00"' in response.content
    assert b'name="hours-TOTAL_FORMS"' in response.content
    assert b'name="holidays-TOTAL_FORMS"' in response.content


def test_manager_adds_two_ranges_on_monday_and_a_holiday(
    manager_client: Client, contact_center: Department
) -> None:
    data = _settings_post(
        contact_center,
        hours=[
            {"weekday": "0", "opens": "08:00", "closes": "12:00"},
            {"weekday": "0", "opens": "13:00", "closes": "20:00"},
        ],
        holidays=[{"date": "2026-12-25", "name": "Eerste Kerstdag"}],
        per_agent=8,
    )
    response = manager_client.post(_department_url(contact_center), data)

    assert response.status_code == 302
    assert response["Location"] == _department_url(contact_center)
    assert list(
        OpeningHours.objects.filter(department=contact_center).values_list(
            "weekday", "opens", "closes"
        )
    ) == [(0, dt.time(8), dt.time(12)), (0, dt.time(13), dt.time(20))]
    assert list(Holiday.objects.filter(department=contact_center).values_list("date", "name")) == [
        (dt.date(2026, 12, 25), "Eerste Kerstdag")
    ]
    contact_center.refresh_from_db()
    assert contact_center.contacts_per_agent_hour == 8
    page = manager_client.get(response["Location"])
    assert b"Opening hours of Klantcontactcentrum saved." in page.content


def test_ranges_that_touch_are_not_an_overlap(
    manager_client: Client, contact_center: Department
) -> None:
    data = _settings_post(
        contact_center,
        hours=[
            {"weekday": "2", "opens": "08:00", "closes": "12:00"},
            {"weekday": "2", "opens": "12:00", "closes": "17:00"},
        ],
    )
    assert manager_client.post(_department_url(contact_center), data).status_code == 302
    assert OpeningHours.objects.filter(department=contact_center).count() == 2


def test_manager_removes_an_opening_range(
    manager_client: Client, contact_center: Department
) -> None:
    kept = OpeningHoursFactory(department=contact_center, weekday=0)
    gone = OpeningHoursFactory(department=contact_center, weekday=1)
    data = _settings_post(contact_center)
    data.update(
        _formset(
            "hours",
            [
                {"id": kept.pk, "weekday": "0", "opens": "09:00", "closes": "17:00"},
                {
                    "id": gone.pk,
                    "weekday": "1",
                    "opens": "09:00",
                    "closes": "17:00",
                    "DELETE": "on",
                },
            ],
            initial=2,
        )
    )
    assert manager_client.post(_department_url(contact_center), data).status_code == 302
    assert list(OpeningHours.objects.filter(department=contact_center)) == [kept]


def test_closing_before_opening_is_rejected_and_nothing_is_saved(
    manager_client: Client, contact_center: Department
) -> None:
    data = _settings_post(
        contact_center,
        hours=[
            {"weekday": "0", "opens": "08:00", "closes": "12:00"},
            {"weekday": "1", "opens": "17:00", "closes": "09:00"},
        ],
        holidays=[{"date": "2026-12-25", "name": "Eerste Kerstdag"}],
        per_agent=9,
    )
    response = manager_client.post(_department_url(contact_center), data)

    assert response.status_code == 400
    assert b"Closing time must be after opening time." in response.content
    assert _table_counts()[1:] == (0, 0, 0)
    contact_center.refresh_from_db()
    assert contact_center.contacts_per_agent_hour == 6


def test_closing_at_the_opening_time_is_rejected(
    manager_client: Client, contact_center: Department
) -> None:
    data = _settings_post(
        contact_center, hours=[{"weekday": "0", "opens": "09:00", "closes": "09:00"}]
    )
    response = manager_client.post(_department_url(contact_center), data)
    assert response.status_code == 400
    assert not OpeningHours.objects.exists()


def test_overlapping_ranges_on_one_day_are_rejected_and_nothing_is_saved(
    manager_client: Client, contact_center: Department
) -> None:
    data = _settings_post(
        contact_center,
        hours=[
            {"weekday": "0", "opens": "08:00", "closes": "13:00"},
            {"weekday": "0", "opens": "12:00", "closes": "20:00"},
        ],
        holidays=[{"date": "2026-12-25", "name": "Eerste Kerstdag"}],
    )
    response = manager_client.post(_department_url(contact_center), data)

    assert response.status_code == 400
    assert b"Opening ranges on Monday overlap." in response.content
    assert _table_counts()[1:] == (0, 0, 0)


def test_the_same_range_on_different_days_is_no_overlap(
    manager_client: Client, contact_center: Department
) -> None:
    data = _settings_post(
        contact_center,
        hours=[
            {"weekday": "0", "opens": "08:00", "closes": "13:00"},
            {"weekday": "1", "opens": "08:00", "closes": "13:00"},
        ],
    )
    assert manager_client.post(_department_url(contact_center), data).status_code == 302
    assert OpeningHours.objects.filter(department=contact_center).count() == 2


@pytest.mark.parametrize(
    "row",
    [
        {"weekday": "9", "opens": "08:00", "closes": "12:00"},
        {"weekday": "0", "opens": "8 o'clock", "closes": "12:00"},
        {"weekday": "0", "opens": "08:00", "closes": "25:00"},
        {"weekday": "0", "opens": "08:00", "closes": ""},
    ],
)
def test_a_malformed_opening_range_is_rejected_with_400(
    manager_client: Client, contact_center: Department, row: dict[str, str]
) -> None:
    data = _settings_post(
        contact_center, hours=[{"weekday": "0", "opens": "13:00", "closes": "17:00"}, row]
    )
    response = manager_client.post(_department_url(contact_center), data)
    assert response.status_code == 400
    assert not OpeningHours.objects.exists()


def test_an_overlap_with_a_stored_range_is_rejected(
    manager_client: Client, contact_center: Department
) -> None:
    stored = OpeningHoursFactory(department=contact_center, weekday=4)
    data = _settings_post(contact_center)
    data.update(
        _formset(
            "hours",
            [
                {"id": stored.pk, "weekday": "4", "opens": "09:00", "closes": "17:00"},
                {"weekday": "4", "opens": "16:00", "closes": "18:00"},
            ],
            initial=1,
        )
    )
    assert manager_client.post(_department_url(contact_center), data).status_code == 400
    assert list(OpeningHours.objects.all()) == [stored]


def test_an_unknown_time_zone_is_rejected(
    manager_client: Client, contact_center: Department
) -> None:
    data = _settings_post(
        contact_center,
        timezone="Europe/Atlantis",
        hours=[{"weekday": "0", "opens": "08:00", "closes": "12:00"}],
    )
    response = manager_client.post(_department_url(contact_center), data)

    assert response.status_code == 400
    assert b"Europe/Atlantis is not a known time zone." in response.content
    contact_center.refresh_from_db()
    assert contact_center.timezone == "Europe/Amsterdam"
    assert not OpeningHours.objects.exists()


def test_a_second_holiday_on_the_same_date_is_rejected(
    manager_client: Client, contact_center: Department
) -> None:
    data = _settings_post(
        contact_center,
        holidays=[
            {"date": "2026-12-25", "name": "Eerste Kerstdag"},
            {"date": "2026-12-25", "name": "Kerstmis"},
        ],
    )
    assert manager_client.post(_department_url(contact_center), data).status_code == 400
    assert not Holiday.objects.exists()


def test_a_manager_cannot_change_another_departments_rows_by_id(
    manager_client: Client, contact_center: Department, sales: Department
) -> None:
    foreign = OpeningHoursFactory(department=sales, weekday=0)
    data = _settings_post(contact_center)
    data.update(
        _formset(
            "hours",
            [{"id": foreign.pk, "weekday": "0", "opens": "01:00", "closes": "02:00"}],
            initial=1,
        )
    )
    manager_client.post(_department_url(contact_center), data)
    foreign.refresh_from_db()
    assert (foreign.department, foreign.opens) == (sales, dt.time(9))


def test_getting_the_department_page_changes_nothing(
    manager_client: Client, contact_center: Department
) -> None:
    OpeningHoursFactory(department=contact_center)
    HolidayFactory(department=contact_center)
    before = _table_counts()
    assert manager_client.get(_department_url(contact_center)).status_code == 200
    assert manager_client.get(_staffing_url(contact_center)).status_code == 200
    assert manager_client.get(INDEX).status_code == 200
    assert _table_counts() == before


# --- Staffing ------------------------------------------------------------------------


def test_manager_saves_staffing_and_only_non_zero_cells_become_rows(
    manager_client: Client, contact_center: Department
) -> None:
    response = manager_client.post(
        _staffing_url(contact_center), {"d0h9": "5", "d0h10": "0", "d6h23": "2", "d3h12": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == _staffing_url(contact_center)
    assert sorted(
        StaffingSlot.objects.filter(department=contact_center).values_list(
            "weekday", "hour", "agents"
        )
    ) == [(0, 9, 5), (6, 23, 2)]


def test_saving_staffing_replaces_the_previous_week(
    manager_client: Client, contact_center: Department
) -> None:
    StaffingSlotFactory(department=contact_center, weekday=1, hour=8, agents=4)
    manager_client.post(_staffing_url(contact_center), {"d2h14": "7"})
    assert list(
        StaffingSlot.objects.filter(department=contact_center).values_list(
            "weekday", "hour", "agents"
        )
    ) == [(2, 14, 7)]


def test_saving_staffing_leaves_other_departments_alone(
    manager_client: Client, contact_center: Department, sales: Department
) -> None:
    StaffingSlotFactory(department=sales, weekday=1, hour=8, agents=4)
    manager_client.post(_staffing_url(contact_center), {"d2h14": "7"})
    assert StaffingSlot.objects.filter(department=sales).count() == 1


@pytest.mark.parametrize("value", ["-1", "three", "1.5", "10001"])
def test_bad_staffing_values_are_rejected_and_the_previous_staffing_stays(
    manager_client: Client, contact_center: Department, value: str
) -> None:
    StaffingSlotFactory(department=contact_center, weekday=0, hour=9, agents=3)
    response = manager_client.post(_staffing_url(contact_center), {"d0h9": "8", "d1h10": value})
    assert response.status_code == 400
    assert b"Please correct the errors below." in response.content
    assert list(
        StaffingSlot.objects.filter(department=contact_center).values_list(
            "weekday", "hour", "agents"
        )
    ) == [(0, 9, 3)]


def test_the_staffing_page_shows_the_stored_grid(
    manager_client: Client, contact_center: Department
) -> None:
    StaffingSlotFactory(department=contact_center, weekday=3, hour=11, agents=17)
    response = manager_client.get(_staffing_url(contact_center))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["d3h11"].value() == 17
    assert form["d3h12"].value() == 0
    assert b'name="d3h11" value="17"' in response.content


def test_capacity_is_agents_times_contacts_per_agent_hour(contact_center: Department) -> None:
    contact_center.contacts_per_agent_hour = 7
    contact_center.save(update_fields=["contacts_per_agent_hour"])
    StaffingSlotFactory(department=contact_center, weekday=0, hour=9, agents=3)
    StaffingSlotFactory(department=contact_center, weekday=5, hour=14, agents=10)
    other = DepartmentFactory(code="other")
    StaffingSlotFactory(department=other, weekday=0, hour=9, agents=99)

    assert selectors.capacity_by_hour(department=contact_center) == {(0, 9): 21, (5, 14): 70}
    assert selectors.staffing_grid(department=contact_center) == {(0, 9): 3, (5, 14): 10}


# --- Query counts --------------------------------------------------------------------

# user, the user's groups (roles, read once), "any department?", the departments,
# the user's and the groups' permissions (the template asks perms.accounts.add_department).
INDEX_QUERIES = 6
# user, groups, department, its opening hours, its holidays.
DEPARTMENT_QUERIES = 5
# user, groups, department, its staffing slots.
STAFFING_QUERIES = 4


def test_settings_index_takes_a_pinned_number_of_queries(
    manager_client: Client, contact_center: Department, django_assert_num_queries
) -> None:
    with django_assert_num_queries(INDEX_QUERIES):
        assert manager_client.get(INDEX).status_code == 200


def test_settings_index_queries_do_not_grow_with_departments(
    contact_center: Department, django_assert_num_queries
) -> None:
    for n in range(10):
        DepartmentFactory(code=f"extra-{n}", name=f"Extra {n}")
    admin = UserFactory(username="ada", department=None, roles=[Role.ADMIN])
    client = Client()
    client.force_login(admin)
    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(INDEX)
    assert len(response.context["departments"]) == 11


@pytest.mark.parametrize("rows", [1, 10])
def test_department_page_queries_do_not_grow_with_opening_hours(
    manager_client: Client, contact_center: Department, django_assert_num_queries, rows: int
) -> None:
    for i in range(rows):
        OpeningHoursFactory(
            department=contact_center,
            weekday=i % 7,
            opens=dt.time(i // 7 * 10),
            closes=dt.time(i // 7 * 10 + 9),
        )
        HolidayFactory(department=contact_center, date=dt.date(2027, 1, 1) + dt.timedelta(i))
    with django_assert_num_queries(DEPARTMENT_QUERIES):
        response = manager_client.get(_department_url(contact_center))
    assert len(response.context["hours"].initial_forms) == rows


@pytest.mark.parametrize("slots", [1, 50])
def test_staffing_page_queries_do_not_grow_with_slots(
    manager_client: Client, contact_center: Department, django_assert_num_queries, slots: int
) -> None:
    StaffingSlot.objects.bulk_create(
        StaffingSlot(department=contact_center, weekday=i // 24, hour=i % 24, agents=2)
        for i in range(slots)
    )
    with django_assert_num_queries(STAFFING_QUERIES):
        assert manager_client.get(_staffing_url(contact_center)).status_code == 200
