"""The repeated rows of the customer page (timeline, identities) rendered in Python: the
same HTML as template markup, without a template node, variable lookup and translation
per field of every row."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext

from contacts.models import DeliveryStatus, IdentityKind

register = template.Library()


def _shown(value: dt.datetime, fmt: str, use_tz: bool | None) -> str:
    """What ``{{ value|date:fmt }}`` shows: in the current time zone, localised."""
    if is_aware(value) and (settings.USE_TZ if use_tz is None else use_tz):
        value = localtime(value)
    return date_format(value, fmt)


@register.simple_tag(takes_context=True)
def timeline_rows(context: template.Context, items: Iterable[Any]) -> SafeString:
    """The ``<li>`` of each contact moment, or the empty row when there is none; the items
    are the timeline's Interactions with the labels the customer page view puts on them."""
    esc = conditional_escape
    use_tz = context.use_tz
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
        add(
            f'<time datetime="{esc(occurred.isoformat())}">'
            f"{esc(_shown(occurred, 'SHORT_DATETIME_FORMAT', use_tz))}</time>\n"
        )
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
    esc = conditional_escape
    use_tz = context.use_tz
    kinds = {key: str(label) for key, label in IdentityKind.choices}
    seen = gettext("first seen %(first)s, last seen %(last)s")
    parts: list[str] = []
    for identity in identities:
        when = seen % {
            "first": _shown(identity.first_seen, "SHORT_DATE_FORMAT", use_tz),
            "last": _shown(identity.last_seen, "SHORT_DATE_FORMAT", use_tz),
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
