"""Routing: every piece of inbound work becomes a case with one owning department.

The contract other apps rely on (feedback's closed loop calls ``case_route``):
rules are tried in order, the first match wins; when none matches, the case goes to the
contact center's exception queue with its own short SLA. Nothing is ever dropped.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import ForeignKey, Model
from django.utils import timezone

from accounts.models import Department
from contacts.models import Customer, Direction, Interaction, ProfileFact
from contacts.services.bulk import model_new
from journeys.caches import routing_config_get
from journeys.models import (
    OPEN_STATUSES,
    Case,
    CaseMessage,
    CaseStatus,
    Priority,
    RoutingRule,
)
from journeys.services.cases import (
    CASE_LOCKED_RELATED,
    case_assign_round_robin,
    case_customer_replied,
    case_last_message_fields,
)
from journeys.services.rules import rule_words_normalise
from journeys.services.sla import sla_due_times, sla_exception_policy, sla_policy_for

# Survey answers are followed up by the feedback app itself.
NOT_ROUTED_SOURCES = frozenset({"survey"})


@dataclass(frozen=True)
class Inbound:
    """What a rule looks at."""

    channel: str
    topic: str
    subject: str
    body: str
    campaign_code: str
    facts: dict[str, str]


def _customer_facts(*, customer: Customer, keys: set[str]) -> dict[str, str]:
    if not keys:
        return {}
    return dict(
        ProfileFact.objects.filter(
            customer=customer, is_current=True, question__key__in=keys
        ).values_list("question__key", "value")
    )


def rule_matches(*, rule: RoutingRule, inbound: Inbound) -> bool:
    """Every condition the rule sets must hold (an empty condition always holds)."""
    if rule.match_channel and rule.match_channel != inbound.channel:
        return False
    if rule.match_topic and rule.match_topic.casefold() != inbound.topic.casefold():
        return False
    if rule.match_campaign and not inbound.campaign_code:
        return False
    if rule.match_campaign_code and (
        rule.match_campaign_code.casefold() != inbound.campaign_code.casefold()
    ):
        return False
    if rule.match_words:
        text = f"{inbound.subject}\n{inbound.body}".casefold()
        if not any(word.casefold() in text for word in rule_words_normalise(rule.match_words)):
            return False
    if rule.match_fact_key:
        value = inbound.facts.get(rule.match_fact_key)
        if value is None:
            return False
        if rule.match_fact_value and value.casefold() != rule.match_fact_value.casefold():
            return False
    return True


def rule_first_match(*, rules: Iterable[RoutingRule], inbound: Inbound) -> RoutingRule | None:
    for rule in rules:
        if rule_matches(rule=rule, inbound=inbound):
            return rule
    return None


def _contact_center() -> Department:
    department, _ = Department.objects.get_or_create(
        code=Department.CONTACT_CENTER, defaults={"name": "Contact center"}
    )
    return department


def contact_center() -> Department:
    """The department of the exception queue; created if an installation lacks it, so that
    unmatched work always has somewhere to go."""
    return routing_config_get("department:contact-center", _contact_center)


def _active_rules() -> list[RoutingRule]:
    return list(
        RoutingRule.objects.filter(is_active=True, department__is_active=True)
        .select_related("department", "sla_policy")
        .order_by("order", "id")
    )


def routing_rules_active() -> list[RoutingRule]:
    """The active rules of active departments in the order they are tried (cached; see
    journeys.caches)."""
    return routing_config_get("routing-rules", _active_rules)


def case_build(
    *,
    customer: Customer,
    subject: str,
    body: str = "",
    channel: str = "",
    topic: str = "",
    campaign_code: str = "",
    origin: Interaction | None = None,
    priority: str | None = None,
    resolution_due: dt.datetime | None = None,
    department: Department | None = None,
    rules: list[RoutingRule] | None = None,
    facts: dict[str, str] | None = None,
    start: dt.datetime | None = None,
    follows: Case | None = None,
) -> Case:
    """The case ``case_route`` opens, not saved yet (the batch intake saves many at once).

    ``rules`` and ``facts`` (the customer's current facts for the rules' fact keys) are read
    here when not given.
    """
    if priority is not None and priority not in Priority.values:
        raise ValueError(f"unknown priority {priority!r}")
    rule = None
    is_exception = False
    if department is None:
        rules = routing_rules_active() if rules is None else rules
        if facts is None:
            facts = _customer_facts(
                customer=customer, keys={r.match_fact_key for r in rules if r.match_fact_key}
            )
        inbound = Inbound(
            channel=channel,
            topic=topic,
            subject=subject,
            body=body,
            campaign_code=campaign_code,
            facts=facts,
        )
        rule = rule_first_match(rules=rules, inbound=inbound)
        if rule is None:
            is_exception = True
            department = contact_center()
        else:
            department = rule.department
    chosen_priority = priority or (rule.priority if rule else Priority.NORMAL)
    if is_exception:
        policy = sla_exception_policy()
    elif rule is not None and rule.sla_policy is not None:
        policy = rule.sla_policy
    else:
        policy = sla_policy_for(priority=chosen_priority)
    due = sla_due_times(
        policy=policy,
        department=department,
        start=start or timezone.now(),
    )
    first_response_due, resolution = due.first_response, due.resolution
    if resolution_due is not None:
        # A promise on the clock (an unhappy customer's 48 hours), not in business hours.
        resolution = resolution_due
        if first_response_due is not None:
            first_response_due = min(first_response_due, resolution_due)
    # model_new: the batch intake builds up to 1,000 of these at once.
    return model_new(
        Case,
        customer=customer,
        origin=origin,
        subject=(subject or body or "—")[:300],
        topic=topic[:100],
        campaign_code=campaign_code[:50],
        priority=chosen_priority,
        status=CaseStatus.NEW,
        department=department,
        is_exception=is_exception,
        routing_rule=rule,
        sla_policy=policy,
        first_response_due=first_response_due,
        resolution_due=resolution,
        follows=follows,
    )


def case_auto_assign_wanted(*, case: Case) -> bool:
    return bool(getattr(settings, "CXCENTER_CASE_AUTO_ASSIGN", False)) and not case.is_exception


# No savepoint of its own: nothing here catches a database error to carry on.
@transaction.atomic(savepoint=False)
def case_route(
    *,
    customer: Customer,
    subject: str,
    body: str = "",
    channel: str = "",
    topic: str = "",
    campaign_code: str = "",
    origin: Interaction | None = None,
    priority: str | None = None,
    resolution_due: dt.datetime | None = None,
    department: Department | None = None,
    follows: Case | None = None,
) -> Case:
    """Open a case for ``customer`` through the routing rules.

    ``priority`` overrides the matched rule's priority; ``resolution_due`` overrides the
    resolution deadline with a time on the clock (and brings the first response forward to
    it), e.g. feedback follow-up 48 hours after the answer; ``department`` skips the rules and routes there directly. The case's
    SLA due times are set from the policy in the owning department's business hours.
    ``follows``: the earlier (resolved) case this one continues.
    """
    case = case_build(
        customer=customer,
        subject=subject,
        body=body,
        channel=channel,
        topic=topic,
        campaign_code=campaign_code,
        origin=origin,
        priority=priority,
        resolution_due=resolution_due,
        department=department,
        follows=follows,
    )
    if origin is not None:
        case_last_message_fields(case=case, interaction=origin)
    case.save(force_insert=True)
    if origin is not None:
        # The unique constraint on interaction keeps a message on one case: no look-up first,
        # and no savepoint (a conflict inserts nothing instead of raising).
        CaseMessage.objects.bulk_create(
            [CaseMessage(interaction=origin, case=case)], ignore_conflicts=True
        )
    if case_auto_assign_wanted(case=case):
        case_assign_round_robin(case=case)
    return case


def interaction_needs_routing(*, interaction: Interaction) -> bool:
    """Inbound, not logged by an agent, and not a survey answer."""
    return (
        interaction.direction == Direction.INBOUND
        and interaction.agent_id is None
        and interaction.source not in NOT_ROUTED_SOURCES
    )


def _open_case_query() -> tuple[str, str, list[type[Model]], list[list[str]]]:
    """The open-case look-up as plain SQL, built once per process from the models' columns:
    the select with the joins of ``cases_locked``, the where clause, and the field names of
    the case and of each related row in column order. Building the equivalent locked
    queryset (three joins, a ranked ordering) cost more than running it."""
    global _OPEN_CASE_QUERY
    if _OPEN_CASE_QUERY is None:
        qn = connection.ops.quote_name
        models: list[type[Model]] = [Case]
        joins = []
        for n, name in enumerate(CASE_LOCKED_RELATED, start=1):
            fk = Case._meta.get_field(name)
            assert isinstance(fk, ForeignKey)
            models.append(fk.related_model)
            table = qn(fk.related_model._meta.db_table)
            joins.append(f" JOIN {table} t{n} ON t{n}.id = t0.{qn(fk.column)}")
        columns: list[str] = []
        fields: list[list[str]] = []
        for n, model in enumerate(models):
            # Concrete fields always have a column; the stubs allow None for the others.
            columns += [f"t{n}.{qn(str(f.column))}" for f in model._meta.concrete_fields]
            fields.append([f.attname for f in model._meta.concrete_fields])
        statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
        _OPEN_CASE_QUERY = (
            f"SELECT {', '.join(columns)} FROM {qn(Case._meta.db_table)} t0{''.join(joins)}",
            f" WHERE t0.customer_id = %s AND t0.status IN ({statuses})",
            models[1:],
            fields,
        )
    return _OPEN_CASE_QUERY


_OPEN_CASE_QUERY: tuple[str, str, list[type[Model]], list[list[str]]] | None = None


def case_open_for(*, interaction: Interaction, lock: bool = False) -> Case | None:
    """The open case this message continues: same campaign, same topic, else the latest;
    read with its department, SLA policy and customer, as ``cases_locked`` reads it.
    ``lock``: read it under its row lock (of the case only), as ``case_customer_replied``
    needs it."""
    select, where, related, fields = _open_case_query()
    params: list[int | str] = [interaction.customer_id, *OPEN_STATUSES]
    # One query: the preference becomes the first sort key.
    order = " ORDER BY "
    preferred = [
        (column, value)
        for column, value in (
            ("campaign_code", interaction.campaign_code),
            ("topic", interaction.topic),
        )
        if value
    ]
    if preferred:
        whens = [
            f"WHEN t0.{column} = %s THEN {rank}" for rank, (column, _v) in enumerate(preferred)
        ]
        order += f"CASE {' '.join(whens)} ELSE {len(preferred)} END, "
        params += [value for _column, value in preferred]
    order += "t0.created_at DESC, t0.id DESC LIMIT 1"
    if lock:
        order += " FOR UPDATE OF t0"
    with connection.cursor() as cursor:
        cursor.execute(select + where + order, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    case_fields, *related_fields = fields
    case = Case.from_db(connection.alias, case_fields, [next(values) for _f in case_fields])
    for name, model, names in zip(CASE_LOCKED_RELATED, related, related_fields, strict=True):
        setattr(case, name, model.from_db(connection.alias, names, [next(values) for _f in names]))
    return case


@transaction.atomic(savepoint=False)
def interaction_route(*, interaction_id: int) -> Case | None:
    """Turn an inbound contact moment into work: a reply on the customer's open case, or a
    new case through the rules. Returns None when the moment needs no follow-up (outbound,
    logged by an agent, a survey answer) or is already part of a case."""
    interaction = Interaction.objects.select_related("customer").get(pk=interaction_id)
    if not interaction_needs_routing(interaction=interaction):
        return None
    if CaseMessage.objects.filter(interaction=interaction).exists():
        return None
    return _route(interaction=interaction)


@transaction.atomic(savepoint=False)
def interaction_route_recorded(*, interaction: Interaction) -> Case | None:
    """``interaction_route`` for a contact moment just stored by ``interaction_record`` (the
    object as it was saved, in the same transaction): nothing to read again, and no case can
    hold it yet."""
    if not interaction_needs_routing(interaction=interaction):
        return None
    return _route(interaction=interaction)


def case_route_interaction(*, interaction: Interaction, follows: Case | None = None) -> Case:
    """A new case for an inbound contact moment; one addressed to a department (through a
    mailbox of it) goes there, anything else through the rules."""
    return case_route(
        customer=interaction.customer,
        subject=interaction.subject,
        body=interaction.body,
        channel=interaction.channel,
        topic=interaction.topic,
        campaign_code=interaction.campaign_code,
        origin=interaction,
        department=interaction.department,
        follows=follows,
    )


def _route(*, interaction: Interaction) -> Case | None:
    # The case is locked as it is found: one query instead of a look-up and a re-read.
    case = case_open_for(interaction=interaction, lock=True)
    if case is not None:
        return case_customer_replied(case=case, interaction=interaction, already_locked=True)
    return case_route_interaction(interaction=interaction)
