"""Pages of journey maps: list, create and edit, the map itself, stages, enrolling and
moving customers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.models import Customer
from journeys.forms_campaigns import EnrollForm, JourneyForm, StageForm
from journeys.models import Journey
from journeys.selectors import journeymaps as selectors
from journeys.services import journeymaps as services


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


@require_GET
def journey_list(request: HttpRequest) -> HttpResponse:
    _require(request, "journeys.view_journey")
    journeys = list(selectors.journey_list(user=request.user)[:200])
    return render(request, "journeys/journey_list.html", {"journeys": journeys})


@require_http_methods(["GET", "POST"])
def journey_add(request: HttpRequest) -> HttpResponse:
    _require(request, "journeys.add_journey")
    form = JourneyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                journey = services.journey_create(values=form.cleaned_data, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Journey saved; now add its stages."))
                return redirect("journeys:journey_detail", journey.pk)
        status = 400
    return render(request, "journeys/journey_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def journey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "journeys.change_journey")
    journey = selectors.journey_get(user=request.user, journey_id=pk)
    form = JourneyForm(request.POST or None, instance=journey)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.journey_update(journey=journey, values=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Journey saved."))
                return redirect("journeys:journey_detail", journey.pk)
        status = 400
    return render(
        request, "journeys/journey_form.html", {"form": form, "journey": journey}, status=status
    )


def _detail(request: HttpRequest, journey: Journey, *, enroll_form=None, status=200):  # type: ignore[no-untyped-def]
    return render(
        request,
        "journeys/journey_detail.html",
        {
            "journey": journey,
            "map": selectors.journey_map(journey=journey),
            "goal": selectors.journey_goal_progress(journey=journey),
            "recent": selectors.enrollment_recent(journey=journey),
            "enroll_form": enroll_form or EnrollForm(journey=journey),
        },
        status=status,
    )


@require_GET
def journey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "journeys.view_journey")
    journey = selectors.journey_get(user=request.user, journey_id=pk)
    return _detail(request, journey)


@require_http_methods(["GET", "POST"])
def stage_form(request: HttpRequest, pk: int, stage_id: int | None = None) -> HttpResponse:
    _require(request, "journeys.change_journey")
    _require(
        request, "journeys.add_journeystage" if stage_id is None else "journeys.change_journeystage"
    )
    journey = selectors.journey_get(user=request.user, journey_id=pk)
    stage = selectors.journey_stage_get(journey=journey, stage_id=stage_id) if stage_id else None
    form = StageForm(request.POST or None, instance=stage, journey=journey)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {
                "name": form.cleaned_data["name"],
                "order": form.cleaned_data["order"],
                "is_moment_of_truth": form.cleaned_data["is_moment_of_truth"],
                "planned_channels": form.cleaned_data["planned_channels"],
            }
            try:
                services.journey_stage_save(journey=journey, values=values, stage=stage)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Stage saved."))
                return redirect("journeys:journey_detail", journey.pk)
        status = 400
    return render(
        request,
        "journeys/journey_stage_form.html",
        {"form": form, "journey": journey, "stage": stage},
        status=status,
    )


@require_POST
def journey_enroll(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a customer in the journey at a stage, or move an enrolled customer to it."""
    _require(request, "journeys.change_journey")
    journey = selectors.journey_get(user=request.user, journey_id=pk)
    form = EnrollForm(request.POST, journey=journey)
    if form.is_valid():
        customer = Customer.objects.filter(pk=form.cleaned_data["customer"]).first()
        if customer is None:
            form.add_error("customer", _("No customer with this number."))
        else:
            stage = form.cleaned_data["stage"]
            try:
                existing = journey.enrollments.filter(customer=customer).first()
                if existing is None:
                    services.journey_enroll(
                        journey=journey, customer=customer, stage=stage, by=request.user
                    )
                    messages.success(request, _("Customer enrolled."))
                else:
                    services.journey_move(enrollment=existing, stage=stage, by=request.user)
                    messages.success(request, _("Customer moved."))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return redirect("journeys:journey_detail", journey.pk)
    return _detail(request, journey, enroll_form=form, status=400)


urlpatterns = [
    path("journeys/", journey_list, name="journey_list"),
    path("journeys/new/", journey_add, name="journey_add"),
    path("journeys/<int:pk>/", journey_detail, name="journey_detail"),
    path("journeys/<int:pk>/edit/", journey_edit, name="journey_edit"),
    path("journeys/<int:pk>/stages/new/", stage_form, name="journey_stage_add"),
    path("journeys/<int:pk>/stages/<int:stage_id>/", stage_form, name="journey_stage_edit"),
    path("journeys/<int:pk>/enroll/", journey_enroll, name="journey_enroll"),
]
