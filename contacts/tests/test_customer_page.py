"""The customer 360 page: what each persona sees and may change, timeline paging, logging a
contact moment, consent, details, merged and erased records, and its query count."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    Channel,
    Consent,
    ConsentStatus,
    Customer,
    Direction,
    IdentityKind,
    Interaction,
)
from contacts.panels import (
    _PANELS,
    _TIMELINE_REFS,
    CustomerPanel,
    TimelineRef,
    panel_register,
    timeline_refs_register,
)
from contacts.signals import interaction_recorded
from contacts.tests.factories import (
    ConsentFactory,
    CustomerFactory,
    IdentityFactory,
    InteractionFactory,
    OrderFactory,
    ProfileFactFactory,
    ProfileQuestionFactory,
)

pytestmark = pytest.mark.django_db


def url(customer: Customer, name: str = "customer") -> str:
    return reverse(f"contacts:{name}", args=[customer.pk])


@pytest.fixture
def customer() -> Customer:
    customer = CustomerFactory(name="Emma Jansen", street="Kerkstraat 1", city="Utrecht")
    IdentityFactory(customer=customer, kind=IdentityKind.EMAIL, value="emma@example.nl")
    ConsentFactory(customer=customer, channel=Channel.EMAIL, status=ConsentStatus.OPT_IN)
    return customer


def test_page_shows_identities_consents_orders_facts_and_timeline(
    agent_client: Client, customer: Customer
) -> None:
    OrderFactory(customer=customer, product_name="Regenjas", external_id="W-1")
    question = ProfileQuestionFactory(key="pets", label_en="Do you have a pet?")
    ProfileFactFactory(customer=customer, question=question, value="yes")
    InteractionFactory(customer=customer, subject="Waar blijft mijn pakket?")
    body = agent_client.get(url(customer)).content.decode()
    for text in ("Emma Jansen", "emma@example.nl", "Opted in", "Regenjas", "Do you have a pet?"):
        assert text in body
    assert "Waar blijft mijn pakket?" in body


def test_stale_fact_is_flagged(agent_client: Client, customer: Customer, settings) -> None:
    settings.PROFILE_FACT_STALE_DAYS = 30
    old = ProfileQuestionFactory(key="old", label_en="Old question?")
    fresh = ProfileQuestionFactory(key="fresh", label_en="Fresh question?")
    ProfileFactFactory(
        customer=customer, question=old, recorded_at=timezone.now() - dt.timedelta(days=31)
    )
    ProfileFactFactory(customer=customer, question=fresh)
    body = agent_client.get(url(customer)).content.decode()
    assert body.count("old: check it") == 1
    assert body.index("Old question?") < body.index("old: check it") < body.index("Fresh question?")


@pytest.mark.parametrize("persona", ["agent", "member", "manager"])
def test_people_with_customer_access_see_the_page(request, persona, customer) -> None:
    client = request.getfixturevalue(f"{persona}_client")
    response = client.get(url(customer))
    assert response.status_code == 200
    assert "Emma Jansen" in response.content.decode()


def test_a_marketer_does_not_open_customer_pages(
    marketer_client: Client, customer: Customer
) -> None:
    # Least privilege: segments and campaigns need counts, never one customer's record.
    response = marketer_client.get(url(customer))
    assert response.status_code == 404
    assert "Emma" not in response.content.decode()


def test_outsider_gets_404_and_sees_nothing(outsider_client: Client, customer: Customer) -> None:
    response = outsider_client.get(url(customer))
    assert response.status_code == 404
    assert "Emma" not in response.content.decode()


def test_unknown_customer_is_404(agent_client: Client) -> None:
    assert agent_client.get("/customers/999999/").status_code == 404


def test_merged_customer_redirects_to_the_survivor(agent_client: Client, customer) -> None:
    merged = CustomerFactory(merged_into=customer)
    response = agent_client.get(url(merged))
    assert response.status_code == 302
    assert response["Location"] == url(customer)


def test_erased_customer_shows_as_erased(agent_client: Client) -> None:
    erased = CustomerFactory(name="", erased_at=timezone.now())
    body = agent_client.get(url(erased)).content.decode()
    assert "was erased" in body
    assert url(erased, "customer_log") not in body
    response = agent_client.post(url(erased, "customer_log"), {"kind": "note", "body": "x"})
    assert response.status_code == 404


def test_timeline_is_newest_first_and_pages_with_a_cursor(agent_client: Client, customer) -> None:
    now = timezone.now()
    for n in range(30):
        InteractionFactory(
            customer=customer, subject=f"moment {n:02d}", occurred_at=now - dt.timedelta(hours=n)
        )
    first = agent_client.get(url(customer)).context["timeline"]
    assert [i.subject for i in first.items][:2] == ["moment 00", "moment 01"]
    assert len(first.items) == 25 and first.next_cursor
    rows = agent_client.get(
        url(customer),
        {"cursor": first.next_cursor, "fragment": "rows"},
        headers={"HX-Request": "true"},
    )
    body = rows.content.decode()
    assert "<html" not in body
    assert "moment 25" in body and "moment 29" in body and "moment 24" not in body
    assert "Load more" not in body
    # Without htmx the same link is a full page starting at the cursor.
    full = agent_client.get(url(customer), {"cursor": first.next_cursor})
    assert next(i.subject for i in full.context["timeline"].items) == "moment 25"


def test_timeline_filters_by_channel(agent_client: Client, customer) -> None:
    InteractionFactory(customer=customer, channel=Channel.EMAIL, subject="per mail")
    InteractionFactory(customer=customer, channel=Channel.WHATSAPP, subject="per app")
    response = agent_client.get(
        url(customer), {"channel": "whatsapp", "fragment": "timeline"}, headers={"HX-Request": "1"}
    )
    body = response.content.decode()
    assert "per app" in body and "per mail" not in body


def test_malformed_cursor_is_404(agent_client: Client, customer) -> None:
    assert agent_client.get(url(customer), {"cursor": "nonsense"}).status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_page_query_count_is_the_same_for_1_and_50_rows(
    agent_client: Client, customer, django_assert_num_queries, rows
) -> None:
    for n in range(rows):
        question = ProfileQuestionFactory(key=f"q{n}")
        ProfileFactFactory(customer=customer, question=question)
        InteractionFactory(customer=customer)
        OrderFactory(customer=customer)
        IdentityFactory(customer=customer)
    ProfileQuestionFactory(key="unanswered")
    # user, two for permissions, customer, identities with consents and orders (one round
    # trip), facts, questions, timeline, the timeline's references (cases), roles (navigation)
    with django_assert_num_queries(10):
        response = agent_client.get(url(customer))
    assert response.status_code == 200


def test_agent_logs_a_call_and_it_is_on_the_timeline(agent_client, agent, customer) -> None:
    received = []

    def listener(sender, interaction, created_customer, **kwargs):
        received.append(interaction.pk)

    interaction_recorded.connect(listener)
    try:
        response = agent_client.post(
            url(customer, "customer_log"),
            {"kind": "call_in", "subject": "Belt over retour", "body": "Retourlabel gemaild."},
            headers={"HX-Request": "true"},
        )
    finally:
        interaction_recorded.disconnect(listener)
    assert response.status_code == 200
    assert "Belt over retour" in response.content.decode()
    moment = Interaction.objects.get(customer=customer)
    assert (moment.channel, moment.direction, moment.agent) == (
        Channel.PHONE,
        Direction.INBOUND,
        agent,
    )
    assert moment.department_id == agent.department_id
    assert received == [moment.pk]
    customer.refresh_from_db()
    assert customer.last_interaction_at == moment.occurred_at


def test_logging_without_text_is_a_form_error_and_writes_nothing(agent_client, customer) -> None:
    response = agent_client.post(url(customer, "customer_log"), {"kind": "call_in"})
    assert response.status_code == 400
    assert "Write a subject or a note." in response.content.decode()
    response = agent_client.post(url(customer, "customer_log"), {"kind": "fax", "body": "x"})
    assert response.status_code == 400
    assert not Interaction.objects.exists()


def test_note_is_logged_without_htmx_and_redirects(agent_client, customer) -> None:
    response = agent_client.post(url(customer, "customer_log"), {"kind": "note", "body": "VIP"})
    assert response.status_code == 302
    assert Interaction.objects.get().channel == Channel.NOTE


@pytest.mark.parametrize("name", ["customer_log", "customer_consent", "customer_answer"])
def test_actions_refuse_get(agent_client, customer, name) -> None:
    assert agent_client.get(url(customer, name)).status_code == 405


def test_member_can_log_but_not_change_consent(member_client, customer) -> None:
    assert (
        member_client.post(url(customer, "customer_log"), {"kind": "note", "body": "x"}).status_code
        == 302
    )
    response = member_client.post(
        url(customer, "customer_consent"),
        {"consent-channel": "email", "consent-status": "out"},
    )
    assert response.status_code == 404
    assert Consent.objects.get(customer=customer).status == ConsentStatus.OPT_IN


def test_agent_changes_consent_with_time_and_source(agent_client, customer) -> None:
    before = timezone.now()
    response = agent_client.post(
        url(customer, "customer_consent"),
        {"consent-channel": "email", "consent-status": "out", "consent-source": "telefonisch"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    consent = Consent.objects.get(customer=customer, channel=Channel.EMAIL)
    assert consent.status == ConsentStatus.OPT_OUT
    assert consent.source == "telefonisch"
    assert consent.changed_at >= before
    assert "Opted out" in response.content.decode()


def test_consent_on_an_unknown_channel_is_refused(agent_client, customer) -> None:
    response = agent_client.post(
        url(customer, "customer_consent"), {"consent-channel": "pigeon", "consent-status": "in"}
    )
    assert response.status_code == 400
    assert Consent.objects.filter(customer=customer).count() == 1


def test_agent_changes_details_and_preferences(agent_client, customer) -> None:
    response = agent_client.post(
        url(customer, "customer_edit"),
        {
            "name": "Emma de Jansen",
            "street": "Molenweg 2",
            "postcode": "3511 AA",
            "city": "Utrecht",
            "country": "NL",
            "language": "en",
            "preferred_channel": "whatsapp",
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "08:00",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.language, customer.preferred_channel) == (
        "Emma de Jansen",
        "en",
        "whatsapp",
    )
    assert customer.quiet_hours_start == dt.time(21, 0)


def test_half_quiet_hours_are_refused(agent_client, customer) -> None:
    response = agent_client.post(
        url(customer, "customer_edit"),
        {"name": "X", "country": "NL", "language": "nl", "quiet_hours_start": "21:00"},
    )
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.name == "Emma Jansen"


def test_member_cannot_change_details(member_client, customer) -> None:
    assert member_client.get(url(customer, "customer_edit")).status_code == 404


def test_agent_adds_a_new_customer(agent_client) -> None:
    response = agent_client.post(
        reverse("contacts:customer_new"),
        {"name": "Noor Visser", "email": "Noor@Example.nl", "phone": "06-87654321"},
    )
    created = Customer.objects.get(name="Noor Visser")
    assert response["Location"] == url(created)
    assert sorted(created.identities.values_list("kind", "value")) == [
        ("email", "noor@example.nl"),
        ("phone", "+31687654321"),
    ]


def test_new_customer_with_a_taken_or_bad_identity_is_refused(agent_client, customer) -> None:
    taken = agent_client.post(
        reverse("contacts:customer_new"), {"name": "Twin", "email": "emma@example.nl"}
    )
    assert taken.status_code == 400
    assert "already belongs to customer" in taken.content.decode()
    bad = agent_client.post(reverse("contacts:customer_new"), {"name": "X", "phone": "12"})
    assert bad.status_code == 400
    nothing = agent_client.post(reverse("contacts:customer_new"), {"name": "X"})
    assert nothing.status_code == 400
    assert Customer.objects.count() == 1


def test_marketer_cannot_add_customers(marketer_client) -> None:
    assert marketer_client.get(reverse("contacts:customer_new")).status_code == 403


def test_registered_panels_load_with_htmx_and_have_a_link(agent_client, customer) -> None:
    panel_register(
        CustomerPanel(key="test-panel", title="Test panel", url_name="contacts:customer_edit")
    )
    try:
        body = agent_client.get(url(customer)).content.decode()
    finally:
        _PANELS.pop("test-panel")
    panel_url = url(customer, "customer_edit")
    assert f'hx-get="{panel_url}" hx-trigger="load"' in body
    assert f'<a href="{panel_url}">' in body


def test_open_cases_and_the_other_panels_come_before_the_timeline(agent_client, customer) -> None:
    for _ in range(30):
        InteractionFactory(customer=customer)
    body = agent_client.get(url(customer)).content.decode()
    assert 'id="h-panel-cases"' in body  # the journeys app's open cases, by the registry
    assert body.index('id="h-panel-cases"') < body.index('id="h-timeline"')
    assert body.rindex('class="card panel"') < body.index('id="h-timeline"')


def test_registered_timeline_references_are_shown_with_or_without_a_link(
    agent_client, customer
) -> None:
    linked = InteractionFactory(customer=customer)
    plain = InteractionFactory(customer=customer)
    InteractionFactory(customer=customer)

    def refs(user, ids):
        return {
            linked.pk: TimelineRef(label="Thing 1", url="/thing/1/"),
            plain.pk: TimelineRef(label="Thing 2"),
            999_999: TimelineRef(label="Not on this page", url="/thing/3/"),
        }

    timeline_refs_register("test-refs", refs)
    try:
        body = agent_client.get(url(customer)).content.decode()
    finally:
        _TIMELINE_REFS.pop("test-refs")
    assert '<a class="moment-ref" href="/thing/1/">Thing 1</a>' in body
    assert '<span class="moment-ref">Thing 2</span>' in body
    assert "Not on this page" not in body
