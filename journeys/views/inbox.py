"""The agent inbox: my cases, my department's queue, the exception queue (leads) and the
sub-tasks asked of my department, with SLA colours, filters and keyset "load more"."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from journeys.forms import InboxFilterForm, SubTaskCompleteForm
from journeys.models import Case, SubTask
from journeys.selectors import cases as selectors
from journeys.services import cases as services
from journeys.services.sla import SlaState, case_next_due, sla_state

from . import cases as case_views

PAGE_SIZE = 25
TEMPLATE = "journeys/inbox.html"
TAB_LABELS = {
    "mine": gettext_lazy("My cases"),
    "queue": gettext_lazy("My department's queue"),
    "exceptions": gettext_lazy("Exception queue"),
    "subtasks": gettext_lazy("Sub-tasks for my department"),
}


@dataclass
class CaseRow:
    case: Case
    due: Any
    state: SlaState | None


def _tabs(request: HttpRequest) -> list[str]:
    user = request.user
    tabs = []
    if user.has_perm("journeys.view_case"):
        tabs.append("mine")
        if user.department_id:
            tabs.append("queue")
    if selectors.case_may_lead(user=user):
        tabs.append("exceptions")
    if user.department_id and user.has_perm("journeys.change_subtask"):
        tabs.append("subtasks")
    return tabs


def _rows(cases: list[Case]) -> list[CaseRow]:
    now = timezone.now()
    rows = []
    for case in cases:
        due = case_next_due(case=case)
        rows.append(CaseRow(case=case, due=due, state=sla_state(due=due, now=now)))
    return rows


def _section(request: HttpRequest, tab: str, filters: selectors.CaseFilters) -> dict[str, Any]:
    raw_after = request.GET.get("after", "")
    user = request.user
    if tab == "subtasks":
        after = selectors.SubTaskCursor.decode(raw_after) if raw_after else None
        tasks = selectors.subtask_list_for_department(user=user, after=after, limit=PAGE_SIZE)
        next_cursor = (
            selectors.SubTaskCursor(due=tasks[-1].due_at, id=tasks[-1].pk)
            if len(tasks) == PAGE_SIZE
            else None
        )
        now = timezone.now()
        return {
            "subtasks": [(t, sla_state(due=t.due_at, now=now)) for t in tasks],
            "next_cursor": next_cursor.encode() if next_cursor else "",
            "complete_form": SubTaskCompleteForm(prefix="done"),
        }
    after = selectors.CaseCursor.decode(raw_after) if raw_after else None
    if tab == "queue":
        cases = selectors.case_list_queue(
            user=user, department=user.department, after=after, limit=PAGE_SIZE, filters=filters
        )
    elif tab == "exceptions":
        cases = selectors.case_list_exceptions(
            user=user, after=after, limit=PAGE_SIZE, filters=filters
        )
    else:
        cases = selectors.case_list_mine(user=user, after=after, limit=PAGE_SIZE, filters=filters)
    cursor = selectors.case_cursor_after(cases=cases, limit=PAGE_SIZE)
    return {"rows": _rows(cases), "next_cursor": cursor.encode() if cursor else ""}


@require_GET
@vary_on_headers("HX-Request")
def inbox(request: HttpRequest) -> HttpResponse:
    tabs = _tabs(request)
    if not tabs:
        raise PermissionDenied
    tab = request.GET.get("tab") or tabs[0]
    if tab not in tabs:
        tab = tabs[0]
    form = InboxFilterForm(request.GET)
    status = 200
    if form.is_valid():
        filters = selectors.CaseFilters(**form.cleaned_data)
    else:
        filters, status = selectors.NO_FILTERS, 400
    params = {k: v for k, v in (form.cleaned_data.items() if form.is_valid() else []) if v}
    context = {
        "tabs": [(t, TAB_LABELS[t]) for t in tabs],
        "tab": tab,
        "filter_form": form,
        "filter_query": urlencode({"tab": tab, **params}),
        "may_take_next": "queue" in tabs and request.user.has_perm("journeys.change_case"),
        "is_more": bool(request.GET.get("after")),
        **_section(request, tab, filters),
    }
    if request.htmx:
        fragment = "more" if context["is_more"] else "section"
        return render(request, f"{TEMPLATE}#{fragment}", context, status=status)
    return render(request, TEMPLATE, context, status=status)


@require_POST
@vary_on_headers("HX-Request")
def take_next(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.department_id or not user.has_perm("journeys.change_case"):
        raise PermissionDenied
    case = services.case_take_next(user=user, department=user.department)
    if case is None:
        if request.htmx:
            return render(request, f"{TEMPLATE}#taken", {"empty": True})
        from django.contrib import messages

        messages.info(request, _("The queue is empty."))
        return redirect("journeys:inbox")
    url = reverse("journeys:case", kwargs={"case_id": case.pk})
    if request.htmx:
        # Opens the case in place (htmx swaps the page body and pushes the URL).
        response = HttpResponse(status=204)
        response["HX-Location"] = url
        return response
    return redirect(url)


@require_POST
@vary_on_headers("HX-Request")
def take(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take one case from a queue row; htmx gets the row back, now owned."""
    if not request.htmx:
        return case_views.case_take(request, case_id)
    case = case_views._case_for(request, case_id)
    error = ""
    if case.department_id != request.user.department_id or case.owner_id:
        error = _("This case is no longer in your queue.")
    else:
        case = services.case_assign(case=case, user=request.user, by=request.user)
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    return render(
        request,
        f"{TEMPLATE}#row",
        {"row": _rows([case])[0], "tab": "queue", "error": error, "taken": not error},
    )


def render_subtask_row(request: HttpRequest, subtask_id: int, *, error: str) -> HttpResponse:
    task = selectors.subtask_get_for_user(user=request.user, subtask_id=subtask_id)
    task = SubTask.objects.select_related("case", "case__customer", "requested_by").get(pk=task.pk)
    return render(
        request,
        f"{TEMPLATE}#subtaskrow",
        {
            "task": task,
            "state": sla_state(due=task.due_at, now=timezone.now()),
            "error": error,
            "complete_form": SubTaskCompleteForm(prefix="done"),
        },
    )


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/take-next/", take_next, name="inbox_take_next"),
    path("inbox/take/<int:case_id>/", take, name="inbox_take"),
    *case_views.urlpatterns,
]
