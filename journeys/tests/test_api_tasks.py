"""The tasks API: visible cases, cursor pages, filters, detail and transfer with reasons."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Department, User
from contacts.tests.factories import InteractionFactory
from journeys.models import Case, Transfer
from journeys.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/tasks/"


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_integration_lists_tasks_newest_first(
    api_client: APIClient, contact_center: Department, sales: Department
) -> None:
    older = CaseFactory(department=contact_center)
    newer = CaseFactory(department=sales)
    response = api_client.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert [t["id"] for t in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0]["department"] == "sales"
    assert {"resolution_due", "first_response_due", "status", "owner"} <= set(body["results"][0])


def test_an_agent_lists_only_visible_tasks(
    agent: User, contact_center: Department, sales: Department
) -> None:
    mine = CaseFactory(department=contact_center)
    CaseFactory(department=sales)
    response = _api(agent).get(LIST)
    assert [t["id"] for t in response.json()["results"]] == [mine.pk]


@pytest.mark.parametrize("persona", ["marketer", "outsider"])
def test_people_without_case_work_get_403(persona: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)
    assert _api(user).get(LIST).status_code == 403


def test_anonymous_callers_are_refused(client: Client) -> None:
    assert client.get(LIST).status_code == 401


def test_cursor_pagination_walks_every_task(api_client: APIClient, contact_center) -> None:
    ids = {CaseFactory(department=contact_center).pk for _ in range(7)}
    seen: list[int] = []
    url = f"{LIST}?limit=3"
    while url:
        body = api_client.get(url).json()
        seen += [t["id"] for t in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(ids) and len(seen) == 7


def test_filters(api_client: APIClient, agent: User, contact_center, sales) -> None:
    urgent = CaseFactory(department=sales, priority="urgent", owner=None, topic="invoice")
    exception = CaseFactory(department=contact_center, is_exception=True)
    closed = CaseFactory(department=contact_center, status="closed")
    assert [t["id"] for t in api_client.get(LIST, {"priority": "urgent"}).json()["results"]] == [
        urgent.pk
    ]
    assert [t["id"] for t in api_client.get(LIST, {"department": "sales"}).json()["results"]] == [
        urgent.pk
    ]
    assert [t["id"] for t in api_client.get(LIST, {"is_exception": "true"}).json()["results"]] == [
        exception.pk
    ]
    assert [t["id"] for t in api_client.get(LIST, {"open": "false"}).json()["results"]] == [
        closed.pk
    ]
    assert [t["id"] for t in api_client.get(LIST, {"topic": "INVOICE"}).json()["results"]] == [
        urgent.pk
    ]


def test_bad_filters_are_400_with_a_message_per_field(api_client: APIClient) -> None:
    response = api_client.get(LIST, {"status": "bogus", "department": "nowhere", "customer": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"status", "department", "customer"}


def test_detail_and_404_for_invisible_or_unknown(
    agent: User, contact_center: Department, sales: Department
) -> None:
    mine = CaseFactory(department=contact_center)
    theirs = CaseFactory(department=sales)
    client = _api(agent)
    assert client.get(f"{LIST}{mine.pk}/").json()["id"] == mine.pk
    assert client.get(f"{LIST}{theirs.pk}/").status_code == 404
    assert client.get(f"{LIST}999999/").status_code == 404


# --- Transfer ---------------------------------------------------------------------------------


def test_transfer_by_department_code_is_recorded(
    api_client: APIClient, contact_center: Department, sales: Department
) -> None:
    case = CaseFactory(department=contact_center)
    response = api_client.post(
        f"{LIST}{case.pk}/transfer/",
        {"department": "sales", "reason": "Factuurvraag"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["transfer"]["from_department"] == "contact-center"
    assert body["transfer"]["to_department"] == "sales"
    assert body["transfer"]["reason"] == "Factuurvraag"
    assert body["task"]["department"] == "sales" and body["task"]["transfer_count"] == 1


def test_transfer_by_department_id(agent: User, contact_center, sales: Department) -> None:
    case = CaseFactory(department=contact_center)
    response = _api(agent).post(
        f"{LIST}{case.pk}/transfer/", {"department": str(sales.pk), "reason": "x"}, format="json"
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).department == sales


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"department": "contact-center", "reason": "x"}, "department"),
        ({"department": "sales", "reason": "   "}, "reason"),
        ({"department": "sales"}, "reason"),
        ({"department": "nowhere", "reason": "x"}, "department"),
        ({"department": 12.5, "reason": ["x"]}, "reason"),
        ({}, "department"),
    ],
)
def test_bad_transfers_are_400_and_change_nothing(
    payload: dict, field: str, api_client: APIClient, contact_center: Department, sales
) -> None:
    case = CaseFactory(department=contact_center)
    response = api_client.post(f"{LIST}{case.pk}/transfer/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    case.refresh_from_db()
    assert case.department == contact_center and case.transfer_count == 0
    assert not Transfer.objects.exists()


def test_transfer_of_an_invisible_task_is_404(
    agent: User, sales: Department, contact_center
) -> None:
    case = CaseFactory(department=sales)
    response = _api(agent).post(
        f"{LIST}{case.pk}/transfer/", {"department": "contact-center", "reason": "x"}, format="json"
    )
    assert response.status_code == 404
    assert not Transfer.objects.exists()


def test_transfer_refuses_get(api_client: APIClient, contact_center) -> None:
    case = CaseFactory(department=contact_center)
    assert api_client.get(f"{LIST}{case.pk}/transfer/").status_code == 405


def test_the_schema_documents_the_tasks_endpoints(api_client: APIClient) -> None:
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/tasks/", "/api/v1/tasks/{case_id}/", "/api/v1/tasks/{case_id}/transfer/"):
        assert path in schema


@pytest.mark.parametrize("rows", [1, 50])
def test_list_queries_do_not_grow_with_rows(
    rows: int, api_client: APIClient, contact_center, django_assert_num_queries
) -> None:
    for _ in range(rows):
        CaseFactory(department=contact_center, origin=InteractionFactory())
    api_client.get(LIST)
    with django_assert_num_queries(2):
        assert api_client.get(LIST).status_code == 200


@pytest.mark.parametrize("param", ["open", "is_exception"])
def test_a_null_filter_is_refused(api_client, param: str) -> None:
    response = api_client.get("/api/v1/tasks/", {param: "null"})
    assert response.status_code == 400
    assert response.json()[param] == ["Give true or false."]


@pytest.mark.parametrize("limit", ["null", "", "0", "201", "2.0"])
def test_a_page_limit_that_is_no_whole_number_from_1_to_200_is_400(
    api_client: APIClient, limit: str
) -> None:
    response = api_client.get(LIST, {"limit": limit})
    assert response.status_code == 400
    assert response.json() == {"limit": ["Give a whole number from 1 to 200."]}


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("open", "1"),
        ("open", "null"),
        ("is_exception", "yes"),
        ("customer", "1.0"),
        ("customer", ""),
        ("owner", ""),
        ("topic", " "),
    ],
)
def test_filters_refuse_what_the_schema_does_not_allow(
    api_client: APIClient, param: str, value: str
) -> None:
    response = api_client.get(LIST, {param: value})
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_a_number_as_transfer_department_is_refused(
    api_client: APIClient, contact_center: Department, sales: Department
) -> None:
    case = CaseFactory(department=contact_center)
    response = api_client.post(
        f"{LIST}{case.pk}/transfer/", {"department": sales.pk, "reason": "Factuur"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"department": ["Send this as a string."]}
    assert not Transfer.objects.exists()
