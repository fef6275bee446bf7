"""Helpers shared by tests (importable as `helpers` through pytest's pythonpath)."""
