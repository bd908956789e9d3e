"""Root URL configuration: one include per app, the API under /api/v1/."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from contacts.mail.inbound import webhook_view

# E-mail providers' webhooks (anymail): public, each verified by the provider's signature.
anymail_webhooks = [
    URLPattern(p.pattern, webhook_view(p.callback), p.default_args, p.name)
    for p in import_module("anymail.urls").urlpatterns
]


api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("contacts.api_urls")),
    path("", include("journeys.api_urls")),
    path("", include("feedback.api_urls")),
]

urlpatterns = [
    # First: the API is most of the requests, and each app's "" include would be tried
    # before it otherwise. Nothing else starts with api/v1/.
    path("api/v1/", include(api_v1)),
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("", include("contacts.mail.urls")),
    path("customers/", include("contacts.urls")),
    path("", include("journeys.urls")),
    path("feedback/", include("feedback.urls")),
    path("s/", include("feedback.public_urls")),
    path("webhooks/", include("contacts.views.webhooks")),
    path("channels/", include("contacts.views.channels")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("anymail/", include((anymail_webhooks, "anymail"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "cxcenter.errors.handler404"
handler500 = "cxcenter.errors.handler500"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
