"""The single intake with routing, as the web shop posts it: its queries pinned, for a new
case and for a reply on the customer's open case, with a short and a long history."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.access import user_permissions
from accounts.models import Department, User
from contacts.models import IdentityKind
from contacts.tests.factories import CustomerFactory, IdentityFactory, InteractionFactory
from journeys.models import Case, CaseStatus
from journeys.tests.factories import RoutingRuleFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/interactions/"


def _post(client: APIClient, n: int, email: str = "anna@example.nl") -> dict[str, int]:
    response = client.post(
        URL,
        {
            "source": "webshop",
            "external_id": f"q-{n}",
            "channel": "email",
            "direction": "in",
            "occurred_at": timezone.now().isoformat(),
            "identities": [{"kind": "email", "value": email}],
            "subject": "Mijn factuur klopt niet",
            "body": "Graag snel antwoord.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def warm(api_client: APIClient, integration: User, contact_center: Department, sales: Department):
    """Permissions and the routing configuration cached, as after any earlier request."""
    RoutingRuleFactory(order=10, match_words="factuur", department=sales)
    user_permissions(user=integration)
    _post(api_client, 0, email="someone-else@example.nl")
    return api_client


@pytest.mark.parametrize("history", [1, 50])
def test_a_contact_that_opens_a_case(warm: APIClient, django_assert_num_queries, history: int):
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="anna@example.nl")
    InteractionFactory.create_batch(history, customer=customer)
    # token; savepoint, identities, insert, customer and identity last-seen; campaign reply
    # look-up; open case look-up; case insert, message link; release.
    with django_assert_num_queries(11):
        body = _post(warm, 1)
    case = Case.objects.get(origin_id=body["interaction_id"])
    assert case.department.code == Department.SALES


@pytest.mark.parametrize("history", [1, 50])
def test_a_contact_on_an_open_case(warm: APIClient, django_assert_num_queries, history: int):
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="anna@example.nl")
    InteractionFactory.create_batch(history, customer=customer)
    first = Case.objects.get(origin_id=_post(warm, 1)["interaction_id"])
    # token; savepoint, identities, insert, customer and identity last-seen; campaign reply
    # look-up; the open case found and locked at once; message link; case update; release.
    with django_assert_num_queries(11):
        body = _post(warm, 2)
    first.refresh_from_db()
    assert first.messages.filter(interaction_id=body["interaction_id"]).exists()
    assert first.status == CaseStatus.NEW
