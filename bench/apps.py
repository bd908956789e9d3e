from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """Load tests above every app: ``manage.py seed``, ``manage.py bench`` and the seeding
    framework each app's ``seeding`` module is handed."""

    name = "bench"
    verbose_name = _("Load tests")
