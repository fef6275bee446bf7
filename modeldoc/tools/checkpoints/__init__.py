"""Model files: what they are (from their bytes) and, later, what loads safely from them."""
