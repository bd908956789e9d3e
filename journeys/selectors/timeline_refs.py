"""The case a contact moment belongs to, for the customer's timeline (registered with
contacts' timeline reference registry in JourneysConfig.ready())."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from contacts.panels import TimelineRef
from journeys.models import CaseMessage
from journeys.selectors.cases import case_visible_queryset


def case_refs_for_timeline(*, user: User, interaction_ids: list[int]) -> dict[int, TimelineRef]:
    """The case of each of these contact moments: a link to the case page where ``user``
    may see the case, the number alone otherwise. One query for the whole page."""
    if not interaction_ids:
        return {}
    visible = case_visible_queryset(user=user)
    rows = CaseMessage.objects.filter(interaction_id__in=interaction_ids)
    found: list[tuple[int, int, bool]]
    if visible.query.is_empty():
        found = [(i, c, False) for i, c in rows.values_list("interaction_id", "case_id")]
    else:
        found = list(
            rows.annotate(visible=Exists(visible.filter(pk=OuterRef("case_id")))).values_list(
                "interaction_id", "case_id", "visible"
            )
        )
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
