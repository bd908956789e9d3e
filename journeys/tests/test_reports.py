"""The weekly report: SLA attainment, response times, transfers, exceptions and escalations,
checked against numbers worked out by hand."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from journeys.models import Case, CaseStatus, Escalation, EscalationKind
from journeys.selectors.reports import case_report, percentile
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

URL = reverse("journeys:reports")
AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
# A Wednesday; its ISO week starts on Monday 9 March.
NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=AMS)
MONDAY = dt.datetime(2026, 3, 9, 10, 0, tzinfo=AMS)


def _case(department: Department, *, created: dt.datetime, **fields: object) -> Case:
    fields.setdefault("first_response_due", created + dt.timedelta(hours=2))
    fields.setdefault("resolution_due", created + dt.timedelta(hours=24))
    case = CaseFactory(department=department, **fields)
    # created_at is stamped on insert; put the moment the test needs back.
    Case.objects.filter(pk=case.pk).update(created_at=created)
    case.created_at = created
    return case


@pytest.fixture
def week(contact_center: Department, sales: Department) -> dict[str, Case]:
    """Four decided cases in the week of 9 March, three resolved in time, plus one that is
    not decided yet, one the week before, one of sales and one too old to show."""
    h = dt.timedelta(hours=1)
    cases = {
        "a": _case(contact_center, created=MONDAY, first_responded_at=MONDAY + 1 * h,
                   resolved_at=MONDAY + 5 * h, status=CaseStatus.RESOLVED),
        "b": _case(contact_center, created=MONDAY, first_responded_at=MONDAY + 3 * h,
                   resolved_at=MONDAY + 6 * h, status=CaseStatus.RESOLVED, transfer_count=1),
        "c": _case(contact_center, created=MONDAY, first_responded_at=MONDAY + 2 * h,
                   resolved_at=MONDAY + 7 * h, closed_at=MONDAY + 30 * h,
                   status=CaseStatus.CLOSED, transfer_count=3),
        # Open past its due time (Tuesday 10:00): decided, and missed.
        "d": _case(contact_center, created=MONDAY, first_responded_at=MONDAY + 4 * h,
                   status=CaseStatus.OPEN, is_exception=True),
        # Open, due after NOW and no response due: not decided either way.
        "e": _case(contact_center, created=MONDAY, first_response_due=None,
                   resolution_due=NOW + 24 * h),
        "previous": _case(contact_center, created=MONDAY - dt.timedelta(days=6),
                          resolved_at=MONDAY, status=CaseStatus.RESOLVED),
        "sales": _case(sales, created=MONDAY, first_responded_at=MONDAY + 9 * h),
        "old": _case(contact_center, created=MONDAY - dt.timedelta(weeks=10)),
    }  # fmt: skip
    assert cases["d"].resolution_due is not None
    escalation = Escalation.objects.create(
        case=cases["d"], kind=EscalationKind.RESOLUTION, due_at=cases["d"].resolution_due
    )
    Escalation.objects.filter(pk=escalation.pk).update(
        at=MONDAY + 24 * h + dt.timedelta(minutes=10)
    )
    return cases


def test_the_week_matches_the_numbers_worked_out_by_hand(
    week: dict[str, Case], contact_center: Department
) -> None:
    report = case_report(departments=[contact_center], weeks=2, now=NOW)
    assert report.weeks == [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    (department,) = report.departments
    before, this = department.weeks
    assert this.created == 5
    assert (this.resolution_met, this.resolution_decided, this.resolution_share) == (3, 4, 75.0)
    # a (1 h) and c (2 h) answered within 2 hours; b (3 h) and d (4 h) did not.
    assert (this.response_met, this.response_decided, this.response_share) == (2, 4, 50.0)
    assert this.response_median_hours == 2.5
    assert this.response_p90_hours == 3.7
    assert (this.transfers_made, this.transfers_per_case) == (0, 0)
    assert this.exceptions == 1
    assert this.escalations == 1
    assert (before.created, before.resolution_met, before.resolution_decided) == (1, 0, 1)
    assert before.response_median_hours is None


def test_the_exception_queue_shows_its_size_and_oldest_case(
    week: dict[str, Case], contact_center: Department
) -> None:
    report = case_report(departments=[contact_center], weeks=2, now=NOW)
    assert report.exception_open == 1
    assert report.exception_open_capped is False
    assert report.exception_oldest == MONDAY


def test_a_case_from_monday_just_after_midnight_counts_in_that_week(
    contact_center: Department,
) -> None:
    # 00:30 in Amsterdam is still Sunday in UTC.
    _case(contact_center, created=dt.datetime(2026, 3, 9, 0, 30, tzinfo=AMS))
    report = case_report(departments=[contact_center], weeks=2, now=NOW)
    assert [row.created for row in report.departments[0].weeks] == [0, 1]


def test_a_week_without_cases_shows_no_percentages(contact_center: Department) -> None:
    report = case_report(departments=[contact_center], weeks=1, now=NOW)
    (row,) = report.departments[0].weeks
    assert (row.created, row.resolution_share, row.response_median_hours) == (0, None, None)


def test_percentiles_interpolate_like_postgresql() -> None:
    assert percentile([4, 1, 3, 2], 0.5) == 2.5
    assert percentile([1, 2, 3, 4], 0.9) == pytest.approx(3.7)
    assert percentile([7], 0.9) == 7
    assert percentile([], 0.5) is None


@pytest.mark.parametrize("persona", ["agent", "member", "marketer", "outsider"])
def test_only_managers_and_admins_read_the_reports(
    persona: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    assert client.get(URL).status_code == 403


def test_the_manager_reads_the_report_of_their_department(
    manager_client: Client, contact_center: Department, sales: Department
) -> None:
    CaseFactory(department=contact_center)
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert [d.department for d in response.context["report"].departments] == [contact_center]
    assert len(response.context["report"].weeks) == 8
    assert "<svg" in response.text
    assert "style=" not in response.text


def test_another_departments_report_is_not_found(manager_client: Client, sales: Department) -> None:
    assert manager_client.get(URL, {"department": "sales"}).status_code == 404
    assert manager_client.get(URL, {"department": "nope"}).status_code == 404


def test_an_admin_chooses_any_department(contact_center: Department, sales: Department) -> None:
    client = Client()
    client.force_login(UserFactory(username="beheer", department=None, roles=[Role.ADMIN]))
    everything = client.get(URL)
    assert {d.department for d in everything.context["report"].departments} == {
        contact_center,
        sales,
    }
    one = client.get(URL, {"department": "sales", "weeks": "52"})
    assert [d.department for d in one.context["report"].departments] == [sales]
    assert len(one.context["report"].weeks) == 52


@pytest.mark.parametrize("weeks", ["0", "53", "many"])
def test_a_bad_number_of_weeks_is_a_bad_request(manager_client: Client, weeks: str) -> None:
    response = manager_client.get(URL, {"weeks": weeks})
    assert response.status_code == 400
    assert "Weeks" in response.text


def test_the_report_page_is_read_only(manager_client: Client) -> None:
    assert manager_client.post(URL).status_code == 405


@pytest.mark.parametrize("rows", [1, 50])
def test_the_report_costs_the_same_queries_for_one_case_or_many(
    rows: int, manager_client: Client, contact_center: Department, django_assert_num_queries
) -> None:
    now = timezone.now()
    for case in CaseFactory.create_batch(rows, department=contact_center, is_exception=True):
        case.first_responded_at = now
        case.transfer_count = 1
        case.save()
        Escalation.objects.create(case=case, kind=EscalationKind.RESOLUTION, due_at=now)
    # The response-time sample is one query more where the database has no percentile_cont.
    extra = 0 if connection.vendor == "postgresql" else 1
    with django_assert_num_queries(9 + extra):
        response = manager_client.get(URL)
    assert response.context["report"].departments[0].weeks[-1].created == rows


def test_transfers_count_for_the_department_that_made_them(
    contact_center: Department, sales: Department
) -> None:
    from journeys.models import Transfer

    moved = _case(sales, created=MONDAY, transfer_count=1)
    transfer = Transfer.objects.create(
        case=moved, from_department=contact_center, to_department=sales, reason="Verkoop."
    )
    Transfer.objects.filter(pk=transfer.pk).update(at=MONDAY + dt.timedelta(hours=1))
    _case(contact_center, created=MONDAY)
    report = case_report(departments=[contact_center, sales], weeks=1, now=NOW)
    rows = {d.department.code: d.weeks[-1] for d in report.departments}
    assert (rows[contact_center.code].transfers_made, rows[sales.code].transfers_made) == (1, 0)
    assert rows[contact_center.code].transfers_per_case == 1.0


def test_the_summary_adds_up_every_department_of_the_period(
    week: dict[str, Case], contact_center: Department, sales: Department
) -> None:
    report = case_report(departments=[contact_center, sales], weeks=2, now=NOW)
    names = [name for name, _row in report.summary]
    assert names == [contact_center.name, sales.name, "All departments"]
    kcc, sales_row, total = (row for _name, row in report.summary)
    assert (kcc.created, sales_row.created, total.created) == (6, 1, 7)
    assert (total.resolution_met, total.resolution_decided) == (3, 6)
    assert (total.exceptions, total.escalations) == (1, 1)


def test_the_report_page_starts_with_the_summary(manager_client: Client) -> None:
    html = manager_client.get(URL).content.decode()
    assert html.index('class="report-summary"') < html.index('class="report-department"')
