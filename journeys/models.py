"""Models of journeys."""
