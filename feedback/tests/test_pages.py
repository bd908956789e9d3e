"""Staff pages: dashboard, comments, wallboard, survey settings, customer panel — who may
see them, pinned query counts, htmx fragments."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback.models import Survey, SurveyKind
from feedback.services.rollups import rollup_rebuild
from feedback.tests.factories import ResponseFactory, SurveyAspectFactory, SurveyFactory
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("feedback:dashboard")
WALLBOARD = reverse("feedback:wallboard")
VERBATIMS = reverse("feedback:verbatims")
SURVEYS = reverse("feedback:surveys")


def _answers(n: int, customer) -> None:
    survey = SurveyFactory(kind=SurveyKind.NPS)
    aspect = SurveyAspectFactory(survey=survey)
    now = timezone.now()
    for i in range(n):
        r = ResponseFactory(
            invitation__survey=survey,
            invitation__order__customer=customer,
            product_sku=f"SKU-{i % 7}",
            score=i % 11,
            comment=f"Opmerking {i}",
            answered_at=now - dt.timedelta(days=i % 30, minutes=i),
        )
        r.aspect_scores.create(aspect=aspect, score=7)
    today = timezone.localdate()
    rollup_rebuild(date_from=today - dt.timedelta(days=90), date_to=today)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("manager", 200), ("agent", 403), ("member", 403), ("marketer", 403), ("outsider", 403)],
)
def test_dashboard_and_wallboard_are_for_managers(persona, status, request) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    assert client.get(DASHBOARD).status_code == status
    assert client.get(WALLBOARD).status_code == status
    assert client.get(VERBATIMS).status_code == status


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_dashboard_is_linked_from_navigation_and_links_the_wallboard(manager_client) -> None:
    other_page = manager_client.get(SURVEYS).content.decode()
    assert f'<a href="{DASHBOARD}"' in other_page.split('class="mainnav"')[1].split("</nav>")[0]
    page = manager_client.get(DASHBOARD).content.decode()
    assert f'href="{WALLBOARD}"' in page
    assert f'href="{SURVEYS}"' in page
    assert " style=" not in page and "<style" not in page


@pytest.mark.parametrize("rows", [1, 50])
def test_dashboard_query_count_does_not_grow(
    rows, manager_client, customer, django_assert_num_queries
) -> None:
    _answers(rows, customer)
    # User and permissions, then rollups (periods, three breakdowns, aspects),
    # the active survey and one page of verbatims: the same with 1 and with 50 answers.
    with django_assert_num_queries(12):
        response = manager_client.get(DASHBOARD)
    assert response.status_code == 200
    assert "Opmerking" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_wallboard_query_count_does_not_grow(
    rows, manager_client, customer, kcc, django_assert_num_queries
) -> None:
    from accounts.tests.factories import DepartmentFactory

    _answers(rows, customer)
    departments = [kcc, *(DepartmentFactory() for _ in range(rows // 10))]
    for i in range(rows):
        CaseFactory(department=departments[i % len(departments)], customer=customer)
    CaseFactory(department=kcc, customer=customer, escalated_at=timezone.now())
    # User, permissions (three); today's answers and invitations, comments, departments,
    # waiting, resolved today, escalated counts and list, staffing, exception queue.
    with django_assert_num_queries(14):
        response = manager_client.get(WALLBOARD, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["Vary"].find("HX-Request") >= 0
    html = response.content.decode()
    assert "<html" not in html
    assert "Exception queue" in html


def test_wallboard_page_polls_every_30_seconds(manager_client) -> None:
    html = manager_client.get(WALLBOARD).content.decode()
    assert 'hx-trigger="every 30s"' in html
    assert f'href="{DASHBOARD}"' in html


def test_wallboard_counts_sla_and_queues(manager_client, customer, kcc) -> None:
    now = timezone.now()
    CaseFactory(
        department=kcc,
        customer=customer,
        status="resolved",
        resolved_at=now,
        resolution_due=now + dt.timedelta(hours=1),
    )
    CaseFactory(
        department=kcc,
        customer=customer,
        status="resolved",
        resolved_at=now,
        resolution_due=now - dt.timedelta(hours=1),
    )
    CaseFactory(department=kcc, customer=customer, is_exception=True)
    response = manager_client.get(WALLBOARD, headers={"HX-Request": "true"})
    wall = response.context["wall"]
    assert (wall.sla_met, wall.sla_resolved, wall.sla_share) == (1, 2, 50.0)
    assert wall.exceptions == 1
    rows = {row.department.code: row for row in wall.queues}
    assert (rows[kcc.code].waiting, rows[kcc.code].sla_met, rows[kcc.code].sla_resolved) == (
        1,
        1,
        2,
    )


def test_wallboard_shows_waits_escalations_and_agents_on_duty(
    manager_client, customer, kcc, sales
) -> None:
    from django.utils import timezone as tz

    from accounts.tests.factories import StaffingSlotFactory
    from journeys.models import Case

    now = tz.now()
    oldest = CaseFactory(department=kcc, customer=customer)
    Case.objects.filter(pk=oldest.pk).update(created_at=now - dt.timedelta(minutes=95))
    CaseFactory(department=kcc, customer=customer)
    CaseFactory(department=sales, customer=customer, escalated_at=now - dt.timedelta(hours=1))
    CaseFactory(department=sales, customer=customer, status="resolved", escalated_at=now)
    local = now.astimezone(kcc.tz)
    StaffingSlotFactory(department=kcc, weekday=local.weekday(), hour=local.hour, agents=7)
    StaffingSlotFactory(
        department=kcc, weekday=local.weekday(), hour=(local.hour + 1) % 24, agents=2
    )
    response = manager_client.get(WALLBOARD, headers={"HX-Request": "true"})
    wall = response.context["wall"]
    rows = {row.department.code: row for row in wall.queues}
    assert (rows[kcc.code].waiting, rows[kcc.code].agents, rows[kcc.code].escalated) == (2, 7, 0)
    assert rows[kcc.code].longest_wait_label == "1.6 h"
    assert (rows[sales.code].waiting, rows[sales.code].escalated) == (1, 1)
    assert (wall.escalated, wall.agents, wall.waiting) == (1, 7, 3)
    assert [c.department for c in wall.escalated_cases] == [sales]
    html = response.content.decode()
    assert "Agents on duty" in html and "escalated 1" in html


def test_verbatims_keyset_pages_and_filters(manager_client, customer) -> None:
    _answers(30, customer)
    first = manager_client.get(VERBATIMS)
    page = first.context["verbatims"]
    assert len(page.items) == 20 and page.next_cursor
    more = manager_client.get(
        VERBATIMS, {"cursor": page.next_cursor}, headers={"HX-Request": "true"}
    )
    assert len(more.context["verbatims"].items) == 10
    assert "<html" not in more.content.decode()
    assert not {r.pk for r in page.items} & {r.pk for r in more.context["verbatims"].items}
    only = manager_client.get(VERBATIMS, {"product": "SKU-1"})
    assert {r.product_sku for r in only.context["verbatims"].items} == {"SKU-1"}
    assert (
        manager_client.get(VERBATIMS, {"sentiment": "furious", "cursor": "garbage"}).status_code
        == 200
    )


def test_dashboard_bad_weeks_falls_back(manager_client) -> None:
    response = manager_client.get(DASHBOARD, {"weeks": "lots"})
    assert response.status_code == 200
    assert response.context["weeks"] == 12


# --- Survey settings -------------------------------------------------------------


def _survey_post(**overrides) -> dict:
    data = {
        "name": "Na levering",
        "kind": "csat",
        "question_nl": "Hoe tevreden bent u?",
        "question_en": "How satisfied are you?",
        "free_text_nl": "",
        "free_text_en": "",
        "target": "4.2",
        "delay_hours": "24",
        "first_reminder_days": "3",
        "second_reminder_days": "7",
        "expiry_days": "30",
        "aspects-TOTAL_FORMS": "1",
        "aspects-INITIAL_FORMS": "0",
        "aspects-MIN_NUM_FORMS": "0",
        "aspects-MAX_NUM_FORMS": "12",
        "aspects-0-key": "delivery",
        "aspects-0-label_nl": "Bezorging",
        "aspects-0-label_en": "Delivery",
        "aspects-0-target": "4",
        "aspects-0-order": "0",
    }
    data.update(overrides)
    return data


def test_manager_creates_edits_and_activates_a_survey(manager_client) -> None:
    assert manager_client.get(reverse("feedback:survey_add")).status_code == 200
    response = manager_client.post(reverse("feedback:survey_add"), _survey_post())
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert survey.aspects.get().key == "delivery"
    old = SurveyFactory(is_active=True)
    assert (
        manager_client.get(reverse("feedback:survey_activate", args=[survey.pk])).status_code == 405
    )
    manager_client.post(reverse("feedback:survey_activate", args=[survey.pk]))
    old.refresh_from_db()
    survey.refresh_from_db()
    assert survey.is_active and not old.is_active
    edit = reverse("feedback:survey_edit", args=[survey.pk])
    assert manager_client.get(edit).status_code == 200
    assert "Na levering" in manager_client.get(SURVEYS).content.decode()


def test_survey_form_errors_change_nothing(manager_client) -> None:
    bad = _survey_post(kind="stars", second_reminder_days="2", expiry_days="0")
    response = manager_client.post(reverse("feedback:survey_add"), bad)
    assert response.status_code == 400
    form = response.context["form"]
    assert {"kind", "second_reminder_days", "expiry_days"} <= set(form.errors)
    assert not Survey.objects.exists()


@pytest.mark.parametrize("persona", ["agent", "member", "marketer", "outsider"])
def test_only_managers_change_surveys(persona, request) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    survey = SurveyFactory()
    assert client.get(SURVEYS).status_code == 403
    assert client.post(reverse("feedback:survey_add"), _survey_post()).status_code == 403
    assert client.post(reverse("feedback:survey_activate", args=[survey.pk])).status_code == 403
    assert Survey.objects.count() == 1


def test_unknown_survey_is_404(manager_client) -> None:
    assert manager_client.get(reverse("feedback:survey_edit", args=[999])).status_code == 404


# --- Customer panel --------------------------------------------------------------


def test_customer_panel_shows_that_customers_answers(agent_client, customer) -> None:
    case = CaseFactory(customer=customer, resolution_note="Nieuw paar verstuurd")
    ResponseFactory(
        invitation__order__customer=customer, score=3, comment="Kapot geleverd", followup_case=case
    )
    ResponseFactory(comment="Van iemand anders")
    url = reverse("feedback:customer_panel", kwargs={"customer_id": customer.pk})
    html = agent_client.get(url).content.decode()
    assert "Kapot geleverd" in html
    assert "Nieuw paar verstuurd" in html
    assert "Van iemand anders" not in html
    assert "<html" not in html


def test_customer_panel_is_registered_and_guarded(outsider_client, agent_client, customer) -> None:
    from contacts.panels import panel_list

    assert "feedback" in [p.key for p in panel_list()]
    url = reverse("feedback:customer_panel", kwargs={"customer_id": customer.pk})
    assert outsider_client.get(url).status_code == 404
    missing = reverse("feedback:customer_panel", kwargs={"customer_id": 999_999})
    assert agent_client.get(missing).status_code == 404


@pytest.mark.parametrize("rows", [1, 10])
def test_customer_panel_query_count(
    rows, agent_client, customer, django_assert_num_queries
) -> None:
    for _ in range(rows):
        ResponseFactory(invitation__order__customer=customer, comment="x")
    url = reverse("feedback:customer_panel", kwargs={"customer_id": customer.pk})
    with django_assert_num_queries(6):
        agent_client.get(url)


def test_by_department_lists_answers_that_have_no_department(manager_client, customer) -> None:
    _answers(3, customer)
    html = manager_client.get(DASHBOARD).content.decode()
    section = html.split("By department</h2>")[1].split("</table>")[0]
    assert "No case before the answer" in section
    assert "No answers in this period" not in section


def test_dashboard_charts_carry_week_labels_and_values(manager_client, customer) -> None:
    _answers(3, customer)
    html = manager_client.get(DASHBOARD).content.decode()
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    assert f">wk {monday.isocalendar().week}</text>" in html
    assert html.count('class="fb-chart"') == 4
    assert '<text class="fb-value"' in html
