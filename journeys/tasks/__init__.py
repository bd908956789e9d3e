"""Celery tasks of journeys, one module per concept; imported here for autodiscovery."""

from . import campaign_sending, campaigns, cases

__all__ = ["campaign_sending", "campaigns", "cases"]
