"""The case page and its actions: take, reply, log a call, note, sub-task, transfer, status,
resolve, close, reopen; and the "open cases" panel on the customer page.

Every action is a POST that answers htmx with the refreshed case body (template partial
``case.html#casebody``, swapped into ``#casebody`` only) and a browser without script with a
redirect back to the page. An action that leaves the page (a transfer) answers htmx with
``HX-Redirect``: the browser loads the whole next page, header and title included.
"""

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from contacts.panels import panel_list
from contacts.selectors.customers import customer_overview
from contacts.selectors.timeline import timeline_page
from journeys.forms import (
    AssignForm,
    CallForm,
    CommentForm,
    ReplyForm,
    ResolveForm,
    StatusForm,
    SubTaskCompleteForm,
    SubTaskForm,
    TransferForm,
    form_add_service_errors,
)
from journeys.models import Case
from journeys.panels import case_panel_list
from journeys.selectors import cases as selectors
from journeys.selectors.presence import presence_list
from journeys.services import cases as services
from journeys.services import presence as presence_services
from journeys.services import replies
from journeys.services.sla import case_next_due, sla_business_add, sla_state

TEMPLATE = "journeys/case.html"
LAST_CONTACTS = 5


CASE_SHORTCUTS = [
    ("r", gettext_lazy("Write a reply")),
    ("n", gettext_lazy("Write an internal note")),
]


def shortcuts_json(shortcuts: list[tuple[str, Any]]) -> str:
    """The page's keyboard shortcuts for its ``data-shortcuts`` attribute (the shortcuts
    overlay reads it; static/js/inbox.js handles the keys)."""
    return json.dumps([{"key": key, "label": str(label)} for key, label in shortcuts])


def hx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Leave the page: a full page load for htmx (HX-Redirect), a redirect otherwise."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _case_for(request: HttpRequest, case_id: int, *, work: bool = True) -> Case:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    if work and not selectors.case_may_work(user=request.user, case=case):
        raise PermissionDenied
    return case


def _forms(case: Case, bound: dict[str, Form], seen: int) -> dict[str, Form]:
    forms: dict[str, Form] = {
        "reply_form": ReplyForm(prefix="reply", initial={"seen": seen}),
        "call_form": CallForm(prefix="call"),
        "comment_form": CommentForm(prefix="comment"),
        "status_form": StatusForm(prefix="status", initial={"status": case.status}),
        "resolve_form": ResolveForm(prefix="resolve"),
        "subtask_form": SubTaskForm(prefix="subtask", exclude_id=case.department_id),
        "transfer_form": TransferForm(prefix="transfer", exclude_id=case.department_id),
        "assign_form": AssignForm(prefix="assign", department_id=case.department_id),
    }
    forms.update(bound)
    return forms


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, Form] | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    now = timezone.now()
    due = case_next_due(case=case)
    detail = selectors.case_detail(case=case)
    seen = max((m.pk for m in detail.messages), default=0)
    context = {
        "case": case,
        "detail": detail,
        "may_work": selectors.case_may_work(user=request.user, case=case),
        "may_lead": selectors.case_may_lead(user=request.user),
        "canned": selectors.canned_reply_list_for_case(user=request.user, case=case),
        "next_due": due,
        "sla_state": sla_state(due=due, now=now),
        "now": now,
        "complete_form": SubTaskCompleteForm(prefix="done"),
        "user_department_id": request.user.department_id,
        "case_error": error,
        "shortcuts": shortcuts_json(CASE_SHORTCUTS),
        "others": presence_list(case_id=case.pk, exclude_user_id=request.user.pk),
        "case_panels": [
            {
                "key": p.key,
                "title": p.title,
                "url": reverse(p.url_name, kwargs={"case_id": case.pk}),
            }
            for p in case_panel_list(case=case)
        ],
        **_forms(case, bound or {}, seen),
    }
    if context["may_work"] and case.is_open:
        # Warn before a reply goes to an address that bounced (the default channel's).
        context["reply_warning"] = replies.reply_address_warning(
            case=case, channel=replies.reply_channel_default(case=case)
        )
    template = f"{TEMPLATE}#casebody" if request.htmx else TEMPLATE
    if request.htmx and status == 400:
        # htmx does not swap 4xx answers; the errors are in the fragment itself.
        status = 200
    return render(request, template, context, status=status)


def _done(request: HttpRequest, case_id: int, message: str) -> HttpResponse:
    if request.htmx:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        return _render_case(request, case)
    messages.success(request, message)
    return redirect("journeys:case", case_id=case_id)


def _action(
    request: HttpRequest,
    case: Case,
    *,
    form: Form,
    key: str,
    run: Callable[[Form], Any],
    message: str,
) -> HttpResponse:
    """Validate ``form``, call the service; on bad input show the form with its errors."""
    if form.is_valid():
        try:
            run(form)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return _done(request, case.pk, message)
    return _render_case(request, case, bound={key: form}, status=400)


@require_GET
@vary_on_headers("HX-Request")
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id, work=False)
    presence_services.presence_record(case_id=case.pk, user=request.user)
    bound: dict[str, Form] = {}
    canned_id = request.GET.get("canned", "")
    if canned_id.isdigit() and selectors.case_may_work(user=request.user, case=case):
        reply = selectors.canned_reply_get_for_case(
            user=request.user, case=case, reply_id=int(canned_id)
        )
        if reply is not None:
            bound["reply_form"] = ReplyForm(
                prefix="reply",
                initial={
                    "body": replies.canned_reply_render(reply=reply, case=case),
                    "seen": request.GET.get("seen", ""),
                },
            )
    return _render_case(request, case, bound=bound)


@require_POST
@vary_on_headers("HX-Request")
def case_take(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take an unowned case of one's own department; the loser of a race is told who has it.
    Taking over someone else's case is the leads' "Assign"."""
    case = _case_for(request, case_id)
    try:
        services.case_take(case=case, user=request.user)
    except ValidationError as exc:
        if request.htmx:
            fresh = selectors.case_get_for_user(user=request.user, case_id=case.pk)
            return _render_case(request, fresh, error=" ".join(exc.messages))
        messages.error(request, " ".join(exc.messages))
        return redirect("journeys:case", case_id=case.pk)
    return _done(request, case.pk, _("The case is yours."))


@require_POST
@vary_on_headers("HX-Request")
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    """A lead gives the case to a member of its department (e.g. from the exception queue)."""
    case = _case_for(request, case_id)
    if not selectors.case_may_lead(user=request.user):
        raise PermissionDenied
    form = AssignForm(request.POST, prefix="assign", department_id=case.department_id)
    return _action(
        request,
        case,
        form=form,
        key="assign_form",
        message=_("Case assigned."),
        run=lambda f: services.case_assign(
            case=case, user=f.cleaned_data["owner"], by=request.user
        ),
    )


@require_POST
@vary_on_headers("HX-Request")
def case_reply(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    form = ReplyForm(request.POST, prefix="reply")
    if form.is_valid():
        try:
            replies.case_reply_send(
                case=case,
                by=request.user,
                body=form.cleaned_data["body"],
                channel=form.cleaned_data["channel"],
                subject=form.cleaned_data["subject"],
                seen_message_id=form.cleaned_data["seen"],
                confirmed=request.POST.get("confirm") == "1",
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            # A per-field error (no address for the channel) has an error_dict, no error_list.
            errors = (
                [e for errs in exc.error_dict.values() for e in errs]
                if hasattr(exc, "error_dict")
                else exc.error_list
            )
            form.needs_confirm = any(e.code == "replied-since" for e in errors)
        else:
            presence_services.presence_record(case_id=case.pk, user=request.user)
            return _done(request, case.pk, _("Reply sent."))
    return _render_case(request, case, bound={"reply_form": form}, status=400)


@require_POST
@vary_on_headers("HX-Request")
def case_call(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    form = CallForm(request.POST, prefix="call")
    return _action(
        request,
        case,
        form=form,
        key="call_form",
        message=_("Call logged."),
        run=lambda f: replies.case_call_log(
            case=case,
            by=request.user,
            body=f.cleaned_data["body"],
            channel=f.cleaned_data["channel"],
        ),
    )


@require_POST
@vary_on_headers("HX-Request")
def case_comment(request: HttpRequest, case_id: int) -> HttpResponse:
    # Departments asked for a sub-task may leave a note too.
    case = _case_for(request, case_id, work=False)
    if not request.user.has_perm("journeys.add_casecomment"):
        raise PermissionDenied
    form = CommentForm(request.POST, prefix="comment")
    return _action(
        request,
        case,
        form=form,
        key="comment_form",
        message=_("Note added."),
        run=lambda f: services.case_comment_add(
            case=case, author=request.user, body=f.cleaned_data["body"]
        ),
    )


@require_POST
@vary_on_headers("HX-Request")
def case_status(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    form = StatusForm(request.POST, prefix="status")
    return _action(
        request,
        case,
        form=form,
        key="status_form",
        message=_("Status changed."),
        run=lambda f: services.case_set_status(
            case=case, status=f.cleaned_data["status"], by=request.user
        ),
    )


@require_POST
@vary_on_headers("HX-Request")
def case_resolve(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    form = ResolveForm(request.POST, prefix="resolve")
    return _action(
        request,
        case,
        form=form,
        key="resolve_form",
        message=_("Case resolved."),
        run=lambda f: services.case_resolve(
            case=case, by=request.user, note=f.cleaned_data["note"]
        ),
    )


def _simple(
    request: HttpRequest, case_id: int, run: Callable[..., Case], message: str
) -> HttpResponse:
    case = _case_for(request, case_id)
    try:
        run(case=case, by=request.user)
    except ValidationError as exc:
        if request.htmx:
            return _render_case(request, case, error=" ".join(exc.messages))
        messages.error(request, " ".join(exc.messages))
        return redirect("journeys:case", case_id=case.pk)
    return _done(request, case.pk, message)


@require_POST
@vary_on_headers("HX-Request")
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    return _simple(request, case_id, services.case_close, _("Case closed."))


@require_POST
@vary_on_headers("HX-Request")
def case_reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    return _simple(request, case_id, services.case_reopen, _("Case reopened."))


@require_POST
@vary_on_headers("HX-Request")
def case_subtask(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    if not request.user.has_perm("journeys.add_subtask"):
        raise PermissionDenied
    form = SubTaskForm(request.POST, prefix="subtask", exclude_id=case.department_id)

    def run(f: Form) -> None:
        department = f.cleaned_data["department"]
        services.subtask_request(
            case=case,
            department=department,
            description=f.cleaned_data["description"],
            due_at=sla_business_add(
                department=department, start=timezone.now(), hours=f.cleaned_data["due_hours"]
            ),
            by=request.user,
        )

    return _action(
        request, case, form=form, key="subtask_form", run=run, message=_("Sub-task requested.")
    )


@require_POST
@vary_on_headers("HX-Request")
def case_transfer(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_for(request, case_id)
    if not request.user.has_perm("journeys.add_transfer"):
        raise PermissionDenied
    form = TransferForm(request.POST, prefix="transfer", exclude_id=case.department_id)
    if form.is_valid():
        try:
            services.case_transfer(
                case=case,
                to_department=form.cleaned_data["department"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Case %(number)s was transferred to %(department)s.")
                % {"number": case.pk, "department": form.cleaned_data["department"].name},
            )
            # The case has left the department: back to the inbox, as a whole page.
            return hx_redirect(request, reverse("journeys:inbox"))
    return _render_case(request, case, bound={"transfer_form": form}, status=400)


@require_POST
@vary_on_headers("HX-Request")
def subtask_complete(request: HttpRequest, subtask_id: int) -> HttpResponse:
    subtask = selectors.subtask_get_for_user(user=request.user, subtask_id=subtask_id)
    if not request.user.has_perm("journeys.change_subtask"):
        raise PermissionDenied
    form = SubTaskCompleteForm(request.POST, prefix="done")
    error = ""
    if form.is_valid():
        try:
            services.subtask_complete(
                subtask=subtask, by=request.user, result=form.cleaned_data["result"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    back = request.POST.get("back", "")
    if request.htmx and back == "inbox":
        from journeys.views.inbox import render_subtask_row

        return render_subtask_row(request, subtask.pk, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Sub-task done."))
    if back == "inbox":
        return redirect(f"{reverse('journeys:inbox')}?tab=subtasks")
    return redirect("journeys:case", case_id=subtask.case_id)


def _customer_case_rows(cases: list[selectors.CustomerCase]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "case": c.case,
            "may_open": c.may_open,
            "due": (due := case_next_due(case=c.case)),
            "state": sla_state(due=due, now=now),
        }
        for c in cases
    ]


@require_GET
def customer_cases_panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    """HTML fragment for the customer page: this customer's open cases in every department
    (subject, department, owner, status; a link where the user may open the case)."""
    cases = selectors.case_list_for_customer(user=request.user, customer_id=customer_id)
    return render(
        request, "journeys/customer_cases_panel.html", {"rows": _customer_case_rows(cases)}
    )


@require_GET
def case_customer_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    """HTML fragment beside the case: the customer's identities, what is known and the next
    question, their other open cases, last contact moments, and the panels other apps
    register for the customer page (feedback), each loaded on its own."""
    case = _case_for(request, case_id, work=False)
    customer = case.customer
    overview = customer_overview(user=request.user, customer=customer, with_orders=False)
    others = selectors.case_list_for_customer(
        user=request.user, customer_id=customer.pk, exclude_id=case.pk
    )
    contacts = timeline_page(user=request.user, customer=customer, limit=LAST_CONTACTS).items
    return render(
        request,
        "journeys/case_customer_panel.html",
        {
            "case": case,
            "customer": customer,
            "overview": overview,
            "rows": _customer_case_rows(others),
            "contacts": contacts,
            "panels": [p for p in panel_list() if p.key != "cases"],
        },
    )


@require_POST
def case_presence(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page reports every few seconds that it is open (and whether a reply is being
    written); the answer lists the others on the case. Cache only, no database write."""
    case = _case_for(request, case_id, work=False)
    presence_services.presence_record(
        case_id=case.pk, user=request.user, typing=request.POST.get("typing") == "1"
    )
    others = presence_list(case_id=case.pk, exclude_user_id=request.user.pk)
    return render(request, f"{TEMPLATE}#presence", {"others": others, "case": case})


urlpatterns = [
    path("cases/<int:case_id>/", case_page, name="case"),
    path("cases/<int:case_id>/take/", case_take, name="case_take"),
    path("cases/<int:case_id>/assign/", case_assign, name="case_assign"),
    path("cases/<int:case_id>/reply/", case_reply, name="case_reply"),
    path("cases/<int:case_id>/call/", case_call, name="case_call"),
    path("cases/<int:case_id>/note/", case_comment, name="case_comment"),
    path("cases/<int:case_id>/status/", case_status, name="case_status"),
    path("cases/<int:case_id>/resolve/", case_resolve, name="case_resolve"),
    path("cases/<int:case_id>/close/", case_close, name="case_close"),
    path("cases/<int:case_id>/reopen/", case_reopen, name="case_reopen"),
    path("cases/<int:case_id>/subtask/", case_subtask, name="case_subtask"),
    path("cases/<int:case_id>/transfer/", case_transfer, name="case_transfer"),
    path("subtasks/<int:subtask_id>/complete/", subtask_complete, name="subtask_complete"),
    path("cases/customer/<int:customer_id>/", customer_cases_panel, name="customer_cases_panel"),
    path("cases/<int:case_id>/customer/", case_customer_panel, name="case_customer_panel"),
    path("cases/<int:case_id>/presence/", case_presence, name="case_presence"),
]
