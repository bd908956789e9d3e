"""Pages of journeys: the inbox and cases (views.inbox), rules, replies and reports
(views.manage), campaigns, segments and the calendar (views.campaigns), journey maps
(views.journeymaps)."""

from .views import campaigns, inbox, journeymaps, manage

app_name = "journeys"

urlpatterns = [
    *inbox.urlpatterns,
    *manage.urlpatterns,
    *campaigns.urlpatterns,
    *journeymaps.urlpatterns,
]
