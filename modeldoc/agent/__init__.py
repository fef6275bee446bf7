"""The LangGraph agent that orders the tools and, later, writes and verifies the card."""
