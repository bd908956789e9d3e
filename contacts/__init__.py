"""Customers and contact moments."""
