"""Campaign state changes: create, edit, the status transitions with their rules, the launch
gate, warnings to contact-center leads, landing-page checks and calendar feed tokens."""

import datetime as dt
import ipaddress
import logging
import re
import secrets
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Department, User
from accounts.roles import Role
from accounts.services import notification_send
from accounts.texts import Text
from journeys.models import (
    PLANNED_STATUSES,
    CalendarFeedToken,
    Campaign,
    CampaignStatus,
    CampaignWarning,
)
from journeys.selectors.campaigns import (
    calendar_token_hash,
    campaign_audience,
    campaign_checklist,
    campaign_forecast,
    campaign_is_lead,
    campaigns_planned_between,
)
from journeys.services.campaign_sending import MESSAGE_FIELDS
from journeys.services.forecast import (
    ForecastContext,
    campaign_forecast_days,
    forecast_context_load,
    forecast_summary,
)

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "name",
    "code",
    "offer",
    "product_skus",
    "channels",
    "response_rates",
    "segment",
    "launch_at",
    "end_at",
    "landing_url",
    "briefing",
    "faq",
    *MESSAGE_FIELDS,
)


def campaign_min_notice_working_days() -> int:
    return int(getattr(settings, "CAMPAIGN_MIN_NOTICE_WORKING_DAYS", 5))


def campaign_warning_lead_times() -> list[str]:
    """Lead times before launch at which leads are warned: "10wd" working days, "1d" days."""
    return list(getattr(settings, "CAMPAIGN_WARNING_LEAD_TIMES", ["10wd", "3wd", "1d"]))


_LEAD_TIME = re.compile(r"^(\d+)(wd|d)$")


def _lead_time_due(
    *, lead_time: str, campaign: Campaign, now: dt.datetime, ctx: ForecastContext
) -> bool:
    match = _LEAD_TIME.match(lead_time)
    if match is None:
        raise ValueError(f"CAMPAIGN_WARNING_LEAD_TIMES: {lead_time!r} is not like 10wd or 1d")
    n, unit = int(match[1]), match[2]
    if unit == "d":
        return campaign.launch_at - now <= dt.timedelta(days=n)
    today = timezone.localdate(now, ctx.tz)
    launch_day = timezone.localdate(campaign.launch_at, ctx.tz)
    return ctx.working_days_between(today, launch_day) <= n


# --- Create and edit -------------------------------------------------------------------


def _check_values(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if values["end_at"] <= values["launch_at"]:
        errors["end_at"] = _("The end must be after the launch.")
    missing = [
        ch for ch in values.get("channels", []) if ch not in values.get("response_rates", {})
    ]
    if missing:
        errors["channels"] = _("Give an expected response rate for %(channels)s.") % {
            "channels": ", ".join(missing)
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(*, owner: User, values: dict[str, Any]) -> Campaign:
    _check_values(values)
    campaign = Campaign(owner=owner, **{k: values[k] for k in EDITABLE_FIELDS if k in values})
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, values: dict[str, Any], by: User) -> Campaign:
    """Edit a draft or scheduled campaign; a scheduled one is counted again."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise ValidationError(_("Only draft or scheduled campaigns can be changed."))
    _check_values(values)
    before = {key: getattr(campaign, key) for key in EDITABLE_FIELDS}
    for key in EDITABLE_FIELDS:
        if key in values:
            setattr(campaign, key, values[key])
    campaign.full_clean()
    # A checked page or an acknowledged briefing no longer holds once it has changed.
    if campaign.landing_url != before["landing_url"]:
        campaign.landing_ok, campaign.landing_checked_at, campaign.landing_error = None, None, ""
    if any(
        getattr(campaign, key) != before[key] for key in ("briefing", "faq", "offer", "launch_at")
    ):
        campaign.acknowledged_at, campaign.acknowledged_by = None, None
    if campaign.status == CampaignStatus.SCHEDULED:
        _count_audience(campaign=campaign)
    campaign.save()
    return campaign


def _count_audience(*, campaign: Campaign) -> None:
    campaign.audience_total = campaign_audience(campaign=campaign, suppress=False).count()
    campaign.audience_count = campaign_audience(campaign=campaign).count()
    campaign.counted_at = timezone.now()


# --- Transitions -----------------------------------------------------------------------


def _locked(campaign: Campaign, allowed: tuple[str, ...], action: str) -> Campaign:
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status not in allowed:
        raise ValidationError(
            _("A %(status)s campaign cannot be %(action)s.")
            % {"status": locked.get_status_display().lower(), "action": action}
        )
    return locked


@transaction.atomic
def campaign_schedule(*, campaign: Campaign, by: User, now: dt.datetime | None = None) -> Campaign:
    """Draft → scheduled: count the audience once, mark short notice, warn the leads."""
    now = now or timezone.now()
    campaign = _locked(campaign, (CampaignStatus.DRAFT,), _("scheduled"))
    errors: dict[str, str] = {}
    if campaign.segment_id is None:
        errors["segment"] = _("Choose the segment the campaign goes to.")
    if not campaign.channels:
        errors["channels"] = _("Choose at least one channel.")
    if campaign.launch_at <= now:
        errors["launch_at"] = _("The launch must be in the future.")
    if not campaign.briefing.strip():
        errors["briefing"] = _("Write the briefing for the contact center.")
    if errors:
        raise ValidationError(errors)
    ctx = forecast_context_load()
    _count_audience(campaign=campaign)
    notice = ctx.working_days_between(
        timezone.localdate(now, ctx.tz), timezone.localdate(campaign.launch_at, ctx.tz)
    )
    campaign.short_notice = notice < campaign_min_notice_working_days()
    campaign.status = CampaignStatus.SCHEDULED
    campaign.scheduled_at = now
    campaign.save()
    _warn(campaign=campaign, now=now, ctx=ctx, scheduled=True)
    return campaign


@transaction.atomic
def campaign_acknowledge(*, campaign: Campaign, by: User) -> Campaign:
    """A contact-center lead has read the briefing (required, and for short notice too)."""
    if not campaign_is_lead(user=by):
        raise ValidationError(_("Only a contact-center lead can acknowledge a campaign."))
    campaign = _locked(
        campaign, (CampaignStatus.SCHEDULED, CampaignStatus.READY), _("acknowledged")
    )
    if campaign.acknowledged_at is None:
        campaign.acknowledged_at = timezone.now()
        campaign.acknowledged_by = by
        campaign.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    return campaign


@transaction.atomic
def campaign_confirm_capacity(*, campaign: Campaign, by: User) -> Campaign:
    """A contact-center lead accepts the expected volume, even on days over capacity."""
    if not campaign_is_lead(user=by):
        raise ValidationError(_("Only a contact-center lead can confirm capacity."))
    campaign = _locked(campaign, (CampaignStatus.SCHEDULED, CampaignStatus.READY), _("confirmed"))
    if campaign.capacity_confirmed_at is None:
        campaign.capacity_confirmed_at = timezone.now()
        campaign.capacity_confirmed_by = by
        campaign.save(
            update_fields=["capacity_confirmed_at", "capacity_confirmed_by", "updated_at"]
        )
    return campaign


def _checklist_open(campaign: Campaign) -> list[str]:
    days = campaign_forecast(campaign=campaign)
    return [item.label for item in campaign_checklist(campaign=campaign, days=days) if not item.ok]


@transaction.atomic
def campaign_mark_ready(*, campaign: Campaign, by: User) -> Campaign:
    """Scheduled → ready, when every item of the launch checklist is done."""
    campaign = _locked(campaign, (CampaignStatus.SCHEDULED,), _("marked ready"))
    if missing := _checklist_open(campaign):
        raise ValidationError(
            _("The checklist is not complete: %(items)s.") % {"items": "; ".join(missing)}
        )
    campaign.status = CampaignStatus.READY
    campaign.save(update_fields=["status", "updated_at"])
    return campaign


@transaction.atomic
def campaign_launch(*, campaign: Campaign, by: User, override_reason: str = "") -> Campaign:
    """Scheduled or ready → live. Refused while the checklist is incomplete, unless a manager
    with the override permission gives a written reason (recorded with who and when)."""
    campaign = _locked(campaign, (CampaignStatus.SCHEDULED, CampaignStatus.READY), _("launched"))
    override_reason = override_reason.strip()
    fields = ["status", "updated_at"]
    if missing := _checklist_open(campaign):
        if not override_reason:
            raise ValidationError(
                _("The checklist is not complete: %(items)s.") % {"items": "; ".join(missing)}
            )
        if not by.has_perm("journeys.override_campaign"):
            raise ValidationError(_("Only a manager can launch with an incomplete checklist."))
        campaign.override_reason = override_reason
        campaign.overridden_by = by
        campaign.overridden_at = timezone.now()
        fields += ["override_reason", "overridden_by", "overridden_at"]
    campaign.status = CampaignStatus.LIVE
    campaign.save(update_fields=fields)
    return campaign


@transaction.atomic
def campaign_finish(*, campaign: Campaign, by: User) -> Campaign:
    campaign = _locked(campaign, (CampaignStatus.LIVE,), _("finished"))
    campaign.status = CampaignStatus.FINISHED
    campaign.save(update_fields=["status", "updated_at"])
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, by: User) -> Campaign:
    campaign = _locked(
        campaign,
        (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.READY),
        _("cancelled"),
    )
    campaign.status = CampaignStatus.CANCELLED
    campaign.save(update_fields=["status", "updated_at"])
    return campaign


# --- Warnings to contact-center leads -------------------------------------------------


def _leads() -> list[User]:
    return list(
        User.objects.filter(
            department__code=Department.CONTACT_CENTER,
            groups__name=Role.MANAGER.value,
            is_active=True,
        ).distinct()
    )


def _warning_text(
    *, campaign: Campaign, ctx: ForecastContext, others: list[Campaign], lead_time: str
) -> tuple[Text, list[Text | str]]:
    """Title and lines of a warning, kept untranslated: each lead reads it in their language."""
    days = campaign_forecast_days(campaign=campaign, ctx=ctx, others=others)
    summary = forecast_summary(days=days)
    launch = timezone.localtime(campaign.launch_at, ctx.tz)
    scheduled = lead_time == CampaignWarning.SCHEDULED
    if campaign.short_notice:
        msgid = (
            gettext_noop("Short notice: Campaign %(name)s scheduled: launch %(launch)s")
            if scheduled
            else gettext_noop("Short notice: Campaign %(name)s launches %(launch)s")
        )
    else:
        msgid = (
            gettext_noop("Campaign %(name)s scheduled: launch %(launch)s")
            if scheduled
            else gettext_noop("Campaign %(name)s launches %(launch)s")
        )
    title = Text(msgid, {"name": campaign.name, "launch": launch})
    lines: list[Text | str] = [
        title,
        "",
        Text(
            gettext_noop("Audience after suppression: %(n)s customers."),
            {"n": campaign.audience_count or 0},
        ),
        Text(
            gettext_noop("Expected extra contacts: %(n)s; busiest day %(day)s with %(peak)s."),
            {"n": summary["expected"], "day": summary["peak_day"] or "-", "peak": summary["peak"]},
        ),
    ]
    if summary["over_days"]:
        lines.append(
            Text(gettext_noop("Over capacity on: %(days)s."), {"days": summary["over_days"]})
        )
    if campaign.short_notice and campaign.acknowledged_at is None:
        lines.append(
            Text(gettext_noop("Scheduled at short notice: please acknowledge it in cxcenter."))
        )
    lines += ["", Text(gettext_noop("Offer:")), campaign.offer, "", Text(gettext_noop("Briefing:"))]
    lines.append(campaign.briefing)
    if campaign.faq:
        lines += ["", Text(gettext_noop("FAQ:")), campaign.faq]
    return title, lines


def _warn(*, campaign: Campaign, now: dt.datetime, ctx: ForecastContext, scheduled: bool) -> int:
    """Record every warning now due and, when any is new, notify each lead once."""
    due = [CampaignWarning.SCHEDULED] if scheduled else []
    due += [
        lt
        for lt in campaign_warning_lead_times()
        if _lead_time_due(lead_time=lt, campaign=campaign, now=now, ctx=ctx)
    ]
    created = []
    for lead_time in due:
        _warning, is_new = CampaignWarning.objects.get_or_create(
            campaign=campaign, lead_time=lead_time, defaults={"sent_at": now}
        )
        if is_new:
            created.append(_warning)
    if not created:
        return 0
    leads = _leads()
    others = campaigns_planned_between(start=campaign.launch_at, end=campaign.end_at)
    url = reverse("journeys:campaign_detail", args=[campaign.pk])
    # The most imminent lead time names the warning; earlier ones due at once are folded in.
    lead_time = created[-1].lead_time if not scheduled else CampaignWarning.SCHEDULED
    title, lines = _warning_text(campaign=campaign, ctx=ctx, others=others, lead_time=lead_time)
    notification_send(
        recipients=leads, title=title, body_parts=lines, url=url, kind="campaign-warning"
    )
    CampaignWarning.objects.filter(pk__in=[w.pk for w in created]).update(recipients=len(leads))
    return len(created)


def campaign_warnings_send(*, now: dt.datetime | None = None) -> int:
    """Send the warnings now due for every upcoming campaign; running it twice sends nothing
    new (each campaign + lead time is recorded once, by a unique constraint)."""
    now = now or timezone.now()
    upcoming = list(
        Campaign.objects.filter(
            status__in=(CampaignStatus.SCHEDULED, CampaignStatus.READY), launch_at__gt=now
        ).order_by("launch_at", "id")
    )
    if not upcoming:
        return 0
    ctx = forecast_context_load()
    sent = 0
    for campaign in upcoming:
        with transaction.atomic():
            sent += _warn(campaign=campaign, now=now, ctx=ctx, scheduled=False)
    return sent


# --- Landing page check ----------------------------------------------------------------


def landing_url_problem(url: str) -> str:
    """Why ``url`` may not be fetched, or "" when it may: http(s) only, and (unless DEBUG) no
    private, loopback, link-local or otherwise internal address after DNS resolution."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Only http and https addresses can be checked.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        return _("The host name does not resolve.")
    if settings.DEBUG:
        return ""
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            return _("The address points inside our own network.")
    return ""


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        problem = landing_url_problem(newurl)
        if problem:
            raise urllib.error.URLError(problem)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def landing_page_fetch(url: str) -> str:
    """ "" when ``url`` answers with a success status, else the problem in words."""
    problem = landing_url_problem(url)
    if problem:
        return problem
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _CheckedRedirects())
    timeout = float(getattr(settings, "CAMPAIGN_LANDING_TIMEOUT", 5))
    request = urllib.request.Request(url, headers={"User-Agent": "cxcenter landing check"})
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(1024)
            return "" if response.status < 400 else _("HTTP status %(s)s") % {"s": response.status}
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            return _("Redirect refused: %(reason)s") % {"reason": str(exc.reason)[:200]}
        return _("HTTP status %(s)s") % {"s": exc.code}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return _("Not reachable: %(reason)s") % {"reason": str(reason)[:200]}


def landing_page_check(*, campaign_id: int) -> bool | None:
    """Fetch the landing page of the campaign and record the outcome; None when there is
    nothing to check. Safe to repeat: the last check wins."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not campaign.landing_url:
        return None
    problem = landing_page_fetch(campaign.landing_url)
    Campaign.objects.filter(pk=campaign.pk, landing_url=campaign.landing_url).update(
        landing_ok=not problem, landing_error=problem[:300], landing_checked_at=timezone.now()
    )
    return not problem


def landing_page_check_request(*, campaign: Campaign) -> None:
    """Ask the worker to check the landing page once the current transaction commits."""
    from journeys.tasks.campaigns import landing_check

    # celery-types types shared tasks as Task; Celery's Django fixup makes them DjangoTask.
    landing_check.delay_on_commit(campaign.pk)  # type: ignore[attr-defined]


def landing_checks_due() -> list[int]:
    """Campaigns whose landing page the hourly check looks at."""
    return list(
        Campaign.objects.filter(status__in=PLANNED_STATUSES)
        .exclude(landing_url="")
        .values_list("pk", flat=True)
    )


# --- Calendar feed ---------------------------------------------------------------------


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> str:
    """A new secret feed token for ``user``; the old link stops working. Returns the token,
    which is shown once: only its hash is stored."""
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(
        user=user, defaults={"token_hash": calendar_token_hash(token)}
    )
    return token
