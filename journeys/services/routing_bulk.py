"""Routing for a batch of contact moments (the batch intake): the same decisions as
``routing.interaction_route_recorded`` per moment, with the reads and writes done once for
the batch — open cases and facts of all its customers in one query each, new cases and
their messages in one insert each, replies on open cases under one lock.

Notifications to case owners go out after commit, one per reply.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import notification_send
from contacts.models import Interaction, ProfileFact
from contacts.services.bulk import model_new, models_insert
from journeys.caches import routing_config_pinned
from journeys.live import cases_changed
from journeys.models import OPEN_Q, Case, CaseMessage, CaseStatus, SubTask, SubTaskStatus
from journeys.services.cases import _move_status, case_assign_round_robin
from journeys.services.routing import (
    case_auto_assign_wanted,
    case_build,
    interaction_needs_routing,
    routing_rules_active,
)
from journeys.services.sla import sla_due_times_memo, sla_next_response_due


def _preferred(cases: list[Case], interaction: Interaction) -> Case | None:
    """As ``routing._open_case_for``: same campaign, else same topic, else the newest (the
    list is newest first)."""
    if interaction.campaign_code:
        for case in cases:
            if case.campaign_code == interaction.campaign_code:
                return case
    if interaction.topic:
        for case in cases:
            if case.topic == interaction.topic:
                return case
    return cases[0] if cases else None


def _facts(customer_ids: set[int], keys: set[str]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = defaultdict(dict)
    if not keys or not customer_ids:
        return found
    rows = ProfileFact.objects.filter(
        customer_id__in=customer_ids, is_current=True, question__key__in=keys
    ).values_list("customer_id", "question__key", "value")
    for customer_id, key, value in rows:
        found[customer_id][key] = value
    return found


@transaction.atomic(savepoint=False)
def interactions_route_bulk(
    *, interactions: Sequence[Interaction], new_customer_ids: Collection[int] = ()
) -> list[Case | None]:
    """The case each moment went to (None when it needs no follow-up), in input order.
    ``new_customer_ids``: customers created with these moments, who have no cases or facts
    yet (not looked up)."""
    # Every case of the batch opens at the same moment: due times once per policy and
    # department.
    with routing_config_pinned(), sla_due_times_memo():
        return _route_bulk(interactions, set(new_customer_ids))


def _route_bulk(interactions: Sequence[Interaction], new: set[int]) -> list[Case | None]:
    todo = [i for i in interactions if interaction_needs_routing(interaction=i)]
    routed: dict[int, Case] = {}
    if not todo:
        return [None] * len(interactions)
    customer_ids = {i.customer_id for i in todo} - new
    open_cases: dict[int, list[Case]] = defaultdict(list)
    case: Case | None
    if customer_ids:
        for case in Case.objects.filter(OPEN_Q, customer_id__in=customer_ids).order_by(
            "-created_at", "-id"
        ):
            open_cases[case.customer_id].append(case)
    rules = routing_rules_active()
    facts = _facts(customer_ids, {r.match_fact_key for r in rules if r.match_fact_key})
    start = timezone.now()
    new_cases: list[Case] = []
    replies: dict[int, Interaction] = {}
    for interaction in todo:
        case = _preferred(open_cases[interaction.customer_id], interaction)
        if case is None:
            case = case_build(
                customer=interaction.customer,
                subject=interaction.subject,
                body=interaction.body,
                channel=interaction.channel,
                topic=interaction.topic,
                campaign_code=interaction.campaign_code,
                origin=interaction,
                rules=rules,
                facts=facts.get(interaction.customer_id, {}),
                start=start,
            )
            new_cases.append(case)
            # Later moments of this customer in the batch continue the case just opened.
            open_cases[interaction.customer_id].insert(0, case)
        elif case.pk is not None:
            replies[case.pk] = interaction
        routed[interaction.pk] = case
    # The moments are new in this transaction, so none has a message yet.
    messages = [model_new(CaseMessage, interaction_id=pk, case=case) for pk, case in routed.items()]
    models_insert(groups=[(Case, new_cases), (CaseMessage, messages)], now=start)
    if new_cases:
        # COPY passes by the connection's watched statements: open inboxes are told here.
        cases_changed()
    if replies:
        _replied(replies, now=start)
    for case in new_cases:
        if case_auto_assign_wanted(case=case):
            case_assign_round_robin(case=case)
    return [routed.get(i.pk) for i in interactions]


def _replied(replies: dict[int, Interaction], *, now: dt.datetime) -> None:
    """``cases.case_customer_replied`` for many cases: locked in id order (one statement),
    status and next response due as there, saved in one UPDATE."""
    locked = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("department", "sla_policy", "owner")
        .filter(pk__in=replies)
        .order_by("pk")
    )
    waiting = set(
        SubTask.objects.filter(case_id__in=replies, status=SubTaskStatus.OPEN).values_list(
            "case_id", flat=True
        )
    )
    fields: set[str] = {"updated_at"}
    notify: list[Case] = []
    for case in locked:
        interaction = replies[case.pk]
        status = CaseStatus.WAITING_DEPARTMENT if case.pk in waiting else CaseStatus.OPEN
        if case.status == CaseStatus.NEW:
            status = CaseStatus.NEW
        fields.update(_move_status(case, status, now))
        if case.first_responded_at is not None:
            case.next_response_due = sla_next_response_due(
                case=case, start=max(interaction.occurred_at, now)
            )
            fields.add("next_response_due")
        case.updated_at = now
        if case.owner_id:
            notify.append(case)
    Case.objects.bulk_update(locked, sorted(fields))
    if notify:
        transaction.on_commit(lambda: _notify(notify))


def _notify(cases: list[Case]) -> None:
    for case in cases:
        if case.owner is None:
            continue
        notification_send(
            recipients=[case.owner],
            title=_("The customer replied on case %(number)s") % {"number": case.pk},
            body=case.subject,
            url=reverse("journeys:case", kwargs={"case_id": case.pk}),
            kind="case-reply",
            email=False,
        )
