"""Managing routing rules (create, change, reorder, switch off, delete) and canned replies."""

import re
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import Department
from journeys.caches import routing_config_invalidate
from journeys.models import CannedReply, RoutingRule

ORDER_STEP = 10
CANNED_PLACEHOLDERS = ("customer_name", "case_number", "order")
_BRACED = re.compile(r"\{([^{}]*)\}")


def rule_words_normalise(raw: str) -> list[str]:
    """Comma-separated words, trimmed, without empties or repeats (case-insensitive)."""
    words: list[str] = []
    seen: set[str] = set()
    for word in raw.split(","):
        word = " ".join(word.split())
        if word and word.lower() not in seen:
            seen.add(word.lower())
            words.append(word)
    return words


def canned_placeholders_unknown(text: str) -> list[str]:
    """Placeholders in ``text`` that a reply cannot fill; a lone brace counts as one."""
    unknown = [name for name in _BRACED.findall(text) if name not in CANNED_PLACEHOLDERS]
    if "{" in _BRACED.sub("", text) or "}" in _BRACED.sub("", text):
        unknown.append("{…}")
    return unknown


def _check_department(department: Department) -> None:
    if not department.is_active:
        raise ValidationError({"department": _("This department is no longer active.")})


def _check_rule(rule: RoutingRule) -> None:
    """Words normalised, then the model's rules and the database's constraints: at least
    one condition, at most MAX_RULE_WORDS words, an active department."""
    rule.match_words = ", ".join(rule_words_normalise(rule.match_words))
    if rule.match_fact_value and not rule.match_fact_key:
        raise ValidationError({"match_fact_key": _("Name the customer fact the value belongs to.")})
    _check_department(rule.department)
    rule.full_clean()


RULE_FIELDS = (
    "name",
    "is_active",
    "match_channel",
    "match_topic",
    "match_words",
    "match_campaign",
    "match_campaign_code",
    "match_fact_key",
    "match_fact_value",
    "department",
    "priority",
    "sla_policy",
)


@transaction.atomic
def routing_rule_create(*, values: dict[str, Any]) -> RoutingRule:
    """A new rule, tried after all existing ones."""
    rule = RoutingRule(**{key: values[key] for key in RULE_FIELDS if key in values})
    last = RoutingRule.objects.aggregate(last=Max("order"))["last"] or 0
    rule.order = last + ORDER_STEP
    _check_rule(rule)
    rule.save()
    return rule


@transaction.atomic
def routing_rule_update(*, rule: RoutingRule, values: dict[str, Any]) -> RoutingRule:
    for key in RULE_FIELDS:
        if key in values:
            setattr(rule, key, values[key])
    _check_rule(rule)
    rule.save()
    return rule


def routing_rule_set_active(*, rule: RoutingRule, is_active: bool) -> RoutingRule:
    RoutingRule.objects.filter(pk=rule.pk).update(is_active=is_active)
    # A queryset update sends no post_save (journeys.caches).
    routing_config_invalidate()
    rule.is_active = is_active
    return rule


def routing_rule_delete(*, rule: RoutingRule) -> None:
    # Cases routed by it keep their department; their link to the rule is set to null.
    rule.delete()


@transaction.atomic
def routing_rule_move(*, rule: RoutingRule, direction: Literal["up", "down"]) -> None:
    """Swap ``rule`` with its neighbour and renumber all rules 10, 20, 30, … so that equal
    order values (from the admin or a concurrent create) are straightened out as well.
    The rows are locked, so two managers moving at once apply one after the other."""
    rules = list(RoutingRule.objects.select_for_update().order_by("order", "id"))
    index = next((i for i, r in enumerate(rules) if r.pk == rule.pk), None)
    if index is None:
        return
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    changed = []
    for position, item in enumerate(rules, start=1):
        if item.order != position * ORDER_STEP:
            item.order = position * ORDER_STEP
            changed.append(item)
    RoutingRule.objects.bulk_update(changed, ["order"])
    if changed:
        routing_config_invalidate()


CANNED_FIELDS = ("department", "title", "language", "body", "shortcut")


def canned_reply_create(*, values: dict[str, Any]) -> CannedReply:
    reply = CannedReply(**{key: values[key] for key in CANNED_FIELDS if key in values})
    _check_canned(reply)
    reply.save()
    return reply


def canned_reply_update(*, reply: CannedReply, values: dict[str, Any]) -> CannedReply:
    for key in CANNED_FIELDS:
        if key in values:
            setattr(reply, key, values[key])
    _check_canned(reply)
    reply.save()
    return reply


def canned_reply_delete(*, reply: CannedReply) -> None:
    reply.delete()


def _check_canned(reply: CannedReply) -> None:
    _check_department(reply.department)
    unknown = canned_placeholders_unknown(reply.body)
    if unknown:
        raise ValidationError(
            {
                "body": _("Unknown placeholders: %(names)s. Use %(known)s.")
                % {
                    "names": ", ".join(unknown),
                    "known": ", ".join(f"{{{name}}}" for name in CANNED_PLACEHOLDERS),
                }
            }
        )
    reply.full_clean()
