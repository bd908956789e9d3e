"""State changes in journeys, one module per concept."""
