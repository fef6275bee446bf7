"""Evaluation data: read tables safely and profile them."""
