"""The case a contact moment belongs to, for the customer's timeline (registered with
contacts' timeline reference registry in JourneysConfig.ready())."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.panels import TimelineRef
from journeys.models import CaseMessage
from journeys.selectors.cases import case_visible_queryset


def case_refs_for_timeline(*, user: User, interaction_ids: list[int]) -> dict[int, TimelineRef]:
    """The case of each of these contact moments: a link to the case page where ``user``
    may see the case, the number alone otherwise. One plain query for the whole page, and
    one more for which of the cases found ``user`` may open only when some were found
    (building the visibility query costs more than running both, and most pages name none)."""
    if not interaction_ids:
        return {}
    rows = list(
        CaseMessage.objects.filter(interaction_id__in=interaction_ids)
        .order_by()
        .values_list("interaction_id", "case_id")
    )
    if not rows:
        return {}
    visible = case_visible_queryset(user=user)
    openable: set[int] = set()
    if not visible.query.is_empty():
        case_ids = {case_id for _, case_id in rows}
        openable = set(visible.filter(pk__in=case_ids).order_by().values_list("pk", flat=True))
    found = [(i, c, c in openable) for i, c in rows]
    return {
        interaction_id: TimelineRef(
            label=_("Case #%(number)s") % {"number": case_id},
            url=reverse("journeys:case", kwargs={"case_id": case_id}) if may_open else None,
        )
        for interaction_id, case_id, may_open in found
    }


def timeline_case_refs(user: User, interaction_ids: list[int]) -> dict[int, TimelineRef]:
    """The registry's calling convention (positional) for ``case_refs_for_timeline``."""
    return case_refs_for_timeline(user=user, interaction_ids=interaction_ids)
