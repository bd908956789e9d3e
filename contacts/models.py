"""Models of contacts."""
