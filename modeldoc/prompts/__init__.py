"""Prompt files, one per prompt, loaded by name (used by the LLM writer)."""
