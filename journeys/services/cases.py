"""Case work: take, assign, transfer, status, responses, notes and sub-tasks.

Every function checks its business rules and raises django.core.exceptions.ValidationError
(with a message per field where there is a field) and changes nothing when they fail.
Permission checks happen before: callers fetch the case through
journeys.selectors.cases.case_get_for_user.
"""

import datetime as dt

from accounts.models import Department, User
from contacts.models import Interaction
from journeys.models import Case, CaseComment, SubTask, Transfer


def case_take_next(*, user: User, department: Department) -> Case | None:
    """Hand the most urgent unowned open case of ``department``'s queue to ``user``.

    Exactly one agent gets each case even when many click at once:
    ``select_for_update(skip_locked=True)`` on the queue (partial index case_queue_idx).
    Returns None when the queue is empty. Status NEW becomes OPEN.
    """
    raise NotImplementedError


def case_assign(*, case: Case, user: User, by: User) -> Case:
    """Make ``user`` (a member of the owning department) the customer-facing owner."""
    raise NotImplementedError


def case_transfer(*, case: Case, to_department: Department, reason: str, by: User) -> Transfer:
    """Move a case to another department with a reason; recorded and counted.

    Same department or an empty reason → ValidationError. The owner is cleared (the new
    department's queue picks it up), transfer_count += 1 with F(); more than two transfers
    escalate to the department's manager (EscalationKind.TRANSFERS, once).
    """
    raise NotImplementedError


def case_set_status(*, case: Case, status: str, by: User) -> Case:
    """Change status; WAITING_CUSTOMER pauses the SLA clock, leaving it resumes it (due
    times move forward by the business time spent waiting)."""
    raise NotImplementedError


def case_resolve(*, case: Case, by: User, note: str) -> Case:
    """Resolve with a note of what was done (required)."""
    raise NotImplementedError


def case_close(*, case: Case, by: User) -> Case:
    raise NotImplementedError


def case_reopen(*, case: Case, by: User) -> Case:
    raise NotImplementedError


def case_comment_add(*, case: Case, author: User, body: str) -> CaseComment:
    raise NotImplementedError


def case_record_response(*, case: Case, interaction: Interaction) -> Case:
    """An outbound answer to the customer: links the interaction to the case, sets
    first_responded_at once, clears next_response_due, status → WAITING_CUSTOMER."""
    raise NotImplementedError


def case_customer_replied(*, case: Case, interaction: Interaction) -> Case:
    """A new inbound message on an open case: links it, resumes the SLA, sets
    next_response_due from the policy, status → OPEN."""
    raise NotImplementedError


def subtask_request(
    *, case: Case, department: Department, description: str, due_at: dt.datetime, by: User
) -> SubTask:
    """Ask another department for internal work; the case keeps its owner. The case goes to
    WAITING_DEPARTMENT; the other department's members are notified."""
    raise NotImplementedError


def subtask_complete(*, subtask: SubTask, by: User, result: str) -> SubTask:
    """Mark done (by a member of the sub-task's department); when no open sub-task is left
    the case goes back to OPEN and its owner is notified."""
    raise NotImplementedError
