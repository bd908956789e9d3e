"""Celery tasks of journeys: cases."""
