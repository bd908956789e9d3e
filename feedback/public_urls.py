"""The public survey page (no login) at its token URL."""

from django.urls import path

from . import public

app_name = "survey"

urlpatterns = [path("<str:token>/", public.survey_answer, name="answer")]
