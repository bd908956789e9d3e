"""State changes of feedback, one module per concept."""
