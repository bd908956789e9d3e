"""State changes in contacts, one module per concept."""
