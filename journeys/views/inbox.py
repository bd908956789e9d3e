"""The agent inbox: my cases, my department's queue, the exception queue (leads) and the
sub-tasks asked of my department, with SLA colours, filters and keyset "load more".

The inbox keeps itself current: every 10 s the page asks ``inbox/poll/`` whether anything
in its section changed since it was drawn or an SLA colour is due to change, and gets the
refreshed section if so. While no case was written anywhere the cache says so (journeys.live):
204 and no body, without a query of its own; otherwise one indexed query on the section.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.live import live_version
from journeys.forms import InboxFilterForm, SubTaskCompleteForm
from journeys.live import CASES_KEY
from journeys.models import OPEN_Q, Case, SubTask
from journeys.selectors import cases as selectors
from journeys.selectors.presence import Presence, presence_for_cases
from journeys.services import cases as services
from journeys.services.sla import SOON, SlaState, case_next_due, sla_state

from . import cases as case_views

PAGE_SIZE = 25
POLL_SALT = "journeys.inbox.poll"
# A change committed while the page was being drawn may carry an earlier updated_at.
POLL_OVERLAP = dt.timedelta(seconds=2)
NEW_SHOWN = 99
INBOX_SHORTCUTS = [
    ("j", gettext_lazy("Next case in the list")),
    ("k", gettext_lazy("Previous case in the list")),
    ("Enter", gettext_lazy("Open the selected case")),
    ("Alt+N", gettext_lazy("Take the next case")),
]
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
    others: list[Presence] = field(default_factory=list)


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


def _rows(cases: list[Case], *, user_id: int | None = None) -> list[CaseRow]:
    now = timezone.now()
    others = presence_for_cases(case_ids=[c.pk for c in cases], exclude_user_id=user_id or 0)
    rows = []
    for case in cases:
        due = case_next_due(case=case)
        rows.append(
            CaseRow(
                case=case,
                due=due,
                state=sla_state(due=due, now=now),
                others=others.get(case.pk, []),
            )
        )
    return rows


def _next_colour_change(rows: list[CaseRow]) -> dt.datetime | None:
    """When the first shown SLA colour changes (ok → soon → breached), if ever."""
    moments = []
    for row in rows:
        if row.due is None:
            continue
        if row.state == SlaState.OK:
            moments.append(row.due - SOON)
        elif row.state == SlaState.SOON:
            moments.append(row.due)
    return min(moments, default=None)


def _section(request: HttpRequest, tab: str, filters: selectors.CaseFilters) -> dict[str, Any]:
    raw_after = request.GET.get("after", "")
    user = request.user
    if tab == "subtasks":
        task_after = selectors.SubTaskCursor.decode(raw_after) if raw_after else None
        tasks = selectors.subtask_list_for_department(user=user, after=task_after, limit=PAGE_SIZE)
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
    return {"rows": _rows(cases, user_id=user.pk), "next_cursor": cursor.encode() if cursor else ""}


def _poll_token(
    request: HttpRequest,
    tab: str,
    *,
    opened: dt.datetime,
    rows: list[CaseRow],
    since: dt.datetime | None,
    version: str,
) -> str:
    """What the live poll needs, signed: who, which section, since when, and when the next
    SLA colour changes; so that the poll needs no permission look-ups of its own."""
    change = _next_colour_change(rows)
    since = since or timezone.now() - POLL_OVERLAP
    return _poll_sign(
        {
            "u": request.user.pk,
            "t": tab,
            "d": request.user.department_id,
            "o": opened.timestamp(),
            "s": since.timestamp(),
            "c": change.timestamp() if change else None,
            "v": version,
        }
    )


def _poll_sign(token: dict[str, Any]) -> str:
    return signing.dumps(token, salt=POLL_SALT, compress=True)


def _poll_scope(tab: str, *, user_id: int, department_id: int | None) -> QuerySet[Case] | None:
    """The cases whose change redraws section ``tab`` (indexes case_owner_updated_idx,
    case_department_updated_idx, case_exception_idx)."""
    if tab == "mine":
        return Case.objects.filter(owner_id=user_id)
    if tab == "queue":
        if department_id is None:
            return Case.objects.none()
        return Case.objects.filter(department_id=department_id)
    if tab == "exceptions":
        qs = Case.objects.filter(OPEN_Q, is_exception=True)
        return qs if department_id is None else qs.filter(department_id=department_id)
    return None


@require_GET
@vary_on_headers("HX-Request")
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request)


def _inbox(request: HttpRequest, *, since: dt.datetime | None = None) -> HttpResponse:
    """The inbox page, or its section for htmx; ``since``: the newest change a live poll
    saw, where the next poll starts."""
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
    # Read before the cases: a change in between makes the next poll look again.
    version = live_version(CASES_KEY)
    section = _section(request, tab, filters)
    opened = _opened(request.GET.get("opened", ""))
    context = {
        "tabs": [(t, TAB_LABELS[t]) for t in tabs],
        "tab": tab,
        "filter_form": form,
        "filter_query": urlencode({"tab": tab, **params}),
        "may_take_next": "queue" in tabs and request.user.has_perm("journeys.change_case"),
        "is_more": bool(request.GET.get("after")),
        "new_count": _new_count(request.GET.get("new", "")),
        "opened": opened,
        "opened_time": date_format(timezone.localtime(opened), "TIME_FORMAT"),
        "shortcuts": case_views.shortcuts_json(INBOX_SHORTCUTS),
        "poll_token": _poll_token(
            request,
            tab,
            opened=opened,
            rows=section.get("rows", []),
            since=since,
            version=version,
        ),
        **section,
    }
    if request.htmx:
        fragment = "more" if context["is_more"] else "section"
        return render(request, f"{TEMPLATE}#{fragment}", context, status=status)
    return render(request, TEMPLATE, context, status=status)


def _opened(raw: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(float(raw), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return timezone.now()


def _new_count(raw: str) -> int:
    return min(int(raw), NEW_SHOWN + 1) if raw.isdigit() else 0


@require_GET
def inbox_poll(request: HttpRequest) -> HttpResponse:
    """Has the section changed since the page drew it? 204 without a body when not (from
    the cache while no case was written, else one query); otherwise the redrawn section,
    with how many cases are new or changed."""
    try:
        token = signing.loads(request.GET.get("token", ""), salt=POLL_SALT, max_age=60 * 60 * 12)
        since = dt.datetime.fromtimestamp(float(token["s"]), tz=dt.UTC)
        tab = str(token["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return HttpResponse(_("This inbox is out of date; reload the page."), status=400)
    if token["u"] != request.user.pk:
        return HttpResponse(_("This inbox is out of date; reload the page."), status=400)
    colour_due = token["c"] is not None and timezone.now().timestamp() >= token["c"]
    version = live_version(CASES_KEY)
    if not colour_due and token.get("v") == version:
        return HttpResponse(status=204)  # no case was written since the page was drawn
    scope = _poll_scope(tab, user_id=request.user.pk, department_id=token["d"])
    changed: list[dt.datetime] = []
    if scope is not None and not colour_due:
        changed = list(
            scope.filter(updated_at__gt=since)
            .order_by("-updated_at")
            .values_list("updated_at", flat=True)[: NEW_SHOWN + 1]
        )
    if not changed and not colour_due:
        if scope is None:
            return HttpResponse(status=204)
        return _poll_renewed(request, {**token, "v": version})
    query = request.GET.copy()
    query.pop("token", None)
    query["tab"] = tab
    query["opened"] = str(token["o"])
    query["new"] = str(_new_count(query.get("new", "")) + len(changed))
    # The inner view reads the changed copy; the stubs type GET as immutable.
    request.GET = query  # type: ignore[assignment]
    response = _inbox(request, since=changed[0] if changed else None)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _poll_renewed(request: HttpRequest, token: dict[str, Any]) -> HttpResponse:
    """Cases changed elsewhere, none in this section: only the poll itself is swapped, to
    carry the new version, so that the next idle poll answers from the cache again."""
    query = request.GET.copy()
    query.pop("token", None)
    new_count = _new_count(query.pop("new", [""])[-1])
    opened = _opened(str(token["o"]))
    context = {
        "tab": token["t"],
        "is_more": False,
        "poll_token": _poll_sign(token),
        "new_count": new_count,
        "filter_query": query.urlencode(),
        "opened_time": date_format(timezone.localtime(opened), "TIME_FORMAT"),
    }
    response = render(request, f"{TEMPLATE}#live", context)
    response["HX-Retarget"] = "#inbox-live"
    response["HX-Reswap"] = "outerHTML"
    return response


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
    # A whole page load of the case (header, title and all), for htmx as without it.
    return case_views.hx_redirect(request, reverse("journeys:case", kwargs={"case_id": case.pk}))


@require_POST
@vary_on_headers("HX-Request")
def take(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take one case from a queue row; htmx gets the row back, now owned, or the name of
    whoever was quicker."""
    if not request.htmx:
        return case_views.case_take(request, case_id)
    case = case_views._case_for(request, case_id)
    error = ""
    try:
        services.case_take(case=case, user=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    return render(
        request,
        f"{TEMPLATE}#row",
        {
            "row": _rows([case], user_id=request.user.pk)[0],
            "tab": "queue",
            "error": error,
            "taken": not error,
        },
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
    path("inbox/poll/", inbox_poll, name="inbox_poll"),
    *case_views.urlpatterns,
]
