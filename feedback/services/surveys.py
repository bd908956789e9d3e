"""Survey settings: saving a survey with its aspects, choosing the active one."""

from django.db import transaction
from django.forms.models import BaseInlineFormSet

from feedback.forms import SurveyForm
from feedback.models import Survey


@transaction.atomic
def survey_save(*, form: SurveyForm, aspects: BaseInlineFormSet) -> Survey:
    """Save a validated survey form and its aspect formset together."""
    survey = form.save()
    aspects.instance = survey
    aspects.save()
    return survey


@transaction.atomic
def survey_activate(*, survey: Survey) -> Survey:
    """Make ``survey`` the one sent after delivery; the previous active one stops."""
    Survey.objects.filter(is_active=True).exclude(pk=survey.pk).update(is_active=False)
    Survey.objects.filter(pk=survey.pk).update(is_active=True)
    survey.is_active = True
    return survey
