"""Agents clicking "take next" at the same moment each get a different case.

On PostgreSQL the takers pass each other's locked rows (skip_locked). The test database of
SQLite is an in-memory database with a shared cache, which reports a competing writer as
"table is locked" at once instead of waiting as the file database of a real installation
does (IMMEDIATE transactions with a busy timeout); there the click is simply repeated.
"""

import threading
import time

import pytest
from django.db import OperationalError, connection

from accounts.models import Department
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from journeys.services.cases import case_take_next
from journeys.tests.factories import CaseFactory


def _take(agent, department):
    for _attempt in range(200):
        try:
            return case_take_next(user=agent, department=department)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.01)
    raise AssertionError("the database stayed locked")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("pool_closed_after")
def test_concurrent_take_next_never_hands_out_a_case_twice(contact_center: Department) -> None:
    agents = [
        UserFactory(username=f"agent{n}", department=contact_center, roles=[Role.AGENT])
        for n in range(4)
    ]
    cases = {CaseFactory(department=contact_center).pk for _ in range(6)}
    barrier = threading.Barrier(len(agents))
    taken: dict[str, list[int]] = {a.username: [] for a in agents}
    errors: list[BaseException] = []

    def work(agent) -> None:
        from django.db import connections

        try:
            barrier.wait()
            for _ in range(3):
                case = _take(agent, contact_center)
                if case is not None:
                    taken[agent.username].append(case.pk)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    handed_out = [pk for pks in taken.values() for pk in pks]
    assert len(handed_out) == len(set(handed_out)), "a case went to two agents"
    assert set(handed_out) == cases, connection.vendor


RACERS = 20


def _race(work, count: int = RACERS) -> list:
    """Run ``work(n)`` in ``count`` threads, each on its own connection, started together;
    returns what each returned or raised."""
    from django.db import connections

    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = work(n)
        except BaseException as exc:  # reported in the main thread
            results[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


needs_row_locks = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database answers a competing writer with 'table is "
    "locked' at once; 20 real racers need PostgreSQL",
)


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_twenty_agents_racing_both_take_paths_leave_one_owner(
    contact_center: Department,
) -> None:
    from django.core.exceptions import ValidationError

    from journeys.models import Case
    from journeys.services.cases import CaseTakenError, case_take

    agents = [
        UserFactory(
            username=f"racer{n}", first_name=f"Racer{n}", last_name="Test",
            department=contact_center, roles=[Role.AGENT],
        )
        for n in range(RACERS)
    ]  # fmt: skip
    case = CaseFactory(department=contact_center)

    def work(n: int):
        # Half click "Take" on the row or the case page, half "Take next case".
        if n % 2:
            try:
                return case_take(case=case, user=agents[n])
            except ValidationError as exc:
                return exc
        return case_take_next(user=agents[n], department=contact_center)

    results = _race(work)

    case.refresh_from_db()
    assert case.owner_id is not None
    winner = case.owner
    won = [r for r in results if isinstance(r, Case)]
    assert [c.owner_id for c in won] == [winner.pk]
    losers = [r for r in results if isinstance(r, CaseTakenError)]
    assert all(str(winner.get_full_name()) in e.messages[0] for e in losers)
    # Every loser of "Take" is told who has it; every loser of "Take next" finds it empty.
    assert len(won) + len(losers) + results.count(None) == RACERS
    unexpected = [r for r in results if isinstance(r, BaseException) and r not in losers]
    assert unexpected == []


@needs_row_locks
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_customer", [True, False], ids=["one-customer", "many-customers"])
def test_twenty_parallel_intakes_all_succeed(
    same_customer: bool, contact_center: Department
) -> None:
    import datetime as dt

    from django.utils import timezone

    from contacts.models import Interaction
    from contacts.services.identity import IdentityValue
    from contacts.services.intake import interaction_intake
    from contacts.tests.factories import CustomerFactory, IdentityFactory
    from journeys.models import Case, CaseMessage

    if same_customer:
        customer = CustomerFactory()
        IdentityFactory(customer=customer, kind="email", value="same@example.nl")
        # An open case, so that every intake is a reply on it (the row all of them lock).
        CaseFactory(customer=customer, department=contact_center)

    def work(n: int):
        email = "same@example.nl" if same_customer else f"klant{n}@example.nl"
        return interaction_intake(
            source="load",
            external_id=f"m-{n}",
            channel="email",
            direction="in",
            occurred_at=timezone.now() - dt.timedelta(seconds=n),
            identities=[IdentityValue(kind="email", value=email)],
            subject=f"Vraag {n}",
            body="Waar blijft mijn pakket?",
        )

    results = _race(work)

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert Interaction.objects.filter(source="load").count() == RACERS
    assert CaseMessage.objects.filter(interaction__source="load").count() == RACERS
    expected_cases = 1 if same_customer else RACERS
    assert Case.objects.count() == expected_cases


@pytest.mark.django_db(transaction=True)
def test_the_open_case_found_for_a_reply_is_locked_and_nothing_it_joins(
    contact_center: Department,
) -> None:
    from django.db import connections, transaction

    from contacts.tests.factories import CustomerFactory, InteractionFactory
    from journeys.services.routing import case_open_for

    customer = CustomerFactory()
    case = CaseFactory(customer=customer, department=contact_center)
    message = InteractionFactory(customer=customer)
    outcome: dict[str, object] = {}

    def other_connection() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for table, pk in (
                    ("accounts_department", case.department_id),
                    ("journeys_slapolicy", case.sla_policy_id),
                    ("contacts_customer", customer.pk),
                    ("journeys_case", case.pk),
                ):
                    try:
                        with transaction.atomic():
                            cursor.execute(
                                f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk]
                            )
                        outcome[table] = "free"
                    except OperationalError:
                        outcome[table] = "locked"
        finally:
            connections.close_all()

    with transaction.atomic():
        found = case_open_for(interaction=message, lock=True)
        assert found == case
        thread = threading.Thread(target=other_connection)
        thread.start()
        thread.join()
    assert outcome == {
        "accounts_department": "free",
        "journeys_slapolicy": "free",
        "contacts_customer": "free",
        "journeys_case": "locked",
    }
