"""Code facts: one extractor per language, each reading source text with a tree-sitter grammar."""
