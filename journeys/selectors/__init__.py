"""Reads in journeys, always through the asking user's permissions."""
