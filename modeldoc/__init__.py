"""modeldoc: documents machine-learning models from their code, checkpoints and data."""

__version__ = "0.1.0"
