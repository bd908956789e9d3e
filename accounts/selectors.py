"""Reads in accounts, always through the asking user's permissions."""

from django.db.models import QuerySet
from django.http import Http404

from .access import user_groups
from .models import Department, Notification, StaffingSlot, User
from .roles import Role


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
    user._cx_roles = roles
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


def capacity_by_hour(*, department: Department) -> dict[tuple[int, int], int]:
    """Contacts ``department`` can handle per (weekday, hour): agents × contacts per agent-hour."""
    per_agent = department.contacts_per_agent_hour
    return {
        slot: agents * per_agent for slot, agents in staffing_grid(department=department).items()
    }
