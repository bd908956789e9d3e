"""``manage.py demo``, loaded once for this module (``demo_data``; it takes seconds), each
test in its own savepoint: departments, users per role, hours and staffing; customers with a
history; rules, canned replies and cases in every state; feedback; and a second run changes
nothing. One module, so that a test run loads the demo once, not once per app."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts import selectors
from accounts.business_hours import business_calendar
from accounts.models import ApiToken, Department, Holiday, OpeningHours, StaffingSlot, User
from accounts.roles import Role
from accounts.selectors import api_token_for_key
from contacts import demo as contacts_demo
from contacts.models import (
    Customer,
    DuplicateCandidate,
    DuplicateStatus,
    Identity,
    Interaction,
    Order,
    ProfileFact,
    ProfileQuestion,
)
from feedback import demo as feedback_demo
from feedback.models import DailyRollup, Invitation, Response, Survey
from journeys import demo as journeys_demo
from journeys.models import (
    OPEN_STATUSES,
    CannedReply,
    Case,
    CaseStatus,
    Escalation,
    EscalationKind,
    RoutingRule,
    SubTask,
    SubTaskStatus,
    Transfer,
)

pytestmark = pytest.mark.django_db

ACCOUNTS_MODELS = (Department, User, OpeningHours, Holiday, StaffingSlot, ApiToken, Group)
CONTACTS_MODELS = (
    Customer, Identity, Interaction, Order, ProfileFact, ProfileQuestion, DuplicateCandidate,
)  # fmt: skip
JOURNEYS_MODELS = (RoutingRule, CannedReply, Case, Transfer, Escalation, SubTask)


def _accounts_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ACCOUNTS_MODELS}


def _contacts_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CONTACTS_MODELS}


def _journeys_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in JOURNEYS_MODELS}


def _run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


# --- Accounts ------------------------------------------------------------------------------


def test_the_demo_creates_the_six_departments(demo_data: str) -> None:
    assert set(Department.objects.values_list("code", flat=True)) == {
        Department.CONTACT_CENTER,
        Department.MARKETING,
        Department.SALES,
        Department.ICT,
        Department.OPERATIONS,
        Department.MANAGEMENT,
    }


@pytest.mark.parametrize(
    ("username", "department", "role", "password"),
    [
        ("agent", Department.CONTACT_CENTER, Role.AGENT, "demo-agent-password"),
        ("lead", Department.CONTACT_CENTER, Role.MANAGER, "demo-lead-password"),
        ("sales", Department.SALES, Role.MEMBER, "demo-sales-password"),
        ("marketer", Department.MARKETING, Role.MARKETER, "demo-marketer-password"),
        ("manager", Department.MANAGEMENT, Role.MANAGER, "demo-manager-password"),
        ("admin", Department.ICT, Role.ADMIN, "demo-admin-password"),
    ],
)
def test_the_demo_creates_one_user_per_role(
    demo_data: str, username: str, department: str, role: Role, password: str
) -> None:
    user = User.objects.get(username=username)
    assert user.department is not None
    assert user.department.code == department
    assert list(user.groups.values_list("name", flat=True)) == [role.value]
    assert user.check_password(password)
    assert user.is_superuser == (role == Role.ADMIN)


def test_the_demo_web_shop_is_an_integration_with_a_token_and_no_password(
    demo_data: str,
) -> None:
    webshop = User.objects.get(username="webshop")
    assert selectors.user_roles(user=webshop) == {Role.INTEGRATION}
    assert not webshop.has_usable_password()
    key = demo_data.split("API token of the 'webshop' integration: ")[1].split()[0]
    token = api_token_for_key(key=key)
    assert token is not None
    assert token.user == webshop


def test_the_demo_role_groups_carry_their_permissions(demo_data: str) -> None:
    lead = User.objects.get(username="lead")
    agent = User.objects.get(username="agent")
    assert lead.has_perm("accounts.change_openinghours")
    assert not agent.has_perm("accounts.change_openinghours")


def test_the_demo_contact_center_has_hours_holidays_and_staffing(demo_data: str) -> None:
    kcc = Department.objects.get(code=Department.CONTACT_CENTER)
    monday = list(
        OpeningHours.objects.filter(department=kcc, weekday=0).values_list("opens", "closes")
    )
    assert monday == [(dt.time(8), dt.time(12)), (dt.time(12), dt.time(20))]
    assert OpeningHours.objects.filter(department=kcc, weekday=6).count() == 0
    assert Holiday.objects.filter(department=kcc, date=dt.date(2026, 12, 25)).exists()
    assert StaffingSlot.objects.filter(department=kcc).count() == 5 * 12 + 8
    capacity = selectors.capacity_by_hour(department=kcc)
    assert capacity[(0, 10)] == 12 * kcc.contacts_per_agent_hour
    assert capacity[(0, 8)] == 6 * kcc.contacts_per_agent_hour
    assert (6, 10) not in capacity


def test_the_demo_command_twice_changes_no_row_count_and_no_password(demo_data: str) -> None:
    first_out = demo_data
    counts = _accounts_counts()
    passwords = dict(User.objects.values_list("username", "password"))
    assert counts["Department"] == 6
    assert {"agent", "lead", "sales", "marketer", "manager", "admin", "webshop"} <= set(passwords)

    second_out = _run_demo()

    assert _accounts_counts() == counts
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert "webshop" in first_out
    assert "webshop" in second_out


def test_the_demo_keeps_a_password_changed_after_the_first_run(demo_data: str) -> None:
    agent = User.objects.get(username="agent")
    agent.set_password("a-new-private-password-42")
    agent.save(update_fields=["password"])

    accounts_demo.load(out=StringIO())

    agent.refresh_from_db()
    assert agent.check_password("a-new-private-password-42")


def test_the_demo_keeps_staffing_changed_after_the_first_run(demo_data: str) -> None:
    kcc = Department.objects.get(code=Department.CONTACT_CENTER)
    StaffingSlot.objects.filter(department=kcc, weekday=0, hour=9).update(agents=1)
    accounts_demo.load(out=StringIO())
    assert StaffingSlot.objects.get(department=kcc, weekday=0, hour=9).agents == 1


# --- Customers -----------------------------------------------------------------------------


def test_the_demo_creates_customers_with_a_history(demo_data: str) -> None:
    counts = _contacts_counts()
    assert counts["Customer"] >= 300
    assert counts["Interaction"] >= 3 * 300
    assert counts["Order"] > 0
    assert counts["ProfileFact"] > 0
    assert Identity.objects.filter(value__endswith="@demo.cxcenter.nl").exists()
    assert Identity.objects.filter(value__startswith="+316").exists()
    first = Customer.objects.order_by("pk").first()
    latest = Interaction.objects.filter(customer=first).latest("occurred_at")
    assert latest.customer.last_interaction_at == latest.occurred_at


def test_the_demo_leaves_two_duplicate_pairs_to_review(demo_data: str) -> None:
    assert DuplicateCandidate.objects.filter(status=DuplicateStatus.OPEN).count() == 2


def test_children_ages_are_asked_after_the_number_of_children(demo_data: str) -> None:
    ages = ProfileQuestion.objects.get(key="children_ages")
    assert ages.ask_after is not None
    assert ages.ask_after.key == "children"
    assert ages.label_nl and ages.label_en


def test_loading_the_customers_twice_changes_nothing(demo_data: str) -> None:
    before = _contacts_counts()
    out = StringIO()
    contacts_demo.load(out=out)
    assert _contacts_counts() == before
    assert "already" in out.getvalue()


def test_the_demo_command_loads_the_customers(demo_data: str) -> None:
    assert Customer.objects.count() >= 300


# --- Journeys ------------------------------------------------------------------------------


def test_the_demo_has_cases_in_every_state(demo_data: str) -> None:
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    # The journeys demo's 35–60 cases plus the past weeks feedback's outcome demo adds.
    assert 35 <= Case.objects.count() <= 250
    assert Case.objects.filter(owner__username="agent").exists()
    assert Case.objects.filter(
        status=CaseStatus.NEW, owner=None, department__code="contact-center"
    ).exists()


def test_the_demo_fills_the_exception_queue_and_breaches_some_cases(demo_data: str) -> None:
    now = timezone.now()
    assert Case.objects.filter(is_exception=True, status__in=OPEN_STATUSES).count() == 5
    breached = Case.objects.filter(status__in=OPEN_STATUSES, resolution_due__lt=now)
    assert breached.count() >= 3
    assert Escalation.objects.filter(kind=EscalationKind.RESOLUTION).count() >= 3


def test_waiting_on_a_department_means_an_open_sub_task_for_ict(demo_data: str) -> None:
    waiting = Case.objects.filter(status=CaseStatus.WAITING_DEPARTMENT)
    assert waiting.exists()
    for case in waiting:
        assert case.subtasks.filter(
            status=SubTaskStatus.OPEN, department__code=Department.ICT
        ).exists()


def test_transfer_counts_match_the_recorded_transfers(demo_data: str) -> None:
    counted = Case.objects.annotate(n=Count("transfers")).filter(transfer_count__gt=0)
    # Once and three times in the journeys demo; once or twice in the outcome demo's past weeks.
    assert {case.transfer_count for case in counted} == {1, 2, 3}
    assert all(case.n == case.transfer_count for case in counted)
    assert Escalation.objects.filter(kind=EscalationKind.TRANSFERS).count() == 2


def test_due_times_follow_the_sla_in_business_hours(demo_data: str) -> None:
    for case in Case.objects.select_related("department", "sla_policy").order_by("pk")[:10]:
        calendar = business_calendar(department=case.department)
        minutes = dt.timedelta(minutes=case.sla_policy.resolution_minutes)
        assert case.resolution_due == calendar.add(case.created_at, minutes)
        assert case.created_at <= timezone.now()


def test_the_journeys_demo_is_loaded_once(demo_data: str) -> None:
    before = _journeys_counts()
    out = StringIO()
    journeys_demo.load(out=out)
    assert _journeys_counts() == before
    assert "already" in out.getvalue()


def test_the_demo_command_loads_journeys_after_the_customers(demo_data: str) -> None:
    assert RoutingRule.objects.count() == len(journeys_demo.RULES)
    assert CannedReply.objects.filter(department__code=Department.CONTACT_CENTER).count() == 6
    assert set(CannedReply.objects.values_list("language", flat=True)) == {"nl", "en"}
    assert Case.objects.filter(customer__identities__value__endswith="@demo.cxcenter.nl").exists()


# --- Feedback ------------------------------------------------------------------------------


def test_the_feedback_demo_loads_once(demo_data: str) -> None:
    counts = (Survey.objects.count(), Invitation.objects.count(), Response.objects.count())
    assert counts[0] == 1 and counts[1] > 0 and counts[2] > 0
    assert Survey.objects.get().is_active
    assert DailyRollup.objects.exists()
    out = StringIO()
    feedback_demo.load(out=out)
    assert (Survey.objects.count(), Invitation.objects.count(), Response.objects.count()) == counts
    assert "already" in out.getvalue()
