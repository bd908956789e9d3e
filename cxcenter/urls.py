"""Root URL configuration: one include per app, the API under /api/v1/."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views


def _anymail_urls() -> list:
    """The e-mail providers' tracking and inbound webhooks of django-anymail. They sign in
    with HTTP basic auth (ANYMAIL["WEBHOOK_SECRET"]) or the provider's signature, not as a
    user, so they are exempt from the login requirement."""
    from anymail import urls as anymail_urls

    for pattern in anymail_urls.urlpatterns:
        login_not_required(pattern.callback)
    return anymail_urls.urlpatterns


api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("contacts.api_urls")),
    path("", include("journeys.api_urls")),
    path("", include("feedback.api_urls")),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("customers/", include("contacts.urls")),
    path("", include("journeys.urls")),
    path("feedback/", include("feedback.urls")),
    path("s/", include("feedback.public_urls")),
    path("webhooks/", include("contacts.views.webhooks")),
    path("anymail/", include((_anymail_urls(), "anymail"))),
    path("channels/", include("contacts.views.channels")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
