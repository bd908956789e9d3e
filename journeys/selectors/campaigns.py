"""Reads of campaigns: who may see them, the audience with suppression, the forecast, the
launch checklist, the month calendar and the .ics feed."""

import calendar as pycalendar
import copy
import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import user_has_role
from contacts.models import Consent, ConsentStatus, Customer, Direction, Interaction, Order
from journeys.models import (
    OPEN_STATUSES,
    PLANNED_STATUSES,
    CalendarFeedToken,
    Campaign,
    CampaignStatus,
    Case,
)
from journeys.selectors.segments import (
    CappedCount,
    queryset_count_capped,
    segment_customers,
)
from journeys.services.forecast import (
    ForecastContext,
    ForecastDay,
    campaign_forecast_days,
    forecast_context_load,
    load_by_day,
)

COMPLAINT_TOPIC = "complaint"


def campaign_frequency_cap_days() -> int:
    return int(getattr(settings, "CAMPAIGN_FREQUENCY_CAP_DAYS", 7))


# --- Who sees what ---------------------------------------------------------------------


def campaign_can_view(*, user: User) -> bool:
    """Marketers and managers see campaigns; agents see the calendar and briefings."""
    return user.has_perm("journeys.view_campaign") or user_has_role(user=user, role=Role.AGENT)


def campaign_is_lead(*, user: User) -> bool:
    """A contact-center lead: may acknowledge briefings and confirm capacity."""
    department = getattr(user, "department", None)
    return (
        user.has_perm("journeys.acknowledge_campaign")
        and department is not None
        and department.code == Department.CONTACT_CENTER
    )


def campaign_visible_queryset(*, user: User) -> QuerySet[Campaign]:
    if user.has_perm("journeys.view_campaign"):
        return Campaign.objects.all()
    if user_has_role(user=user, role=Role.AGENT):
        # Agents read what is coming and what ran; drafts are marketing's own business.
        return Campaign.objects.exclude(status__in=[CampaignStatus.DRAFT])
    return Campaign.objects.none()


def campaign_get(*, user: User, campaign_id: int) -> Campaign:
    """The campaign, or Http404 when it does not exist or ``user`` may not see it."""
    try:
        return (
            campaign_visible_queryset(user=user)
            .select_related("owner", "segment", "acknowledged_by", "capacity_confirmed_by")
            .get(pk=campaign_id)
        )
    except Campaign.DoesNotExist:
        raise Http404 from None


def campaign_list(
    *, user: User, status: str = "", before_id: int | None = None, limit: int = 50
) -> list[Campaign]:
    """Newest first, keyset-paginated on id."""
    qs = campaign_visible_queryset(user=user).select_related("owner", "segment").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    return list(qs[:limit])


# --- Audience and suppression ----------------------------------------------------------


@dataclass(frozen=True)
class SuppressionRule:
    key: str
    label: str
    # Customers this rule leaves out (an expression over the customer row).
    condition: Q


def campaign_suppression_rules(
    *, campaign: Campaign, now: dt.datetime | None = None
) -> list[SuppressionRule]:
    """Who the campaign must not reach, one rule each: already bought one of its products;
    an open case about a complaint; opted out of every channel of the campaign; contacted by
    another campaign within the frequency cap (an outbound contact moment with another
    campaign's code in the last N days)."""
    now = now or timezone.now()
    rules = []
    if campaign.product_skus:
        bought = Order.objects.filter(
            customer=OuterRef("pk"), product_sku__in=campaign.product_skus
        )
        rules.append(SuppressionRule("bought", _("Already bought the product"), Q(Exists(bought))))
    complaint = Case.objects.filter(
        customer=OuterRef("pk"), status__in=OPEN_STATUSES, topic__iexact=COMPLAINT_TOPIC
    )
    rules.append(SuppressionRule("complaint", _("Open complaint"), Q(Exists(complaint))))
    if campaign.channels:
        opted_out_everywhere = Q()
        for channel in campaign.channels:
            opted_out_everywhere &= Q(
                Exists(
                    Consent.objects.filter(
                        customer=OuterRef("pk"), channel=channel, status=ConsentStatus.OPT_OUT
                    )
                )
            )
        rules.append(
            SuppressionRule(
                "opted_out", _("Opted out of every channel of the campaign"), opted_out_everywhere
            )
        )
    since = now - dt.timedelta(days=campaign_frequency_cap_days())
    recent = (
        Interaction.objects.filter(
            customer=OuterRef("pk"), direction=Direction.OUTBOUND, occurred_at__gte=since
        )
        .exclude(campaign_code="")
        .exclude(campaign_code=campaign.code)
    )
    rules.append(
        SuppressionRule(
            "frequency_cap",
            _("Reached by another campaign in the last %(n)s days")
            % {"n": campaign_frequency_cap_days()},
            Q(Exists(recent)),
        )
    )
    return rules


def campaign_audience(
    *, campaign: Campaign, suppress: bool = True, now: dt.datetime | None = None
) -> QuerySet[Customer]:
    """The segment, minus (with ``suppress``) every customer a suppression rule leaves out."""
    if campaign.segment is None:
        return Customer.objects.none()
    qs = segment_customers(definition=campaign.segment.definition)
    if not suppress:
        return qs
    for rule in campaign_suppression_rules(campaign=campaign, now=now):
        qs = qs.exclude(rule.condition)
    return qs


@dataclass(frozen=True)
class SuppressedCount:
    key: str
    label: str
    count: CappedCount


@dataclass(frozen=True)
class AudienceCounts:
    total: CappedCount
    after_suppression: CappedCount
    # Per rule, the customers of the segment it leaves out; one customer may meet several.
    suppressed: tuple[SuppressedCount, ...] = ()


def campaign_audience_counts(*, campaign: Campaign, cap: int | None = None) -> AudienceCounts:
    """The segment, the audience after suppression and who each rule left out: one capped
    COUNT per figure (at most six queries, whatever the size of the segment)."""
    segment = campaign_audience(campaign=campaign, suppress=False)
    suppressed = tuple(
        SuppressedCount(
            rule.key, rule.label, queryset_count_capped(qs=segment.filter(rule.condition), cap=cap)
        )
        for rule in (campaign_suppression_rules(campaign=campaign) if campaign.segment_id else [])
    )
    return AudienceCounts(
        total=queryset_count_capped(qs=segment, cap=cap),
        after_suppression=queryset_count_capped(qs=campaign_audience(campaign=campaign), cap=cap),
        suppressed=suppressed,
    )


# --- Forecast and checklist ------------------------------------------------------------


def campaigns_planned_between(*, start: dt.datetime, end: dt.datetime) -> list[Campaign]:
    """Planned campaigns (scheduled, ready, live) whose window overlaps [start, end)."""
    return list(
        Campaign.objects.filter(status__in=PLANNED_STATUSES, launch_at__lt=end, end_at__gt=start)
        .select_related("owner")
        .order_by("launch_at", "id")
    )


def campaign_forecast(
    *, campaign: Campaign, ctx: ForecastContext | None = None
) -> list[ForecastDay]:
    """Day by day expected contacts of ``campaign`` and the others planned alongside it."""
    ctx = ctx or forecast_context_load()
    others = campaigns_planned_between(start=campaign.launch_at, end=campaign.end_at)
    return campaign_forecast_days(campaign=campaign, ctx=ctx, others=others)


def campaign_draft_audience_cap() -> int:
    return int(getattr(settings, "CAMPAIGN_DRAFT_AUDIENCE_CAP", 100_000))


@dataclass(frozen=True)
class DraftForecast:
    """A draft's forecast with its audience counted now; nothing is stored, nobody warned."""

    audience: CappedCount
    days: list[ForecastDay]


def campaign_forecast_draft(
    *, campaign: Campaign, ctx: ForecastContext | None = None
) -> DraftForecast:
    """What the forecast would be if ``campaign`` were scheduled now: the audience after
    suppression counted live (capped at CAMPAIGN_DRAFT_AUDIENCE_CAP, then a lower bound), on
    an unsaved copy, so the marketer can move the date before the leads hear of it."""
    audience = queryset_count_capped(
        qs=campaign_audience(campaign=campaign), cap=campaign_draft_audience_cap()
    )
    preview = copy.copy(campaign)
    preview.audience_count = audience.value
    return DraftForecast(audience=audience, days=campaign_forecast(campaign=preview, ctx=ctx))


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    ok: bool
    detail: str = ""


def campaign_checklist(*, campaign: Campaign, days: list[ForecastDay]) -> list[ChecklistItem]:
    """The launch gate: each item must be done before the campaign may go live."""
    over = [d for d in days if d.over]
    if campaign.landing_ok:
        landing_detail = ""
    elif campaign.landing_checked_at is None:
        landing_detail = _("Not checked yet.") if campaign.landing_url else _("No landing page.")
    else:
        landing_detail = campaign.landing_error
    if campaign.capacity_confirmed_at is not None:
        who = campaign.capacity_confirmed_by or _("a contact-center lead")
        capacity = ChecklistItem(
            "capacity",
            _("Capacity confirmed by %(who)s") % {"who": who},
            True,
            formats.date_format(
                timezone.localtime(campaign.capacity_confirmed_at), "SHORT_DATETIME_FORMAT"
            ),
        )
    elif not over:
        # Nobody confirmed anything: the forecast simply stays within the staffed capacity.
        capacity = ChecklistItem(
            "capacity", _("Not over capacity: no confirmation needed"), True, ""
        )
    else:
        capacity = ChecklistItem(
            "capacity",
            _("Capacity confirmed"),
            False,
            ngettext(
                "%(n)s day over capacity; a contact-center lead must confirm.",
                "%(n)s days over capacity; a contact-center lead must confirm.",
                len(over),
            )
            % {"n": len(over)},
        )
    return [
        ChecklistItem(
            "landing", _("Landing page reachable"), bool(campaign.landing_ok), landing_detail
        ),
        ChecklistItem(
            "briefing",
            _("Briefing acknowledged by a contact-center lead"),
            campaign.acknowledged_at is not None,
        ),
        capacity,
        ChecklistItem("faq", _("FAQ published"), bool(campaign.faq.strip())),
    ]


# --- Calendar --------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    in_month: bool
    campaigns: list[Campaign]
    load: float
    baseline: float
    capacity: int
    carried: float = 0.0

    @property
    def over(self) -> bool:
        """Open, with campaign contacts, and more expected than the staff can handle; what
        arrives on closed days is carried to the next open day."""
        return (
            self.capacity > 0
            and self.load + self.carried > 0
            and round(self.load + self.baseline + self.carried) > self.capacity
        )


@dataclass(frozen=True)
class CalendarMonth:
    month: dt.date
    weeks: list[list[CalendarDay]]
    prev: dt.date
    next: dt.date

    @property
    def over_days(self) -> list[CalendarDay]:
        return [d for week in self.weeks for d in week if d.in_month and d.over]


def calendar_month(*, user: User, month: dt.date) -> CalendarMonth:
    """Weeks (Monday first) of ``month`` with the campaigns running each day and the days on
    which planned campaigns push expected demand over capacity. Uses the audience counted when
    each campaign was scheduled, never a recount."""
    ctx = forecast_context_load()
    first = month.replace(day=1)
    grid_start = first - dt.timedelta(days=first.weekday())
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    start = dt.datetime.combine(grid_start, dt.time(0), tzinfo=ctx.tz)
    end = dt.datetime.combine(grid_end + dt.timedelta(days=1), dt.time(0), tzinfo=ctx.tz)
    visible = list(
        campaign_visible_queryset(user=user)
        .filter(launch_at__lt=end, end_at__gt=start)
        .exclude(status=CampaignStatus.CANCELLED)
        .select_related("owner")
        .order_by("launch_at", "id")
    )
    planned = [c for c in visible if c.status in PLANNED_STATUSES]
    load = load_by_day(campaigns=planned, ctx=ctx)
    weeks: list[list[CalendarDay]] = []
    day = grid_start
    waiting = 0.0
    while day <= grid_end:
        week = []
        for _i in range(7):
            running = [
                c
                for c in visible
                if timezone.localtime(c.launch_at, ctx.tz).date()
                <= day
                <= timezone.localtime(c.end_at, ctx.tz).date()
            ]
            cell = CalendarDay(
                day=day,
                in_month=day.month == first.month,
                campaigns=running,
                load=load.get(day, 0.0),
                baseline=ctx.baseline(day),
                capacity=ctx.capacity(day),
                carried=waiting,
            )
            waiting = cell.load + cell.baseline + cell.carried if cell.capacity == 0 else 0.0
            week.append(cell)
            day += dt.timedelta(days=1)
        weeks.append(week)
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = (last + dt.timedelta(days=1)).replace(day=1)
    return CalendarMonth(month=first, weeks=weeks, prev=prev, next=nxt)


# --- .ics feed -------------------------------------------------------------------------


def calendar_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_user(*, token: str) -> User | None:
    """The active user owning the feed ``token``, if they may still see campaigns."""
    if not token or len(token) > 200:
        return None
    feed = (
        CalendarFeedToken.objects.filter(
            token_hash=calendar_token_hash(token), user__is_active=True
        )
        .select_related("user", "user__department")
        .first()
    )
    if feed is None or not campaign_can_view(user=feed.user):
        return None
    return feed.user


def calendar_feed_ics(*, user: User) -> bytes:
    """An iCalendar document with the campaigns ``user`` may see, launch to end."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//cxcenter//campaign calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("cxcenter campaigns"))
    since = timezone.now() - dt.timedelta(days=90)
    campaigns = (
        campaign_visible_queryset(user=user)
        .filter(end_at__gte=since)
        .exclude(status__in=[CampaignStatus.DRAFT, CampaignStatus.CANCELLED])
        .order_by("launch_at", "id")[:500]
    )
    for campaign in campaigns:
        event = Event()
        event.add("uid", f"campaign-{campaign.pk}@cxcenter")
        event.add("summary", f"{campaign.name} ({campaign.get_status_display()})")
        event.add("dtstart", campaign.launch_at)
        event.add("dtend", campaign.end_at)
        event.add("dtstamp", campaign.updated_at)
        event.add("description", "\n\n".join(p for p in (campaign.offer, campaign.briefing) if p))
        event.add(
            "url", f"{settings.SITE_URL}{reverse('journeys:campaign_detail', args=[campaign.pk])}"
        )
        cal.add_component(event)
    return cal.to_ical()


def campaign_api_list(*, user: User) -> QuerySet[Campaign]:
    return campaign_visible_queryset(user=user).select_related("segment").order_by("-id")
