"""Customer feedback."""
