"""Demo routing rules, canned replies and cases in every state for ``manage.py demo``."""

import datetime as dt
import random
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, TextIO

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from accounts.business_hours import BusinessCalendar, business_calendar
from accounts.models import Department, User
from contacts.models import Channel, Customer, Direction, Identity, IdentityKind, Interaction
from journeys.caches import routing_config_invalidate
from journeys.demo_campaign_sending import load as campaign_sending_load
from journeys.demo_campaigns import load as campaigns_load
from journeys.models import (
    PRIORITY_RANK,
    CannedReply,
    Case,
    CaseMessage,
    CaseStatus,
    Escalation,
    EscalationKind,
    Priority,
    RoutingRule,
    SlaPolicy,
    SubTask,
    Transfer,
)

DEMO_DOMAIN = "demo.cxcenter.nl"
SOURCE = "demo"
CC = Department.CONTACT_CENTER

# name, conditions, department, priority, active
RULES: list[tuple[str, dict[str, Any], str, str, bool]] = [
    (
        "Storingen naar ICT",
        {"match_words": "storing, werkt niet, error, login, inloggen, foutmelding"},
        Department.ICT,
        Priority.HIGH,
        True,
    ),
    (
        "Facturen en betalingen naar Sales",
        {"match_words": "factuur, betaling, invoice, afgeschreven, terugbetaling"},
        Department.SALES,
        Priority.NORMAL,
        True,
    ),
    (
        "Levering naar Operations",
        {"match_words": "levering, bezorging, pakket, delivery"},
        Department.OPERATIONS,
        Priority.NORMAL,
        True,
    ),
    ("Campagnereacties naar Marketing", {"match_campaign": True}, Department.MARKETING, Priority.LOW, True),
    ("WhatsApp snel beantwoorden", {"match_channel": Channel.WHATSAPP}, CC, Priority.HIGH, True),
    ("Klachten bij het klantcontactcentrum", {"match_topic": "complaint"}, CC, Priority.HIGH, True),
    ("Retouren", {"match_topic": "return"}, CC, Priority.NORMAL, True),
    ("Zomeractie 2025 (afgelopen)", {"match_campaign_code": "ZOMER2025"}, Department.MARKETING, Priority.LOW, False),
]  # fmt: skip

# title, language, shortcut, text
CANNED = [
    ("Bedankt voor uw bericht", "nl", "/bedankt",
     "Beste {customer_name},\n\nBedankt voor uw bericht. We hebben uw vraag geregistreerd onder "
     "zaaknummer {case_number} en komen zo snel mogelijk bij u terug.\n\nMet vriendelijke groet,"),
    ("Thank you for your message", "en", "/thanks",
     "Dear {customer_name},\n\nThank you for your message. Your question is registered as case "
     "{case_number}; we will get back to you as soon as possible.\n\nKind regards,"),
    ("Pakket onderweg", "nl", "/pakket",
     "Beste {customer_name},\n\nUw bestelling {order} is onderweg en wordt binnen twee werkdagen "
     "bezorgd.\n\nMet vriendelijke groet,"),
    ("Parcel on its way", "en", "/parcel",
     "Dear {customer_name},\n\nYour order {order} is on its way and will be delivered within two "
     "working days.\n\nKind regards,"),
    ("Zaak opgelost", "nl", "/opgelost",
     "Beste {customer_name},\n\nWe hebben zaak {case_number} opgelost. Is er nog iets niet in "
     "orde? Antwoord dan op dit bericht.\n\nMet vriendelijke groet,"),
    ("Case resolved", "en", "/resolved",
     "Dear {customer_name},\n\nWe have resolved case {case_number}. If anything is still not "
     "right, just reply to this message.\n\nKind regards,"),
]  # fmt: skip

SUBJECTS = {
    CC: [("return", "Retour aanmelden"), ("product", "Vraag over maatvoering"),
         ("account", "Adres wijzigen"), ("complaint", "Niet teruggebeld")],
    Department.ICT: [("account", "Kan niet inloggen"), ("account", "Foutmelding bij betalen")],
    Department.SALES: [("invoice", "Vraag over factuur"), ("invoice", "Dubbel afgeschreven")],
    Department.OPERATIONS: [("delivery", "Waar blijft mijn pakket?"),
                            ("delivery", "Pakket beschadigd")],
    Department.MARKETING: [("", "Re: uw nieuwsbrief")],
}  # fmt: skip
EXCEPTION_SUBJECTS = ["Hallo?", "Vraag", "Re: uw bericht", "Zie bijlage", "Graag contact"]


@dataclass
class Spec:
    """One demo case: what state it is in and how it got there."""

    status: str
    department: str
    created_hours_ago: float
    priority: str = Priority.NORMAL
    owned: bool = False
    exception: bool = False
    responded_after_hours: float | None = None
    done_after_hours: float | None = None
    subtask: bool = False
    escalate: bool = False
    transfers: list[str] = field(default_factory=list)
    channel: str = Channel.EMAIL


def _specs() -> list[Spec]:
    s: list[Spec] = []
    # New and unowned in the queues.
    s += [Spec(CaseStatus.NEW, CC, h) for h in (0.3, 0.8, 1.5, 2.5, 4, 6)]
    s[1].channel = Channel.WHATSAPP
    s[1].priority = Priority.HIGH
    s += [
        Spec(CaseStatus.NEW, code, 3)
        for code in (Department.SALES, Department.ICT, Department.OPERATIONS)
    ]
    # Owned by the demo agent.
    s += [
        Spec(CaseStatus.OPEN, CC, h, owned=True, responded_after_hours=0.5) for h in (5, 9, 20, 30)
    ]
    s += [Spec(CaseStatus.OPEN, CC, h, owned=True) for h in (1, 2)]
    s += [
        Spec(CaseStatus.WAITING_CUSTOMER, CC, h, owned=True, responded_after_hours=1)
        for h in (26, 50, 74, 98)
    ]
    s += [
        Spec(
            CaseStatus.WAITING_DEPARTMENT, CC, h, owned=True, responded_after_hours=1, subtask=True
        )
        for h in (8, 22, 30, 46)
    ]
    # The exception queue: no rule matched; two are already past their short SLA.
    s += [
        Spec(CaseStatus.NEW, CC, h, exception=True, channel=Channel.CHAT)
        for h in (0.5, 1, 3, 30, 60)
    ]
    # Breached: open past their resolution due time; three escalated to the manager.
    s += [
        Spec(CaseStatus.OPEN, CC, 240, owned=True, responded_after_hours=2, escalate=True),
        Spec(CaseStatus.OPEN, Department.SALES, 260, responded_after_hours=30, escalate=True),
        Spec(CaseStatus.NEW, Department.ICT, 70, priority=Priority.URGENT, escalate=True),
        Spec(CaseStatus.OPEN, CC, 200, owned=True, responded_after_hours=12),
        Spec(
            CaseStatus.WAITING_DEPARTMENT,
            CC,
            300,
            owned=True,
            responded_after_hours=3,
            subtask=True,
        ),
    ]
    # Resolved and closed over the past weeks, most in time, some late.
    for week in range(8):
        late = week in (2, 5)
        s.append(
            Spec(
                CaseStatus.RESOLVED,
                CC,
                24 * (7 * week + 2),
                owned=True,
                responded_after_hours=1 + week % 3,
                done_after_hours=200 if late else 20,
            )
        )
        if week % 2 == 0:
            s.append(
                Spec(
                    CaseStatus.CLOSED,
                    Department.OPERATIONS,
                    24 * (7 * week + 3),
                    responded_after_hours=14 if late else 3,
                    done_after_hours=30,
                )
            )
    # Hand-offs: once, and three times (which the manager hears about).
    s += [
        Spec(CaseStatus.OPEN, Department.ICT, 10, responded_after_hours=1, transfers=[CC]),
        Spec(CaseStatus.OPEN, Department.SALES, 12, responded_after_hours=1, transfers=[CC]),
        Spec(CaseStatus.RESOLVED, Department.OPERATIONS, 80, responded_after_hours=2,
             done_after_hours=40, transfers=[CC]),
        Spec(CaseStatus.OPEN, Department.OPERATIONS, 50, responded_after_hours=2,
             transfers=[CC, Department.SALES, Department.ICT]),
        Spec(CaseStatus.NEW, Department.SALES, 30,
             transfers=[CC, Department.OPERATIONS, Department.ICT]),
    ]  # fmt: skip
    return s


def _customers(*, now: dt.datetime) -> list[Customer]:
    customers = list(
        Customer.objects.filter(
            pk__in=Identity.objects.filter(value__endswith=f"@{DEMO_DOMAIN}")
            .order_by("customer_id")
            .values("customer_id")[:60]
        ).order_by("pk")
    )
    if customers:
        return customers
    # Loaded on its own, without the demo customers: a few of our own.
    names = ["Anna de Jong", "Daan Visser", "Sophie Bakker", "Lucas Smit", "Eva Mulder"]
    customers = Customer.objects.bulk_create([Customer(name=name) for name in names])
    Identity.objects.bulk_create(
        Identity(
            customer=customer,
            kind=IdentityKind.EMAIL,
            value=f"{customer.name.lower().replace(' ', '.')}@{DEMO_DOMAIN}",
            first_seen=now,
            last_seen=now,
        )
        for customer in customers
    )
    return customers


def _fix_times[M: Model](
    model: type[M], rows: list[M], times: list[dict[str, dt.datetime]]
) -> None:
    """bulk_create stamps auto_now_add fields with now; put the demo's own moments back."""
    for row, values in zip(rows, times, strict=True):
        for name, value in values.items():
            setattr(row, name, value)
    if rows and times:
        model._default_manager.bulk_update(rows, list(times[0]))


def _raised(priority: str) -> str:
    rank = min(PRIORITY_RANK[Priority(priority)] + 1, PRIORITY_RANK[Priority.URGENT])
    return next(p for p, r in PRIORITY_RANK.items() if r == rank)


@transaction.atomic
def load(*, out: TextIO) -> None:
    _load_cases(out=out)
    campaigns_load(out=out)
    campaign_sending_load(out=out)


def _load_cases(*, out: TextIO) -> None:
    if RoutingRule.objects.exists():
        out.write("Demo routing rules and cases are already there.\n")
        return
    departments = Department.objects.in_bulk(field_name="code")
    missing = {CC, Department.SALES, Department.ICT, Department.OPERATIONS, Department.MARKETING}
    missing -= set(departments)
    if missing:
        out.write(f"Demo cases skipped: departments missing: {', '.join(sorted(missing))}.\n")
        return
    policies = {p.priority: p for p in SlaPolicy.objects.filter(is_default=True)}
    exception_policy = SlaPolicy.objects.get(name="Exception queue")
    users = User.objects.in_bulk(["agent", "lead"], field_name="username")
    agent, lead = users.get("agent"), users.get("lead")

    RoutingRule.objects.bulk_create(
        RoutingRule(
            name=name,
            order=(i + 1) * 10,
            department=departments[code],
            priority=priority,
            is_active=active,
            **conditions,
        )
        for i, (name, conditions, code, priority, active) in enumerate(RULES)
    )
    # bulk_create sends no post_save (journeys.caches).
    routing_config_invalidate()
    CannedReply.objects.bulk_create(
        CannedReply(department=departments[CC], title=t, language=lang, shortcut=sc, body=body)
        for t, lang, sc, body in CANNED
    )

    rng = random.Random(4)
    now = timezone.now()
    calendars: dict[str, BusinessCalendar] = {}

    def calendar(code: str) -> BusinessCalendar:
        if code not in calendars:
            calendars[code] = business_calendar(department=departments[code])
        return calendars[code]

    customers = _customers(now=now)
    specs = _specs()
    cases: list[Case] = []
    case_times: list[dict[str, dt.datetime]] = []
    inbound: list[Interaction] = []
    outbound: list[tuple[int, Interaction]] = []
    for n, spec in enumerate(specs):
        department = departments[spec.department]
        cal = calendar(spec.department)
        created = now - dt.timedelta(hours=spec.created_hours_ago)
        policy = exception_policy if spec.exception else policies[spec.priority]
        if spec.exception:
            topic, subject = "", rng.choice(EXCEPTION_SUBJECTS)
        else:
            topic, subject = rng.choice(SUBJECTS[spec.department])
        customer = customers[n % len(customers)]
        responded = (
            created + dt.timedelta(hours=spec.responded_after_hours)
            if spec.responded_after_hours is not None
            else None
        )
        done = (
            created + dt.timedelta(hours=spec.done_after_hours)
            if spec.done_after_hours is not None
            else None
        )
        first_due = cal.add(created, dt.timedelta(minutes=policy.first_response_minutes))
        resolution_due = cal.add(created, dt.timedelta(minutes=policy.resolution_minutes))
        is_open = spec.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
        escalated = resolution_due + dt.timedelta(minutes=10) if spec.escalate else None
        case = Case(
            customer=customer,
            subject=subject,
            topic=topic,
            priority=_raised(spec.priority) if spec.escalate else spec.priority,
            status=spec.status,
            department=department,
            owner=agent if spec.owned else None,
            is_exception=spec.exception,
            sla_policy=policy,
            first_response_due=first_due,
            next_response_due=(
                cal.add(responded, dt.timedelta(minutes=policy.next_response_minutes))
                if responded and is_open
                else None
            ),
            resolution_due=resolution_due,
            first_responded_at=responded,
            sla_paused_at=(
                responded + dt.timedelta(minutes=5)
                if responded and spec.status == CaseStatus.WAITING_CUSTOMER
                else None
            ),
            transfer_count=len(spec.transfers),
            escalated_at=escalated,
            resolved_at=done,
            closed_at=(
                min(done + dt.timedelta(days=1), now)
                if done and spec.status == CaseStatus.CLOSED
                else None
            ),
            resolution_note="Opgelost en aan de klant bevestigd." if done else "",
        )
        cases.append(case)
        case_times.append({"created_at": created})
        inbound.append(
            Interaction(
                customer=customer,
                channel=spec.channel,
                direction=Direction.INBOUND,
                occurred_at=created,
                subject=subject,
                body="Graag hoor ik zo snel mogelijk van u.",
                topic=topic,
                department=departments[spec.transfers[0] if spec.transfers else spec.department],
                source=SOURCE,
                external_id=f"demo-case-{n}-in",
            )
        )
        if responded:
            outbound.append(
                (
                    n,
                    Interaction(
                        customer=customer,
                        channel=spec.channel,
                        direction=Direction.OUTBOUND,
                        occurred_at=responded,
                        subject=f"Re: {subject}",
                        body="Bedankt voor uw bericht, we zoeken het voor u uit.",
                        topic=topic,
                        agent=agent if spec.owned else None,
                        department=department,
                        source=SOURCE,
                        external_id=f"demo-case-{n}-out",
                    ),
                )
            )
    Interaction.objects.bulk_create([*inbound, *(i for _n, i in outbound)])
    for case, origin in zip(cases, inbound, strict=True):
        case.origin = origin
    Case.objects.bulk_create(cases)
    _fix_times(Case, cases, case_times)
    CaseMessage.objects.bulk_create(
        [
            CaseMessage(case=case, interaction=origin)
            for case, origin in zip(cases, inbound, strict=True)
        ]
        + [CaseMessage(case=cases[n], interaction=i) for n, i in outbound]
    )

    subtasks, subtask_times = [], []
    transfers, transfer_times = [], []
    escalations, escalation_times = [], []
    for spec, case, times in zip(specs, cases, case_times, strict=True):
        created = times["created_at"]
        if spec.subtask:
            requested = created + dt.timedelta(hours=2)
            subtasks.append(
                SubTask(
                    case=case,
                    department=departments[Department.ICT],
                    description="Controleer of het account van de klant geblokkeerd is.",
                    requested_by=agent,
                    due_at=calendar(Department.ICT).add(requested, dt.timedelta(hours=8)),
                )
            )
            subtask_times.append({"requested_at": requested})
        path = [*spec.transfers, spec.department]
        for step, (source, target) in enumerate(pairwise(path)):
            transfers.append(
                Transfer(
                    case=case,
                    from_department=departments[source],
                    to_department=departments[target],
                    by=agent if source == CC else lead,
                    reason="Hoort bij deze afdeling." if step == 0 else "Toch niet voor ons.",
                )
            )
            transfer_times.append({"at": created + dt.timedelta(hours=step + 1)})
        if case.escalated_at and case.resolution_due is not None:
            escalations.append(
                Escalation(case=case, kind=EscalationKind.RESOLUTION, due_at=case.resolution_due)
            )
            escalation_times.append({"at": case.escalated_at})
        if len(spec.transfers) > 2:
            at = created + dt.timedelta(hours=len(spec.transfers))
            escalations.append(Escalation(case=case, kind=EscalationKind.TRANSFERS, due_at=at))
            escalation_times.append({"at": at})
    SubTask.objects.bulk_create(subtasks)
    _fix_times(SubTask, subtasks, subtask_times)
    Transfer.objects.bulk_create(transfers)
    _fix_times(Transfer, transfers, transfer_times)
    Escalation.objects.bulk_create(escalations)
    _fix_times(Escalation, escalations, escalation_times)

    # Keep "last contact" on the customer lists true to the new timeline entries.
    touched = {}
    for interaction in [*inbound, *(i for _n, i in outbound)]:
        customer = interaction.customer
        if (
            customer.last_interaction_at is None
            or customer.last_interaction_at < interaction.occurred_at
        ):
            customer.last_interaction_at = interaction.occurred_at
            touched[customer.pk] = customer
    Customer.objects.bulk_update(list(touched.values()), ["last_interaction_at"])

    out.write(
        f"Demo journeys: {len(RULES)} routing rules, {len(CANNED)} canned replies, "
        f"{len(cases)} cases ({sum(s.exception for s in specs)} in the exception queue), "
        f"{len(transfers)} transfers, {len(escalations)} escalations.\n"
    )
