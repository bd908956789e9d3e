"""Benchmarks of the hot paths against the configured database (``manage.py bench``)."""
