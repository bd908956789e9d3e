"""Pages of accounts: home, settings for managers, the notification inbox."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from . import selectors, services
from .clientip import client_address
from .forms import DepartmentSettingsForm, HolidayFormSet, OpeningHoursFormSet, StaffingForm
from .health import health_report
from .live import live_version, notifications_key
from .ratelimit import PasswordChecksBusy, password_check_slot, rate_blocked, rate_hit, rate_parse
from .roles import Role

LOGIN_FAILURE_SCOPE = "login-failure"
BELL_CURSOR_MAX = 64


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the page their role starts the day on."""
    roles = selectors.user_roles(user=request.user)
    for role, target in (
        (Role.AGENT, "journeys:inbox"),
        (Role.AGENT, "contacts:search"),
        (Role.MARKETER, "journeys:campaigns"),
        (Role.MANAGER, "feedback:dashboard"),
        (Role.MEMBER, "contacts:search"),
    ):
        if role in roles:
            try:
                return redirect(target)
            except NoReverseMatch:
                continue
    return render(request, "accounts/home.html")


class LoginView(auth_views.LoginView):
    """Django's sign-in, with wrong passwords limited per client address and hashing bounded.

    axes locks one user name after a few failures; this limits one address trying many
    names. Checking a password costs a deliberate amount of CPU, so each process hashes
    only a few at once and the rest wait their turn instead of starving other pages.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        address = client_address(request)
        rate = rate_parse(settings.LOGIN_FAILURE_RATE)
        wait = rate_blocked(scope=LOGIN_FAILURE_SCOPE, key=address, rate=rate)
        if wait is not None:
            return _login_refused(request, wait=wait, status=429)
        try:
            with password_check_slot():
                response = super().post(request, *args, **kwargs)
        except PasswordChecksBusy:
            return _login_refused(request, wait=1, status=503)
        if response.status_code != 302:
            rate_hit(scope=LOGIN_FAILURE_SCOPE, key=address, rate=rate)
        return response


def _login_refused(request: HttpRequest, *, wait: int, status: int) -> HttpResponse:
    response = render(
        request, "accounts/login_throttled.html", {"retry_after": wait}, status=status
    )
    response["Retry-After"] = str(wait)
    return response


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker and cache, each reported; 200 only when all of them answer."""
    checks = health_report()
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


@require_GET
def settings_index(request: HttpRequest) -> HttpResponse:
    departments = selectors.department_list_manageable(user=request.user)
    if not departments.exists():
        return render(request, "403.html", status=403)
    return render(request, "accounts/settings_index.html", {"departments": departments})


@require_http_methods(["GET", "POST"])
def department_settings(request: HttpRequest, code: str) -> HttpResponse:
    department = selectors.department_get_manageable(user=request.user, code=code)
    data = request.POST if request.method == "POST" else None
    form = DepartmentSettingsForm(data, instance=department, prefix="dept")
    hours = OpeningHoursFormSet(data, instance=department, prefix="hours")
    holidays = HolidayFormSet(data, instance=department, prefix="holidays")
    if data is not None and form.is_valid() and hours.is_valid() and holidays.is_valid():
        with transaction.atomic():
            form.save()
            hours.save()
            holidays.save()
        messages.success(request, _("Opening hours of %(name)s saved.") % {"name": department})
        return redirect("accounts:department", code=department.code)
    return render(
        request,
        "accounts/department_settings.html",
        {"department": department, "form": form, "hours": hours, "holidays": holidays},
        status=400 if data is not None else 200,
    )


@require_http_methods(["GET", "POST"])
def department_staffing(request: HttpRequest, code: str) -> HttpResponse:
    department = selectors.department_get_manageable(user=request.user, code=code)
    grid = selectors.staffing_grid(department=department)
    form = StaffingForm(request.POST or None, initial_grid=grid)
    if request.method == "POST":
        if form.is_valid():
            services.staffing_save(department=department, grid=form.grid())
            messages.success(request, _("Staffing of %(name)s saved.") % {"name": department})
            return redirect("accounts:staffing", code=department.code)
        status = 400
    else:
        status = 200
    return render(
        request,
        "accounts/department_staffing.html",
        {"department": department, "form": form, "hours": range(24)},
        status=status,
    )


@require_GET
@vary_on_headers("HX-Request")
def notifications(request: HttpRequest) -> HttpResponse:
    before = request.GET.get("before")
    before_id = int(before) if before and before.isdigit() else None
    items = selectors.notification_list(user=request.user, before_id=before_id)
    context = {
        "items": items,
        "next_before": items[-1].id if len(items) == 20 else None,
    }
    template = "accounts/notifications.html"
    if request.htmx:
        template += "#rows"
    return render(request, template, context)


def _bell(request: HttpRequest) -> HttpResponse:
    # The version is read before the notifications: a change in between shows again.
    cursor = live_version(notifications_key(request.user.pk))
    count, latest = selectors.notification_bell(user=request.user)
    context = {"unread": count, "latest": latest, "cursor": cursor}
    return render(request, "accounts/notifications.html#bellbox", context)


@require_GET
@never_cache
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The bell, polled: 204 without a body while the ``cursor`` it was drawn with is the
    current version of the user's notifications (no query but the user's); redrawn with
    the new cursor otherwise."""
    cursor = request.GET.get("cursor", "")
    if len(cursor) > BELL_CURSOR_MAX or (cursor and not cursor.isalnum()):
        return HttpResponse(_("This page is out of date; reload it."), status=400)
    if cursor and cursor == live_version(notifications_key(request.user.pk)):
        return HttpResponse(status=204)
    return _bell(request)


@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("id")
    if raw is not None and not raw.isdigit():
        return HttpResponse(_("Unknown notification."), status=400)
    services.notification_mark_read(user=request.user, notification_id=int(raw) if raw else None)
    if request.htmx:
        return _bell(request)
    return redirect(reverse("accounts:notifications"))
