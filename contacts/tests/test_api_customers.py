"""GET /api/v1/customers/{id}/ and /interactions/: the customer as an integration sees it,
the cursor-paginated timeline, and the OpenAPI document."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from contacts.models import Channel, ConsentStatus, IdentityKind
from contacts.tests.factories import (
    ConsentFactory,
    CustomerFactory,
    IdentityFactory,
    InteractionFactory,
    ProfileFactFactory,
    ProfileQuestionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    customer = CustomerFactory(name="Lotte Bos")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="lotte@example.nl")
    ConsentFactory(customer=customer, channel=Channel.EMAIL, status=ConsentStatus.OPT_OUT)
    return customer


def detail(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/"


def timeline(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/interactions/"


def test_detail_has_identities_facts_consents_and_next_question(api_client, customer) -> None:
    known = ProfileQuestionFactory(key="children", order=1)
    # Not answered yet: agents are asked it (see below), the integration is not shown it.
    ProfileQuestionFactory(key="hobbies", order=2)
    ProfileFactFactory(customer=customer, question=known, value="2")
    response = api_client.get(detail(customer))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Lotte Bos"
    assert [(i["kind"], i["value"]) for i in body["identities"]] == [("email", "lotte@example.nl")]
    email = next(c for c in body["consents"] if c["channel"] == "email")
    assert email["status"] == "out"
    # Channels never asked about are listed with no status.
    assert next(c for c in body["consents"] if c["channel"] == "sms")["status"] is None
    # The integration role may not read profile facts.
    assert body["facts"] == [] and body["next_question"] is None


def test_agent_session_sees_facts_and_the_next_question(agent, customer) -> None:
    known = ProfileQuestionFactory(key="children", order=1)
    nxt = ProfileQuestionFactory(key="hobbies", order=2)
    ProfileFactFactory(customer=customer, question=known, value="2")
    client = APIClient()
    client.force_login(agent)
    body = client.get(detail(customer)).json()
    assert [(f["question"], f["value"], f["stale"]) for f in body["facts"]] == [
        ("children", "2", False)
    ]
    assert body["next_question"]["key"] == nxt.key


def test_unknown_customer_is_404(api_client) -> None:
    assert api_client.get("/api/v1/customers/999999/").status_code == 404
    assert api_client.get("/api/v1/customers/999999/interactions/").status_code == 404


def test_outsider_gets_403(outsider, customer) -> None:
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get(detail(customer)).status_code == 403
    assert client.get(timeline(customer)).status_code == 403


def test_marketer_may_not_read_the_customer_or_the_timeline(marketer, customer) -> None:
    client = APIClient()
    client.force_authenticate(marketer)
    assert client.get(detail(customer)).status_code == 403
    assert client.get(timeline(customer)).status_code == 403


def test_timeline_walks_all_moments_newest_first_with_next_links(api_client, customer) -> None:
    now = timezone.now()
    same_time = now - dt.timedelta(days=1)
    for n in range(60):
        # Ten share one timestamp: the cursor must break ties by id.
        at = same_time if n < 10 else now - dt.timedelta(hours=n)
        InteractionFactory(customer=customer, occurred_at=at, subject=f"m{n}")
    InteractionFactory(subject="someone else")
    seen, url, pages = [], timeline(customer), 0
    while url:
        response = api_client.get(url)
        assert response.status_code == 200
        body = response.json()
        seen += [(r["occurred_at"], r["id"]) for r in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 60
    ids = [i for _at, i in seen]
    occurred = [dt.datetime.fromisoformat(at.replace("Z", "+00:00")) for at, _id in seen]
    assert list(zip(occurred, ids, strict=True)) == sorted(
        zip(occurred, ids, strict=True), reverse=True
    )


def test_timeline_filters_by_channel(api_client, customer) -> None:
    InteractionFactory(customer=customer, channel=Channel.PHONE)
    InteractionFactory(customer=customer, channel=Channel.EMAIL)
    body = api_client.get(timeline(customer), {"channel": "phone"}).json()
    assert [r["channel"] for r in body["results"]] == ["phone"]


@pytest.mark.parametrize(
    ("param", "value"), [("cursor", "garbage"), ("channel", "pigeon"), ("channel", "")]
)
def test_bad_timeline_parameters_are_400(api_client, customer, param, value) -> None:
    response = api_client.get(timeline(customer), {param: value})
    assert response.status_code == 400
    assert param in response.json()


@pytest.mark.parametrize("rows", [1, 50])
def test_detail_and_timeline_query_counts_are_fixed(
    api_client, customer, django_assert_num_queries, rows
) -> None:
    for n in range(rows):
        InteractionFactory(customer=customer)
        IdentityFactory(customer=customer)
        ProfileFactFactory(customer=customer, question=ProfileQuestionFactory(key=f"k{n}"))
    # token, two for permissions, customer, identities with consents (one round trip; no
    # fact permission)
    with django_assert_num_queries(5):
        assert api_client.get(detail(customer)).status_code == 200
    # token, customer, one page of moments (permissions cached since the first request)
    with django_assert_num_queries(3):
        assert api_client.get(timeline(customer)).status_code == 200


def test_post_is_not_allowed_on_read_endpoints(api_client, customer) -> None:
    assert api_client.post(detail(customer), {}, format="json").status_code == 405
    assert api_client.post("/api/v1/customers/", {}, format="json").status_code == 405


def test_schema_lists_every_contacts_endpoint(api_client) -> None:
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/interactions/",
        "/api/v1/customers/",
        "/api/v1/customers/{customer_id}/",
        "/api/v1/customers/{customer_id}/interactions/",
        "/api/v1/orders/",
        "/api/v1/orders/{order_id}/delivered/",
    ):
        assert path in paths, path


def test_the_search_result_fields_are_what_the_customer_model_says() -> None:
    from rest_framework import serializers

    from contacts.api import CustomerSummarySerializer
    from contacts.models import Customer

    class FromModel(serializers.ModelSerializer):
        class Meta:
            model = Customer
            fields = ["id", "name", "postcode", "city", "last_interaction_at"]

    declared = CustomerSummarySerializer().fields
    for name, field in FromModel().fields.items():
        assert repr(declared[name]) == repr(field)
        assert str(declared[name].label) == str(field.label)


def test_a_look_up_by_e_mail_answers_the_customer_as_an_exact_match(api_client) -> None:
    customer = CustomerFactory(name="Els de Vries", postcode="1234 AB", city="Utrecht")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="els@example.org")
    body = api_client.get("/api/v1/customers/", {"q": "els@example.org"}).json()
    assert body == {
        "results": [
            {
                "id": customer.pk,
                "name": "Els de Vries",
                "postcode": "1234 AB",
                "city": "Utrecht",
                "last_interaction_at": None,
                "exact_match": True,
            }
        ],
        "more": False,
    }
