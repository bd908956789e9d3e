"""REST API of journeys under /api/v1/: tasks (api.cases) and campaigns (api.campaigns)."""

from .api import campaigns, cases

urlpatterns = [*cases.urlpatterns, *campaigns.urlpatterns]
