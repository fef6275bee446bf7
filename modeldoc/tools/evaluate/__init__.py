"""Metrics, confidence intervals and slices, computed from the model's predictions."""
