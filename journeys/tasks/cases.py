"""Celery tasks of journeys: cases."""

from celery import shared_task

from journeys.services.cases import sla_escalate as sla_escalate_service


@shared_task(name="journeys.sla_escalate")
def sla_escalate() -> int:
    """Escalate overdue cases (beat, every minute); idempotent, so overlapping runs are safe."""
    return sla_escalate_service()
