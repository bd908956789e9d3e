"""The inbox and the case page per persona: who sees what, htmx fragments, actions, keyset
"load more" and pinned query counts."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from contacts.models import IdentityKind
from contacts.tests.factories import CustomerFactory, IdentityFactory, InteractionFactory
from journeys.models import Case, CaseStatus, SubTaskStatus, Transfer
from journeys.tests.factories import CannedReplyFactory, CaseFactory, SubTaskFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("journeys:inbox")
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _due(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def _case_url(case: Case, name: str = "case") -> str:
    return reverse(f"journeys:{name}", kwargs={"case_id": case.pk})


# --- Who sees what ---------------------------------------------------------------------------


def test_the_agent_sees_their_cases_and_their_departments_queue(
    agent_client: Client, agent: User, contact_center: Department, sales: Department
) -> None:
    mine = CaseFactory(department=contact_center, owner=agent, subject="Mijn zaak")
    queued = CaseFactory(department=contact_center, subject="In de wachtrij")
    CaseFactory(department=sales, subject="Van sales")

    page = agent_client.get(INBOX)
    assert page.status_code == 200
    assert "Mijn zaak" in page.text and "In de wachtrij" not in page.text
    assert "Exception queue" not in page.text  # leads only

    queue = agent_client.get(INBOX, {"tab": "queue"})
    assert [r.case.pk for r in queue.context["rows"]] == [queued.pk]
    assert "Van sales" not in queue.text
    assert mine.pk not in [r.case.pk for r in queue.context["rows"]]


def test_the_lead_sees_the_exception_queue(
    manager_client: Client, agent_client: Client, contact_center: Department
) -> None:
    exception = CaseFactory(department=contact_center, is_exception=True, subject="Hallo?")
    page = manager_client.get(INBOX, {"tab": "exceptions"})
    assert [r.case.pk for r in page.context["rows"]] == [exception.pk]
    # An agent asking for it gets their own first tab instead.
    assert agent_client.get(INBOX, {"tab": "exceptions"}).context["tab"] == "mine"


@pytest.mark.parametrize("persona", ["marketer", "outsider"])
def test_people_without_case_work_cannot_open_the_inbox_or_a_case(
    persona: str, request: pytest.FixtureRequest, contact_center: Department
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")
    case = CaseFactory(department=contact_center)
    assert client.get(INBOX).status_code == 403
    assert client.get(_case_url(case)).status_code == 404
    assert client.post(_case_url(case, "case_take")).status_code == 404
    case.refresh_from_db()
    assert case.owner_id is None


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, contact_center) -> None:
    response = client.get(INBOX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_department_sees_a_case_only_through_its_sub_task(
    member_client: Client, member: User, contact_center: Department, sales: Department
) -> None:
    case = CaseFactory(department=contact_center, status=CaseStatus.WAITING_DEPARTMENT)
    assert member_client.get(_case_url(case)).status_code == 404
    task = SubTaskFactory(case=case, department=sales, description="Creditnota maken")

    page = member_client.get(_case_url(case))
    assert page.status_code == 200 and "Creditnota maken" in page.text
    assert page.context["may_work"] is False
    # Seeing is not working on it: no reply, no resolve.
    reply = member_client.post(_case_url(case, "case_reply"), {"reply-body": "Hoi"})
    assert reply.status_code == 403
    assert (
        member_client.post(_case_url(case, "case_resolve"), {"resolve-note": "x"}).status_code
        == 403
    )

    listed = member_client.get(INBOX, {"tab": "subtasks"})
    assert [t.pk for t, _state in listed.context["subtasks"]] == [task.pk]

    done = member_client.post(
        reverse("journeys:subtask_complete", args=[task.pk]),
        {"done-result": "Creditnota verstuurd", "back": "inbox"},
        **HTMX,
    )
    assert done.status_code == 200 and "Creditnota verstuurd" in done.text
    task.refresh_from_db()
    case.refresh_from_db()
    assert task.status == SubTaskStatus.DONE
    assert case.status == CaseStatus.OPEN


def test_a_sub_task_of_another_department_cannot_be_completed(
    agent_client: Client, contact_center: Department, sales: Department
) -> None:
    case = CaseFactory(department=contact_center, status=CaseStatus.WAITING_DEPARTMENT)
    task = SubTaskFactory(case=case, department=sales)
    response = agent_client.post(
        reverse("journeys:subtask_complete", args=[task.pk]), {"done-result": "klaar"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == SubTaskStatus.OPEN


# --- htmx and HTTP methods ----------------------------------------------------------------


def test_htmx_gets_only_the_section_and_responses_vary(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    CaseFactory(department=contact_center, owner=agent, subject="Mijn zaak")
    response = agent_client.get(INBOX, **HTMX)
    assert response.status_code == 200
    assert "Mijn zaak" in response.text
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]


def test_bad_filters_are_a_400_with_the_form_errors(agent_client: Client, contact_center) -> None:
    response = agent_client.get(INBOX, {"status": "bogus", "priority": "asap"})
    assert response.status_code == 400
    assert set(response.context["filter_form"].errors) == {"status", "priority"}


def test_filters_narrow_the_list(agent_client: Client, agent: User, contact_center) -> None:
    urgent = CaseFactory(department=contact_center, owner=agent, priority="urgent")
    CaseFactory(department=contact_center, owner=agent, priority="low")
    response = agent_client.get(INBOX, {"priority": "urgent"})
    assert [r.case.pk for r in response.context["rows"]] == [urgent.pk]


@pytest.mark.parametrize(
    "name", ["case_take", "case_reply", "case_resolve", "case_transfer", "case_status"]
)
def test_actions_refuse_get(name: str, agent_client: Client, contact_center) -> None:
    case = CaseFactory(department=contact_center)
    assert agent_client.get(_case_url(case, name)).status_code == 405
    assert agent_client.get(reverse("journeys:inbox_take_next")).status_code == 405


def test_unknown_case_is_a_404(agent_client: Client, contact_center) -> None:
    assert agent_client.get("/cases/999999/").status_code == 404


# --- Keyset pagination ----------------------------------------------------------------------


def test_load_more_continues_after_the_last_row(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    cases = [
        CaseFactory(department=contact_center, owner=agent, resolution_due=_due(i % 7 + 1))
        for i in range(30)
    ]
    first = agent_client.get(INBOX)
    seen = [r.case.pk for r in first.context["rows"]]
    cursor = first.context["next_cursor"]
    assert len(seen) == 25 and cursor
    more = agent_client.get(INBOX, {"tab": "mine", "after": cursor}, **HTMX)
    rest = [r.case.pk for r in more.context["rows"]]
    assert more.context["next_cursor"] == ""
    assert sorted(seen + rest) == sorted(c.pk for c in cases)
    expected = sorted(cases, key=lambda c: (c.resolution_due, c.pk))
    assert seen + rest == [c.pk for c in expected]


# --- Taking and working a case --------------------------------------------------------------


def test_take_next_opens_the_most_urgent_case(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    CaseFactory(department=contact_center, resolution_due=_due(5))
    urgent = CaseFactory(department=contact_center, resolution_due=_due(1))
    response = agent_client.post(reverse("journeys:inbox_take_next"))
    assert response.status_code == 302 and response["Location"] == _case_url(urgent)
    urgent.refresh_from_db()
    assert urgent.owner_id == agent.pk

    htmx = agent_client.post(reverse("journeys:inbox_take_next"), **HTMX)
    # A whole page load of the case, not a fragment swapped into the body.
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith("/cases/")
    assert "HX-Location" not in htmx
    empty = agent_client.post(reverse("journeys:inbox_take_next"), **HTMX)
    assert "The queue is empty." in empty.text


def test_take_from_a_queue_row_returns_the_row(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center)
    response = agent_client.post(reverse("journeys:inbox_take", args=[case.pk]), **HTMX)
    assert response.status_code == 200 and f'id="case-row-{case.pk}"' in response.text
    case.refresh_from_db()
    assert case.owner_id == agent.pk
    colleague = UserFactory(
        username="bart", first_name="Bart", last_name="Bos", department=contact_center,
        roles=[Role.AGENT],
    )  # fmt: skip
    client = Client()
    client.force_login(colleague)
    again = client.post(reverse("journeys:inbox_take", args=[case.pk]), **HTMX)
    assert f"{agent.get_full_name() or agent.username} already has this case." in again.text
    case.refresh_from_db()
    assert case.owner_id == agent.pk


def test_reply_resolve_and_note_from_the_case_page(
    agent_client: Client,
    agent: User,
    contact_center: Department,
    outbound_worker: None,
    django_capture_on_commit_callbacks,
) -> None:
    customer = CustomerFactory(name="Anna")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="anna@example.nl")
    case = CaseFactory(department=contact_center, owner=agent, customer=customer)
    InteractionFactory(customer=customer)

    with django_capture_on_commit_callbacks(execute=True):
        reply = agent_client.post(
            _case_url(case, "case_reply"), {"reply-body": "Opgelost!"}, **HTMX
        )
    assert reply.status_code == 200 and "Opgelost!" in reply.text
    assert mail.outbox[0].to == ["anna@example.nl"]

    note = agent_client.post(_case_url(case, "case_comment"), {"comment-body": "Intern"}, **HTMX)
    assert "Intern" in note.text

    resolved = agent_client.post(_case_url(case, "case_resolve"), {"resolve-note": "Klaar"})
    assert resolved.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.resolution_note == "Klaar"


def test_a_canned_reply_is_inserted_into_the_reply_form(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent)
    canned = CannedReplyFactory(
        department=contact_center, body="Beste {customer_name}, zaak {case_number}."
    )
    response = agent_client.get(_case_url(case), {"canned": canned.pk}, **HTMX)
    assert f"Beste {case.customer.name}, zaak {case.pk}." in response.text


def test_transfer_without_reason_changes_nothing(
    agent_client: Client, agent: User, contact_center: Department, sales: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent)
    url = _case_url(case, "case_transfer")
    bad = agent_client.post(url, {"transfer-department": sales.pk, "transfer-reason": " "})
    assert bad.status_code == 400
    assert "reason" in bad.context["transfer_form"].errors
    same = agent_client.post(
        url, {"transfer-department": contact_center.pk, "transfer-reason": "x"}
    )
    assert same.status_code == 400
    unknown = agent_client.post(url, {"transfer-department": "99999", "transfer-reason": "x"})
    assert unknown.status_code == 400
    assert not Transfer.objects.exists()

    ok = agent_client.post(
        url, {"transfer-department": sales.pk, "transfer-reason": "Factuur"}, **HTMX
    )
    assert ok.status_code == 204 and ok["HX-Redirect"] == INBOX
    case.refresh_from_db()
    assert case.department == sales and case.owner is None


def test_htmx_form_errors_come_back_in_the_fragment(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent)
    response = agent_client.post(_case_url(case, "case_resolve"), {"resolve-note": ""}, **HTMX)
    assert response.status_code == 200
    assert "This field is required." in response.text
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_sub_task_request_from_the_case_page(
    agent_client: Client, agent: User, member: User, contact_center: Department, sales: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    response = agent_client.post(
        _case_url(case, "case_subtask"),
        {
            "subtask-department": sales.pk,
            "subtask-description": "Creditnota",
            "subtask-due_hours": "8",
        },
        **HTMX,
    )
    assert response.status_code == 200 and "Creditnota" in response.text
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_DEPARTMENT and case.owner_id == agent.pk
    bad = agent_client.post(
        _case_url(case, "case_subtask"),
        {"subtask-department": sales.pk, "subtask-description": "x", "subtask-due_hours": "zero"},
    )
    assert bad.status_code == 400 and case.subtasks.count() == 1


def _status(case: Case) -> str:
    """The stored status (read again, so that an earlier check does not narrow it)."""
    case.refresh_from_db()
    return case.status


def test_status_and_close_reopen(agent_client: Client, agent: User, contact_center) -> None:
    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    agent_client.post(_case_url(case, "case_status"), {"status-status": "waiting_customer"})
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING_CUSTOMER and case.sla_paused_at is not None
    assert (
        agent_client.post(_case_url(case, "case_status"), {"status-status": "closed"}).status_code
        == 400
    )
    agent_client.post(_case_url(case, "case_resolve"), {"resolve-note": "ok"})
    agent_client.post(_case_url(case, "case_close"))
    assert _status(case) == CaseStatus.CLOSED
    agent_client.post(_case_url(case, "case_reopen"))
    assert _status(case) == CaseStatus.OPEN


# --- Customer-page panel ----------------------------------------------------------------------


def test_the_customer_panel_lists_open_cases_of_every_department(
    agent_client: Client,
    member_client: Client,
    outsider_client: Client,
    agent: User,
    contact_center: Department,
) -> None:
    customer = CustomerFactory()
    case = CaseFactory(
        customer=customer, department=contact_center, subject="Open vraag", owner=agent
    )
    CaseFactory(
        customer=customer, department=contact_center, subject="Oud", status=CaseStatus.CLOSED
    )
    url = reverse("journeys:customer_cases_panel", args=[customer.pk])
    response = agent_client.get(url)
    assert "Open vraag" in response.text and "Oud" not in response.text
    assert "<html" not in response.text
    assert f'href="{_case_url(case)}"' in response.text
    # Sales sees that the contact center has it, and who, but cannot open its notes.
    other = member_client.get(url).text
    assert f"#{case.pk} Open vraag" in other and "Klantcontactcentrum" in other
    assert str(agent) in other
    assert f'href="{_case_url(case)}"' not in other
    assert "Open vraag" not in outsider_client.get(url).text


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_inbox_queries_do_not_grow_with_rows(
    rows: int,
    agent_client: Client,
    agent: User,
    contact_center: Department,
    django_assert_num_queries,
) -> None:
    for _ in range(rows):
        CaseFactory(department=contact_center, owner=agent, origin=InteractionFactory())
    agent_client.get(INBOX)  # warm the session
    with django_assert_num_queries(2):
        assert agent_client.get(INBOX).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_queue_queries_do_not_grow_with_rows(
    rows: int, agent_client: Client, contact_center: Department, django_assert_num_queries
) -> None:
    for _ in range(rows):
        CaseFactory(department=contact_center, origin=InteractionFactory())
    with django_assert_num_queries(6):
        assert agent_client.get(INBOX, {"tab": "queue"}).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_case_page_queries_do_not_grow_with_the_thread(
    rows: int,
    agent_client: Client,
    agent: User,
    contact_center: Department,
    sales: Department,
    django_assert_num_queries,
) -> None:
    from journeys.models import CaseComment, CaseMessage

    case = CaseFactory(department=contact_center, owner=agent)
    for n in range(rows):
        CaseMessage.objects.create(
            case=case, interaction=InteractionFactory(customer=case.customer, agent=agent)
        )
        CaseComment.objects.create(case=case, author=agent, body=f"note {n}")
        SubTaskFactory(case=case, department=sales, requested_by=agent)
        Transfer.objects.create(
            case=case, from_department=sales, to_department=contact_center, by=agent, reason="x"
        )
    # 13: the thread, notes, sub-tasks, hand-offs, … and the reply address (bounce warning).
    with django_assert_num_queries(13):
        assert agent_client.get(_case_url(case)).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_subtask_tab_queries_do_not_grow_with_rows(
    rows: int,
    member_client: Client,
    contact_center: Department,
    sales: Department,
    django_assert_num_queries,
) -> None:
    for _ in range(rows):
        SubTaskFactory(case=CaseFactory(department=contact_center), department=sales)
    with django_assert_num_queries(5):
        assert member_client.get(INBOX, {"tab": "subtasks"}).status_code == 200


def test_the_lead_assigns_an_exception_to_an_agent(
    manager_client: Client, agent_client: Client, agent: User, member: User, contact_center
) -> None:
    case = CaseFactory(department=contact_center, is_exception=True)
    url = _case_url(case, "case_assign")
    assert agent_client.post(url, {"assign-owner": agent.pk}).status_code == 403
    refused = manager_client.post(url, {"assign-owner": member.pk})
    assert refused.status_code == 400 and "owner" in refused.context["assign_form"].errors
    assigned = manager_client.post(url, {"assign-owner": agent.pk}, **HTMX)
    assert assigned.status_code == 200
    case.refresh_from_db()
    assert case.owner_id == agent.pk and case.status == CaseStatus.OPEN
