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
