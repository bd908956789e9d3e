"""Journeys, cases and campaigns."""
