"""Reads in contacts, one module per concept, always through the asking user's permissions."""
