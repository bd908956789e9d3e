"""The outcomes page: each figure computed from hand-made data, the rollup rebuild, who may
see what, bad filters, and a query count that does not grow with period or departments."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from contacts.models import Direction, FactAskedAgain
from contacts.tests.factories import CustomerFactory, InteractionFactory, ProfileQuestionFactory
from feedback.models import OutcomeRollup
from feedback.outcomes import duration_label, outcomes_get
from feedback.services.outcomes import Histogram, outcome_rollup_rebuild, outcome_rollup_refresh
from feedback.tests.factories import ResponseFactory
from journeys.models import Case, Transfer
from journeys.services.sla import sla_exception_policy
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
OUTCOMES = reverse("feedback:outcomes")


@pytest.fixture
def day() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=3)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _case(department: Department, created: dt.datetime, **kwargs) -> Case:
    case = CaseFactory(department=department, **kwargs)
    Case.objects.filter(pk=case.pk).update(created_at=created)
    case.refresh_from_db()
    return case


def _transfer(case: Case, source: Department, target: Department, at: dt.datetime) -> None:
    transfer = Transfer.objects.create(
        case=case, from_department=source, to_department=target, reason="Hoort daar."
    )
    Transfer.objects.filter(pk=transfer.pk).update(at=at)


def _figures(user, day: dt.date, code: str | None = None) -> dict:
    board = outcomes_get(user=user, date_from=day, date_to=day, department_code=code)
    return {f.key: f for f in board.figures}


@pytest.fixture
def director(db: None):
    management = DepartmentFactory(code=Department.MANAGEMENT, name="Directie")
    return UserFactory(username="director", department=management, roles=[Role.MANAGER])


def test_asked_again_is_a_rate_per_thousand_inbound_contacts(manager, agent, kcc, day) -> None:
    customer = CustomerFactory()
    for hour in (9, 10, 11, 12):
        InteractionFactory(customer=customer, department=kcc, occurred_at=_at(day, hour))
    InteractionFactory(
        customer=customer, department=kcc, occurred_at=_at(day, 13), direction=Direction.OUTBOUND
    )
    InteractionFactory(customer=customer, department=kcc, occurred_at=_at(day, 14), source="survey")
    question = ProfileQuestionFactory()
    for hour in (9, 10):
        FactAskedAgain.objects.create(
            customer=customer, question=question, asked_by=agent, asked_at=_at(day, hour, 5)
        )
    outcome_rollup_rebuild(date_from=day, date_to=day)
    figure = _figures(manager, day)["asked_again"]
    assert figure.value == "500"
    assert figure.detail == "2 questions asked again in 4 contacts."


def test_transfers_count_for_the_department_that_made_them(director, kcc, sales, day) -> None:
    ict = DepartmentFactory(code=Department.ICT, name="ICT")
    once = _case(ict, _at(day, 9))
    _transfer(once, kcc, sales, _at(day, 10))
    _transfer(once, sales, ict, _at(day, 11))
    _case(kcc, _at(day, 12))
    outcome_rollup_rebuild(date_from=day, date_to=day)
    rows = {r.department_id: r for r in OutcomeRollup.objects.filter(date=day)}
    assert (rows[kcc.pk].cases_opened, rows[kcc.pk].transfers) == (2, 1)
    assert (rows[sales.pk].transfers, rows[sales.pk].cases_transferred_twice) == (1, 1)
    assert ict.pk not in rows
    figure = _figures(director, day)["transfers"]
    assert figure.value == "1"
    assert figure.detail == "2 transfers for 2 cases; 1 case transferred more than once."


def test_exception_wait_runs_until_answer_transfer_or_now(manager, kcc, sales, day) -> None:
    now = _at(day, 14)
    _case(kcc, _at(day, 9), is_exception=True, first_responded_at=_at(day, 9, 10))
    # A transfer takes the case out of the queue (the flag is cleared, the policy stays).
    moved = _case(kcc, _at(day, 10), is_exception=False, sla_policy=sla_exception_policy())
    _transfer(moved, kcc, sales, _at(day, 10, 30))
    _case(kcc, _at(day, 12), is_exception=True)
    _case(kcc, _at(day, 12))
    outcome_rollup_rebuild(date_from=day, date_to=day, now=now)
    figure = _figures(manager, day)["exceptions"]
    assert figure.value == "3"
    assert figure.detail == "Waited: median 30 min, 90 % within 2 h."


def test_unhappy_answers_followed_up_within_48_hours(manager, kcc, day) -> None:
    answered = _at(day, 9)
    quick = _case(kcc, answered, first_responded_at=answered + dt.timedelta(hours=5))
    slow = _case(kcc, answered, resolved_at=answered + dt.timedelta(hours=60))
    ResponseFactory(score=2, is_unhappy=True, answered_at=answered, followup_case=quick)
    ResponseFactory(score=3, is_unhappy=True, answered_at=answered, followup_case=slow)
    ResponseFactory(score=1, is_unhappy=True, answered_at=answered, department=kcc)
    ResponseFactory(score=9, is_unhappy=False, answered_at=answered, department=kcc)
    outcome_rollup_rebuild(date_from=day, date_to=day)
    figure = _figures(manager, day)["unhappy_followed"]
    assert figure.value == "33.3 %"
    assert figure.detail == "1 of 3 unhappy answers."


def test_first_response_median_and_share_within_sla(manager, kcc, day) -> None:
    for minutes in (30, 90):
        created = _at(day, 9)
        _case(
            kcc,
            created,
            first_response_due=created + dt.timedelta(minutes=60),
            first_responded_at=created + dt.timedelta(minutes=minutes),
        )
    late = _at(day, 10)
    _case(kcc, late, first_response_due=late + dt.timedelta(minutes=60))
    pending = _at(day, 13)
    _case(kcc, pending, first_response_due=pending + dt.timedelta(hours=3))
    outcome_rollup_rebuild(date_from=day, date_to=day, now=_at(day, 14))
    figure = _figures(manager, day)["first_response"]
    assert figure.value == "30 min"
    assert figure.detail == "33.3 % answered within the SLA (1 of 3)."


def test_repeat_contacts_are_the_same_topic_within_seven_days(manager, kcc, day) -> None:
    again, once, late = CustomerFactory(), CustomerFactory(), CustomerFactory()
    InteractionFactory(
        customer=again, topic="levering", occurred_at=_at(day, 9) - dt.timedelta(days=3)
    )
    InteractionFactory(customer=again, topic="levering", occurred_at=_at(day, 9))
    InteractionFactory(customer=once, topic="levering", occurred_at=_at(day, 10))
    InteractionFactory(customer=once, topic="retour", occurred_at=_at(day, 9) - dt.timedelta(days=2), direction=Direction.OUTBOUND)  # fmt: skip
    InteractionFactory(
        customer=late, topic="retour", occurred_at=_at(day, 9) - dt.timedelta(days=10)
    )
    InteractionFactory(customer=late, topic="retour", occurred_at=_at(day, 11))
    InteractionFactory(customer=late, topic="", occurred_at=_at(day, 12))
    outcome_rollup_rebuild(date_from=day, date_to=day)
    figure = _figures(manager, day)["repeat_contacts"]
    assert figure.value == "33.3 %"
    assert figure.detail == "1 of 3 customers."


def test_unwarned_campaigns_show_zero_with_a_note(manager, kcc, day) -> None:
    figure = _figures(manager, day)["unwarned_campaigns"]
    assert (figure.value, figure.note) == ("0", "Counted once channel replies are tracked.")


def test_every_figure_has_a_line_saying_how_it_is_counted(manager, kcc, day) -> None:
    figures = _figures(manager, day)
    assert len(figures) == 7
    assert all(f.how for f in figures.values())


def test_histogram_percentile_is_the_nearest_rank_as_its_bucket_mean() -> None:
    hist = Histogram()
    for minutes in (10, 20, 30):
        hist.add(minutes)
    assert (hist.percentile(0.5), hist.percentile(0.9)) == (20, 30)
    merged = Histogram.load(hist.dump())
    merged.merge(Histogram.load({"n": [0, 0, 0, 0, 0, 0, 0, 2], "s": [0] * 7 + [130]}))
    assert merged.percentile(0.5) == 30
    assert Histogram().percentile(0.5) is None


def test_durations_read_as_minutes_hours_or_days() -> None:
    assert [duration_label(m) for m in (25, 210, 3 * 24 * 60, None)] == [
        "25 min", "3.5 h", "3 days", "–",
    ]  # fmt: skip


def test_rebuild_twice_gives_the_same_rows_and_refresh_covers_two_weeks(manager, kcc, day) -> None:
    _case(kcc, _at(day, 9), is_exception=True)
    InteractionFactory(department=kcc, occurred_at=_at(day, 9))
    outcome_rollup_rebuild(date_from=day, date_to=day, now=_at(day, 12))
    first = list(OutcomeRollup.objects.values_list("date", "department", "contacts", "exceptions"))
    outcome_rollup_rebuild(date_from=day, date_to=day, now=_at(day, 12))
    second = list(OutcomeRollup.objects.values_list("date", "department", "contacts", "exceptions"))
    assert first == second == [(day, kcc.pk, 1, 1)]
    assert outcome_rollup_refresh(today=day + dt.timedelta(days=14)) == 1


def test_without_a_department_the_work_belongs_to_the_front_door(manager, kcc, day) -> None:
    InteractionFactory(department=None, occurred_at=_at(day, 9))
    outcome_rollup_rebuild(date_from=day, date_to=day)
    assert list(OutcomeRollup.objects.values_list("department", "contacts")) == [(kcc.pk, 1)]


def test_command_rebuilds_a_range_and_rejects_bad_dates(kcc, day) -> None:
    InteractionFactory(department=kcc, occurred_at=_at(day, 9))
    out = io.StringIO()
    call_command("feedback_outcomes_rollup", "--from", str(day), "--to", str(day), stdout=out)
    assert out.getvalue().strip() == f"outcome rollups {day}..{day}: 1 rows"
    with pytest.raises(CommandError, match="not a date"):
        call_command("feedback_outcomes_rollup", "--from", "yesterday")
    with pytest.raises(CommandError, match="after"):
        call_command("feedback_outcomes_rollup", "--from", str(day), "--to", str(day - dt.timedelta(days=1)))  # fmt: skip
    assert OutcomeRollup.objects.count() == 1


def test_beat_runs_the_refresh(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["feedback-outcome-rollup"]
    assert entry["task"] == "feedback.outcome_rollup_refresh"


# --- The page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("manager", 200), ("agent", 403), ("member", 403), ("marketer", 403), ("outsider", 403)],
)
def test_outcomes_page_is_for_managers(persona, status, request) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    assert client.get(OUTCOMES).status_code == status


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get(OUTCOMES)
    assert response.status_code == 302


def test_outcomes_page_is_in_the_managers_navigation(manager_client) -> None:
    page = manager_client.get(reverse("feedback:surveys")).content.decode()
    nav = page.split('class="mainnav"')[1].split("</nav>")[0]
    assert f'<a href="{OUTCOMES}"' in nav
    current = manager_client.get(OUTCOMES).content.decode().split('class="mainnav"')[1]
    assert f'<a href="{OUTCOMES}" aria-current="page"' in current.split("</nav>")[0]
    assert current.split("</nav>")[0].count('aria-current="page"') == 1


def test_page_shows_seven_figures_with_week_labels_and_no_inline_style(manager_client, kcc) -> None:
    html = manager_client.get(OUTCOMES).content.decode()
    assert html.count('class="card oc-figure"') == 7
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    assert f"wk {monday.isocalendar().week}" in html
    assert "How it is counted:" in html
    assert " style=" not in html and "<style" not in html and "<script>" not in html


def test_htmx_gets_the_figures_only(manager_client, kcc) -> None:
    response = manager_client.get(OUTCOMES, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert "<html" not in html and 'class="card oc-figure"' in html


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "gisteren"},
        {"date_from": "2026-05-10", "date_to": "2026-05-01"},
        {"date_from": "2024-01-01", "date_to": "2026-01-01"},
        {"department": "nope"},
        {"department": Department.SALES},
    ],
)
def test_bad_filters_get_a_clear_error(manager_client, kcc, sales, query) -> None:
    response = manager_client.get(OUTCOMES, query)
    assert response.status_code == 400
    assert response.context["board"] is None
    assert 'class="errorlist"' in response.content.decode()


def test_a_manager_sees_their_own_department_and_the_director_all(
    manager, director, kcc, sales, day
) -> None:
    InteractionFactory(department=kcc, occurred_at=_at(day, 9))
    InteractionFactory(department=sales, occurred_at=_at(day, 9))
    InteractionFactory(department=sales, occurred_at=_at(day, 10))
    FactAskedAgain.objects.create(
        customer=CustomerFactory(), question=ProfileQuestionFactory(), asked_by=UserFactory(department=sales), asked_at=_at(day, 10)
    )  # fmt: skip
    outcome_rollup_rebuild(date_from=day, date_to=day)
    assert _figures(manager, day)["asked_again"].detail == "0 questions asked again in 1 contacts."
    assert _figures(director, day)["asked_again"].detail == "1 questions asked again in 3 contacts."
    assert _figures(director, day, Department.SALES)["asked_again"].value == "500"


def test_filter_by_department_and_period_on_the_page(director, sales, kcc, day) -> None:
    InteractionFactory(department=sales, occurred_at=_at(day, 9))
    outcome_rollup_rebuild(date_from=day, date_to=day)
    client = Client()
    client.force_login(director)
    response = client.get(
        OUTCOMES, {"department": Department.SALES, "date_from": str(day), "date_to": str(day)}
    )
    assert response.status_code == 200
    board = response.context["board"]
    assert (board.department, board.date_from, board.date_to) == (sales, day, day)
    assert "1 contacts" in board.figures[0].detail


def _rollups(departments: list[Department], days: int) -> None:
    today = timezone.localdate()
    OutcomeRollup.objects.bulk_create(
        OutcomeRollup(
            date=today - dt.timedelta(days=n),
            department=department,
            contacts=10,
            asked_again=1,
            exceptions=2,
            exception_wait={"n": [1, 1] + [0] * 23, "s": [3, 7] + [0] * 23},
        )
        for n in range(days)
        for department in departments
    )


@pytest.mark.parametrize(("departments", "weeks"), [(1, 1), (5, 52)])
def test_query_count_does_not_grow_with_period_or_departments(
    departments, weeks, director, kcc, django_assert_num_queries
) -> None:
    others = [DepartmentFactory() for _ in range(departments - 1)]
    _rollups([kcc, *others], days=7 * weeks)
    client = Client()
    client.force_login(director)
    today = timezone.localdate()
    query = {"date_from": str(today - dt.timedelta(weeks=weeks)), "date_to": str(today)}
    # User, roles, departments (form and selector), the rollups, and the
    # permissions the feedback navigation reads.
    with django_assert_num_queries(7):
        response = client.get(OUTCOMES, query)
    assert response.status_code == 200
    assert response.context["board"].figures[2].value == f"{2 * departments * 7 * weeks:,}"


@pytest.mark.parametrize("rows", [1, 50])
def test_query_count_is_the_same_with_1_and_50_rows(
    rows, manager_client, kcc, django_assert_num_queries
) -> None:
    _rollups([kcc], days=rows)
    with django_assert_num_queries(7):
        response = manager_client.get(OUTCOMES)
    assert response.status_code == 200
