"""Pages of feedback: the manager dashboard, the wallboard and survey settings."""

from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("verbatims/", views.verbatims, name="verbatims"),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/new/", views.survey_add, name="survey_add"),
    path("surveys/<int:pk>/", views.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/activate/", views.survey_make_active, name="survey_activate"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
    path("cases/<int:case_id>/followup/", views.case_followup_panel, name="case_followup_panel"),
]
