"""Reads in accounts, always through the asking user's permissions."""

import datetime as dt
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .access import user_groups
from .models import ApiToken, Department, Notification, StaffingSlot, User
from .roles import Role
from .tokens import token_digest


def user_roles(*, user: User) -> frozenset[Role]:
    """The roles of ``user``, read once per request and cached on the user object."""
    cached = getattr(user, "_cx_roles", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        roles: frozenset[Role] = frozenset()
    else:
        names = user_groups(user=user)
        roles = frozenset(r for r in Role if r.value in names)
        if user.is_superuser:
            roles |= {Role.ADMIN, Role.MANAGER}
    setattr(user, "_cx_roles", roles)  # noqa: B010 - a per-request cache User does not declare
    return roles


def user_has_role(*, user: User, role: Role) -> bool:
    return role in user_roles(user=user)


def department_list_manageable(*, user: User) -> QuerySet[Department]:
    """Departments whose opening hours and capacity ``user`` may change."""
    roles = user_roles(user=user)
    if Role.ADMIN in roles:
        return Department.objects.filter(is_active=True)
    if Role.MANAGER in roles and user.department_id:
        return Department.objects.filter(pk=user.department_id, is_active=True)
    return Department.objects.none()


def department_get_manageable(*, user: User, code: str) -> Department:
    try:
        return department_list_manageable(user=user).get(code=code)
    except Department.DoesNotExist:
        raise Http404 from None


def department_by_code(*, code: str) -> Department | None:
    return Department.objects.filter(code=code, is_active=True).first()


def notification_list(
    *, user: User, before_id: int | None = None, limit: int = 20
) -> list[Notification]:
    """Newest first, keyset-paginated on id (ids grow with time)."""
    qs = Notification.objects.filter(recipient=user).order_by("-id")
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    return list(qs[:limit])


def notification_bell(*, user: User, cap: int = 99) -> tuple[int, Notification | None]:
    """The unread count (up to ``cap`` + 1) and the newest unread notification, in one query."""
    unread = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .order_by("-id")
        .only("id", "title", "title_params")[: cap + 1]
    )
    return len(unread), (unread[0] if unread else None)


def notification_unread_count(*, user: User, cap: int = 99) -> int:
    """Unread notifications, counted up to ``cap`` so a flooded inbox stays cheap."""
    return len(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values_list(
            "id", flat=True
        )[: cap + 1]
    )


def staffing_grid(*, department: Department) -> dict[tuple[int, int], int]:
    """Agents on duty per (weekday, hour) of ``department``; absent slots are zero."""
    return {
        (day, hour): agents
        for day, hour, agents in StaffingSlot.objects.filter(department=department).values_list(
            "weekday", "hour", "agents"
        )
    }


def staffing_on_duty(*, departments: list[Department], at: dt.datetime) -> dict[int, int]:
    """Agents scheduled per department for the hour ``at`` falls in, in each department's
    own time zone; one query for any number of departments."""
    if not departments:
        return {}
    slots = []
    for department in departments:
        local = at.astimezone(department.tz)
        slots.append(Q(department=department, weekday=local.weekday(), hour=local.hour))
    rows = StaffingSlot.objects.filter(reduce(or_, slots)).values_list("department_id", "agents")
    return dict(rows)


def capacity_by_hour(*, department: Department) -> dict[tuple[int, int], int]:
    """Contacts ``department`` can handle per (weekday, hour): agents × contacts per agent-hour."""
    per_agent = department.contacts_per_agent_hour
    return {
        slot: agents * per_agent for slot, agents in staffing_grid(department=department).items()
    }


def _token_query() -> tuple[str, list[str], list[str]]:
    """The token check as one statement, built once per process from the models' columns."""
    global _TOKEN_QUERY
    if _TOKEN_QUERY is None:
        qn = connection.ops.quote_name
        # Concrete fields always have a column; the stubs allow None for the others.
        token_columns = [(f.attname, str(f.column)) for f in ApiToken._meta.concrete_fields]
        user_columns = [(f.attname, str(f.column)) for f in User._meta.concrete_fields]
        token_fields = [attname for attname, _column in token_columns]
        user_fields = [attname for attname, _column in user_columns]
        columns = [f"t.{qn(column)}" for _attname, column in token_columns]
        columns += [f"u.{qn(column)}" for _attname, column in user_columns]
        _TOKEN_QUERY = (
            f"SELECT {', '.join(columns)} FROM {qn(ApiToken._meta.db_table)} t "
            f"JOIN {qn(User._meta.db_table)} u ON u.id = t.user_id "
            "WHERE t.digest = %s AND t.revoked_at IS NULL AND u.is_active "
            "AND (t.expires_at IS NULL OR t.expires_at > %s)",
            token_fields,
            user_fields,
        )
    return _TOKEN_QUERY


_TOKEN_QUERY: tuple[str, list[str], list[str]] | None = None


def api_token_for_key(*, key: str) -> ApiToken | None:
    """The live token whose key is ``key`` (not revoked, not expired, its user active), with
    its user.

    Every API request asks this, so it is one plain statement on the unique digest: building
    the equivalent queryset each time (join, Q, default ordering) cost ten times the query.
    """
    if not key or len(key) > 200:
        return None
    sql, token_fields, user_fields = _token_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [token_digest(key), timezone.now()])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(token_fields)
    # The statement matched the digest of the whole key: the row is the key's.
    token = ApiToken.from_db(connection.alias, token_fields, row[:split])
    token.user = User.from_db(connection.alias, user_fields, row[split:])
    return token
