"""``manage.py demo``: departments, users per role, hours and staffing; a second run changes nothing.

The demo is loaded once for the module (``demo_data``); each test sees it fresh."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts import demo, selectors
from accounts.models import ApiToken, Department, Holiday, OpeningHours, StaffingSlot, User
from accounts.roles import Role
from accounts.selectors import api_token_for_key

pytestmark = pytest.mark.django_db

MODELS = (Department, User, OpeningHours, Holiday, StaffingSlot, ApiToken, Group)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


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
    counts = _counts()
    passwords = dict(User.objects.values_list("username", "password"))
    assert counts["Department"] == 6
    assert {"agent", "lead", "sales", "marketer", "manager", "admin", "webshop"} <= set(passwords)

    second_out = _run_demo()

    assert _counts() == counts
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert "webshop" in first_out
    assert "webshop" in second_out


def test_the_demo_keeps_a_password_changed_after_the_first_run(demo_data: str) -> None:
    agent = User.objects.get(username="agent")
    agent.set_password("a-new-private-password-42")
    agent.save(update_fields=["password"])

    demo.load(out=StringIO())

    agent.refresh_from_db()
    assert agent.check_password("a-new-private-password-42")


def test_the_demo_keeps_staffing_changed_after_the_first_run(demo_data: str) -> None:
    kcc = Department.objects.get(code=Department.CONTACT_CENTER)
    StaffingSlot.objects.filter(department=kcc, weekday=0, hour=9).update(agents=1)
    demo.load(out=StringIO())
    assert StaffingSlot.objects.get(department=kcc, weekday=0, hour=9).agents == 1
