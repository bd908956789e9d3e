"""Taking and reassigning, read access for everyone who worked on a case, escalation that
always reaches a person, the escalation mark, canned replies in the customer's language,
the last-message column and a second answer that needs confirming."""

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Department, Notification, User
from accounts.roles import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from contacts.models import Direction, IdentityKind
from contacts.tests.factories import CustomerFactory, IdentityFactory, InteractionFactory
from journeys.models import CaseMessage, CaseParticipant, CaseStatus, Escalation
from journeys.services import cases as services
from journeys.services.replies import case_reply_send
from journeys.tests.factories import CannedReplyFactory, CaseFactory, SubTaskFactory

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def _url(case, name: str = "case") -> str:
    return reverse(f"journeys:{name}", kwargs={"case_id": case.pk})


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def colleague(contact_center: Department) -> User:
    return UserFactory(
        username="bart", first_name="Bart", last_name="Bos", department=contact_center,
        roles=[Role.AGENT],
    )  # fmt: skip


# --- Taking ----------------------------------------------------------------------------------


def test_take_makes_the_agent_owner_and_opens_the_case(
    agent: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center)
    taken = services.case_take(case=case, user=agent)
    assert (taken.owner_id, taken.status) == (agent.pk, CaseStatus.OPEN)
    assert CaseParticipant.objects.filter(case=case, user=agent).exists()


def test_the_loser_of_a_take_is_told_who_has_the_case(
    agent: User, colleague: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center)
    services.case_take(case=case, user=colleague)
    with pytest.raises(services.CaseTakenError) as caught:
        services.case_take(case=case, user=agent)
    assert caught.value.messages == ["Bart Bos already has this case."]
    case.refresh_from_db()
    assert case.owner_id == colleague.pk


def test_taking_your_own_case_again_changes_nothing(
    agent: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.WAITING_CUSTOMER)
    assert services.case_take(case=case, user=agent).status == CaseStatus.WAITING_CUSTOMER


def test_a_case_of_another_department_or_resolved_cannot_be_taken(
    agent: User, contact_center: Department, sales: Department
) -> None:
    with pytest.raises(ValidationError, match="no longer in your department's queue"):
        services.case_take(case=CaseFactory(department=sales), user=agent)
    resolved = CaseFactory(department=contact_center, status=CaseStatus.RESOLVED)
    with pytest.raises(ValidationError, match="already resolved or closed"):
        services.case_take(case=resolved, user=agent)
    resolved.refresh_from_db()
    assert resolved.owner_id is None


def test_take_on_the_case_page_never_reassigns_another_owners_case(
    agent_client: Client, colleague: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=colleague, status=CaseStatus.OPEN)
    htmx = agent_client.post(_url(case, "case_take"), **HTMX)
    assert htmx.status_code == 200
    assert 'id="casebody"' in htmx.text and "<header" not in htmx.text
    assert "Bart Bos already has this case." in htmx.text
    plain = agent_client.post(_url(case, "case_take"), follow=True)
    assert "Bart Bos already has this case." in plain.text
    case.refresh_from_db()
    assert case.owner_id == colleague.pk


def test_only_a_lead_reassigns_someone_elses_case(
    agent: User, colleague: User, manager: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=colleague, status=CaseStatus.OPEN)
    with pytest.raises(services.CaseTakenError):
        services.case_assign(case=case, user=agent, by=agent)
    services.case_assign(case=case, user=agent, by=manager)
    case.refresh_from_db()
    assert case.owner_id == agent.pk


def test_the_reassign_button_is_for_leads_and_asks_first(
    agent_client: Client, manager_client: Client, colleague: User, contact_center: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=colleague, status=CaseStatus.OPEN)
    lead_page = manager_client.get(_url(case)).text
    assert "Reassign" in lead_page
    assert 'hx-confirm="Bart Bos owns this case. Give it to someone else?"' in lead_page
    agent_page = agent_client.get(_url(case)).text
    assert "Reassign" not in agent_page and "Take this case" not in agent_page
    assert agent_client.post(_url(case, "case_assign"), {"assign-owner": 1}).status_code == 403


# --- Read access for those who worked on it ----------------------------------------------


def test_the_agent_who_transferred_a_case_still_reads_it(
    agent_client: Client, agent: User, contact_center: Department, sales: Department
) -> None:
    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    services.case_comment_add(case=case, author=agent, body="Klant belt terug")
    services.case_transfer(case=case, to_department=sales, reason="Factuurvraag", by=agent)

    page = agent_client.get(_url(case))
    assert page.status_code == 200
    assert "Read only: this case is with Sales." in page.text
    assert "Klant belt terug" in page.text
    assert "Send reply" not in page.text and "Transfer to another department" not in page.text
    assert agent_client.post(_url(case, "case_reply"), {"reply-body": "x"}).status_code == 403


@pytest.mark.parametrize("how", ["comment", "reply", "subtask", "owner"])
def test_everyone_who_worked_on_a_case_keeps_read_access(
    how: str, contact_center: Department, sales: Department, manager: User
) -> None:
    worker = UserFactory(department=contact_center, roles=[Role.AGENT])
    case = CaseFactory(department=contact_center, owner=manager, status=CaseStatus.OPEN)
    if how == "comment":
        services.case_comment_add(case=case, author=worker, body="Gebeld")
    elif how == "reply":
        services.case_record_response(
            case=case,
            interaction=InteractionFactory(
                customer=case.customer, agent=worker, direction=Direction.OUTBOUND
            ),
        )
    elif how == "subtask":
        services.subtask_request(
            case=case, department=sales, description="Check", by=worker,
            due_at=timezone.now() + dt.timedelta(hours=4),
        )  # fmt: skip
    else:
        services.case_assign(case=case, user=worker, by=manager)
    services.case_transfer(case=case, to_department=DepartmentFactory(), reason="x", by=manager)
    # Moved to a department that has nothing to do with the case: the work alone counts.
    worker.department = DepartmentFactory()
    worker.save()
    assert _client(worker).get(_url(case)).status_code == 200


def test_a_stranger_still_gets_a_404(member_client: Client, contact_center: Department) -> None:
    case = CaseFactory(department=contact_center)
    assert member_client.get(_url(case)).status_code == 404


def test_api_transfer_by_someone_who_only_reads_the_task_is_403(
    agent: User, member: User, contact_center: Department, sales: Department
) -> None:
    from accounts.services import api_token_create

    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    SubTaskFactory(case=case, department=sales)  # sales reads the task, works only its sub-task
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=member, name='test')[1]}")
    url = f"/api/v1/tasks/{case.pk}/transfer/"
    assert client.get(f"/api/v1/tasks/{case.pk}/").status_code == 200
    response = client.post(url, {"department": "sales", "reason": "Graag"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not transfer this task."}
    case.refresh_from_db()
    assert case.department_id == contact_center.pk and case.transfer_count == 0


def test_api_transfer_by_the_agent_who_already_transferred_it_is_403(
    agent: User, contact_center: Department, sales: Department
) -> None:
    from accounts.services import api_token_create

    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    services.case_transfer(case=case, to_department=sales, reason="Factuur", by=agent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=agent, name='test')[1]}")
    assert client.get(f"/api/v1/tasks/{case.pk}/").status_code == 200
    again = client.post(
        f"/api/v1/tasks/{case.pk}/transfer/", {"department": "contact-center", "reason": "Terug"},
        format="json",
    )  # fmt: skip
    assert again.status_code == 403


# --- Escalation always reaches a person ---------------------------------------------------


def _escalate_by_transfers(case, by: User) -> None:
    departments = [DepartmentFactory() for _ in range(3)]
    for department in departments:
        services.case_transfer(case=case, to_department=department, reason="Verder", by=by)


def _escalated_to(case) -> set[str]:
    return set(
        Notification.objects.filter(kind="case-escalated").values_list(
            "recipient__username", flat=True
        )
    )


def test_escalation_goes_to_the_departments_manager(contact_center: Department) -> None:
    department = DepartmentFactory(code="billing")
    UserFactory(username="boss", department=department, roles=[Role.MANAGER])
    case = CaseFactory(department=department, resolution_due=timezone.now() - dt.timedelta(hours=1))
    assert services.sla_escalate() == 1
    assert _escalated_to(case) == {"boss"}


def test_without_a_manager_escalation_goes_to_the_managers_of_management(
    agent: User, contact_center: Department
) -> None:
    management = DepartmentFactory(code=Department.MANAGEMENT, name="Management")
    UserFactory(username="director", department=management, roles=[Role.MANAGER])
    UserFactory(username="clerk", department=management, roles=[Role.MEMBER])
    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    _escalate_by_transfers(case, agent)
    case.refresh_from_db()
    assert case.escalated_at is not None
    assert _escalated_to(case) == {"director"}


def test_without_any_manager_escalation_goes_to_the_admins(
    agent: User, contact_center: Department
) -> None:
    UserFactory(username="root", department=None, is_superuser=True)
    UserFactory(username="it-admin", department=None, roles=[Role.ADMIN])
    UserFactory(username="gone", department=None, roles=[Role.ADMIN], is_active=False)
    case = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    _escalate_by_transfers(case, agent)
    assert Escalation.objects.filter(case=case).count() == 1
    assert _escalated_to(case) == {"root", "it-admin"}


def test_an_escalated_case_is_marked_on_the_case_page_and_in_the_inbox(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    case = CaseFactory(
        department=contact_center, owner=agent, status=CaseStatus.OPEN,
        escalated_at=timezone.now(),
    )  # fmt: skip
    calm = CaseFactory(department=contact_center, owner=agent, status=CaseStatus.OPEN)
    assert 'class="chip chip-escalated"' in agent_client.get(_url(case)).text
    assert 'class="chip chip-escalated"' not in agent_client.get(_url(calm)).text
    inbox = agent_client.get(reverse("journeys:inbox")).text
    row = inbox.split(f'id="case-row-{case.pk}"')[1].split("</tr>")[0]
    assert "escalated" in row
    calm_row = inbox.split(f'id="case-row-{calm.pk}"')[1].split("</tr>")[0]
    assert "chip-escalated" not in calm_row


# --- Canned replies in the customer's language ---------------------------------------------


def test_canned_replies_come_in_the_customers_language_and_neutral_ones(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    CannedReplyFactory(department=contact_center, title="Levering NL", language="nl")
    CannedReplyFactory(department=contact_center, title="Delivery EN", language="en")
    CannedReplyFactory(department=contact_center, title="Case number", language="")
    english = CaseFactory(
        department=contact_center, owner=agent, customer=CustomerFactory(language="en")
    )
    page = agent_client.get(_url(english)).text
    assert "Delivery EN" in page and "Case number" in page
    assert "Levering NL" not in page


def _canned_titles(page: str) -> list[str]:
    line = page.split('<p class="canned">')[1].split("</p>")[0]
    return re.findall(r'hx-swap="outerHTML">([^<]+)</a>', line)


def test_canned_replies_in_the_customers_language_come_before_the_neutral_ones(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    CannedReplyFactory(department=contact_center, title="A neutral", language="")
    CannedReplyFactory(department=contact_center, title="B levering", language="nl")
    CannedReplyFactory(department=contact_center, title="C delivery", language="en")
    CannedReplyFactory(department=contact_center, title="D retour", language="nl")
    dutch = CaseFactory(
        department=contact_center, owner=agent, customer=CustomerFactory(language="nl")
    )
    assert _canned_titles(agent_client.get(_url(dutch)).text) == [
        "B levering",
        "D retour",
        "A neutral",
    ]


def test_without_replies_in_the_customers_language_the_default_language_is_offered(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    CannedReplyFactory(department=contact_center, title="Levering", language="nl")
    CannedReplyFactory(department=contact_center, title="Zaaknummer", language="")
    CannedReplyFactory(department=DepartmentFactory(), title="Other department", language="en")
    english = CaseFactory(
        department=contact_center, owner=agent, customer=CustomerFactory(language="en")
    )
    assert _canned_titles(agent_client.get(_url(english)).text) == ["Levering", "Zaaknummer"]


# --- Last message ----------------------------------------------------------------------------


def test_the_inbox_shows_who_wrote_last_the_first_line_and_when(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="klant@example.nl")
    case = CaseFactory(department=contact_center, owner=agent, customer=customer)
    services.case_customer_replied(
        case=case,
        interaction=InteractionFactory(
            customer=customer,
            direction=Direction.INBOUND,
            body="\nMijn pakket is kapot\nfoto's volgen",
        ),
    )
    row = agent_client.get(reverse("journeys:inbox")).text.split(f'id="case-row-{case.pk}"')[1]
    row = row.split("</tr>")[0]
    assert 'class="msg-from msg-from-in">Customer<' in row
    assert '<span class="msg-preview">Mijn pakket is kapot</span>' in row
    assert "ago</time>" in row

    case_reply_send(case=case, by=agent, body="Wij sturen een nieuwe.")
    case.refresh_from_db()
    assert (case.last_message_direction, case.last_message_preview) == (
        "out",
        "Wij sturen een nieuwe.",
    )


# --- A second answer needs confirming -----------------------------------------------------


def test_a_reply_after_a_colleagues_answer_asks_for_confirmation(
    agent_client: Client, agent: User, colleague: User, contact_center: Department
) -> None:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="klant@example.nl")
    case = CaseFactory(department=contact_center, owner=agent, customer=customer)
    seen = 0
    case_reply_send(case=case, by=colleague, body="Bart was eerder.")
    url = _url(case, "case_reply")
    data = {"reply-body": "Mijn antwoord", "reply-seen": seen}

    refused = agent_client.post(url, data, **HTMX)
    assert refused.status_code == 200
    assert "Bart Bos answered the customer after you opened this case." in refused.text
    assert 'name="confirm" value="1"' in refused.text
    assert CaseMessage.objects.filter(case=case).count() == 1

    sent = agent_client.post(url, {**data, "confirm": "1"}, **HTMX)
    assert sent.status_code == 200 and "Mijn antwoord" in sent.text
    assert CaseMessage.objects.filter(case=case).count() == 2


def test_a_reply_with_nothing_new_since_goes_out_at_once(
    agent_client: Client, agent: User, contact_center: Department
) -> None:
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="klant@example.nl")
    case = CaseFactory(department=contact_center, owner=agent, customer=customer)
    first = case_reply_send(case=case, by=agent, body="Eerste")
    seen = CaseMessage.objects.get(interaction=first).pk
    agent_client.post(_url(case, "case_reply"), {"reply-body": "Tweede", "reply-seen": seen})
    assert CaseMessage.objects.filter(case=case).count() == 2
