"""Each role gets the least it needs: marketers see no customer, sales no verbatim comments."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services import roles_ensure
from feedback.tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_marketer_may_not_search_customers_in_the_api(marketer, customer) -> None:
    assert _api(marketer).get("/api/v1/customers/", {"q": "sanne"}).status_code == 403


def test_a_marketer_may_not_read_a_customer_in_the_api(marketer, customer) -> None:
    assert _api(marketer).get(f"/api/v1/customers/{customer.pk}/").status_code == 403


def test_a_marketer_gets_no_feedback_panel(marketer_client: Client, customer) -> None:
    url = reverse("feedback:customer_panel", kwargs={"customer_id": customer.pk})
    assert marketer_client.get(url).status_code == 404


@pytest.fixture
def panel(customer) -> str:
    ResponseFactory(invitation__order__customer=customer, score=3, comment="Kapot geleverd")
    return reverse("feedback:customer_panel", kwargs={"customer_id": customer.pk})


def test_sales_see_the_score_but_not_the_comment(member_client: Client, panel: str) -> None:
    html = member_client.get(panel).content.decode()
    assert "Kapot geleverd" not in html
    assert ": 3" in html


def test_agents_see_the_comment(agent_client: Client, panel: str) -> None:
    assert "Kapot geleverd" in agent_client.get(panel).content.decode()


def test_managers_see_the_comment(manager_client: Client, panel: str) -> None:
    assert "Kapot geleverd" in manager_client.get(panel).content.decode()


def test_a_permission_taken_from_a_role_is_taken_from_its_group(marketer) -> None:
    from django.contrib.auth.models import Permission

    group = Group.objects.get(name=Role.MARKETER.value)
    group.permissions.add(Permission.objects.get(codename="view_customer"))
    roles_ensure()
    assert not group.permissions.filter(codename="view_customer").exists()
