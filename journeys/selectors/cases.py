"""Reads of cases, always through the asking user's permissions.

Visibility ("may view this case"): a user sees cases owned by their department, cases they
own, cases on which their department has a sub-task, and cases they worked on before
(CaseParticipant: a transferred case stays readable for those who handled it); admins and
integrations see everything. Anything else is a 404, never a 403 that confirms it exists.
Working on a case ("may work on this case") is narrower: see ``case_may_work``.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable
from django.http import Http404
from django.utils.dateparse import parse_datetime

from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import user_roles
from contacts.models import Customer
from journeys.models import (
    OPEN_Q,
    CannedReply,
    Case,
    CaseComment,
    CaseMessage,
    CaseParticipant,
    SubTask,
    SubTaskStatus,
    Transfer,
)

MAX_LIMIT = 100


@dataclass(frozen=True)
class CaseCursor:
    """Keyset position in a list ordered by (resolution_due, id)."""

    due: dt.datetime | None
    id: int

    def encode(self) -> str:
        return f"{self.due.isoformat() if self.due else ''}~{self.id}"

    @classmethod
    def decode(cls, raw: str) -> "CaseCursor | None":
        """The cursor in ``raw``, or None when it is not one (a bad cursor restarts the list)."""
        due_raw, sep, id_raw = raw.rpartition("~")
        if not sep or not id_raw.isdigit():
            return None
        if not due_raw:
            return cls(due=None, id=int(id_raw))
        try:
            due = parse_datetime(due_raw)
        except ValueError:
            return None
        if due is None or due.tzinfo is None:
            return None
        return cls(due=due, id=int(id_raw))


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    priority: str = ""
    channel: str = ""
    topic: str = ""

    def apply(self, qs: QuerySet[Case]) -> QuerySet[Case]:
        if self.status:
            qs = qs.filter(status=self.status)
        if self.priority:
            qs = qs.filter(priority=self.priority)
        if self.channel:
            qs = qs.filter(origin__channel=self.channel)
        if self.topic:
            qs = qs.filter(topic__iexact=self.topic)
        return qs


NO_FILTERS = CaseFilters()


@dataclass
class CasePage:
    cases: list[Case]
    next_cursor: CaseCursor | None = None
    extra: dict[str, object] = field(default_factory=dict)


def case_may_lead(*, user: User) -> bool:
    """Leads (manager role or admin) see and sort the exception queue."""
    roles = user_roles(user=user)
    return Role.ADMIN in roles or Role.MANAGER in roles


def case_visible_queryset(*, user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    roles = user_roles(user=user)
    if Role.ADMIN in roles or Role.INTEGRATION in roles:
        # Integrations act for the organisation as a whole (telephony, web shop).
        return Case.objects.all()
    if not user.has_perm("journeys.view_case"):
        return Case.objects.none()
    q: Q | Combinable = Q(owner=user) | Exists(
        CaseParticipant.objects.filter(case=OuterRef("pk"), user=user)
    )
    if user.department_id:
        q |= Q(department_id=user.department_id) | Exists(
            SubTask.objects.filter(case=OuterRef("pk"), department_id=user.department_id)
        )
    return Case.objects.filter(q)


def case_may_work(*, user: User, case: Case) -> bool:
    """May ``user`` change this case (reply, transfer, set status, resolve)? Its department,
    its owner, admins and integrations; a department asked for a sub-task, and people who
    worked on it before, only read it. The one rule for the pages and the API."""
    if not user.is_authenticated or not user.is_active:
        return False
    roles = user_roles(user=user)
    if Role.ADMIN in roles or Role.INTEGRATION in roles:
        return True
    return (case.department_id == user.department_id or case.owner_id == user.pk) and user.has_perm(
        "journeys.change_case"
    )


def case_may_view(*, user: User, case_id: int) -> bool:
    """May ``user`` read this case? (The case pages use case_get_for_user, which 404s.)"""
    return case_visible_queryset(user=user).filter(pk=case_id).exists()


def _with_list_relations(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("customer", "department", "owner", "origin")


def case_get_for_user(*, user: User, case_id: int, for_update: bool = False) -> Case:
    """The case, or Http404 when it does not exist or ``user`` may not see it."""
    qs = _with_list_relations(case_visible_queryset(user=user)).select_related("sla_policy")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _page(qs: QuerySet[Case], *, after: CaseCursor | None, limit: int) -> list[Case]:
    limit = max(1, min(limit, MAX_LIMIT))
    qs = qs.order_by(F("resolution_due").asc(nulls_last=True), "id")
    if after is not None:
        if after.due is None:
            qs = qs.filter(resolution_due__isnull=True, id__gt=after.id)
        else:
            qs = qs.filter(
                Q(resolution_due__gt=after.due)
                | Q(resolution_due=after.due, id__gt=after.id)
                | Q(resolution_due__isnull=True)
            )
    return list(_with_list_relations(qs)[:limit])


def case_cursor_after(*, cases: list[Case], limit: int) -> CaseCursor | None:
    """The cursor for the next page, when this page was full."""
    if len(cases) < limit or not cases:
        return None
    last = cases[-1]
    return CaseCursor(due=last.resolution_due, id=last.pk)


def case_list_mine(
    *,
    user: User,
    after: CaseCursor | None = None,
    limit: int = 50,
    filters: CaseFilters = NO_FILTERS,
) -> list[Case]:
    qs = case_visible_queryset(user=user).filter(OPEN_Q, owner=user)
    return _page(filters.apply(qs), after=after, limit=limit)


def case_list_queue(
    *,
    user: User,
    department: Department,
    after: CaseCursor | None = None,
    limit: int = 50,
    filters: CaseFilters = NO_FILTERS,
) -> list[Case]:
    """Open unowned cases of ``department`` (must be the user's own unless a role allows)."""
    roles = user_roles(user=user)
    if department.pk != user.department_id and Role.ADMIN not in roles:
        raise Http404
    if not user.has_perm("journeys.view_case") and Role.ADMIN not in roles:
        return []
    qs = Case.objects.filter(OPEN_Q, department=department, owner__isnull=True)
    return _page(filters.apply(qs), after=after, limit=limit)


def case_list_exceptions(
    *,
    user: User,
    after: CaseCursor | None = None,
    limit: int = 50,
    filters: CaseFilters = NO_FILTERS,
) -> list[Case]:
    """The exception queue (leads only: manager role or admin)."""
    if not case_may_lead(user=user):
        return []
    qs = Case.objects.filter(OPEN_Q, is_exception=True)
    if Role.ADMIN not in user_roles(user=user):
        # The queue lives in the contact center; its lead sees it, other managers do not.
        qs = (
            qs.filter(department_id=user.department_id)
            if user.department_id is not None
            else qs.none()
        )
    return _page(filters.apply(qs), after=after, limit=limit)


@dataclass(frozen=True)
class CustomerCase:
    """One open case of a customer as anyone working with the customer may see it: subject,
    department, owner and status, and whether the viewer may open the case itself."""

    case: Case
    may_open: bool


def case_list_for_customer(
    *, user: User, customer_id: int, limit: int = 10, exclude_id: int | None = None
) -> list[CustomerCase]:
    """Open cases of one customer in every department, the most urgent first (two queries).

    Anyone who works on cases sees that the customer has them, so nobody tells the customer
    "no open cases" while another department is on it; only the cases ``user`` may view
    link to their page, where the notes are.
    """
    if not user.is_authenticated or not (
        user.has_perm("journeys.view_case") or Role.ADMIN in user_roles(user=user)
    ):
        return []
    qs = Case.objects.filter(OPEN_Q, customer_id=customer_id)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    cases = list(
        qs.select_related("department", "owner").order_by(
            F("resolution_due").asc(nulls_last=True), "id"
        )[: max(1, min(limit, MAX_LIMIT))]
    )
    if not cases:
        return []
    visible = set(
        case_visible_queryset(user=user)
        .filter(pk__in=[c.pk for c in cases])
        .values_list("pk", flat=True)
    )
    return [CustomerCase(case=c, may_open=c.pk in visible) for c in cases]


# --- Sub-tasks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SubTaskCursor:
    due: dt.datetime
    id: int

    def encode(self) -> str:
        return f"{self.due.isoformat()}~{self.id}"

    @classmethod
    def decode(cls, raw: str) -> "SubTaskCursor | None":
        cursor = CaseCursor.decode(raw)
        if cursor is None or cursor.due is None:
            return None
        return cls(due=cursor.due, id=cursor.id)


def subtask_list_for_department(
    *, user: User, after: SubTaskCursor | None = None, limit: int = 50
) -> list[SubTask]:
    """Open sub-tasks asked of the user's department, the earliest due first."""
    if not user.department_id or not user.has_perm("journeys.change_subtask"):
        return []
    qs = SubTask.objects.filter(department_id=user.department_id, status=SubTaskStatus.OPEN)
    if after is not None:
        qs = qs.filter(Q(due_at__gt=after.due) | Q(due_at=after.due, id__gt=after.id))
    return list(
        qs.select_related("case", "case__customer", "case__department", "requested_by").order_by(
            "due_at", "id"
        )[: max(1, min(limit, MAX_LIMIT))]
    )


def subtask_get_for_user(*, user: User, subtask_id: int) -> SubTask:
    """A sub-task on a case ``user`` may see, or Http404."""
    try:
        return SubTask.objects.select_related("case", "department").get(
            pk=subtask_id, case__in=case_visible_queryset(user=user)
        )
    except (SubTask.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- One case's details ------------------------------------------------------------------


@dataclass
class CaseDetail:
    messages: list[CaseMessage]
    comments: list[CaseComment]
    subtasks: list[SubTask]
    transfers: list[Transfer]


DETAIL_LIMIT = 200


def case_detail(*, case: Case) -> CaseDetail:
    """The thread (oldest first), notes, sub-tasks and hand-offs of a case already fetched
    through case_get_for_user; each list is bounded."""
    return CaseDetail(
        messages=list(
            CaseMessage.objects.filter(case=case)
            .select_related("interaction", "interaction__agent")
            .order_by("-interaction__occurred_at", "-id")[:DETAIL_LIMIT]
        )[::-1],
        comments=list(
            CaseComment.objects.filter(case=case)
            .select_related("author")
            .order_by("-created_at", "-id")[:DETAIL_LIMIT]
        )[::-1],
        subtasks=list(
            SubTask.objects.filter(case=case)
            .select_related("department", "requested_by", "done_by")
            .order_by("requested_at", "id")[:DETAIL_LIMIT]
        ),
        transfers=list(
            Transfer.objects.filter(case=case)
            .select_related("from_department", "to_department", "by")
            .order_by("at", "id")[:DETAIL_LIMIT]
        ),
    )


def canned_reply_language_default() -> str:
    """The organisation's default language: the one a new customer gets."""
    return str(Customer._meta.get_field("language").default)


def canned_reply_list_for_case(*, user: User, case: Case) -> list[CannedReply]:
    """Canned replies of the case's department (and the user's own) for inserting: those in
    the customer's language first, then the language-neutral ones. When the customer's
    language has none, the organisation's default language takes its place. One query."""
    departments = {case.department_id}
    if user.department_id:
        departments.add(user.department_id)
    wanted = case.customer.language or canned_reply_language_default()
    fallback = canned_reply_language_default()
    found = list(
        CannedReply.objects.filter(
            language__in={wanted, fallback, ""}, department_id__in=departments
        ).order_by("title", "id")[:300]
    )
    language = wanted if any(r.language == wanted for r in found) else fallback
    chosen = [r for r in found if r.language == language]
    return (chosen + [r for r in found if r.language == ""])[:100]


def canned_reply_get_for_case(*, user: User, case: Case, reply_id: int) -> CannedReply | None:
    return next(
        (r for r in canned_reply_list_for_case(user=user, case=case) if r.pk == reply_id), None
    )


def department_choices(*, exclude_id: int | None = None) -> QuerySet[Department]:
    qs = Department.objects.filter(is_active=True).order_by("name")
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs
