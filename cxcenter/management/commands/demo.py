"""``manage.py demo``: load demo data; running it again changes nothing.

Each app that has a ``demo`` module with a ``load(*, out)`` function adds its part,
in the order of INSTALLED_APPS, so lower apps never import higher ones.
"""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create demo departments, opening hours, capacity and one user per role (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is None:
                continue
            module = import_module(module_name)
            with transaction.atomic():
                module.load(out=self.stdout)
