"""Generated cases and campaigns for ``manage.py seed`` (load tests).

Cases come from the customers' own inbound contact moments (the origin, linked as the
first message), in every state: new and unowned in the department queues, owned and open,
waiting on the customer or on another department (with an open sub-task), resolved and
closed; some in the exception queue, some transferred (up to three times), overdue open
ones escalated. Due times are the SLA minutes counted on the clock, not in business hours:
close enough for load tests, and no per-row calendar work. A few segments and campaigns
(finished, live, scheduled, draft) reuse the campaign codes of the seeded contact moments.

PostgreSQL gets COPY, other databases batched INSERTs (through the run, bench.seedrun).
Seeded cases never send anything: notifications and tasks belong to the services, which
are not used.
"""

from contacts.seeding import SeedRun
from journeys.seeding.campaigns import campaigns_seed
from journeys.seeding.cases import CASE_COLUMNS, TABLES, CaseGenerator, cases_seed
from journeys.seeding.staff import Staff, departments_ensure, staff_ensure

__all__ = [
    "CASE_COLUMNS",
    "TABLES",
    "CaseGenerator",
    "Staff",
    "campaigns_seed",
    "cases_seed",
    "departments_ensure",
    "seed",
    "staff_ensure",
]


def seed(*, run: SeedRun) -> None:
    """The journeys part of ``manage.py seed``: cases of the run's customers, campaigns."""
    if not run.wants("journeys"):
        return
    staff = staff_ensure()
    cases_seed(run=run, staff=staff)
    campaigns_seed(run=run, staff=staff)
