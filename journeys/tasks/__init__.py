"""Celery tasks of journeys, one module per concept; imported here for autodiscovery."""

from . import campaigns, cases

__all__ = ["campaigns", "cases"]
