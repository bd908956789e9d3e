"""Pages of feedback for staff: the dashboard, the outcomes page, verbatims, the wallboard,
survey settings and the customer-page panel."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from journeys.selectors.cases import case_get_for_user

from . import outcomes as outcome_selectors
from . import selectors
from .charts import Chart, bar_chart, week_label
from .forms import AspectFormSet, DashboardForm, OutcomesForm, SurveyForm, VerbatimFilterForm
from .models import Survey
from .services.surveys import survey_activate, survey_save


def _verbatims_context(request: HttpRequest) -> dict:
    form = VerbatimFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.verbatim_list(
        user=request.user,
        sentiment=filters.get("sentiment", ""),
        product=filters.get("product", ""),
        channel=filters.get("channel", ""),
        unhappy=filters.get("unhappy", False),
        cursor=filters.get("cursor") or None,
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    if page.next_cursor:
        query["cursor"] = page.next_cursor
    return {"verbatim_form": form, "verbatims": page, "next_query": query.urlencode()}


@require_GET
@vary_on_headers("HX-Request")
def dashboard(request: HttpRequest) -> HttpResponse:
    if not selectors.feedback_allowed(user=request.user):
        raise PermissionDenied
    form = DashboardForm(request.GET or None)
    weeks = (form.cleaned_data.get("weeks") if form.is_valid() else None) or 12
    board = selectors.dashboard_get(user=request.user, weeks=weeks)
    labels = [week_label(p.start) for p in board.periods]

    def chart(values: list[float | None], **kwargs: Any) -> Chart:
        return bar_chart(list(zip(labels, values, strict=True)), **kwargs)

    charts = {
        "nps": chart([p.nps for p in board.periods], low=-100, high=100),
        "csat": chart([p.csat for p in board.periods], low=0, high=100, unit=" %"),
        "grade": chart([p.grade_average for p in board.periods], low=0, high=10),
        "rate": chart([p.response_rate for p in board.periods], low=0, high=100, unit=" %"),
    }
    context = {
        "form": form,
        "weeks": weeks,
        "board": board,
        "charts": charts,
        "period_rows": list(zip(labels, board.periods, strict=True)),
        "breakdown_sections": [
            (_("By product"), board.breakdowns["product"]),
            (_("By channel"), board.breakdowns["channel"]),
            (_("By department"), board.breakdowns["department"]),
        ],
        **_verbatims_context(request),
    }
    return render(request, "feedback/dashboard.html", context)


@require_GET
@vary_on_headers("HX-Request")
def outcomes(request: HttpRequest) -> HttpResponse:
    """The seven outcome figures with their weekly trend, filtered by department and period;
    htmx asks for the figures only."""
    departments = outcome_selectors.outcome_departments(user=request.user)
    default_from, default_to = outcome_selectors.outcomes_period(today=timezone.localdate())
    form = OutcomesForm(
        request.GET or None,
        departments=departments,
        max_days=outcome_selectors.MAX_SPAN_DAYS,
        initial={"date_from": default_from, "date_to": default_to},
    )
    context: dict = {"form": form, "board": None}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        date_from = data.get("date_from") or default_from
        date_to = data.get("date_to") or max(default_to, date_from)
        if (date_to - date_from).days > outcome_selectors.MAX_SPAN_DAYS:
            date_from = date_to - timedelta(days=outcome_selectors.MAX_SPAN_DAYS)
        context["board"] = outcome_selectors.outcomes_get(
            user=request.user,
            date_from=date_from,
            date_to=date_to,
            department_code=data.get("department") or None,
        )
    template = "feedback/outcomes.html"
    if request.htmx:
        template += "#figures"
    return render(request, template, context, status=status)


@require_GET
@vary_on_headers("HX-Request")
def verbatims(request: HttpRequest) -> HttpResponse:
    """The verbatims list on its own page; htmx asks for the next page as a fragment."""
    template = "feedback/verbatims.html"
    if request.htmx:
        template += "#rows"
    return render(request, template, _verbatims_context(request))


@require_GET
@vary_on_headers("HX-Request")
def wallboard(request: HttpRequest) -> HttpResponse:
    board = selectors.wallboard_get(user=request.user)
    template = "feedback/wallboard.html"
    if request.htmx:
        template += "#board"
    return render(request, template, {"wall": board})


@require_GET
def surveys(request: HttpRequest) -> HttpResponse:
    rows = selectors.survey_list(user=request.user)
    can_change = request.user.has_perm("feedback.change_survey")
    can_add = request.user.has_perm("feedback.add_survey")
    return render(
        request,
        "feedback/surveys.html",
        {"surveys": rows, "can_change": can_change, "can_add": can_add},
    )


def _survey_form_page(request: HttpRequest, survey: Survey | None) -> HttpResponse:
    form = SurveyForm(request.POST or None, instance=survey)
    aspects = AspectFormSet(request.POST or None, instance=survey or Survey(), prefix="aspects")
    status = 200
    if request.method == "POST":
        if form.is_valid() and aspects.is_valid():
            saved = survey_save(form=form, aspects=aspects)
            messages.success(request, _("Survey “%(name)s” saved.") % {"name": saved.name})
            return redirect("feedback:surveys")
        status = 400
    return render(
        request,
        "feedback/survey_form.html",
        {"form": form, "aspects": aspects, "survey": survey},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def survey_add(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("feedback.add_survey"):
        raise PermissionDenied
    return _survey_form_page(request, None)


@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=pk)
    return _survey_form_page(request, survey)


@require_POST
def survey_make_active(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, survey_id=pk)
    survey_activate(survey=survey)
    messages.success(
        request, _("“%(name)s” is now sent after every delivery.") % {"name": survey.name}
    )
    return redirect("feedback:surveys")


@require_GET
def case_followup_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    """HTML fragment on the case page of a feedback follow-up: the order (number, date), the
    product and the low aspect scores of the answer that opened the case."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    context = {"case": case, "detail": selectors.case_followup_detail(case=case)}
    return render(request, "feedback/case_followup_panel.html", context)


@require_GET
def customer_panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get_for_panel(user=request.user, customer_id=customer_id)
    responses = selectors.customer_responses(customer=customer)
    # Verbatim comments only for those who read feedback; scores for anyone seeing customers.
    context = {
        "customer": customer,
        "responses": responses,
        "show_comments": selectors.response_comments_visible(user=request.user),
    }
    return render(request, "feedback/customer_panel.html", context)
