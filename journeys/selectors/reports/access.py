"""Which departments a manager may report on, and the managers' lists of routing rules
and canned replies."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import department_list_manageable, user_roles
from journeys.models import CannedReply, RoutingRule

# Bounds that keep one request cheap whatever the size of the tables.
CANNED_LIST_LIMIT = 500


def routing_rule_list(*, user: User) -> list[RoutingRule]:
    """All rules in the order they are tried (a short list: tens, not thousands)."""
    if not user.has_perm("journeys.view_routingrule"):
        return []
    return list(
        RoutingRule.objects.select_related("department", "sla_policy").order_by("order", "id")
    )


def routing_rule_get(*, user: User, rule_id: int) -> RoutingRule:
    if not user.has_perm("journeys.view_routingrule"):
        raise Http404
    try:
        return RoutingRule.objects.select_related("department", "sla_policy").get(pk=rule_id)
    except RoutingRule.DoesNotExist:
        raise Http404 from None


def canned_reply_departments(*, user: User) -> QuerySet[Department]:
    """Departments whose canned replies ``user`` manages: a manager their own, an admin all."""
    roles = user_roles(user=user)
    if Role.ADMIN in roles or user.has_perm("journeys.change_cannedreply"):
        return department_list_manageable(user=user)
    return Department.objects.none()


def canned_reply_list(*, user: User) -> list[CannedReply]:
    return list(
        CannedReply.objects.filter(department__in=canned_reply_departments(user=user))
        .select_related("department")
        .order_by("department__name", "language", "title", "id")[:CANNED_LIST_LIMIT]
    )


def canned_reply_get(*, user: User, reply_id: int) -> CannedReply:
    """The reply, or Http404 when it does not exist or belongs to a department ``user``
    does not manage."""
    try:
        return CannedReply.objects.select_related("department").get(
            pk=reply_id, department__in=canned_reply_departments(user=user)
        )
    except CannedReply.DoesNotExist:
        raise Http404 from None


def report_may_view(*, user: User) -> bool:
    return bool(user_roles(user=user) & {Role.MANAGER, Role.ADMIN})


def report_departments(*, user: User) -> list[Department]:
    """Admins and the managers of the management department see every department; another
    manager sees their own."""
    roles = user_roles(user=user)
    if not roles & {Role.ADMIN, Role.MANAGER}:
        return []
    # Departments are few; one query answers both cases.
    active = list(Department.objects.filter(is_active=True).order_by("name"))
    if Role.ADMIN in roles:
        return active
    own = [d for d in active if d.pk == user.department_id]
    if own and own[0].code == Department.MANAGEMENT:
        return active
    return own


def report_department_pick(
    *, departments: list[Department], code: str | None, default: str | None = None
) -> list[Department]:
    """The departments a report covers: the one named by ``code`` (404 when it is not
    among ``departments``), else ``default`` when available, else all of them."""
    if code:
        for department in departments:
            if department.code == code:
                return [department]
        raise Http404
    if default:
        for department in departments:
            if department.code == default:
                return [department]
    return departments
