"""The set-based building blocks of contacts.services.bulk: rows built without the general
constructor are the rows it builds, and inserts give keys and link parents to children."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from contacts.models import Customer, Identity, IdentityKind, Interaction
from contacts.services.bulk import model_new, models_insert
from contacts.tests.factories import CustomerFactory, IdentityFactory

NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def _fields(obj: object) -> dict[str, object]:
    return {k: v for k, v in vars(obj).items() if k != "_state"}


def test_a_new_row_has_the_fields_the_constructor_gives() -> None:
    customer = Customer(name="Anna")
    assert _fields(model_new(Customer, name="Anna")) == _fields(customer)
    built = model_new(
        Interaction, customer=customer, identity=None, channel="email", occurred_at=NOW
    )
    expected = Interaction(customer=customer, identity=None, channel="email", occurred_at=NOW)
    assert _fields(built) == _fields(expected)
    assert built.customer is customer
    assert built._state.adding


@pytest.mark.django_db
def test_inserted_rows_get_keys_and_point_at_parents_inserted_with_them() -> None:
    known = CustomerFactory()
    new = model_new(Customer, name="Piet")
    identity = model_new(
        Identity, customer=new, kind=IdentityKind.EMAIL, value="piet@example.nl",
        first_seen=NOW, last_seen=NOW,
    )  # fmt: skip
    moments = [
        model_new(Interaction, customer=c, identity=i, channel="email", occurred_at=NOW)
        for c, i in ((new, identity), (known, None))
    ]
    models_insert(
        groups=[(Customer, [new]), (Identity, [identity]), (Interaction, moments)],
        now=timezone.now(),
    )
    stored = Interaction.objects.select_related("identity").get(pk=moments[0].pk)
    assert stored.identity is not None
    assert (stored.customer_id, stored.identity.value) == (new.pk, "piet@example.nl")
    assert Interaction.objects.get(pk=moments[1].pk).customer_id == known.pk
    assert Customer.objects.get(pk=new.pk).created_at is not None
    assert not new._state.adding


@pytest.mark.django_db
def test_a_duplicate_key_is_an_integrity_error_and_writes_nothing() -> None:
    IdentityFactory(kind=IdentityKind.EMAIL, value="anna@example.nl")
    customer = CustomerFactory()
    twin = model_new(
        Identity, customer=customer, kind=IdentityKind.EMAIL, value="anna@example.nl",
        first_seen=NOW, last_seen=NOW,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        models_insert(groups=[(Identity, [twin])], now=NOW)
    assert Identity.objects.filter(value="anna@example.nl").count() == 1


@pytest.mark.django_db
def test_inserts_are_in_the_query_log(django_assert_num_queries) -> None:
    rows = [model_new(Customer, name=f"Klant {n}") for n in range(3)]
    # Keys and one COPY on PostgreSQL; one INSERT elsewhere.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 1):
        models_insert(groups=[(Customer, rows)], now=NOW)
    assert Customer.objects.filter(pk__in=[r.pk for r in rows]).count() == 3


@pytest.mark.django_db
def test_text_with_copy_separators_and_backslashes_comes_back_as_written() -> None:
    names = ["tab\there", "line\nbreak", "cr\rhere", "back\\slash \\N", "\\", "€ café 😀", ""]
    rows = [model_new(Customer, name=name) for name in names]
    later = dt.datetime(2026, 3, 1, 10, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    moment = model_new(
        Interaction, customer=rows[0], identity=None, channel="email", occurred_at=later,
        subject="a\tb", body="x\\ny\n", external_id="",
    )  # fmt: skip
    models_insert(groups=[(Customer, rows), (Interaction, [moment])], now=NOW)
    stored = dict(Customer.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "name"))
    assert [stored[r.pk] for r in rows] == names
    back = Interaction.objects.get(pk=moment.pk)
    assert (back.subject, back.body, back.occurred_at) == ("a\tb", "x\\ny\n", later)
    assert back.identity_id is None
    assert Customer.objects.get(pk=rows[0].pk).created_at == NOW


def test_copy_text_writes_choices_as_their_values_and_refuses_unknown_types() -> None:
    from decimal import Decimal

    from django.db import models

    from contacts.services.bulk import copy_column, copy_text

    class Level(models.IntegerChoices):
        LOW = 1, "Low"

    assert copy_text(IdentityKind.EMAIL) == "email"
    assert copy_text(Level.LOW) == "1"
    assert (copy_text(None), copy_text(True), copy_text(False)) == ("\\N", "t", "f")
    assert copy_text(Decimal("12.50")) == "12.50"
    assert copy_text(dt.date(2026, 3, 1)) == "2026-03-01"
    assert copy_text(NOW) == "2026-03-01T09:30:00+00:00"
    with pytest.raises(TypeError):
        copy_text(object())
    # A column at a time gives the same text as value by value.
    columns: list[list[object]] = [
        ["a", "b\tc"],
        ["a", None],
        [1, True],
        [None, None],
        [NOW, None],
        [2, 3],
        [NOW],
    ]
    for values in columns:
        assert copy_column(values) == [copy_text(v) for v in values]


@pytest.mark.django_db
def test_look_ups_find_the_pairs_asked_for_and_not_their_crossings() -> None:
    from contacts.services.bulk import identities_lookup, natural_keys_lookup
    from contacts.tests.factories import InteractionFactory

    anna = IdentityFactory(kind=IdentityKind.EMAIL, value="anna@example.nl")
    IdentityFactory(kind=IdentityKind.PHONE, value="+31612345678")
    found = identities_lookup(
        pairs=[
            ("email", "anna@example.nl"),
            ("email", "+31612345678"),
            ("phone", "anna@example.nl"),
            ("phone", "+31699999999"),
        ]
    )
    assert list(found) == [("email", "anna@example.nl")]
    assert found["email", "anna@example.nl"].customer.pk == anna.customer_id
    moment = InteractionFactory(source="shop", external_id="1")
    InteractionFactory(source="crm", external_id="2")
    InteractionFactory(source="crm", external_id="")
    keys = [("shop", "1"), ("shop", "2"), ("crm", "1"), ("crm", "")]
    assert {k: m.pk for k, m in natural_keys_lookup(model=Interaction, keys=keys).items()} == {
        ("shop", "1"): moment.pk
    }
