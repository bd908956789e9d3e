"""Customer search and the customer 360 page with its inline actions (answer the next
question, change consent, log a call, store visit or note)."""

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from contacts.forms import (
    ANSWER_CHANNELS,
    LOG_KIND_LABELS,
    AnswerForm,
    ConsentForm,
    CustomerCreateForm,
    CustomerDetailsForm,
    LogForm,
    SearchForm,
)
from contacts.models import Channel, ConsentStatus, Customer, Direction, Interaction
from contacts.panels import panel_list
from contacts.selectors import customers as selectors
from contacts.selectors.customers import CONSENT_CHANNELS
from contacts.selectors.data import Page, cursor_decode
from contacts.selectors.timeline import (
    customer_latest_channel,
    timeline_page,
    timeline_refs_attach,
)
from contacts.services.customers import (
    consent_set,
    customer_create,
    customer_update,
    interaction_log,
)
from contacts.services.profiling import FactOutcome, profile_fact_record

TEMPLATE = "contacts/customer.html"
BODY_SHOWN = 400
CHANNEL_LABELS = dict(Channel.choices)
DIRECTION_LABELS = dict(Direction.choices)


def _timeline(
    request: HttpRequest, customer: Customer, *, cursor: str | None, channel: str | None
) -> Page[Interaction]:
    """A page of the timeline with its labels and shortened bodies ready for the template:
    get_FOO_display and the truncatechars filter cost more than the rest of a row."""
    page = timeline_page(user=request.user, customer=customer, cursor=cursor, channel=channel)
    timeline_refs_attach(user=request.user, items=page.items)
    # Translated once per page, not once per row (a lazy label translates on every use).
    channels = {key: str(label) for key, label in CHANNEL_LABELS.items()}
    directions = {key: str(label) for key, label in DIRECTION_LABELS.items()}
    for item in page.items:
        item.channel_label = channels.get(item.channel, item.channel)
        item.direction_label = directions.get(item.direction, item.direction)
        body = item.body
        item.body_shown = body if len(body) <= BODY_SHOWN else body[: BODY_SHOWN - 1] + "…"
    return page


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


@require_GET
@vary_on_headers("HX-Request")
def search(request: HttpRequest) -> HttpResponse:
    if not selectors.can_view(request.user):
        return _forbidden(request)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    found = selectors.customer_search_page(user=request.user, query=query)
    selectors.customer_contact_details(customers=found.customers)
    context = {"form": form, "found": found}
    # A history restore (back button after hx-push-url) needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "contacts/search.html#results", context)
    return render(request, "contacts/search.html", context)


@require_http_methods(["GET", "POST"])
def customer_new(request: HttpRequest) -> HttpResponse:
    if not selectors.can_view(request.user) or not request.user.has_perm("contacts.add_customer"):
        return _forbidden(request)
    form = CustomerCreateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                customer = customer_create(
                    name=data["name"],
                    identities=form.identities(),
                    user=request.user,
                    street=data["street"],
                    postcode=data["postcode"],
                    city=data["city"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Customer %(name)s was added.") % {"name": customer})
                return redirect("contacts:customer", customer_id=customer.pk)
    return render(request, "contacts/customer_new.html", {"form": form}, status=status)


def _panels(customer: Customer) -> list[dict[str, Any]]:
    shown = []
    for panel in panel_list():
        try:
            url = reverse(panel.url_name, kwargs={"customer_id": customer.pk})
        except NoReverseMatch:
            continue
        shown.append({"key": panel.key, "title": panel.title, "url": url})
    return shown


def _answer_channel_default(
    request: HttpRequest, customer: Customer, timeline: Page[Interaction], *, unfiltered: bool
) -> str:
    """The channel the answer form starts on: the one asked for (the case page links here
    with its case's channel), else the customer's latest contact moment's (an internal
    note is no contact). The first timeline page usually has it: no query then."""
    answer_channels = {value for value, _label in ANSWER_CHANNELS}
    asked = request.POST.get("channel") or request.GET.get("answer_channel", "")
    if asked in answer_channels:
        return asked
    if unfiltered:
        for item in timeline.items:
            if item.channel in answer_channels:
                return item.channel
        if timeline.next_cursor is None:
            return ""
    return customer_latest_channel(customer=customer, exclude=(Channel.NOTE,))


def _timeline_args(request: HttpRequest) -> tuple[str | None, str | None]:
    cursor = request.GET.get("cursor") or None
    if cursor is not None and cursor_decode(cursor) is None:
        raise Http404
    channel = request.GET.get("channel") or None
    if channel is not None and channel not in Channel.values:
        channel = None
    return cursor, channel


def _page_context(
    request: HttpRequest,
    customer: Customer,
    *,
    answer_form: AnswerForm | None = None,
    log_form: LogForm | None = None,
    consent_form: ConsentForm | None = None,
    cursor: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    overview = selectors.customer_overview(user=request.user, customer=customer)
    timeline = _timeline(request, customer, cursor=cursor, channel=channel)
    answer_channel = ""
    if overview.next_question is not None and request.user.has_perm("contacts.add_profilefact"):
        answer_channel = _answer_channel_default(
            request, customer, timeline, unfiltered=cursor is None and channel is None
        )
    return {
        "customer": customer,
        "overview": overview,
        "timeline": timeline,
        "answer_channels": ANSWER_CHANNELS,
        "answer_channel": answer_channel,
        "channel": channel or "",
        # Only forms that came back with errors; the empty forms are written out in HTML.
        "answer_form": answer_form,
        "log_form": log_form,
        "consent_form": consent_form,
        "panels": _panels(customer),
        # Choices for the forms, written out in the template: rendering them through form
        # widgets costs more than the rest of the page together.
        "log_kinds": LOG_KIND_LABELS,
        "consent_channels": [(c.value, c.label) for c in CONSENT_CHANNELS],
        "consent_statuses": ConsentStatus.choices,
        "timeline_channels": Channel.choices,
        "language": request.LANGUAGE_CODE,
    }


@require_GET
@vary_on_headers("HX-Request")
def customer(request: HttpRequest, customer_id: int) -> HttpResponse:
    found = selectors.customer_get(user=request.user, pk=customer_id)
    if found.merged_into_id is not None:
        return redirect("contacts:customer", customer_id=found.merged_into_id)
    cursor, channel = _timeline_args(request)
    if request.htmx and request.GET.get("fragment") in {"timeline", "rows"}:
        context = {
            "customer": found,
            "timeline": _timeline(request, found, cursor=cursor, channel=channel),
            "channel": channel or "",
            "timeline_channels": Channel.choices,
        }
        fragment = "timeline" if request.GET["fragment"] == "timeline" else "timeline_rows"
        return render(request, f"{TEMPLATE}#{fragment}", context)
    context = _page_context(request, found, cursor=cursor, channel=channel)
    return render(request, TEMPLATE, context)


def _after_post(
    request: HttpRequest, customer: Customer, fragment: str, message: str, **forms: Any
) -> HttpResponse:
    if request.htmx:
        context = _page_context(request, customer, **forms)
        context["flash"] = message
        return render(request, f"{TEMPLATE}#{fragment}", context)
    messages.success(request, message)
    return redirect("contacts:customer", customer_id=customer.pk)


def _invalid(request: HttpRequest, customer: Customer, fragment: str, **forms: Any) -> HttpResponse:
    context = _page_context(request, customer, **forms)
    if request.htmx:
        # htmx swaps only 2xx answers by default: the fragment with the form errors is a 200.
        return render(request, f"{TEMPLATE}#{fragment}", context)
    return render(request, TEMPLATE, context, status=400)


@require_POST
def customer_answer(request: HttpRequest, customer_id: int) -> HttpResponse:
    found = selectors.customer_get_active(
        user=request.user, pk=customer_id, perm="contacts.add_profilefact"
    )
    form = AnswerForm(request.POST)
    if form.is_valid():
        question = selectors.profile_question_get(pk=form.cleaned_data["question"])
        if question is None:
            form.add_error("question", _("This question is no longer asked."))
        else:
            try:
                result = profile_fact_record(
                    customer=found,
                    question=question,
                    value=form.cleaned_data["value"],
                    user=request.user,
                    channel=form.cleaned_data["channel"],
                )
            except ValidationError as exc:
                form.add_error("value", exc)
            else:
                message = (
                    _("The customer had already told us this.")
                    if result.outcome == FactOutcome.ASKED_AGAIN
                    else _("Answer saved.")
                )
                return _after_post(request, found, "profile", message)
    return _invalid(request, found, "profile", answer_form=form)


@require_POST
def customer_consent(request: HttpRequest, customer_id: int) -> HttpResponse:
    found = selectors.customer_get_active(
        user=request.user, pk=customer_id, perm="contacts.change_consent"
    )
    form = ConsentForm(request.POST, prefix="consent")
    if form.is_valid():
        data = form.cleaned_data
        source = data["source"] or _("changed by %(user)s") % {"user": request.user}
        consent_set(
            customer=found,
            channel=data["channel"],
            status=data["status"],
            source=source,
            user=request.user,
        )
        return _after_post(request, found, "consents", _("Consent saved."))
    return _invalid(request, found, "consents", consent_form=form)


@require_POST
def customer_log(request: HttpRequest, customer_id: int) -> HttpResponse:
    found = selectors.customer_get_active(
        user=request.user, pk=customer_id, perm="contacts.add_interaction"
    )
    form = LogForm(request.POST)
    if form.is_valid():
        channel, direction = form.channel_direction()
        interaction_log(
            customer=found,
            user=request.user,
            channel=channel,
            direction=direction,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            topic=form.cleaned_data["topic"],
        )
        return _after_post(request, found, "activity", _("Contact moment logged."))
    return _invalid(request, found, "activity", log_form=form)


@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    found = selectors.customer_get_active(
        user=request.user, pk=customer_id, perm="contacts.change_customer"
    )
    # The form writes into its instance while validating: give it a copy, the service saves.
    form = (
        CustomerDetailsForm(request.POST, instance=copy.copy(found))
        if request.method == "POST"
        else CustomerDetailsForm(instance=found)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            details = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                customer_update(customer=found, user=request.user, **details)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Details saved."))
                return redirect("contacts:customer", customer_id=found.pk)
    return render(
        request, "contacts/customer_edit.html", {"customer": found, "form": form}, status=status
    )


urlpatterns = [
    path("", search, name="search"),
    path("new/", customer_new, name="customer_new"),
    path("<int:customer_id>/", customer, name="customer"),
    path("<int:customer_id>/edit/", customer_edit, name="customer_edit"),
    path("<int:customer_id>/answer/", customer_answer, name="customer_answer"),
    path("<int:customer_id>/consent/", customer_consent, name="customer_consent"),
    path("<int:customer_id>/log/", customer_log, name="customer_log"),
]
