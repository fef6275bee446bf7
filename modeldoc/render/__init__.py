"""Renderers: the fact sheet and its narrative as a Hugging Face card, Model Card Toolkit
JSON and an MkDocs site."""
