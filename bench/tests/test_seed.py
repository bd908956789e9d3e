"""``manage.py seed``: consistent, repeatable, appending generated data."""

from io import StringIO
from typing import Any, cast

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef

from bench.seedrun import tables_bare, tables_definitions
from contacts.models import (
    Consent,
    Customer,
    Identity,
    IdentityKind,
    Interaction,
    Order,
    ProfileFact,
    ProfileQuestion,
)
from contacts.seeding import mobile_for
from contacts.seeding.worker import RowsWorker
from contacts.services.identity import phone_normalise
from contacts.tests.factories import CustomerFactory, IdentityFactory, ProfileQuestionFactory
from feedback.models import Response
from journeys.models import Case

pytestmark = pytest.mark.django_db


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed", stdout=out, **options)
    return out.getvalue()


def names() -> list[str]:
    return list(Customer.objects.order_by("id").values_list("name", flat=True))


def test_seed_creates_the_requested_customers_with_timelines_orders_and_consents() -> None:
    seed(customers=50, seed=7, batch=20)

    assert Customer.objects.count() == 50
    assert Interaction.objects.count() > 50 * 5
    assert Order.objects.exists()
    assert Consent.objects.filter(channel="email").count() == 50
    per_customer = Identity.objects.values("customer").annotate(n=Count("id"))
    assert {row["n"] for row in per_customer} <= {2, 3, 4}
    assert per_customer.count() == 50


def test_seeded_identities_are_unique_normalised_and_valid() -> None:
    seed(customers=50, seed=7)

    pairs = list(Identity.objects.values_list("kind", "value"))
    assert len(pairs) == len(set(pairs))
    for kind, value in pairs:
        if kind in {IdentityKind.PHONE, IdentityKind.WHATSAPP}:
            assert phone_normalise(value) == value
        if kind == IdentityKind.EMAIL:
            assert value == value.lower()
            assert "@" in value


def test_a_seeded_customers_preferred_channel_always_has_an_identity() -> None:
    seed(customers=200, seed=7)

    preferring = Customer.objects.exclude(preferred_channel="")
    unreachable = preferring.exclude(
        Exists(Identity.objects.filter(customer=OuterRef("pk"), kind=OuterRef("preferred_channel")))
    )
    assert not unreachable.exists()
    assert set(preferring.values_list("preferred_channel", flat=True)) == {
        "email",
        "phone",
        "whatsapp",
    }


def test_a_preferred_channel_whose_identity_was_taken_is_dropped() -> None:
    existing = CustomerFactory()
    for offset in range(1, 60):
        for kind in (IdentityKind.PHONE, IdentityKind.WHATSAPP):
            IdentityFactory(customer=existing, kind=kind, value=mobile_for(existing.pk + offset))

    seed(customers=50, seed=5)

    seeded = Customer.objects.exclude(pk=existing.pk)
    assert (
        not seeded.filter(preferred_channel__in=["phone", "whatsapp"])
        .exclude(
            Exists(
                Identity.objects.filter(customer=OuterRef("pk"), kind=OuterRef("preferred_channel"))
            )
        )
        .exists()
    )
    assert not Identity.objects.filter(customer__in=seeded, kind=IdentityKind.WHATSAPP).exists()


def test_seeded_contact_moments_belong_to_existing_customers_through_their_identities() -> None:
    seed(customers=50, seed=7)

    assert not Interaction.objects.exclude(customer__in=Customer.objects.all()).exists()
    through_other = Interaction.objects.filter(identity__isnull=False).exclude(
        identity__customer=F("customer")
    )
    assert not through_other.exists()


def test_last_interaction_and_purchase_match_the_generated_rows() -> None:
    seed(customers=50, seed=7)

    customers = Customer.objects.annotate(
        newest=Max("interactions__occurred_at"), bought=Max("orders__ordered_at")
    )
    for customer in customers:
        assert customer.last_interaction_at == customer.newest
        assert customer.last_purchase_at == customer.bought


def test_the_first_customer_of_a_run_has_a_long_timeline() -> None:
    seed(customers=5, seed=7)

    busiest = Interaction.objects.values("customer").annotate(n=Count("id")).order_by("-n")[0]
    assert busiest["n"] == 1000


def test_the_same_seed_after_flushing_gives_the_same_names() -> None:
    seed(customers=40, seed=11, batch=15)
    first = names()
    Customer.objects.all().delete()

    seed(customers=40, seed=11, batch=7)

    assert names() == first


def timelines() -> list[list[tuple[str, str, str, str]]]:
    """Per customer in id order, the channel, direction, subject and body of each contact
    moment, newest first."""
    found: dict[int, list[tuple[str, str, str, str]]] = {}
    moments = Interaction.objects.order_by("customer_id", "-occurred_at", "id").values_list(
        "customer_id", "channel", "direction", "subject", "body"
    )
    for customer_id, *rest in moments:
        found.setdefault(customer_id, []).append((rest[0], rest[1], rest[2], rest[3]))
    return [found.get(customer_id, []) for customer_id in sorted(found)]


def test_the_same_seed_gives_the_same_contact_moments_whatever_the_batch_size() -> None:
    seed(customers=25, seed=11, batch=25)
    first = timelines()
    Customer.objects.all().delete()

    seed(customers=25, seed=11, batch=6)

    assert timelines() == first
    assert sum(len(timeline) for timeline in first) > 25 * 5


def test_a_failure_while_generating_the_rows_stops_the_seed_with_its_cause() -> None:
    worker = RowsWorker(cast(Any, None))
    try:
        worker.submit(([{"id": 1}], set(), [], [], []))
        with pytest.raises(RuntimeError, match="Generating the rows failed"):
            worker.result()
    finally:
        worker.close()


def test_another_seed_gives_other_names() -> None:
    seed(customers=40, seed=11)
    first = names()
    Customer.objects.all().delete()

    seed(customers=40, seed=12)

    assert names() != first


def test_running_seed_twice_appends_with_fresh_identities() -> None:
    seed(customers=30, seed=3)
    seed(customers=30, seed=3)

    assert Customer.objects.count() == 60
    emails = list(Identity.objects.filter(kind=IdentityKind.EMAIL).values_list("value", flat=True))
    assert len(emails) == 60
    assert len(set(emails)) == 60


def test_seed_skips_identities_that_are_already_taken() -> None:
    existing = CustomerFactory()
    for offset in range(1, 30):
        IdentityFactory(
            customer=existing, kind=IdentityKind.PHONE, value=mobile_for(existing.pk + offset)
        )

    output = seed(customers=20, seed=5)

    assert "already taken and skipped" in output
    phones = Identity.objects.filter(kind=IdentityKind.PHONE).values("value")
    assert phones.count() == phones.distinct().count()


def test_seed_creates_profile_questions_only_when_there_are_none() -> None:
    seed(customers=50, seed=7)

    assert ProfileQuestion.objects.filter(key="children").exists()
    assert ProfileFact.objects.exists()
    assert not ProfileFact.objects.filter(question__ask_after__isnull=False).exists()


def test_seed_answers_the_existing_profile_questions() -> None:
    question = ProfileQuestionFactory(key="favourite-colour")

    seed(customers=50, seed=7)

    assert list(ProfileQuestion.objects.all()) == [question]
    assert set(ProfileFact.objects.values_list("question", flat=True)) == {question.pk}


def test_seed_prints_progress_and_a_summary_per_table() -> None:
    output = seed(customers=20, seed=1, batch=10)

    assert output.count("interactions ") >= 2
    assert "rows/s" in output
    for table in ("customers", "identities", "interactions", "orders", "consents", "facts"):
        assert f"\n{table}" in output


def test_seed_refuses_zero_customers() -> None:
    with pytest.raises(CommandError):
        seed(customers=0)

    assert not Customer.objects.exists()


def schema() -> tuple[set[tuple[str, str]], set[tuple[str, str, str, bool]]]:
    """Every index and constraint of the public schema, as the database defines them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated"
            " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
        )
        constraints = set(cursor.fetchall())
    return indexes, constraints


def test_after_a_seed_the_indexes_and_constraints_are_those_of_the_migrated_schema() -> None:
    before = schema()

    seed(customers=30, seed=2, batch=10)

    indexes, constraints = schema()
    assert Case.objects.exists() and Response.objects.exists()
    assert indexes == before[0]
    assert constraints == before[1]
    assert any(name == "interaction_timeline_idx" for name, _ in indexes)


def test_the_seed_loads_without_the_secondary_indexes_and_foreign_keys() -> None:
    tables = ["contacts_interaction", "contacts_identity"]
    before = schema()
    bare = tables_definitions(tables)

    with tables_bare(tables):
        during = schema()

    names = {name for name, _ in during[0]}
    assert "interaction_timeline_idx" not in names
    assert {name for name, _definition, _sql in bare.indexes} == {
        name for name, _ in before[0] if name not in names
    }
    # Primary keys and unique constraints stay: the seed looks identities up while it loads.
    assert {"contacts_interaction_pkey", "identity_unique_kind_value"} <= names
    assert not {name for _table, name, _ in bare.foreign_keys} & {c[1] for c in during[1]}
    assert bare.foreign_keys and bare.indexes
    assert schema() == before
