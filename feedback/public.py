"""The public survey page at its token URL: no login, the customer's language, one answer."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from accounts.clientip import client_address

from .forms import SurveyAnswerForm
from .models import Invitation, InvitationStatus
from .services.invitations import invitation_mark_opened
from .services.responses import AnswerRefused, response_submit
from .tokens import MAX_TOKEN_LENGTH, token_hash

RATE_LIMIT_PER_MINUTE = 30


def rate_limited(request: HttpRequest) -> bool:
    """A per-IP counter per minute in the cache; more than the limit is refused."""
    limit = getattr(settings, "FEEDBACK_SURVEY_RATE_LIMIT", RATE_LIMIT_PER_MINUTE)
    minute = int(timezone.now().timestamp() // 60)
    key = f"feedback:survey-rate:{client_address(request)}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return (
        Invitation.objects.select_related("survey", "customer", "order")
        .filter(tokens__token_hash=token_hash(token))
        .first()
    )


def organisation_branding() -> dict[str, str]:
    """The organisation's name and logo address for the public pages, from the settings."""
    logo = settings.CXCENTER_ORGANISATION_LOGO_URL
    if logo and not logo.startswith("https://"):
        logo = static(logo.lstrip("/"))
    return {"name": settings.CXCENTER_ORGANISATION_NAME or "cxcenter", "logo_url": logo}


def _message(request: HttpRequest, *, title: str, text: str, status: int) -> HttpResponse:
    return render(
        request,
        "feedback/public_message.html",
        {"title": title, "text": text, "organisation": organisation_branding()},
        status=status,
    )


@login_not_required
@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    if rate_limited(request):
        return _message(
            request,
            title=_("Too many requests"),
            text=_("Please wait a minute and try again."),
            status=429,
        )
    invitation = invitation_by_token(token)
    if invitation is None:
        return _message(
            request,
            title=_("Survey not found"),
            text=_("This link is not (or no longer) valid. Check that you copied it in full."),
            status=404,
        )
    language = invitation.customer.language or "nl"
    translation.activate(language)
    request.LANGUAGE_CODE = language
    now = timezone.now()
    if invitation.status == InvitationStatus.ANSWERED:
        return _message(
            request,
            title=_("Already answered"),
            text=_("You already answered this survey. Thank you!"),
            status=409 if request.method == "POST" else 200,
        )
    if invitation.status != InvitationStatus.SENT or invitation.expires_at <= now:
        return _message(
            request,
            title=_("This survey has closed"),
            text=_("The link has expired. Thank you for wanting to help us all the same."),
            status=410,
        )
    survey = invitation.survey
    form = SurveyAnswerForm(request.POST or None, survey=survey, language=language)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                response_submit(
                    invitation=invitation,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    aspect_scores=form.aspect_scores(),
                    now=now,
                )
            except AnswerRefused as refused:
                if refused.reason == "answered":
                    return _message(
                        request,
                        title=_("Already answered"),
                        text=_("You already answered this survey. Thank you!"),
                        status=409,
                    )
                return _message(
                    request,
                    title=_("This survey has closed"),
                    text=_("The link has expired."),
                    status=410,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return _message(
                    request,
                    title=_("Thank you!"),
                    text=_("Your answer has been received. It helps us do better."),
                    status=200,
                )
        status = 400
    else:
        invitation_mark_opened(invitation=invitation, now=now)
    return render(
        request,
        "feedback/public_survey.html",
        {
            "form": form,
            "survey": survey,
            "invitation": invitation,
            "organisation": organisation_branding(),
        },
        status=status,
    )
