"""Reachability: inbound contacts by weekday × hour against opening hours and staffing,
counted by hand."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import (
    DepartmentFactory,
    OpeningHoursFactory,
    StaffingSlotFactory,
    UserFactory,
)
from contacts.models import Direction
from contacts.tests.factories import CustomerFactory, InteractionFactory
from journeys.selectors.reports import reachability

pytestmark = pytest.mark.django_db

URL = reverse("journeys:reachability")
AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=AMS)  # a Wednesday
MONDAY, TUESDAY, SUNDAY = 0, 1, 6


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=AMS)


@pytest.fixture
def demand(contact_center: Department, sales: Department) -> None:
    """Monday 9–17 open with two agents at 10:00; contacts on Monday morning and evening and in
    the night to Sunday, plus moments that must not count."""
    contact_center.contacts_per_agent_hour = 6
    contact_center.save()
    OpeningHoursFactory(
        department=contact_center, weekday=MONDAY, opens=dt.time(9), closes=dt.time(17)
    )
    StaffingSlotFactory(department=contact_center, weekday=MONDAY, hour=10, agents=2)
    customer = CustomerFactory()
    for moment in (_at(9, 10, 15), _at(9, 10, 59), _at(2, 10, 45), _at(9, 20), _at(8, 3, 5)):
        InteractionFactory(customer=customer, occurred_at=moment, direction=Direction.INBOUND)
    InteractionFactory(customer=customer, occurred_at=_at(9, 10, 20), direction=Direction.OUTBOUND)
    # Five weeks back, and today (after the window ends at midnight).
    InteractionFactory(customer=customer, occurred_at=dt.datetime(2026, 2, 2, 10, tzinfo=AMS))
    InteractionFactory(customer=customer, occurred_at=_at(11, 9))
    InteractionFactory(customer=customer, occurred_at=_at(9, 11), department=sales)


def test_each_cell_counts_the_inbound_contacts_of_that_hour(
    demand: None, contact_center: Department
) -> None:
    grid = reachability(department=contact_center, weeks=4, now=NOW)
    cells = {(row.weekday, cell.hour): cell for row in grid.rows for cell in row.cells}
    assert len(cells) == 7 * 24
    assert cells[(MONDAY, 10)].count == 3
    assert cells[(MONDAY, 10)].is_open
    assert cells[(MONDAY, 10)].capacity == 2 * 6 * 4
    assert cells[(MONDAY, 11)].count == 1
    assert cells[(MONDAY, 20)].count == 1
    assert cells[(MONDAY, 20)].closed_demand
    assert cells[(SUNDAY, 3)].count == 1
    assert not cells[(SUNDAY, 3)].is_open
    assert cells[(TUESDAY, 10)].count == 0
    assert not cells[(TUESDAY, 10)].is_open
    assert (grid.total, grid.closed_total, grid.closed_share) == (6, 2, 33.3)
    assert grid.start == dt.datetime(2026, 2, 11, tzinfo=AMS)
    assert grid.end == dt.datetime(2026, 3, 11, tzinfo=AMS)


def test_another_department_faces_only_its_own_contacts(demand: None, sales: Department) -> None:
    grid = reachability(department=sales, weeks=4, now=NOW)
    assert grid.total == 1
    assert not grid.has_opening_hours
    # Without opening hours a department counts as always open.
    assert grid.closed_total == 0


def test_an_hour_open_for_part_of_it_counts_as_open() -> None:
    department = DepartmentFactory()
    OpeningHoursFactory(
        department=department, weekday=MONDAY, opens=dt.time(8, 30), closes=dt.time(12, 15)
    )
    grid = reachability(department=department, weeks=1, now=NOW)
    monday = grid.rows[MONDAY].cells
    assert [monday[h].is_open for h in (7, 8, 11, 12, 13)] == [False, True, True, True, False]


def test_more_contacts_than_capacity_is_marked(contact_center: Department) -> None:
    OpeningHoursFactory(
        department=contact_center, weekday=MONDAY, opens=dt.time(9), closes=dt.time(17)
    )
    customer = CustomerFactory()
    InteractionFactory.create_batch(3, customer=customer, occurred_at=_at(9, 9, 30))
    grid = reachability(department=contact_center, weeks=1, now=NOW)
    assert grid.rows[MONDAY].cells[9].over_capacity


@pytest.mark.parametrize("persona", ["agent", "member", "marketer", "outsider"])
def test_only_managers_and_admins_see_reachability(
    persona: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    assert client.get(URL).status_code == 403


def test_the_page_shows_the_contact_center_by_default(
    manager_client: Client, contact_center: Department
) -> None:
    OpeningHoursFactory(
        department=contact_center, weekday=MONDAY, opens=dt.time(9), closes=dt.time(17)
    )
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert response.context["grid"].department == contact_center
    assert response.context["grid"].weeks == 4
    assert "style=" not in response.text


def test_the_page_names_the_contacts_nobody_was_there_for(
    manager_client: Client, contact_center: Department
) -> None:
    OpeningHoursFactory(
        department=contact_center, weekday=MONDAY, opens=dt.time(9), closes=dt.time(17)
    )
    customer = CustomerFactory()
    # 03:00 two days ago: inside the window, and never an opening hour here.
    night = dt.datetime.now(AMS).replace(hour=3, minute=0, second=0, microsecond=0)
    night -= dt.timedelta(days=2)
    InteractionFactory.create_batch(2, customer=customer, occurred_at=night)
    response = manager_client.get(URL, {"weeks": "2"})
    assert "2 contacts arrived while nobody was there" in response.text
    assert response.context["grid"].closed_total == 2


def test_a_manager_of_the_management_department_chooses_any_department(sales: Department) -> None:
    management = DepartmentFactory(code=Department.MANAGEMENT, name="Management")
    client = Client()
    client.force_login(
        UserFactory(username="directie", department=management, roles=[Role.MANAGER])
    )
    response = client.get(URL, {"department": "sales"})
    assert response.status_code == 200
    assert response.context["grid"].department == sales


def test_another_department_is_not_found_for_the_contact_center_manager(
    manager_client: Client, sales: Department
) -> None:
    assert manager_client.get(URL, {"department": "sales"}).status_code == 404


@pytest.mark.parametrize("weeks", ["0", "53", "x"])
def test_a_bad_number_of_weeks_is_a_bad_request(manager_client: Client, weeks: str) -> None:
    assert manager_client.get(URL, {"weeks": weeks}).status_code == 400


@pytest.mark.parametrize("rows", [1, 50])
def test_reachability_costs_the_same_queries_for_one_contact_or_many(
    rows: int, manager_client: Client, contact_center: Department, django_assert_num_queries
) -> None:
    customer = CustomerFactory()
    yesterday = dt.datetime.now(AMS) - dt.timedelta(days=1)
    InteractionFactory.create_batch(rows, customer=customer, occurred_at=yesterday)
    with django_assert_num_queries(8):
        response = manager_client.get(URL)
    assert response.context["grid"].total == rows


def test_open_with_low_demand_looks_different_from_closed(
    manager_client: Client, contact_center: Department
) -> None:
    OpeningHoursFactory(
        department=contact_center, weekday=MONDAY, opens=dt.time(9), closes=dt.time(17)
    )
    html = manager_client.get(URL).content.decode()
    monday = html.split('<th scope="row">Monday</th>')[1].split("</tr>")[0]
    cells = monday.split("<td ")[1:]
    # 08:00 closed, 09:00 open; both without contacts, told apart by class and by text.
    assert 'class="heat-0 closed"' in cells[8] and "(closed)" in cells[8]
    assert 'class="heat-0 open"' in cells[9] and "(closed)" not in cells[9]
    legend = html.split('<ul class="legend">')[1].split("</ul>")[0]
    assert "open, low demand" in legend and "closed (hatched)" in legend
