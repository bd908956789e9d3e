"""Generated cases of the run's customers from their own inbound contact moments, in every
state, with transfers, escalations and sub-tasks."""

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Department
from contacts.models import Customer, Direction, Interaction
from contacts.seeding import Row, SeedRun
from journeys.models import (
    CaseStatus,
    EscalationKind,
    Priority,
)
from journeys.seeding.staff import Staff

# Where a contact moment's topic is routed, as the demo's routing rules do.
TOPIC_DEPARTMENT = {
    "delivery": Department.OPERATIONS,
    "invoice": Department.SALES,
    "campaign": Department.MARKETING,
}
EXCEPTION_SHARE = 0.03
EXCEPTION_SHARE_NEW = 0.3
RECENT = dt.timedelta(days=14)
# Status of a case younger than RECENT; older ones are mostly done.
RECENT_STATUSES = (
    [CaseStatus.NEW] * 30
    + [CaseStatus.OPEN] * 25
    + [CaseStatus.WAITING_CUSTOMER] * 15
    + [CaseStatus.WAITING_DEPARTMENT] * 10
    + [CaseStatus.RESOLVED] * 15
    + [CaseStatus.CLOSED] * 5
)
OLD_STATUSES = (
    [CaseStatus.CLOSED] * 60
    + [CaseStatus.RESOLVED] * 34
    + [CaseStatus.NEW] * 2
    + [CaseStatus.OPEN] * 2
    + [CaseStatus.WAITING_CUSTOMER] * 1
    + [CaseStatus.WAITING_DEPARTMENT] * 1
)
OPEN = {
    CaseStatus.NEW.value,
    CaseStatus.OPEN.value,
    CaseStatus.WAITING_CUSTOMER.value,
    CaseStatus.WAITING_DEPARTMENT.value,
}
TRANSFER_REASONS = (
    "Hoort bij een andere afdeling.",
    "Vraag over een factuur, niet over de levering.",
    "Technisch probleem, ICT moet kijken.",
    "Wrong department, moving it on.",
)
RESOLUTION_NOTES = (
    "Klant teruggebeld, opgelost.",
    "Nieuw pakket verstuurd.",
    "Terugbetaling gedaan.",
    "Answered by e-mail.",
    "",
)
SUBTASK_TEXTS = (
    "Graag de status van de levering nakijken.",
    "Kunnen jullie de factuur corrigeren?",
    "Please check the customer's login.",
)

CASE_COLUMNS = (
    "id", "customer_id", "origin_id", "subject", "topic", "campaign_code", "priority",
    "status", "department_id", "owner_id", "is_exception", "routing_rule_id", "sla_policy_id",
    "first_response_due", "next_response_due", "resolution_due", "first_responded_at",
    "sla_paused_at", "transfer_count", "escalated_at", "created_at", "updated_at",
    "resolved_at", "closed_at", "resolution_note",
    "last_message_at", "last_message_direction", "last_message_preview",
)  # fmt: skip
MESSAGE_COLUMNS = ("case_id", "interaction_id")
TRANSFER_COLUMNS = ("case_id", "from_department_id", "to_department_id", "by_id", "reason", "at")
ESCALATION_COLUMNS = ("case_id", "kind", "due_at", "at")
SUBTASK_COLUMNS = (
    "case_id", "department_id", "description", "requested_by_id", "requested_at", "due_at",
    "status", "done_by_id", "done_at", "result",
)  # fmt: skip
TABLES = {
    "cases": ("journeys_case", CASE_COLUMNS),
    "case_messages": ("journeys_casemessage", MESSAGE_COLUMNS),
    "transfers": ("journeys_transfer", TRANSFER_COLUMNS),
    "escalations": ("journeys_escalation", ESCALATION_COLUMNS),
    "subtasks": ("journeys_subtask", SUBTASK_COLUMNS),
}


@dataclass
class _Batch:
    cases: list[Row] = field(default_factory=list)
    case_messages: list[Row] = field(default_factory=list)
    transfers: list[Row] = field(default_factory=list)
    escalations: list[Row] = field(default_factory=list)
    subtasks: list[Row] = field(default_factory=list)


def _count(rng: random.Random, mean: float) -> int:
    whole = int(mean)
    return whole + (1 if rng.random() < mean - whole else 0)


class CaseGenerator:
    """Cases of a chunk of customers from their inbound contact moments."""

    def __init__(self, *, rng: random.Random, staff: Staff, now: dt.datetime, mean: float):
        self.rng = rng
        self.staff = staff
        self.now = now
        self.mean = mean
        self.codes = list(staff.departments)

    def _priority(self, topic: str, channel: str) -> str:
        rng = self.rng
        if rng.random() < 0.03:
            return Priority.URGENT.value
        if topic == "complaint" or channel == "whatsapp":
            return Priority.HIGH.value
        if topic == "campaign":
            return Priority.LOW.value
        return Priority.NORMAL.value

    def _at(self, start: dt.datetime, minutes: float) -> dt.datetime:
        return min(start + dt.timedelta(minutes=minutes), self.now)

    def plan(self, moments: dict[int, list[tuple[Any, ...]]], customer_ids: list[int]) -> int:
        """How many cases each customer of the chunk gets (in id order); returns the total.

        A case needs an inbound contact moment of its own, so a customer with fewer gets fewer.
        """
        self.wanted = [
            (cid, min(_count(self.rng, self.mean), len(moments.get(cid, ()))))
            for cid in customer_ids
        ]
        return sum(n for _cid, n in self.wanted)

    def rows(self, moments: dict[int, list[tuple[Any, ...]]], case_ids: list[int]) -> _Batch:
        batch = _Batch()
        next_id = iter(case_ids)
        for customer_id, count in self.wanted:
            for origin in self.rng.sample(moments.get(customer_id, []), count):
                self._case(batch, next(next_id), customer_id, *origin)
        return batch

    def _case(
        self,
        batch: _Batch,
        case_id: int,
        customer_id: int,
        interaction_id: int,
        created: dt.datetime,
        subject: str,
        topic: str,
        channel: str,
        campaign: str,
    ) -> None:
        rng, now, staff = self.rng, self.now, self.staff
        statuses = RECENT_STATUSES if now - created < RECENT else OLD_STATUSES
        status = rng.choice(statuses).value
        # No rule matched: a lead looks at these first, so most of them are still new.
        is_exception = rng.random() < (EXCEPTION_SHARE_NEW if status == "new" else EXCEPTION_SHARE)
        code = (
            Department.CONTACT_CENTER
            if is_exception
            else TOPIC_DEPARTMENT.get(topic, Department.CONTACT_CENTER)
        )
        if not is_exception and rng.random() < 0.05:
            code = Department.ICT
        priority = self._priority(topic, channel)
        policy = staff.exception_policy if is_exception else staff.policies[priority]
        first_due = created + dt.timedelta(minutes=policy.first_response_minutes)
        resolution_due = created + dt.timedelta(minutes=policy.resolution_minutes)

        # Transfers: the case ends up in ``code``, having passed through others.
        hops = 0
        roll = rng.random()
        if not is_exception:
            hops = 3 if roll < 0.01 else 2 if roll < 0.04 else 1 if roll < 0.15 else 0
        path = [code]
        for _ in range(hops):
            path.insert(0, rng.choice([c for c in self.codes if c != path[0]]))
        step = min((now - created).total_seconds() / 60, policy.resolution_minutes) / (hops + 1)
        for n, (source, target) in enumerate(pairwise(path)):
            at = self._at(created, step * (n + rng.uniform(0.2, 1)))
            batch.transfers.append(
                (
                    case_id,
                    staff.departments[source].pk,
                    staff.departments[target].pk,
                    rng.choice(staff.agents[source]),
                    rng.choice(TRANSFER_REASONS),
                    at,
                )
            )

        # New cases wait in the queue (a fifth already assigned); all others have an owner.
        owner: int | None = rng.choice(staff.agents[code])
        if status == CaseStatus.NEW.value and (is_exception or rng.random() >= 0.2):
            owner = None

        responded = None
        next_due = None
        if status != CaseStatus.NEW.value:
            late = rng.random() < 0.15
            responded = self._at(
                created,
                policy.first_response_minutes * (rng.uniform(1.1, 3) if late else rng.random()),
            )
            if status in OPEN:
                next_due = responded + dt.timedelta(minutes=policy.next_response_minutes)
        paused = None
        if status == CaseStatus.WAITING_CUSTOMER.value and responded is not None:
            paused = self._at(responded, rng.uniform(5, 600))
        resolved = closed = None
        note = ""
        if status in {CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value}:
            resolved = self._at(created, policy.resolution_minutes * rng.uniform(0.05, 1.6))
            if responded is not None and resolved < responded:
                resolved = responded
            note = rng.choice(RESOLUTION_NOTES)
            if status == CaseStatus.CLOSED.value:
                closed = self._at(resolved, rng.uniform(60, 7 * 24 * 60))
        escalated = None
        if status in OPEN and resolution_due < now:
            escalated = resolution_due + dt.timedelta(minutes=5)
            batch.escalations.append(
                (case_id, EscalationKind.RESOLUTION.value, resolution_due, escalated)
            )
        if hops > 2:
            batch.escalations.append(
                (case_id, EscalationKind.TRANSFERS.value, batch.transfers[-1][5],
                 batch.transfers[-1][5])
            )  # fmt: skip
        if status == CaseStatus.WAITING_DEPARTMENT.value:
            other = rng.choice([c for c in self.codes if c != code])
            requested = responded or created
            batch.subtasks.append(
                (
                    case_id,
                    staff.departments[other].pk,
                    rng.choice(SUBTASK_TEXTS),
                    owner,
                    requested,
                    requested + dt.timedelta(days=2),
                    "open",
                    None,
                    None,
                    "",
                )
            )
        updated = max(t for t in (created, responded, paused, resolved, closed) if t is not None)
        batch.cases.append(
            (
                case_id,
                customer_id,
                interaction_id,
                subject or "(geen onderwerp)",
                topic,
                campaign,
                priority,
                status,
                staff.departments[code].pk,
                owner,
                is_exception,
                None,
                policy.pk,
                first_due,
                next_due,
                resolution_due,
                responded,
                paused,
                hops,
                escalated,
                created,
                updated,
                resolved,
                closed,
                note,
                # The inbound moment that opened it is the newest message the inbox shows.
                created,
                "in",
                (subject or "(geen onderwerp)")[:140],
            )
        )
        batch.case_messages.append((case_id, interaction_id))


def _inbound_moments(low: int, high: int) -> dict[int, list[tuple[Any, ...]]]:
    """Inbound contact moments of customers low..high not linked to a case yet."""
    rows = (
        Interaction.objects.filter(
            customer_id__gte=low,
            customer_id__lte=high,
            direction=Direction.INBOUND,
            case_link__isnull=True,
        )
        .order_by("customer_id", "occurred_at", "id")
        .values_list(
            "customer_id", "id", "occurred_at", "subject", "topic", "channel", "campaign_code"
        )
    )
    moments: dict[int, list[tuple[Any, ...]]] = {}
    for customer_id, *rest in rows.iterator(chunk_size=20_000):
        moments.setdefault(customer_id, []).append(tuple(rest))
    return moments


def cases_seed(*, run: SeedRun, staff: Staff) -> None:
    mean = run.option("cases_per_customer", 0.3)
    if mean <= 0:
        return
    generator = CaseGenerator(
        rng=run.rng("cases"), staff=staff, now=timezone.now().replace(microsecond=0), mean=mean
    )
    report = run.report
    with run.tables_bare(list(dict.fromkeys(table for table, _ in TABLES.values()))):
        for low, high in run.customer_chunks():
            with transaction.atomic():
                tick = time.perf_counter()
                moments = _inbound_moments(low, high)
                customer_ids = list(
                    Customer.objects.filter(id__gte=low, id__lte=high)
                    .order_by("id")
                    .values_list("id", flat=True)
                )
                total = generator.plan(moments, customer_ids)
                batch = generator.rows(moments, run.ids_reserve("journeys_case", total))
                report.generate_seconds += time.perf_counter() - tick
                for name, (table, columns) in TABLES.items():
                    run.table_write(name, table, columns, getattr(batch, name))
            run.progress()
    run.analyze(table for table, _ in TABLES.values())
