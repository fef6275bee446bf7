"""The card's prose: the writers (offline now, an LLM later) and the verifier."""
