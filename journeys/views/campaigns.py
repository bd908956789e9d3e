"""Pages of campaigns, segments and the campaign calendar (with its public .ics feed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.roles import Role
from accounts.selectors import user_has_role
from accounts.signed_in import request_user
from contacts.channels import channel_label
from journeys.forms_campaigns import (
    MAX_FACTS,
    CampaignForm,
    LaunchForm,
    MonthForm,
    SegmentForm,
)
from journeys.models import CalendarFeedToken, CampaignStatus
from journeys.selectors import campaigns as selectors
from journeys.selectors import segments as segment_selectors
from journeys.services import campaigns as services
from journeys.services import segments as segment_services
from journeys.services.forecast import forecast_context_load, forecast_summary


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _int_or_none(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if value > 0 else None


# --- Campaigns -------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require(request, "journeys.view_campaign")
    status = request.GET.get("status", "")
    if status not in CampaignStatus.values:
        status = ""
    limit = 50
    rows = selectors.campaign_list(
        user=request.user,
        status=status,
        before_id=_int_or_none(request.GET.get("before")),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    template = "journeys/campaign_list.html"
    if request.htmx:
        template += "#rows"
    return render(
        request,
        template,
        {
            "campaigns": rows,
            "next_before": rows[-1].pk if more else None,
            "status": status,
            "statuses": CampaignStatus.choices,
            "is_manager": user_has_role(user=request.user, role=Role.MANAGER),
        },
    )


@require_http_methods(["GET", "POST"])
def campaign_add(request: HttpRequest) -> HttpResponse:
    _require(request, "journeys.add_campaign")
    form = CampaignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = services.campaign_create(owner=request.user, values=form.values)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Campaign saved as a draft."))
                return redirect("journeys:campaign_detail", campaign.pk)
        status = 400
    return render(request, "journeys/campaign_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "journeys.change_campaign")
    campaign = selectors.campaign_get(user=request.user, campaign_id=pk)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        messages.error(request, _("Only draft or scheduled campaigns can be changed."))
        return redirect("journeys:campaign_detail", campaign.pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.campaign_update(campaign=campaign, values=form.values, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Campaign saved."))
                return redirect("journeys:campaign_detail", campaign.pk)
        status = 400
    return render(
        request, "journeys/campaign_form.html", {"form": form, "campaign": campaign}, status=status
    )


def _detail_context(request: HttpRequest, pk: int) -> dict:
    if not selectors.campaign_can_view(user=request.user):
        raise PermissionDenied
    campaign = selectors.campaign_get(user=request.user, campaign_id=pk)
    ctx = forecast_context_load()
    draft = None
    if campaign.status == CampaignStatus.DRAFT:
        draft = selectors.campaign_forecast_draft(campaign=campaign, ctx=ctx)
        days = draft.days
    else:
        days = selectors.campaign_forecast(campaign=campaign, ctx=ctx)
    return {
        "campaign": campaign,
        "draft": draft,
        "days": days,
        "summary": forecast_summary(days=days),
        "checklist": selectors.campaign_checklist(campaign=campaign, days=days),
        "warnings": list(campaign.warnings.all()),
        "is_lead": selectors.campaign_is_lead(user=request.user),
        "can_change": request.user.has_perm("journeys.change_campaign"),
        "can_override": request.user.has_perm("journeys.override_campaign"),
        "launch_form": LaunchForm(),
        "channels": [(ch, channel_label(ch)) for ch in campaign.channels],
        "rates": [
            (ch, channel_label(ch), rate) for ch, rate in (campaign.response_rates or {}).items()
        ],
        "time_zone": ctx.tz,
    }


@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "journeys/campaign_detail.html", _detail_context(request, pk))


@require_GET
@vary_on_headers("HX-Request")
def campaign_audience(request: HttpRequest, pk: int) -> HttpResponse:
    """Audience with and without suppression, counted live (capped)."""
    _require(request, "journeys.view_campaign")
    campaign = selectors.campaign_get(user=request.user, campaign_id=pk)
    counts = selectors.campaign_audience_counts(campaign=campaign)
    template = "journeys/campaign_audience.html"
    if request.htmx:
        template += "#counts"
    return render(request, template, {"campaign": campaign, "counts": counts})


def _transition(request: HttpRequest, pk: int, permission: str | None, action) -> HttpResponse:  # type: ignore[no-untyped-def]
    if permission:
        _require(request, permission)
    elif not selectors.campaign_can_view(user=request.user):
        raise PermissionDenied
    campaign = selectors.campaign_get(user=request.user, campaign_id=pk)
    try:
        message = action(campaign)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        context = _detail_context(request, pk)
        return render(request, "journeys/campaign_detail.html", context, status=400)
    messages.success(request, message)
    return redirect("journeys:campaign_detail", campaign.pk)


@require_POST
def campaign_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    def act(c):  # type: ignore[no-untyped-def]
        c = services.campaign_schedule(campaign=c, by=request.user)
        if c.short_notice:
            return _("Scheduled at short notice: a contact-center lead must acknowledge it.")
        return _("Scheduled; the contact center has been warned.")

    return _transition(request, pk, "journeys.change_campaign", act)


@require_POST
def campaign_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    def act(c):  # type: ignore[no-untyped-def]
        services.campaign_acknowledge(campaign=c, by=request.user)
        return _("Briefing acknowledged.")

    return _transition(request, pk, "journeys.acknowledge_campaign", act)


@require_POST
def campaign_confirm_capacity(request: HttpRequest, pk: int) -> HttpResponse:
    def act(c):  # type: ignore[no-untyped-def]
        services.campaign_confirm_capacity(campaign=c, by=request.user)
        return _("Capacity confirmed.")

    return _transition(request, pk, "journeys.acknowledge_campaign", act)


@require_POST
def campaign_check_landing(request: HttpRequest, pk: int) -> HttpResponse:
    def act(c):  # type: ignore[no-untyped-def]
        if not c.landing_url:
            raise ValidationError(_("The campaign has no landing page."))
        services.landing_page_check_request(campaign=c)
        return _("The landing page is being checked; reload in a moment.")

    return _transition(request, pk, None, act)


@require_POST
def campaign_ready(request: HttpRequest, pk: int) -> HttpResponse:
    def act(c):  # type: ignore[no-untyped-def]
        services.campaign_mark_ready(campaign=c, by=request.user)
        return _("The campaign is ready to launch.")

    return _transition(request, pk, "journeys.change_campaign", act)


@require_POST
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    form = LaunchForm(request.POST)

    def act(c):  # type: ignore[no-untyped-def]
        if not form.is_valid():
            raise ValidationError(form.errors.get("override_reason") or _("Invalid input."))
        services.campaign_launch(
            campaign=c, by=request.user, override_reason=form.cleaned_data["override_reason"]
        )
        return _("The campaign is live.")

    return _transition(request, pk, "journeys.change_campaign", act)


@require_POST
def campaign_finish(request: HttpRequest, pk: int) -> HttpResponse:
    def act(c):  # type: ignore[no-untyped-def]
        services.campaign_finish(campaign=c, by=request.user)
        return _("The campaign is finished.")

    return _transition(request, pk, "journeys.change_campaign", act)


@require_POST
def campaign_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    def act(c):  # type: ignore[no-untyped-def]
        services.campaign_cancel(campaign=c, by=request.user)
        return _("The campaign is cancelled.")

    return _transition(request, pk, "journeys.change_campaign", act)


# --- Calendar --------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def calendar(request: HttpRequest) -> HttpResponse:
    if not selectors.campaign_can_view(user=request.user):
        raise PermissionDenied
    form = MonthForm(request.GET)
    if request.GET.get("month") and not form.is_valid():
        return render(
            request,
            "journeys/calendar.html",
            {"bad_month": True, "month": None, "has_feed": False},
            status=400,
        )
    month = selectors.calendar_month(user=request.user, month=form.month_date(timezone.localdate()))
    template = "journeys/calendar.html"
    if request.htmx:
        template += "#month"
    feed_url = request.session.pop("calendar_feed_url", None)
    return render(
        request,
        template,
        {
            "month": month,
            "has_feed": CalendarFeedToken.objects.filter(user=request_user(request)).exists(),
            "feed_url": feed_url,
            # Calendar apps subscribe (and refresh) on webcal://; the feed itself is https.
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else None,
        },
    )


@require_POST
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    if not selectors.campaign_can_view(user=request.user):
        raise PermissionDenied
    token = services.calendar_feed_regenerate(user=request.user)
    # Shown once on the next page: only the hash is stored.
    request.session["calendar_feed_url"] = request.build_absolute_uri(
        reverse("journeys:calendar_feed", args=[token])
    )
    messages.success(request, _("New calendar link made; the old one no longer works."))
    return redirect("journeys:calendar")


@login_not_required
@require_GET
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = selectors.calendar_feed_user(token=token)
    if user is None:
        raise Http404
    response = HttpResponse(
        selectors.calendar_feed_ics(user=user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="cxcenter-campaigns.ics"'
    return response


# --- Segments --------------------------------------------------------------------------


@require_GET
def segment_list(request: HttpRequest) -> HttpResponse:
    _require(request, "journeys.view_segment")
    segments = list(segment_selectors.segment_list(user=request.user)[:200])
    vocabulary = segment_selectors.segment_vocabulary(definitions=[s.definition for s in segments])
    rows = [
        (s, segment_selectors.segment_describe(definition=s.definition, vocabulary=vocabulary))
        for s in segments
    ]
    return render(request, "journeys/segment_list.html", {"rows": rows})


def _segment_form_page(request: HttpRequest, segment=None) -> HttpResponse:  # type: ignore[no-untyped-def]
    form = SegmentForm(request.POST or None, instance=segment)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {
                "name": form.cleaned_data["name"],
                "description": form.cleaned_data["description"],
                "definition": form.definition,
            }
            try:
                if segment is None:
                    segment_services.segment_create(by=request.user, **values)
                else:
                    segment_services.segment_update(segment=segment, **values)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Segment saved."))
                return redirect("journeys:segments")
        status = 400
    return render(
        request,
        "journeys/segment_form.html",
        {"form": form, "segment": segment, "cap": segment_selectors.segment_count_cap()},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def segment_add(request: HttpRequest) -> HttpResponse:
    _require(request, "journeys.add_segment")
    return _segment_form_page(request)


@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "journeys.change_segment")
    segment = segment_selectors.segment_get(user=request.user, segment_id=pk)
    return _segment_form_page(request, segment)


@require_GET
@vary_on_headers("HX-Request")
def segment_count(request: HttpRequest) -> HttpResponse:
    """The live count for the form's current conditions (GET: it changes nothing). An invalid
    condition answers 422 with its error placed next to it and the count cleared."""
    _require(request, "journeys.view_segment")
    form = SegmentForm(request.GET, incomplete_rules_ok=True)
    form.fields["name"].required = False
    count = None
    if form.is_valid():
        count = segment_selectors.queryset_count_capped(
            qs=segment_selectors.segment_customers(definition=form.definition)
        )
    template = "journeys/segment_form.html"
    if request.htmx:
        template += "#count"
    return render(
        request,
        template,
        {
            "form": form,
            "count": count,
            "oob": bool(request.htmx),
            "cap": segment_selectors.segment_count_cap(),
        },
        status=200 if count is not None else 422,
    )


@require_GET
@vary_on_headers("HX-Request")
def segment_answers(request: HttpRequest) -> HttpResponse:
    """The answer field of one rule, for the question just chosen: its choices or the answers
    customers gave most often."""
    _require(request, "journeys.view_segment")
    row = _int_or_none(request.GET.get("row")) or 0
    if row >= MAX_FACTS:
        return HttpResponse(_("Unknown rule."), status=400)
    # Unbound: the answer field starts empty and shows no error before anything was chosen.
    key = request.GET.get(f"fact_question_{row}", "")[:50]
    form = SegmentForm(initial={f"fact_question_{row}": key})
    rule = form.fact_rules[row]
    return render(request, "journeys/segment_form.html#answer", {"rule": rule})


urlpatterns = [
    path("campaigns/", campaign_list, name="campaigns"),
    path("campaigns/new/", campaign_add, name="campaign_add"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/audience/", campaign_audience, name="campaign_audience"),
    path("campaigns/<int:pk>/schedule/", campaign_schedule, name="campaign_schedule"),
    path("campaigns/<int:pk>/acknowledge/", campaign_acknowledge, name="campaign_acknowledge"),
    path(
        "campaigns/<int:pk>/confirm-capacity/",
        campaign_confirm_capacity,
        name="campaign_confirm_capacity",
    ),
    path(
        "campaigns/<int:pk>/check-landing/", campaign_check_landing, name="campaign_check_landing"
    ),
    path("campaigns/<int:pk>/ready/", campaign_ready, name="campaign_ready"),
    path("campaigns/<int:pk>/launch/", campaign_launch, name="campaign_launch"),
    path("campaigns/<int:pk>/finish/", campaign_finish, name="campaign_finish"),
    path("campaigns/<int:pk>/cancel/", campaign_cancel, name="campaign_cancel"),
    path("campaigns/calendar/", calendar, name="calendar"),
    path("campaigns/calendar/feed/", calendar_feed_regenerate, name="calendar_feed_regenerate"),
    path("campaigns/calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("segments/", segment_list, name="segments"),
    path("segments/new/", segment_add, name="segment_add"),
    path("segments/<int:pk>/edit/", segment_edit, name="segment_edit"),
    path("segments/count/", segment_count, name="segment_count"),
    path("segments/answers/", segment_answers, name="segment_answers"),
]
