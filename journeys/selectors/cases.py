"""Reads of cases, always through the asking user's permissions.

Visibility: a user sees cases owned by their department, cases they own, and cases on which
their department has a sub-task; managers of the contact center also see the exception
queue; admins see everything. Anything else is a 404, never a 403 that confirms it exists.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Department, User
from journeys.models import Case


@dataclass(frozen=True)
class CaseCursor:
    """Keyset position in a list ordered by (resolution_due, id)."""

    due: dt.datetime | None
    id: int


def case_visible_queryset(*, user: User) -> QuerySet[Case]:
    raise NotImplementedError


def case_get_for_user(*, user: User, case_id: int, for_update: bool = False) -> Case:
    """The case, or Http404 when it does not exist or ``user`` may not see it."""
    raise NotImplementedError


def case_list_mine(*, user: User, after: CaseCursor | None = None, limit: int = 50) -> list[Case]:
    raise NotImplementedError


def case_list_queue(
    *, user: User, department: Department, after: CaseCursor | None = None, limit: int = 50
) -> list[Case]:
    """Open unowned cases of ``department`` (must be the user's own unless a role allows)."""
    raise NotImplementedError


def case_list_exceptions(
    *, user: User, after: CaseCursor | None = None, limit: int = 50
) -> list[Case]:
    """The exception queue (leads only: manager role or admin)."""
    raise NotImplementedError


def case_list_for_customer(*, user: User, customer_id: int, limit: int = 10) -> list[Case]:
    raise NotImplementedError
