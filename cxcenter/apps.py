from django.apps import AppConfig


class CxcenterConfig(AppConfig):
    """The project's own commands (``manage.py demo``), above every app."""

    name = "cxcenter"
    verbose_name = "cxcenter"
