"""Celery tasks of journeys: campaigns."""
