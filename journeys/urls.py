"""Pages of journeys: the inbox and cases (views.inbox), rules, replies and reports
(views.manage)."""

from .views import inbox, manage

app_name = "journeys"

urlpatterns = [*inbox.urlpatterns, *manage.urlpatterns]
