"""Settings → Channels: each provider's state, and a test message through the outbound
path. For admins and managers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contacts.forms import ChannelTestForm
from contacts.selectors.channels import (
    FAILED_DAYS,
    channel_overview,
    channel_test_messages,
    channels_may_manage,
)
from contacts.services.outbound import outbound_test_send

TEMPLATE = "contacts/channels.html"


def _allowed(request: HttpRequest) -> None:
    if not channels_may_manage(user=request.user):
        raise PermissionDenied


def _render(request: HttpRequest, form: ChannelTestForm, *, status: int = 200) -> HttpResponse:
    context = {
        "providers": channel_overview(user=request.user),
        "tests": channel_test_messages(user=request.user),
        "form": form,
        "failed_days": FAILED_DAYS,
    }
    return render(request, TEMPLATE, context, status=status)


@require_GET
def channel_settings(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    return _render(request, ChannelTestForm())


@require_POST
def channel_test(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    form = ChannelTestForm(request.POST)
    if form.is_valid():
        try:
            outbound_test_send(
                channel=form.cleaned_data["channel"],
                address=form.cleaned_data["address"],
                by=request.user,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Test message queued; its status is shown below."))
            return redirect("channels:settings")
    return _render(request, form, status=400)


app_name = "channels"

urlpatterns = [
    path("", channel_settings, name="settings"),
    path("test/", channel_test, name="test"),
]
