"""Managers' pages: routing rules, canned replies, the weekly report and reachability."""

from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.models import Department
from journeys.forms_manage import CannedReplyForm, ReportFilterForm, RoutingRuleForm
from journeys.selectors import reports as selectors
from journeys.services import rules as services


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _rules_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    template = "journeys/manage_rules.html"
    if request.htmx:
        template += "#rules"
    rules = selectors.routing_rule_list(user=request.user)
    return render(request, template, {"rules": rules}, status=status)


@require_GET
@vary_on_headers("HX-Request")
def rules(request: HttpRequest) -> HttpResponse:
    _require(request, "journeys.view_routingrule")
    return _rules_page(request)


@require_http_methods(["GET", "POST"])
def rule_add(request: HttpRequest) -> HttpResponse:
    _require(request, "journeys.add_routingrule")
    form = RoutingRuleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.routing_rule_create(values=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Routing rule added."))
                return redirect("journeys:rules")
        status = 400
    else:
        status = 200
    return render(request, "journeys/manage_rule_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "journeys.change_routingrule")
    rule = selectors.routing_rule_get(user=request.user, rule_id=pk)
    form = RoutingRuleForm(request.POST or None, instance=rule)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.routing_rule_update(rule=rule, values=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Routing rule saved."))
                return redirect("journeys:rules")
        status = 400
    else:
        status = 200
    return render(
        request, "journeys/manage_rule_form.html", {"form": form, "rule": rule}, status=status
    )


@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "journeys.delete_routingrule")
    rule = selectors.routing_rule_get(user=request.user, rule_id=pk)
    if request.method == "POST":
        services.routing_rule_delete(rule=rule)
        messages.success(request, _("Routing rule deleted."))
        return redirect("journeys:rules")
    return render(
        request,
        "journeys/manage_confirm_delete.html",
        {
            "object": rule,
            "cancel_url": "journeys:rules",
            "crumb": _("Routing rules"),
            "action_url": request.path,
        },
    )


@require_POST
@vary_on_headers("HX-Request")
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "journeys.change_routingrule")
    rule = selectors.routing_rule_get(user=request.user, rule_id=pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return HttpResponse(_("Move a rule up or down."), status=400)
    services.routing_rule_move(rule=rule, direction=direction)
    if request.htmx:
        return _rules_page(request)
    return redirect("journeys:rules")


@require_POST
@vary_on_headers("HX-Request")
def rule_active(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "journeys.change_routingrule")
    rule = selectors.routing_rule_get(user=request.user, rule_id=pk)
    raw = request.POST.get("active")
    if raw not in ("0", "1"):
        return HttpResponse(_("Say whether the rule is active (1) or not (0)."), status=400)
    services.routing_rule_set_active(rule=rule, is_active=raw == "1")
    if request.htmx:
        return _rules_page(request)
    return redirect("journeys:rules")


# --- Canned replies -------------------------------------------------------------------


def _canned_departments(request: HttpRequest) -> QuerySet[Department]:
    departments = selectors.canned_reply_departments(user=request.user)
    if not departments.exists():
        raise PermissionDenied
    return departments


@require_GET
def canned(request: HttpRequest) -> HttpResponse:
    _canned_departments(request)
    replies = selectors.canned_reply_list(user=request.user)
    return render(request, "journeys/manage_canned.html", {"replies": replies})


@require_http_methods(["GET", "POST"])
def canned_add(request: HttpRequest) -> HttpResponse:
    departments = _canned_departments(request)
    initial = {"department": request.user.department_id, "language": "nl"}
    form = CannedReplyForm(request.POST or None, departments=departments, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.canned_reply_create(values=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Canned reply added."))
                return redirect("journeys:canned")
        status = 400
    else:
        status = 200
    return render(request, "journeys/manage_canned_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def canned_edit(request: HttpRequest, pk: int) -> HttpResponse:
    departments = _canned_departments(request)
    reply = selectors.canned_reply_get(user=request.user, reply_id=pk)
    form = CannedReplyForm(request.POST or None, departments=departments, instance=reply)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.canned_reply_update(reply=reply, values=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Canned reply saved."))
                return redirect("journeys:canned")
        status = 400
    else:
        status = 200
    return render(
        request,
        "journeys/manage_canned_form.html",
        {"form": form, "reply": reply},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def canned_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _canned_departments(request)
    reply = selectors.canned_reply_get(user=request.user, reply_id=pk)
    if request.method == "POST":
        services.canned_reply_delete(reply=reply)
        messages.success(request, _("Canned reply deleted."))
        return redirect("journeys:canned")
    return render(
        request,
        "journeys/manage_confirm_delete.html",
        {
            "object": reply,
            "cancel_url": "journeys:canned",
            "crumb": _("Canned replies"),
            "action_url": request.path,
        },
    )


# --- Reports ----------------------------------------------------------------------------


class ReportScope(NamedTuple):
    form: ReportFilterForm
    allowed: list[Department]
    weeks: int
    chosen: list[Department]


def _report_filter(
    request: HttpRequest, *, default_weeks: int, default_department: str | None = None
) -> ReportScope | HttpResponse:
    if not selectors.report_may_view(user=request.user):
        raise PermissionDenied
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "journeys/report_bad_filter.html", {"form": form}, status=400)
    allowed = selectors.report_departments(user=request.user)
    if not allowed:
        raise PermissionDenied
    chosen = selectors.report_department_pick(
        departments=allowed,
        code=form.cleaned_data["department"] or None,
        default=default_department,
    )
    weeks = form.cleaned_data["weeks"] or default_weeks
    return ReportScope(form=form, allowed=allowed, weeks=weeks, chosen=chosen)


@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    picked = _report_filter(request, default_weeks=8)
    if isinstance(picked, HttpResponse):
        return picked
    form, allowed, weeks, chosen = picked
    report = selectors.case_report(departments=chosen, weeks=weeks)
    return render(
        request,
        "journeys/report_cases.html",
        {
            "report": report,
            "allowed": allowed,
            "weeks": weeks,
            "selected": form.cleaned_data["department"],
            "chart_height": selectors.CHART_HEIGHT,
            "bar_width": selectors.BAR_WIDTH,
        },
    )


@require_GET
def reachability(request: HttpRequest) -> HttpResponse:
    picked = _report_filter(request, default_weeks=4, default_department=Department.CONTACT_CENTER)
    if isinstance(picked, HttpResponse):
        return picked
    _form, allowed, weeks, chosen = picked
    department = chosen[0]
    grid = selectors.reachability(department=department, weeks=weeks)
    return render(
        request,
        "journeys/report_reachability.html",
        {"grid": grid, "allowed": allowed, "weeks": weeks, "hours": range(24)},
    )


urlpatterns = [
    path("routing/", rules, name="rules"),
    path("routing/new/", rule_add, name="rule_add"),
    path("routing/<int:pk>/", rule_edit, name="rule_edit"),
    path("routing/<int:pk>/delete/", rule_delete, name="rule_delete"),
    path("routing/<int:pk>/move/", rule_move, name="rule_move"),
    path("routing/<int:pk>/active/", rule_active, name="rule_active"),
    path("canned-replies/", canned, name="canned"),
    path("canned-replies/new/", canned_add, name="canned_add"),
    path("canned-replies/<int:pk>/", canned_edit, name="canned_edit"),
    path("canned-replies/<int:pk>/delete/", canned_delete, name="canned_delete"),
    path("reports/", reports, name="reports"),
    path("reports/reachability/", reachability, name="reachability"),
]
