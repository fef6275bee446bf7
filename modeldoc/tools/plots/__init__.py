"""Pictures of the computed facts: performance plots and the shared figure plumbing."""
