"""SLA due times, counted in the owning department's business hours and holidays."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

from accounts.business_hours import BusinessCalendar, business_calendar
from accounts.models import Department
from journeys.caches import routing_config_get, routing_config_invalidate
from journeys.models import Case, Priority, SlaPolicy

EXCEPTION_POLICY = "Exception queue"
# A due time this close (wall-clock) is shown as "soon" in the inbox.
SOON = dt.timedelta(hours=2)

_H = 60
# name, priority, is_default, first response, next response, resolution (minutes); the
# same as migration 0002 made, so a database emptied by flush gets them back.
DEFAULT_POLICIES = (
    ("Urgent", "urgent", True, 1 * _H, 1 * _H, 4 * _H),
    ("High", "high", True, 4 * _H, 4 * _H, 24 * _H),
    ("Normal", "normal", True, 8 * _H, 8 * _H, 48 * _H),
    ("Low", "low", True, 24 * _H, 24 * _H, 72 * _H),
    (EXCEPTION_POLICY, "", False, 2 * _H, 2 * _H, 8 * _H),
    ("Feedback follow-up", "", False, 8 * _H, 8 * _H, 48 * _H),
)


def sla_policies_ensure() -> None:
    """The default policies, created when missing (after migrate, and after a flush);
    existing ones, changed or not, are left as they are."""
    if SlaPolicy.objects.exists():
        return
    SlaPolicy.objects.bulk_create(
        [
            SlaPolicy(
                name=name,
                priority=priority,
                is_default=is_default,
                first_response_minutes=first,
                next_response_minutes=nxt,
                resolution_minutes=resolution,
            )
            for name, priority, is_default, first, nxt, resolution in DEFAULT_POLICIES
        ]
    )
    # bulk_create sends no post_save (journeys.caches).
    routing_config_invalidate()


class SlaState(StrEnum):
    OK = "ok"
    SOON = "soon"
    BREACHED = "breached"


@dataclass(frozen=True)
class DueTimes:
    first_response: dt.datetime
    resolution: dt.datetime


def sla_policy_for(*, priority: str) -> SlaPolicy:
    """The default policy of ``priority`` (migration 0002 creates one per priority)."""
    return routing_config_get(f"sla-policy:{priority}", lambda: _policy_for(priority=priority))


def _policy_for(*, priority: str) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(priority=priority, is_default=True).first()
    if policy is None:
        policy = SlaPolicy.objects.filter(priority=Priority.NORMAL, is_default=True).first()
    if policy is None:
        policy, _ = SlaPolicy.objects.get_or_create(
            name="Normal",
            defaults={
                "priority": Priority.NORMAL,
                "is_default": True,
                "first_response_minutes": 8 * 60,
                "next_response_minutes": 8 * 60,
                "resolution_minutes": 48 * 60,
            },
        )
    return policy


def sla_exception_policy() -> SlaPolicy:
    """The short policy of the exception queue."""
    return routing_config_get("sla-policy:exception", _exception_policy)


def _exception_policy() -> SlaPolicy:
    policy = SlaPolicy.objects.filter(name=EXCEPTION_POLICY).first()
    if policy is None:
        policy, _ = SlaPolicy.objects.get_or_create(
            name=EXCEPTION_POLICY,
            defaults={
                "first_response_minutes": 2 * 60,
                "next_response_minutes": 2 * 60,
                "resolution_minutes": 8 * 60,
            },
        )
    return policy


def sla_calendar(*, department: Department) -> BusinessCalendar:
    """``department``'s business calendar, read once until its hours or holidays change."""
    return routing_config_get(
        f"calendar:{department.pk}", lambda: business_calendar(department=department)
    )


_DueKey = tuple[int, int, int, int, dt.datetime]
_due_memo: ContextVar[dict[_DueKey, DueTimes] | None] = ContextVar("sla_due_memo", default=None)


@contextmanager
def sla_due_times_memo() -> Iterator[None]:
    """Within this block ``sla_due_times`` works out each (policy, department, start) once:
    the cases of one batch open at the same moment, so a thousand of them share a handful
    of due times. For blocks that do not change policies or calendars."""
    if _due_memo.get() is not None:
        yield
        return
    token = _due_memo.set({})
    try:
        yield
    finally:
        _due_memo.reset(token)


def sla_due_times(
    *,
    policy: SlaPolicy,
    department: Department,
    start: dt.datetime,
    calendar: BusinessCalendar | None = None,
) -> DueTimes:
    memo = _due_memo.get()
    key: _DueKey | None = None
    if memo is not None and calendar is None and policy.pk is not None and department.pk:
        key = (
            policy.pk,
            policy.first_response_minutes,
            policy.resolution_minutes,
            department.pk,
            start,
        )
        found = memo.get(key)
        if found is not None:
            return found
    cal = calendar or sla_calendar(department=department)
    due = DueTimes(
        first_response=cal.add(start, dt.timedelta(minutes=policy.first_response_minutes)),
        resolution=cal.add(start, dt.timedelta(minutes=policy.resolution_minutes)),
    )
    if key is not None and memo is not None:
        memo[key] = due
    return due


def sla_next_response_due(*, case: Case, start: dt.datetime) -> dt.datetime:
    cal = sla_calendar(department=case.department)
    return cal.add(start, dt.timedelta(minutes=case.sla_policy.next_response_minutes))


def sla_business_add(*, department: Department, start: dt.datetime, hours: float) -> dt.datetime:
    """``hours`` of ``department``'s business time after ``start`` (sub-task due times)."""
    return sla_calendar(department=department).add(start, dt.timedelta(hours=hours))


def sla_resume(*, case: Case, now: dt.datetime) -> list[str]:
    """Move the running due times of a paused case forward by the business time it waited.

    Changes ``case`` in memory and returns the names of the changed fields (for save()).
    """
    if case.sla_paused_at is None:
        return []
    cal = sla_calendar(department=case.department)
    waited = cal.between(case.sla_paused_at, now)
    changed = ["sla_paused_at"]
    case.sla_paused_at = None
    if waited:
        names = ["resolution_due", "next_response_due"]
        if case.first_responded_at is None:
            names.append("first_response_due")
        for name in names:
            due = getattr(case, name)
            if due is not None:
                setattr(case, name, cal.add(due, waited))
                changed.append(name)
    return changed


def sla_state(*, due: dt.datetime | None, now: dt.datetime) -> SlaState | None:
    if due is None:
        return None
    if due <= now:
        return SlaState.BREACHED
    if due - now <= SOON:
        return SlaState.SOON
    return SlaState.OK


def case_next_due(*, case: Case) -> dt.datetime | None:
    """The earliest deadline that is running now: first or next response, or resolution."""
    if not case.is_open or case.sla_paused_at is not None:
        return None
    candidates = [case.resolution_due, case.next_response_due]
    if case.first_responded_at is None:
        candidates.append(case.first_response_due)
    present = [d for d in candidates if d is not None]
    return min(present) if present else None
