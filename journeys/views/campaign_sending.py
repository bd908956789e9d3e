"""Pages of campaign sending: the send and reply counts of one campaign, and the number of
unwarned campaign contacts that managers see on the campaign list."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.models import Department
from accounts.roles import Role
from accounts.selectors import user_has_role
from journeys.selectors import campaigns as selectors
from journeys.selectors.campaign_sending import campaign_send_counts, unwarned_campaign_contacts


@require_GET
@vary_on_headers("HX-Request")
def campaign_sending(request: HttpRequest, pk: int) -> HttpResponse:
    """Per step: waiting, sent, delivered, opened, replied, failed and not sent."""
    if not request.user.has_perm("journeys.view_campaign"):
        raise PermissionDenied
    campaign = selectors.campaign_get(user=request.user, campaign_id=pk)
    template = "journeys/campaign_sending.html"
    if request.htmx:
        template += "#counts"
    return render(
        request,
        template,
        {"campaign": campaign, "steps": campaign_send_counts(campaign=campaign)},
    )


@require_GET
@vary_on_headers("HX-Request")
def campaign_unwarned(request: HttpRequest) -> HttpResponse:
    """Managers: contacts about campaigns the contact center was not warned about, in the
    last 7 and 30 days (their own department's for a manager of another department)."""
    user = request.user
    if not (user_has_role(user=user, role=Role.MANAGER) or user.is_superuser):
        raise PermissionDenied
    now = timezone.now()
    department = None
    if user.department is not None and user.department.code != Department.CONTACT_CENTER:
        department = user.department
    figures = {
        days: unwarned_campaign_contacts(
            since=now - dt.timedelta(days=days), until=now, department=department
        )
        for days in (7, 30)
    }
    template = "journeys/campaign_unwarned.html"
    if request.htmx:
        template += "#figure"
    return render(request, template, {"week": figures[7], "month": figures[30]})


urlpatterns = [
    path("campaigns/<int:pk>/sending/", campaign_sending, name="campaign_sending"),
    path("campaigns/unwarned/", campaign_unwarned, name="campaign_unwarned"),
]
