"""Pages of journeys: the inbox and cases (views.inbox), rules, replies and reports
(views.manage), campaigns, segments and the calendar (views.campaigns), journey maps
(views.journeymaps), campaign sending counts (views.campaign_sending)."""

from .views import campaign_sending, campaigns, inbox, journeymaps, manage

app_name = "journeys"

urlpatterns = [
    *inbox.urlpatterns,
    *manage.urlpatterns,
    *campaign_sending.urlpatterns,
    *campaigns.urlpatterns,
    *journeymaps.urlpatterns,
]
