"""Case work: take, assign, transfer, status, responses, notes and sub-tasks.

Every function checks its business rules and raises django.core.exceptions.ValidationError
(with a message per field where there is a field) and changes nothing when they fail.
Permission checks happen before: callers fetch the case through
journeys.selectors.cases.case_get_for_user.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.business_hours import business_calendar
from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import user_has_role
from accounts.services import notification_send, notification_send_to_role
from accounts.texts import Text, text_lazy
from contacts.models import Interaction
from journeys.models import (
    OPEN_Q,
    OPEN_STATUSES,
    PRIORITY_RANK,
    Case,
    CaseComment,
    CaseMessage,
    CaseParticipant,
    CaseStatus,
    Escalation,
    EscalationKind,
    Priority,
    SubTask,
    SubTaskStatus,
    Transfer,
)
from journeys.services.sla import sla_next_response_due, sla_resume

MAX_TRANSFERS = 2
# Statuses an agent sets directly; resolved and closed have their own functions.
SETTABLE_STATUSES = (
    CaseStatus.OPEN,
    CaseStatus.WAITING_CUSTOMER,
    CaseStatus.WAITING_DEPARTMENT,
)


def _case_url(case: Case) -> str:
    return reverse("journeys:case", kwargs={"case_id": case.pk})


# What a locked case is read with (``case_open_for`` reads the same in plain SQL).
CASE_LOCKED_RELATED = ("department", "sla_policy", "customer")


def cases_locked() -> QuerySet[Case]:
    """Cases read under a row lock so that concurrent changes apply one by one.

    Only the case row is locked (``of=("self",)``): the department, SLA policy and customer
    joined in are shared by many cases, and locking them made concurrent intakes deadlock.
    Lock order everywhere: the case, then its sub-task.
    """
    return Case.objects.select_for_update(of=("self",)).select_related(*CASE_LOCKED_RELATED)


def _locked(case: Case) -> Case:
    """Re-read the case under a row lock (see ``cases_locked``)."""
    return cases_locked().get(pk=case.pk)


def _participate(case_id: int, *users: User | None) -> None:
    """Remember who worked on a case (read access later); one insert, no duplicates."""
    rows = [CaseParticipant(case_id=case_id, user_id=u.pk) for u in users if u is not None]
    if rows:
        CaseParticipant.objects.bulk_create(rows, ignore_conflicts=True)


def case_last_message_fields(*, case: Case, interaction: Interaction) -> list[str]:
    """Put ``interaction`` as the newest message on ``case`` (unless a newer one is there);
    returns the fields to save."""
    if case.last_message_at is not None and case.last_message_at > interaction.occurred_at:
        return []
    first_line = next((line.strip() for line in interaction.body.splitlines() if line.strip()), "")
    case.last_message_at = interaction.occurred_at
    case.last_message_direction = interaction.direction
    case.last_message_preview = (first_line or interaction.subject)[:140]
    return ["last_message_at", "last_message_direction", "last_message_preview"]


class CaseTakenError(ValidationError):
    """Someone else owns the case: the message names them."""

    def __init__(self, owner: User) -> None:
        self.owner = owner
        super().__init__(
            _("%(name)s already has this case.") % {"name": owner.get_full_name() or owner},
            code="taken",
        )


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is already resolved or closed."))


def _move_status(case: Case, status: str, now: dt.datetime) -> list[str]:
    """Set ``status`` on a locked case, pausing or resuming the SLA clock; returns fields."""
    fields = ["status"]
    if case.status == CaseStatus.WAITING_CUSTOMER and status != CaseStatus.WAITING_CUSTOMER:
        fields += sla_resume(case=case, now=now)
    if status == CaseStatus.WAITING_CUSTOMER and case.sla_paused_at is None:
        case.sla_paused_at = now
        fields.append("sla_paused_at")
    case.status = status
    return fields


def _save(case: Case, fields: list[str]) -> None:
    case.save(update_fields=sorted({*fields, "updated_at"}))


def _is_member(user: User, department_id: int) -> bool:
    return user.department_id == department_id or user_has_role(user=user, role=Role.ADMIN)


def _raised(priority: str) -> str:
    rank = min(PRIORITY_RANK[Priority(priority)] + 1, PRIORITY_RANK[Priority.URGENT])
    return next(p for p, r in PRIORITY_RANK.items() if r == rank)


# --- Taking and assigning --------------------------------------------------------------


def case_take_next(*, user: User, department: Department) -> Case | None:
    """Hand the most urgent unowned open case of ``department``'s queue to ``user``.

    Exactly one agent gets each case even when many click at once:
    ``select_for_update(skip_locked=True)`` on the queue (partial index case_queue_idx).
    Returns None when the queue is empty. Status NEW becomes OPEN.
    """
    queue = Case.objects.filter(OPEN_Q, department=department, owner__isnull=True).order_by(
        F("resolution_due").asc(nulls_last=True), "id"
    )
    # The conditional UPDATE is what makes a claim exclusive on databases without row locks
    # (SQLite); on PostgreSQL skip_locked lets concurrent takers pass each other's rows.
    for _attempt in range(10):
        with transaction.atomic():
            pk = next(
                iter(queue.select_for_update(skip_locked=True).values_list("pk", flat=True)[:1]),
                None,
            )
            if pk is None:
                return None
            claimed = Case.objects.filter(OPEN_Q, pk=pk, owner__isnull=True).update(
                owner=user,
                status=models.Case(
                    models.When(status=CaseStatus.NEW, then=models.Value(CaseStatus.OPEN)),
                    default=F("status"),
                ),
                updated_at=timezone.now(),
            )
            if claimed:
                _participate(pk, user)
                return Case.objects.select_related("customer", "department").get(pk=pk)
    return None


def case_take(*, case: Case, user: User) -> Case:
    """Make ``user`` the owner of an unowned open case of their department: one conditional
    ``UPDATE … WHERE owner IS NULL``, so of many agents taking at once exactly one wins.

    The others get CaseTakenError naming the owner; taking a case you already own changes
    nothing. Reassigning someone else's case is case_assign, for leads.
    """
    if user.department_id != case.department_id or not user.is_active:
        raise ValidationError(_("This case is no longer in your department's queue."))
    with transaction.atomic():
        claimed = Case.objects.filter(
            OPEN_Q, pk=case.pk, owner__isnull=True, department_id=user.department_id
        ).update(
            owner=user,
            status=models.Case(
                models.When(status=CaseStatus.NEW, then=models.Value(CaseStatus.OPEN)),
                default=F("status"),
            ),
            updated_at=timezone.now(),
        )
        if claimed:
            _participate(case.pk, user)
    fresh = Case.objects.select_related("customer", "department", "owner", "sla_policy").get(
        pk=case.pk
    )
    if claimed or fresh.owner_id == user.pk:
        return fresh
    if fresh.owner is not None:
        raise CaseTakenError(fresh.owner)
    if not fresh.is_open:
        raise ValidationError(_("This case is already resolved or closed."))
    raise ValidationError(_("This case is no longer in your department's queue."))


@transaction.atomic
def case_assign(*, case: Case, user: User, by: User) -> Case:
    """Make ``user`` (a member of the owning department) the customer-facing owner.

    Taking a case away from another owner is for leads (manager role or admin) only.
    """
    from journeys.selectors.cases import case_may_lead

    locked = _locked(case)
    _require_open(locked)
    if not user.is_active or user.department_id != locked.department_id:
        raise ValidationError({"owner": _("The owner must be a member of the owning department.")})
    if (
        locked.owner_id not in (None, user.pk)
        and not case_may_lead(user=by)
        and locked.owner is not None
    ):
        raise CaseTakenError(locked.owner)
    _participate(locked.pk, user)
    fields = ["owner"]
    locked.owner = user
    if locked.status == CaseStatus.NEW:
        fields += _move_status(locked, CaseStatus.OPEN, timezone.now())
    _save(locked, fields)
    if user.pk != by.pk:
        notification_send(
            recipients=[user],
            title=Text(gettext_noop("Case %(number)s was assigned to you"), {"number": locked.pk}),
            body=locked.subject,
            url=_case_url(locked),
            kind="case-assigned",
            email=False,
        )
    return locked


def case_agents_on_duty(*, department: Department, now: dt.datetime | None = None) -> list[User]:
    """Active agents of ``department`` while it is open (nobody is on duty when closed)."""
    now = now or timezone.now()
    if not business_calendar(department=department).is_open(now):
        return []
    return list(
        User.objects.filter(department=department, is_active=True, groups__name=Role.AGENT.value)
        .annotate(open_cases=Count("owned_cases", filter=Q(owned_cases__status__in=OPEN_STATUSES)))
        .order_by("open_cases", "last_login", "id")
        .distinct()
    )


@transaction.atomic
def case_assign_round_robin(*, case: Case, now: dt.datetime | None = None) -> Case:
    """Give an unowned case to the agent on duty with the fewest open cases (ties: the one
    who signed in longest ago). Leaves it in the queue when nobody is on duty."""
    locked = _locked(case)
    if locked.owner_id is not None or not locked.is_open:
        return locked
    agents = case_agents_on_duty(department=locked.department, now=now)
    if not agents:
        return locked
    locked.owner = agents[0]
    _participate(locked.pk, agents[0])
    fields = ["owner"]
    if locked.status == CaseStatus.NEW:
        fields += _move_status(locked, CaseStatus.OPEN, now or timezone.now())
    _save(locked, fields)
    return locked


# --- Transfers and escalation ---------------------------------------------------------------


def escalation_recipients(*, department: Department) -> list[User]:
    """Who hears of an escalation: the department's managers, else the managers of the
    Management department, else the admins (superusers or admin role). Never nobody while
    an active admin exists."""
    active = User.objects.filter(is_active=True)
    managers = active.filter(groups__name=Role.MANAGER.value)
    for people in (
        managers.filter(department=department),
        managers.filter(department__code=Department.MANAGEMENT),
        active.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value)),
    ):
        found = list(people.distinct().order_by("id"))
        if found:
            return found
    return []


@transaction.atomic
def _escalate(case: Case, kind: str, due_at: dt.datetime, *, raise_priority: bool) -> bool:
    """One Escalation row per case, kind and missed due time; notify the escalation
    recipients (see escalation_recipients) when it is new. Returns whether it was new."""
    escalation, created = Escalation.objects.get_or_create(case=case, kind=kind, due_at=due_at)
    if not created:
        return False
    updates: dict[str, object] = {"escalated_at": escalation.at}
    if raise_priority:
        raised = _raised(case.priority)
        updates["priority"] = raised
        case.priority = raised
    Case.objects.filter(pk=case.pk).update(**updates)
    case.escalated_at = escalation.at
    notification_send(
        recipients=escalation_recipients(department=case.department),
        title=Text(
            gettext_noop("Case %(number)s escalated: %(kind)s"),
            {"number": case.pk, "kind": text_lazy(EscalationKind(kind).label)},
        ),
        body=case.subject,
        url=_case_url(case),
        kind="case-escalated",
    )
    return True


@transaction.atomic
def case_transfer(*, case: Case, to_department: Department, reason: str, by: User) -> Transfer:
    """Move a case to another department with a reason; recorded and counted.

    Same department or an empty reason → ValidationError. The owner is cleared (the new
    department's queue picks it up), transfer_count += 1 with F(); more than two transfers
    escalate to the department's manager (EscalationKind.TRANSFERS, once).
    """
    locked = _locked(case)
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = _("Say why the case goes to another department.")
    if to_department.pk == locked.department_id:
        errors["department"] = _("The case is already with this department.")
    elif not to_department.is_active:
        errors["department"] = _("This department is no longer active.")
    if errors:
        raise ValidationError(errors)
    _require_open(locked)
    _participate(locked.pk, by, locked.owner)
    transfer = Transfer.objects.create(
        case=locked, from_department_id=locked.department_id, to_department=to_department,
        by=by, reason=reason,
    )  # fmt: skip
    Case.objects.filter(pk=locked.pk).update(
        department=to_department,
        owner=None,
        is_exception=False,
        transfer_count=F("transfer_count") + 1,
        updated_at=timezone.now(),
    )
    locked.refresh_from_db()
    if (
        locked.transfer_count > MAX_TRANSFERS
        and not Escalation.objects.filter(case=locked, kind=EscalationKind.TRANSFERS).exists()
    ):
        # The case row is locked, so two transfers at once cannot both escalate.
        _escalate(locked, EscalationKind.TRANSFERS, transfer.at, raise_priority=False)
    notification_send_to_role(
        department=to_department,
        role=Role.MANAGER,
        title=Text(
            gettext_noop("Case %(number)s was transferred to your department"),
            {"number": locked.pk},
        ),
        body=reason,
        url=_case_url(locked),
        kind="case-transferred",
        email=False,
    )
    return transfer


def sla_escalate(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Escalate every open, running case whose first response, next response or resolution
    is overdue: one Escalation per case, kind and due time (a database constraint), the
    priority raised one step, the department's managers notified. Running it again
    changes nothing. Returns the number of new escalations."""
    from django.db.models import Exists, OuterRef

    now = now or timezone.now()
    running = Case.objects.filter(OPEN_Q, sla_paused_at__isnull=True)
    checks = [
        (
            EscalationKind.FIRST_RESPONSE,
            "first_response_due",
            running.filter(first_responded_at__isnull=True, first_response_due__lt=now),
        ),
        (
            EscalationKind.NEXT_RESPONSE,
            "next_response_due",
            running.filter(next_response_due__lt=now),
        ),
        (EscalationKind.RESOLUTION, "resolution_due", running.filter(resolution_due__lt=now)),
    ]
    new = 0
    for kind, field, overdue in checks:
        done = Escalation.objects.filter(case=OuterRef("pk"), kind=kind, due_at=OuterRef(field))
        cases = (
            overdue.filter(~Exists(done)).select_related("department").order_by(field, "id")[:batch]
        )
        for case in cases:
            new += _escalate(case, kind, getattr(case, field), raise_priority=True)
    return new


# --- Status -------------------------------------------------------------------------------


@transaction.atomic
def case_set_status(*, case: Case, status: str, by: User) -> Case:
    """Change status; WAITING_CUSTOMER pauses the SLA clock, leaving it resumes it (due
    times move forward by the business time spent waiting)."""
    if status not in SETTABLE_STATUSES:
        raise ValidationError({"status": _("Choose open, waiting on customer or waiting on another department.")})  # fmt: skip
    locked = _locked(case)
    _require_open(locked)
    if (
        status == CaseStatus.WAITING_DEPARTMENT
        and not locked.subtasks.filter(status=SubTaskStatus.OPEN).exists()
    ):
        raise ValidationError(
            {"status": _("Ask another department for a sub-task; the case then waits on it.")}
        )
    if locked.status != status:
        _save(locked, _move_status(locked, status, timezone.now()))
    return locked


@transaction.atomic
def case_resolve(*, case: Case, by: User, note: str) -> Case:
    """Resolve with a note of what was done (required)."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write down what was done.")})
    locked = _locked(case)
    _require_open(locked)
    now = timezone.now()
    fields = _move_status(locked, CaseStatus.RESOLVED, now)
    locked.resolved_at = now
    locked.resolution_note = note
    locked.next_response_due = None
    if locked.owner_id is None and by.department_id == locked.department_id:
        locked.owner = by
        fields.append("owner")
    _save(locked, [*fields, "resolved_at", "resolution_note", "next_response_due"])
    return locked


@transaction.atomic
def case_close(*, case: Case, by: User) -> Case:
    locked = _locked(case)
    if locked.status != CaseStatus.RESOLVED:
        raise ValidationError({"status": _("Only a resolved case can be closed.")})
    locked.status = CaseStatus.CLOSED
    locked.closed_at = timezone.now()
    _save(locked, ["status", "closed_at"])
    return locked


@transaction.atomic
def case_reopen(*, case: Case, by: User | None) -> Case:
    """Open a resolved or closed case again; ``by`` None: the customer's reply did it."""
    locked = _locked(case)
    if locked.is_open:
        raise ValidationError({"status": _("This case is still open.")})
    now = timezone.now()
    locked.status = CaseStatus.OPEN
    locked.resolved_at = None
    locked.closed_at = None
    cal = business_calendar(department=locked.department)
    # A reopened case gets a fresh resolution target and needs an answer again.
    locked.resolution_due = cal.add(now, dt.timedelta(minutes=locked.sla_policy.resolution_minutes))
    locked.next_response_due = sla_next_response_due(case=locked, start=now)
    _save(locked, ["status", "resolved_at", "closed_at", "resolution_due", "next_response_due"])
    return locked


# --- Notes, responses, customer replies ------------------------------------------------------


@transaction.atomic
def case_comment_add(*, case: Case, author: User, body: str) -> CaseComment:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a note.")})
    _participate(case.pk, author)
    return CaseComment.objects.create(case=case, author=author, body=body)


def _others_replied_since(case: Case, *, seen_message_id: int, by: User | None) -> User | None:
    """The colleague who answered the customer after message ``seen_message_id``, if any."""
    newer = (
        CaseMessage.objects.filter(case=case, pk__gt=seen_message_id, interaction__direction="out")
        .exclude(interaction__agent=by)
        .select_related("interaction__agent")
        .order_by("-pk")
        .first()
    )
    if newer is None:
        return None
    return newer.interaction.agent or User(username="—")


@transaction.atomic
def case_record_response(
    *,
    case: Case,
    interaction: Interaction,
    seen_message_id: int | None = None,
    confirmed: bool = False,
) -> Case:
    """An outbound answer to the customer: links the interaction to the case, sets
    first_responded_at once, clears next_response_due, status → WAITING_CUSTOMER.

    With ``seen_message_id`` (the newest message the agent had on screen), a colleague's
    answer sent since then refuses the reply unless ``confirmed``: the customer would get
    two answers.
    """
    locked = _locked(case)
    _require_open(locked)
    if seen_message_id is not None and not confirmed:
        other = _others_replied_since(locked, seen_message_id=seen_message_id, by=interaction.agent)
        if other is not None:
            raise ValidationError(
                _(
                    "%(name)s answered the customer after you opened this case. Read it "
                    "first; send anyway to send yours too."
                )
                % {"name": other.get_full_name() or other},
                code="replied-since",
            )
    CaseMessage.objects.get_or_create(interaction=interaction, defaults={"case": locked})
    _participate(locked.pk, interaction.agent)
    fields = ["next_response_due", *case_last_message_fields(case=locked, interaction=interaction)]
    if locked.first_responded_at is None:
        locked.first_responded_at = interaction.occurred_at
        fields.append("first_responded_at")
    locked.next_response_due = None
    if locked.owner_id is None and interaction.agent_id:
        agent = interaction.agent
        if agent is not None and agent.department_id == locked.department_id:
            locked.owner = agent
            fields.append("owner")
    fields += _move_status(locked, CaseStatus.WAITING_CUSTOMER, timezone.now())
    _save(locked, fields)
    return locked


# No savepoint of its own: nothing here catches a database error to carry on.
@transaction.atomic(savepoint=False)
def case_customer_replied(
    *, case: Case, interaction: Interaction, already_locked: bool = False
) -> Case:
    """A new inbound message on an open case: links it, resumes the SLA, sets
    next_response_due from the policy, status → OPEN. ``already_locked``: ``case`` was
    read through ``cases_locked`` in this transaction (routing does), so not read again."""
    locked = case if already_locked else _locked(case)
    # The unique constraint keeps a message on one case; a conflict inserts nothing.
    CaseMessage.objects.bulk_create(
        [CaseMessage(interaction=interaction, case=locked)], ignore_conflicts=True
    )
    now = timezone.now()
    if locked.status == CaseStatus.NEW:
        # Nobody has taken it yet: it stays new (no need to ask about sub-tasks).
        status = CaseStatus.NEW
    elif locked.subtasks.filter(status=SubTaskStatus.OPEN).exists():
        status = CaseStatus.WAITING_DEPARTMENT
    else:
        status = CaseStatus.OPEN
    fields = _move_status(locked, status, now)
    fields += case_last_message_fields(case=locked, interaction=interaction)
    if locked.first_responded_at is not None:
        locked.next_response_due = sla_next_response_due(
            case=locked, start=max(interaction.occurred_at, now)
        )
        fields.append("next_response_due")
    _save(locked, fields)
    if locked.owner_id and locked.owner is not None:
        notification_send(
            recipients=[locked.owner],
            title=Text(
                gettext_noop("The customer replied on case %(number)s"), {"number": locked.pk}
            ),
            body=locked.subject,
            url=_case_url(locked),
            kind="case-reply",
            email=False,
        )
    return locked


# --- Sub-tasks -----------------------------------------------------------------------------


@transaction.atomic
def subtask_request(
    *, case: Case, department: Department, description: str, due_at: dt.datetime, by: User
) -> SubTask:
    """Ask another department for internal work; the case keeps its owner. The case goes to
    WAITING_DEPARTMENT; the other department's members are notified."""
    locked = _locked(case)
    errors: dict[str, str] = {}
    description = description.strip()
    if not description:
        errors["description"] = _("Say what the other department should do.")
    if department.pk == locked.department_id:
        errors["department"] = _("Ask another department; this one owns the case.")
    elif not department.is_active:
        errors["department"] = _("This department is no longer active.")
    if due_at <= timezone.now():
        errors["due_at"] = _("The due time must be in the future.")
    if errors:
        raise ValidationError(errors)
    _require_open(locked)
    _participate(locked.pk, by)
    subtask = SubTask.objects.create(
        case=locked, department=department, description=description, due_at=due_at,
        requested_by=by,
    )  # fmt: skip
    if locked.status != CaseStatus.WAITING_DEPARTMENT:
        _save(locked, _move_status(locked, CaseStatus.WAITING_DEPARTMENT, timezone.now()))
    notification_send(
        recipients=User.objects.filter(department=department, is_active=True),
        title=Text(
            gettext_noop("Sub-task for your department on case %(number)s"),
            {"number": locked.pk},
        ),
        body=description,
        url=_case_url(locked),
        kind="subtask-requested",
        email=False,
    )
    return subtask


@transaction.atomic
def subtask_complete(*, subtask: SubTask, by: User, result: str) -> SubTask:
    """Mark done (by a member of the sub-task's department); when no open sub-task is left
    the case goes back to OPEN and its owner is notified."""
    # Lock order: the case, then the sub-task (as everywhere else).
    case = _locked(subtask.case)
    locked_task = SubTask.objects.select_for_update(of=("self",)).get(pk=subtask.pk)
    if not _is_member(by, locked_task.department_id):
        raise ValidationError(_("Only the department asked can complete this sub-task."))
    if locked_task.status != SubTaskStatus.OPEN:
        raise ValidationError(_("This sub-task is already done or cancelled."))
    result = result.strip()
    if not result:
        raise ValidationError({"result": _("Say what was done.")})
    _participate(case.pk, by)
    locked_task.status = SubTaskStatus.DONE
    locked_task.done_by = by
    locked_task.done_at = timezone.now()
    locked_task.result = result
    locked_task.save(update_fields=["status", "done_by", "done_at", "result"])
    last = not case.subtasks.filter(status=SubTaskStatus.OPEN).exists()
    if last and case.status == CaseStatus.WAITING_DEPARTMENT:
        _save(case, _move_status(case, CaseStatus.OPEN, timezone.now()))
    if last and case.owner_id and case.owner is not None:
        notification_send(
            recipients=[case.owner],
            title=Text(gettext_noop("Sub-tasks done on case %(number)s"), {"number": case.pk}),
            body=result,
            url=_case_url(case),
            kind="subtask-done",
            email=False,
        )
    subtask.__dict__.update(
        status=locked_task.status,
        done_by_id=by.pk,
        done_at=locked_task.done_at,
        result=result,
    )
    return subtask
