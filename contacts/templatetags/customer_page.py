"""The repeated rows of the customer page (timeline, identities) rendered in Python: the
same HTML as template markup, without a template node, variable lookup and translation
per field of every row."""

import datetime as dt
import html
from collections.abc import Callable, Iterable
from typing import Any

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format, localize
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext

from contacts.models import Channel, ConsentStatus, DeliveryStatus, IdentityKind

register = template.Library()


def _esc(value: object) -> str:
    """``conditional_escape`` without its lazy-argument wrapper and SafeString per call (the
    same escaping: Django's escape is html.escape of the text)."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


def _date_formatter(fmt: str, use_tz: bool | None) -> Callable[[dt.datetime], str]:
    """What ``{{ value|date:fmt }}`` shows (in the current time zone, localised), compiled
    once per page for the format characters the short formats use; any other letter or an
    escape leaves it to Django's own formatter."""
    convert = settings.USE_TZ if use_tz is None else use_tz

    def local(value: dt.datetime) -> dt.datetime:
        return localtime(value) if convert and is_aware(value) else value

    if "\\" in fmt or any(ch.isalpha() and ch not in _FIELDS for ch in fmt):
        return lambda value: dateformat.format(local(value), fmt)
    words = {key: gettext(key) for key in ("a.m.", "p.m.", "midnight", "noon")}

    def twelve(value: dt.datetime) -> str:
        hour = value.hour % 12 or 12
        return f"{hour}:{value.minute:02d}" if value.minute else str(hour)

    def meridiem(value: dt.datetime) -> str:
        return words["p.m."] if value.hour > 11 else words["a.m."]

    def proprietary(value: dt.datetime) -> str:
        if value.minute == 0 and value.hour in (0, 12):
            return words["midnight"] if value.hour == 0 else words["noon"]
        return f"{twelve(value)} {meridiem(value)}"

    own: dict[str, Callable[[dt.datetime], str]] = {
        **_FIELDS,
        "f": twelve,
        "a": meridiem,
        "P": proprietary,
    }
    pieces = [own.get(ch, ch) for ch in fmt]

    def shown(value: dt.datetime) -> str:
        value = local(value)
        return "".join(piece if isinstance(piece, str) else piece(value) for piece in pieces)

    return shown


_FIELDS: dict[str, Callable[[dt.datetime], str]] = {
    "d": lambda v: f"{v.day:02d}",
    "j": lambda v: str(v.day),
    "m": lambda v: f"{v.month:02d}",
    "n": lambda v: str(v.month),
    "y": lambda v: f"{v.year % 100:02d}",
    "Y": lambda v: f"{v.year:04d}",
    "H": lambda v: f"{v.hour:02d}",
    "G": lambda v: str(v.hour),
    "g": lambda v: str(v.hour % 12 or 12),
    "h": lambda v: f"{v.hour % 12 or 12:02d}",
    "i": lambda v: f"{v.minute:02d}",
    "s": lambda v: f"{v.second:02d}",
    # Filled in per format by _date_formatter (they need the translations).
    "f": str,
    "a": str,
    "P": str,
}


@register.simple_tag(takes_context=True)
def timeline_rows(context: template.Context, items: Iterable[Any]) -> SafeString:
    """The ``<li>`` of each contact moment, or the empty row when there is none; the items
    are the timeline's Interactions with the labels the customer page view puts on them."""
    esc = _esc
    shown = _date_formatter(get_format("SHORT_DATETIME_FORMAT"), context.use_tz)
    statuses = {key: str(label) for key, label in DeliveryStatus.choices}
    not_delivered = esc(gettext("Not delivered:"))
    no_reason = esc(gettext("no reason given"))
    automatic = esc(gettext("automatic message"))
    show_quoted = esc(gettext("Show quoted text"))
    parts: list[str] = []
    add = parts.append
    for item in items:
        add(f'<li class="moment dir-{esc(item.direction)}">\n<div class="moment-head">\n')
        add(f'<span class="chip">{esc(item.channel_label)}</span>\n')
        add(f'<span class="moment-dir">{esc(item.direction_label)}</span>\n')
        occurred = item.occurred_at
        add(f'<time datetime="{esc(occurred.isoformat())}">{esc(shown(occurred))}</time>\n')
        if item.agent:
            add(f"<small>{esc(str(item.agent))}</small>\n")
        if item.topic:
            add(f'<small class="moment-topic">{esc(item.topic)}</small>\n')
        for ref in item.refs:
            if ref.url:
                add(f'<a class="moment-ref" href="{esc(ref.url)}">{esc(str(ref.label))}</a>')
            else:
                add(f'<span class="moment-ref">{esc(str(ref.label))}</span>')
        status = item.delivery_status
        if status:
            label = statuses.get(status, status)
            add(f'<span class="chip delivery-{esc(status)}">{esc(label)}</span>')
        add("\n</div>\n")
        if status == DeliveryStatus.FAILED:
            reason = esc(item.delivery_error) if item.delivery_error else no_reason
            add(f'<p class="moment-failed" role="alert">{not_delivered} {reason}</p>\n')
        if item.subject:
            add(f'<p class="moment-subject">{esc(item.subject)}</p>\n')
        if item.body:
            add(f'<p class="moment-body">{esc(item.body_shown)}</p>\n')
        mail = item.mail
        if mail is not None:
            if mail.is_automatic:
                add(
                    f'<p><small class="chip">{automatic}</small> '
                    f"<small>{esc(mail.automatic_reason)}</small></p>\n"
                )
            if mail.quoted:
                add(
                    f'<details class="moment-quoted"><summary>{show_quoted}</summary>'
                    f"<pre>{esc(mail.quoted)}</pre></details>\n"
                )
        if item.files:
            add('<ul class="moment-files">')
            for file in item.files:
                if file.refused:
                    add(f"<li>{esc(file.name)} — <em>{esc(file.get_refused_display())}</em></li>")
                else:
                    href = reverse("mail:attachment", args=[file.pk])
                    add(
                        f'<li><a href="{esc(href)}">{esc(file.name)}</a> '
                        f"<small>{esc(filesizeformat(file.size))}</small></li>"
                    )
            add("</ul>\n")
        add("</li>\n")
    if not parts:
        add(f'<li class="empty">{esc(gettext("No contact moments."))}</li>\n')
    return mark_safe("".join(parts))  # every value above is escaped


@register.simple_tag(takes_context=True)
def identity_rows(context: template.Context, identities: Iterable[Any]) -> SafeString:
    """The ``<li>`` of each identity of a customer, or the empty row when there is none."""
    esc = _esc
    shown = _date_formatter(get_format("SHORT_DATE_FORMAT"), context.use_tz)
    kinds = {key: str(label) for key, label in IdentityKind.choices}
    seen = gettext("first seen %(first)s, last seen %(last)s")
    parts: list[str] = []
    for identity in identities:
        when = seen % {
            "first": shown(identity.first_seen),
            "last": shown(identity.last_seen),
        }
        parts.append(
            f'<li><span class="identity-kind">{esc(kinds.get(identity.kind, identity.kind))}'
            f'</span> <span class="identity-value">{esc(identity.value)}</span>\n'
            f"<small>{esc(when)}</small></li>\n"
        )
    if not parts:
        empty = gettext("No e-mail address, phone number or account known.")
        parts.append(f'<li class="empty">{esc(empty)}</li>\n')
    return mark_safe("".join(parts))  # every value above is escaped


@register.simple_tag
def select_options(choices: Iterable[tuple[Any, Any]], selected: Any = None) -> SafeString:
    """The ``<option>`` of each (value, label), the one equal to ``selected`` selected."""
    esc = _esc
    return mark_safe(  # every value is escaped
        "".join(
            f'<option value="{esc(value)}"{" selected" if value == selected else ""}>'
            f"{esc(label)}</option>"
            for value, label in choices
        )
    )


@register.simple_tag(takes_context=True)
def order_rows(context: template.Context, orders: Iterable[Any]) -> SafeString:
    """The ``<li>`` of each order shown on the customer page, or the empty row."""
    esc = _esc
    shown = _date_formatter(get_format("SHORT_DATE_FORMAT"), context.use_tz)
    ordered, delivered = esc(gettext("ordered")), esc(gettext("delivered"))
    pending = esc(gettext("not delivered yet"))
    parts: list[str] = []
    for order in orders:
        row = [
            f"<li><strong>{esc(order.product_name or order.product_sku)}</strong> "
            f"<small>{esc(order.external_id)}</small><br>\n"
            f'{ordered} <time datetime="{esc(_iso(order.ordered_at, context.use_tz))}">'
            f"{esc(shown(order.ordered_at))}</time>"
        ]
        if order.amount is not None:
            row.append(f" · € {esc(localize(order.amount, use_l10n=context.use_l10n))}")
        if order.delivered_at:
            row.append(
                f'\n· {delivered} <time datetime="{esc(_iso(order.delivered_at, context.use_tz))}">'
                f"{esc(shown(order.delivered_at))}</time></li>\n"
            )
        else:
            row.append(f'\n· <span class="pending">{pending}</span></li>\n')
        parts.append("".join(row))
    if not parts:
        parts.append(f'<li class="empty">{esc(gettext("No orders."))}</li>\n')
    return mark_safe("".join(parts))  # every value above is escaped


def _iso(value: dt.datetime, use_tz: bool | None) -> str:
    """What ``{{ value|date:'c' }}`` shows: ISO 8601 in the current time zone."""
    if is_aware(value) and (settings.USE_TZ if use_tz is None else use_tz):
        value = localtime(value)
    return value.isoformat()


@register.simple_tag(takes_context=True)
def consent_rows(context: template.Context, rows: Iterable[Any]) -> SafeString:
    """The ``<tr>`` of each consent channel: its status and since when, or "not asked"."""
    esc = _esc
    shown = _date_formatter(get_format("SHORT_DATE_FORMAT"), context.use_tz)
    statuses = {key: str(label) for key, label in ConsentStatus.choices}
    not_asked = esc(gettext("not asked"))
    parts: list[str] = []
    for row in rows:
        consent = row.consent
        if consent is None:
            parts.append(
                f'<tr>\n<td>{esc(row.label)}</td>\n<td><span class="empty">{not_asked}</span>'
                "</td>\n<td></td>\n</tr>\n"
            )
            continue
        status = consent.status
        source = f" <small>({esc(consent.source)})</small>" if consent.source else ""
        parts.append(
            f"<tr>\n<td>{esc(row.label)}</td>\n"
            f'<td><span class="consent-{esc(status)}">{esc(statuses.get(status, status))}</span>'
            f'</td>\n<td><time datetime="{esc(_iso(consent.changed_at, context.use_tz))}">'
            f"{esc(shown(consent.changed_at))}</time>{source}</td>\n</tr>\n"
        )
    return mark_safe("".join(parts))  # every value above is escaped


@register.simple_tag(takes_context=True)
def fact_rows(context: template.Context, facts: Iterable[Any], language: str) -> SafeString:
    """The ``<li>`` of each known fact (question, answer, who, when, via which channel, and
    whether it is old), or the empty row."""
    esc = _esc
    shown = _date_formatter(get_format("SHORT_DATE_FORMAT"), context.use_tz)
    channels = {key: str(label) for key, label in Channel.choices}
    old = esc(gettext("old: check it"))
    parts: list[str] = []
    for known in facts:
        fact = known.fact
        question = fact.question.label_nl if language == "nl" else fact.question.label_en
        who = f"{esc(fact.recorded_by)}, " if fact.recorded_by else ""
        via = fact.source_channel
        via_shown = f", {esc(channels.get(via, via))}" if via else ""
        parts.append(
            f'<li class="{"stale" if known.stale else ""}">\n'
            f'<span class="known-q">{esc(question)}</span>\n'
            f'<strong class="known-a">{esc(fact.value)}</strong>\n'
            f'<small>{who}<time datetime="{esc(_iso(fact.recorded_at, context.use_tz))}">'
            f"{esc(shown(fact.recorded_at))}</time>{via_shown}</small>\n"
            + (f'<span class="chip stale-chip">{old}</span>\n' if known.stale else "")
            + "</li>\n"
        )
    if not parts:
        parts.append(f'<li class="empty">{esc(gettext("Nothing known yet."))}</li>\n')
    return mark_safe("".join(parts))  # every value above is escaped
